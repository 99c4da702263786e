"""Case screens. Thin: parse → access → query or act → render. Every page that shows a case's
confidential text writes a view event."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from amparo.cases import actions, forms, queries, statistics
from amparo.cases.models import PLANNABLE_SERVICES
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.core.models import User
from amparo.core.queries import areas, history_for
from amparo.registry.actions import DuplicatesSuspected
from amparo.registry.models import Individual
from amparo.registry.queries import get_individual_for
from amparo.registry.regions import office_region

SEXES = dict(Individual.Sex.choices)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "cases.view")
    user = request.user
    form = forms.CaseFilterForm(request.GET or None)
    if not access.can(user, "cases.supervise"):
        del form.fields["scope"]  # only supervisors see their office's caseload
    qs = queries.cases_visible_to(user)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("scope") == "office" and access.can(user, "cases.supervise"):
        qs = qs.filter(office_id=user.office_id)
    else:
        qs = qs.filter(queries.mine(user))
    qs = qs.filter(state=data["state"]) if data.get("state") else qs.exclude(state="closed")
    if data.get("type"):
        qs = qs.filter(type=data["type"])
    page = Paginator(qs.order_by("-opened_on", "-id"), 50).get_page(request.GET.get("page"))
    supervising = access.can(user, "cases.supervise")
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "overdue": list(queries.overdue_for_caseworker(user)[:50]),
            "overdue_office": list(queries.overdue_for_supervisor(user)[:50])
            if supervising
            else [],
            "waiting": list(queries.approvals_waiting_for(user)[:50]) if supervising else [],
            "can_see_statistics": statistics.may_see_statistics(user),
            "can_open_walk_in": bool(user.office_id)
            and access.can(user, "cases.manage")
            and queries.is_on_gbv_team(user, user.office_id),
        },
    )


@login_required
def open_case(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "cases.manage")
    person = get_individual_for(request.user, request.GET.get("individual", ""))
    members = list(person.household.members.order_by("-is_head", "date_of_birth"))
    form = forms.OpenCaseForm(
        request.POST or None, members=members, initial={"individuals": [person.pk]}
    )
    if request.method == "POST" and form.is_valid():
        chosen = [m for m in members if m.pk in form.cleaned_data["individuals"]]
        with errors_on(form):
            case = actions.open_case(
                actor=request.user,
                individuals=chosen,
                type=form.cleaned_data["type"],
                risk_level=form.cleaned_data["risk_level"],
                psea_related=form.cleaned_data["psea_related"],
                summary=form.cleaned_data["summary"],
                request=request,
            )
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("cases:detail", case.uuid)
    return render(
        request,
        "cases/open.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@login_required
def open_walk_in(request: HttpRequest) -> HttpResponse:
    """A GBV case for a survivor who is not in the registry (the office's GBV team only)."""
    user = request.user
    access.require(user, "cases.manage")
    if not user.office_id or not queries.is_on_gbv_team(user, user.office_id):
        raise Http404
    form = forms.WalkInCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            case = actions.open_walk_in_case(
                actor=user,
                identity=form.identity(),
                type=d["type"],
                risk_level=d["risk_level"],
                psea_related=d["psea_related"],
                summary=d["summary"],
                request=request,
            )
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("cases:detail", case.uuid)
    return render(request, "cases/walk_in.html", {"form": form}, status=400 if form.errors else 200)


def _walk_in_case(request: HttpRequest, case_id):
    """A walk-in case of the user's GBV team with its survivor's identity; 404 otherwise."""
    access.require(request.user, "cases.gbv")
    case = queries.get_case_for(request.user, case_id)
    identity = queries.survivor_of(case)
    if identity is None:
        raise Http404
    if request.method == "GET":
        audit.record_view(request=request, target=case)
    return case, identity


@login_required
def edit_survivor(request: HttpRequest, case_id) -> HttpResponse:
    case, identity = _walk_in_case(request, case_id)
    initial = forms.SurvivorIdentityForm.initial_from(identity, queries.survivor_age(identity))
    form = forms.SurvivorIdentityForm(request.POST or None, initial=initial)
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.change_survivor_identity(
            actor=request.user, case=case, identity=form.identity(), request=request
        ),
        title=_("The survivor"),
        done=_("The survivor's identity is corrected."),
    )


@login_required
def register_survivor(request: HttpRequest, case_id) -> HttpResponse:
    """The survivor agreed to a registry record: register them (duplicate check first), or
    link the case to the record the check found."""
    user = request.user
    case, identity = _walk_in_case(request, case_id)
    initial = forms.RegisterSurvivorForm.initial_from(identity, queries.survivor_age(identity))
    initial["consent_date"] = timezone.localdate()
    form = forms.RegisterSurvivorForm(request.POST or None, initial=initial)
    report = None
    if request.method == "POST" and request.POST.get("link"):
        consent = forms.LinkSurvivorForm(request.POST)
        person = get_individual_for(user, request.POST["link"])
        if consent.is_valid():
            with errors_on(form):
                actions.link_survivor(
                    actor=user,
                    case=case,
                    individual=person,
                    request=request,
                    **consent.cleaned_data,
                )
                messages.success(request, _("The case now points at the survivor's record."))
                return redirect("cases:detail", case.uuid)
        else:
            for field, errors in consent.errors.items():
                form.add_error(field, errors)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with errors_on(form):
                actions.register_survivor(
                    actor=user,
                    case=case,
                    data=form.member(),
                    consent_method=d["consent_method"],
                    consent_date=d["consent_date"],
                    duplicate_reason=d["duplicate_reason"],
                    request=request,
                )
                messages.success(request, _("The survivor is registered."))
                return redirect("cases:detail", case.uuid)
        except DuplicatesSuspected as exc:
            report = exc.reports[0]
    return render(
        request,
        "cases/register_survivor.html",
        {"case": case, "form": form, "report": report},
        status=400 if form.errors or report else 200,
    )


@login_required
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    case = queries.case_page(request.user, case_id)
    audit.record_view(request=request, target=case)
    user = request.user
    plan = queries.plan_of(case)
    survivor = queries.survivor_of(case)
    referrals = queries.referrals_sent_from(user, case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "survivor": survivor,
            "survivor_name": queries.survivor_name(survivor) if survivor else "",
            "survivor_age": queries.survivor_age(survivor) if survivor else None,
            "survivor_sex": SEXES.get(survivor["sex"], "") if survivor else "",
            "plan": plan,
            "planned_services": [PLANNABLE_SERVICES[s] for s in plan.services_planned]
            if plan
            else [],
            "referrals": referrals,
            "held": queries.referrals_held_by_withdrawal(case, referrals)
            if case.restricted
            else [],
            "note_form": forms.NoteForm(),
            "pending": {a.kind: a for a in case.approvals.all() if a.decision == "pending"},
            "can_supervise": access.can(user, "cases.supervise"),
            "can_refer": access.can(user, "referrals.manage") and not case.is_closed,
            "can_record_service": access.can(user, "activities.record") and not case.is_closed,
            "can_record_incident": case.type == "gbv" and access.can(user, "cases.gbv"),
            "can_message": access.can(user, "messaging.send"),
            **_consent_and_safety(case),
            "next_state": actions.FORWARD.get(case.state),
            "today": timezone.localdate(),
            "history": history_for(user, [str(case.uuid)]),
        },
    )


def _consent_and_safety(case) -> dict:
    """What a restricted case's page shows of consent, decisions per service and safety."""
    if not case.restricted:
        return {}
    withdrawals = list(queries.consent_withdrawals_of(case))
    return {
        "adolescent_incapacities": list(queries.adolescent_incapacities_of(case)),
        "withdrawals": withdrawals,
        "child_consents": list(queries.child_consents_of(case)),
        "service_decisions": list(queries.service_decisions_of(case)),
        "safety": queries.safety_of(case),
    }


def _small_form(
    request: HttpRequest,
    case,
    form,
    act,
    *,
    title: str,
    done: str,
    template: str = "cases/form.html",
    extra: dict | None = None,
):
    """The pattern of the case's small pages: validate → act → back to the case saying `done`,
    or the form again with the action's messages next to the fields (400)."""
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            act(form.cleaned_data)
            messages.success(request, done)
            return redirect("cases:detail", case.uuid)
    context = {"case": case, "form": form, "title": title, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def edit_case(request: HttpRequest, case_id) -> HttpResponse:
    case = queries.get_case_for(request.user, case_id)
    access.require(request.user, "cases.manage")
    if request.method == "GET":
        audit.record_view(request=request, target=case)
    form = forms.CaseEditForm(
        request.POST or None, initial={"risk_level": case.risk_level, "summary": case.summary}
    )
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.update_case(actor=request.user, case=case, request=request, **d),
        title=_("Risk and summary"),
        done=_("Risk and summary saved."),
    )


@login_required
def edit_plan(request: HttpRequest, case_id) -> HttpResponse:
    case = queries.get_case_for(request.user, case_id)
    access.require(request.user, "cases.manage")
    plan = queries.plan_of(case)
    if request.method == "GET" and plan is not None:
        audit.record_view(request=request, target=case)
    initial = (
        {"needs": plan.needs, "goals": plan.goals, "services_planned": plan.services_planned}
        if plan
        else {}
    )
    form = forms.PlanForm(request.POST or None, initial=initial)
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.save_plan(actor=request.user, case=case, request=request, **d),
        title=_("Assessment and case plan"),
        done=_("Assessment and plan saved."),
    )


def _case_form(form_class, act, title, done, colleagues=None):
    """A case's small page: a form whose cleaned data go, as keyword arguments, to one action
    taken by the signed-in user on that case. `colleagues(user, case)` fills a user choice."""

    @login_required
    def view(request: HttpRequest, case_id) -> HttpResponse:
        case = queries.get_case_for(request.user, case_id)
        access.require(request.user, "cases.manage")
        extra = {"colleagues": colleagues(request.user, case)} if colleagues else {}
        form = form_class(request.POST or None, **extra)
        return _small_form(
            request,
            case,
            form,
            lambda d: act(actor=request.user, case=case, request=request, **d),
            title=title,
            done=done,
        )

    return view


def _team_colleagues(user: User, case):
    return queries.colleagues_for(user, case).exclude(pk=case.owner_id)


def _transfer_colleagues(user: User, case):
    return queries.colleagues_for(user, case, any_office=True).exclude(pk=case.owner_id)


add_plan_action = _case_form(
    forms.PlanActionForm,
    actions.add_plan_action,
    gettext_lazy("New action of the plan"),
    gettext_lazy("Action added to the plan."),
    colleagues=queries.colleagues_for,
)
add_follow_up = _case_form(
    forms.FollowUpForm,
    actions.add_follow_up,
    gettext_lazy("New follow-up"),
    gettext_lazy("Follow-up saved."),
)
add_note = _case_form(
    forms.NoteForm, actions.add_note, gettext_lazy("New note"), gettext_lazy("Note saved.")
)
request_closure = _case_form(
    forms.ClosureForm,
    actions.request_closure,
    gettext_lazy("Ask to close the case"),
    gettext_lazy("Closure requested: a supervisor will decide."),
)
reopen = _case_form(
    forms.ReasonForm,
    actions.reopen,
    gettext_lazy("Reopen the case"),
    gettext_lazy("Case reopened."),
)
transfer = _case_form(
    forms.TransferForm,
    actions.transfer,
    gettext_lazy("Transfer the case"),
    gettext_lazy("Case transferred."),
    colleagues=_transfer_colleagues,
)
add_member = _case_form(
    forms.MemberForm,
    actions.add_member,
    gettext_lazy("Add a colleague to the team"),
    gettext_lazy("Colleague added to the team."),
    colleagues=_team_colleagues,
)


@login_required
@require_POST
def complete_plan_action(request: HttpRequest, case_id, action_id: int) -> HttpResponse:
    case = queries.get_case_for(request.user, case_id)
    action = queries.get_plan_action_of(case, action_id)
    return _one_click(
        request,
        case,
        lambda: actions.complete_plan_action(actor=request.user, action=action, request=request),
        done=_("Action marked as done."),
    )


def _one_click(request: HttpRequest, case, act, *, done: str) -> HttpResponse:
    try:
        act()
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("cases:detail", case.uuid)


@login_required
@require_POST
def advance(request: HttpRequest, case_id) -> HttpResponse:
    # The case page's confirmation names the step the user saw ("to"); without it, nothing moves.
    case = queries.get_case_for(request.user, case_id)
    return _one_click(
        request,
        case,
        lambda: actions.advance(
            actor=request.user,
            case=case,
            to_state=request.POST.get("to", ""),
            request=request,
        ),
        done=_("Case moved on."),
    )


@login_required
def decide(request: HttpRequest, case_id, approval_id: int) -> HttpResponse:
    access.require(request.user, "cases.supervise")
    case = queries.get_case_for(request.user, case_id)
    approval = queries.get_approval_of(case, approval_id)
    if request.method == "GET":
        audit.record_view(request=request, target=case)
    form = forms.DecisionForm(request.POST or None)
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.decide(
            actor=request.user,
            approval=approval,
            approve=d["decision"] == "approve",
            comment=d["comment"],
            request=request,
        ),
        title=_("Decide: %(what)s") % {"what": approval.get_kind_display()},
        done=_("Decision recorded."),
        extra={"approval": approval, "plan": queries.plan_of(case)},
    )


@login_required
@require_POST
def remove_member(request: HttpRequest, case_id, user_id) -> HttpResponse:
    case = queries.get_case_for(request.user, case_id)
    member = access.get_visible(case.members.all(), uuid=user_id)
    return _one_click(
        request,
        case,
        lambda: actions.remove_member(actor=request.user, case=case, user=member, request=request),
        done=_("Colleague removed from the team."),
    )


@login_required
def incident(request: HttpRequest, case_id, incident_id=None) -> HttpResponse:
    access.require(request.user, "cases.gbv")
    case = queries.get_case_for(request.user, case_id)
    record = None
    home = office_region(case.office)
    initial = {"report_date": timezone.localdate(), "country": home}
    if incident_id is not None:
        record = queries.get_incident_of(case, incident_id)
        if request.method == "GET":
            audit.record_view(request=request, target=record)
        initial = {f: getattr(record, f) for f in forms.IncidentForm.base_fields if f != "area"} | {
            "area": record.area_id
        }
    choices = areas(country_code=home).order_by("level", "name")
    form = forms.IncidentForm(request.POST or None, initial=initial, areas=choices)
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.record_incident(
            actor=request.user, case=case, data=d, incident=record, request=request
        ),
        title=_("GBV incident"),
        done=_("Incident saved."),
        template="cases/incident.html",
    )


@login_required
def gbv_statistics(request: HttpRequest) -> HttpResponse:
    if not statistics.may_see_statistics(request.user):
        access.require(request.user, "reports.view")
    year = timezone.localdate().year
    form = forms.StatisticsForm(request.GET or None, initial={"year": year})
    if form.is_valid():
        year = form.cleaned_data["year"]
    tables = statistics.gbv_tables(request.user, year)
    audit.record(
        actor=request.user,
        action="cases.gbv_statistics.viewed",
        request=request,
        details={"year": year},
    )
    return render(request, "cases/statistics.html", {"form": form, **tables})


@login_required
def incident_recorder(request: HttpRequest) -> HttpResponse:
    """The Incident Recorder export for the coordination group: the GBV coordinator only."""
    offices = queries.gbv_export_offices(request.user)
    if not offices.exists():
        raise Http404
    form = forms.IncidentRecorderForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        with errors_on(form):
            content, _count = actions.export_incident_recorder(
                actor=request.user,
                offices=list(form.cleaned_data["offices"]),
                month=month,
                request=request,
            )
            response = HttpResponse(content, content_type=XLSX)
            filename = f"incident-recorder-{month}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    return render(request, "cases/incident_recorder.html", {"form": form})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ORGANIZATION = "organization"


def _release_scopes(user: User) -> list[tuple[str, str]]:
    scopes = [(str(o.uuid), o.name) for o in queries.offices_of_gbv_team(user)]
    if user.organization_id and queries.covers(
        queries.gbv_offices_of(user.organization_id), queries.gbv_team_offices(user)
    ):
        scopes.append((ORGANIZATION, _("The whole organization")))
    return scopes


@login_required
def releases(request: HttpRequest) -> HttpResponse:
    """Monthly GBV tables: the GBV team prepares them; others see the approved ones."""
    user = request.user
    scopes = _release_scopes(user)
    if not scopes and not access.can(user, "reports.view"):
        raise Http404
    form = forms.PrepareReleaseForm(request.POST or None, scopes=scopes)
    if request.method == "POST":
        if not scopes:
            raise Http404
        if form.is_valid():
            scope = form.cleaned_data["scope"]
            office = None
            if scope != ORGANIZATION:
                office = next(o for o in queries.offices_of_gbv_team(user) if str(o.uuid) == scope)
            with errors_on(form):
                release = actions.prepare_monthly_release(
                    actor=user, office=office, month=form.cleaned_data["month"], request=request
                )
                messages.success(request, _("Tables prepared: a GBV coordinator approves them."))
                return redirect("cases:release", release.uuid)
    context = {
        "releases": queries.releases_visible_to(user),
        "form": form if scopes else None,
        "can_export": queries.gbv_export_offices(user).exists(),
    }
    return render(request, "cases/releases.html", context)


@login_required
def release(request: HttpRequest, release_id) -> HttpResponse:
    item = queries.get_release_for(request.user, release_id)
    audit.record(
        actor=request.user, action="cases.monthly_release.viewed", target=item, request=request
    )
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(statistics.release_workbook(item), content_type=XLSX)
        name = f"gbv-tables-{item.month:%Y-%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "release": item,
        "tables": statistics.worded(item.tables),
        "may_decide": queries.may_decide_release(request.user, item),
    }
    return render(request, "cases/release.html", context)


@login_required
@require_POST
def release_decision(request: HttpRequest, release_id, decision: str) -> HttpResponse:
    item = queries.get_release_for(request.user, release_id)
    act = {
        "approve": actions.approve_monthly_release,
        "withdraw": actions.withdraw_monthly_release,
    }.get(decision)
    if act is None:
        raise Http404
    try:
        act(actor=request.user, release=item, request=request)
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Tables approved and released.") if decision == "approve" else _("Tables withdrawn."),
        )
    return redirect("cases:release", item.uuid)


# Consent of child survivors, decisions per service and the survivor's safety: restricted
# cases only, their GBV team only (404 for anyone else, as for the case).


def _restricted_case(request: HttpRequest, case_id):
    access.require(request.user, "cases.gbv")
    case = queries.get_case_for(request.user, case_id)
    if not case.restricted:
        raise Http404
    return case


def _child_form(request: HttpRequest, case, form_class):
    people = list(case.individuals.all())
    return form_class(request.POST or None, people=people, walk_in=case.is_walk_in)


def _chosen_person(case, data: dict):
    return case.individuals.filter(pk=data.get("individual")).first()


@login_required
def child_consent(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _child_form(request, case, forms.ChildConsentForm),
        lambda d: actions.record_child_consent(
            actor=request.user,
            case=case,
            individual=_chosen_person(case, d),
            data=d,
            request=request,
        ),
        title=_("Consent of a child survivor"),
        done=_("Consent recorded."),
    )


@login_required
def adolescent_unable(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _child_form(request, case, forms.AdolescentIncapacityForm),
        lambda d: actions.record_adolescent_incapacity(
            actor=request.user,
            case=case,
            individual=_chosen_person(case, d),
            data=d,
            request=request,
        ),
        title=_("The adolescent cannot consent"),
        done=_(
            "Recorded. The caregiver's consent, or a supervisor's best-interests decision, "
            "may now be recorded."
        ),
    )


@login_required
def withdraw_consent(request: HttpRequest, case_id) -> HttpResponse:
    """A confirm step: the form says what a withdrawal stops, and which referrals awaiting an
    answer the survivor's consent covered; the button records it."""
    case = _restricted_case(request, case_id)
    if request.method == "GET":  # it lists to whom the person was referred
        audit.record_view(request=request, target=case)
    pending = queries.open_referrals_of(queries.referrals_sent_from(request.user, case))
    form = forms.ConsentWithdrawalForm(
        request.POST or None,
        initial={"withdrawn_on": timezone.localdate(), "withdraw_referrals": True},
    )
    if not pending:
        del form.fields["withdraw_referrals"]
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.withdraw_consent(actor=request.user, case=case, request=request, **d),
        title=_("Withdraw consent to referrals"),
        done=_("Withdrawal of consent recorded. No referral it covers can be sent."),
        template="cases/withdraw_consent.html",
        extra={"pending": pending},
    )


@login_required
def renew_consent(request: HttpRequest, case_id, withdrawal_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    withdrawal = queries.get_withdrawal_of(case, withdrawal_id)
    return _small_form(
        request,
        case,
        forms.ConsentRenewalForm(
            request.POST or None, initial={"renewed_on": timezone.localdate()}
        ),
        lambda d: actions.renew_consent(
            actor=request.user, case=case, withdrawal=withdrawal, request=request, **d
        ),
        title=_("Consent given again"),
        done=_("Recorded: consent was given again."),
    )


@login_required
def best_interests(request: HttpRequest, case_id) -> HttpResponse:
    access.require(request.user, "cases.supervise")
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _child_form(request, case, forms.BestInterestsForm),
        lambda d: actions.record_best_interests_decision(
            actor=request.user,
            case=case,
            individual=_chosen_person(case, d),
            data=d,
            request=request,
        ),
        title=_("Best-interests decision"),
        done=_("Best-interests decision recorded."),
    )


@login_required
def service_decision(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    form = forms.ServiceDecisionForm(
        request.POST or None,
        initial={"service_type": request.GET.get("service"), "decided_on": timezone.localdate()},
    )
    return _small_form(
        request,
        case,
        form,
        lambda d: actions.record_service_decision(
            actor=request.user, case=case, request=request, **d
        ),
        title=_("The survivor's decision on a service"),
        done=_("Decision recorded."),
    )


def _safety_form(request: HttpRequest, case, form_class):
    safety = queries.safety_of(case)
    initial = {f: getattr(safety, f) for f in form_class.base_fields} if safety else {}
    for field in ("may_call", "may_leave_message"):
        if field in initial and initial[field] is not None:
            initial[field] = "true" if initial[field] else "false"
    if request.method == "GET" and safety is not None:
        audit.record_view(request=request, target=safety)
    return form_class(request.POST or None, initial=initial)


@login_required
def mandatory_reporting(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _safety_form(request, case, forms.MandatoryReportingForm),
        lambda d: actions.record_mandatory_reporting(
            actor=request.user, case=case, data=d, request=request
        ),
        title=_("Confidentiality and mandatory reporting"),
        done=_("Saved."),
    )


@login_required
def safe_contact(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _safety_form(request, case, forms.SafeContactForm),
        lambda d: actions.record_safe_contact(
            actor=request.user, case=case, data=d, request=request
        ),
        title=_("Safe contact"),
        done=_("Saved."),
    )


@login_required
def safety_plan(request: HttpRequest, case_id) -> HttpResponse:
    case = _restricted_case(request, case_id)
    return _small_form(
        request,
        case,
        _safety_form(request, case, forms.SafetyPlanForm),
        lambda d: actions.record_safety_plan(
            actor=request.user, case=case, data=d, request=request
        ),
        title=_("Safety plan"),
        done=_("Saved."),
    )
