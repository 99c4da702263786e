"""Referral screens: lists (sent and received), sending, answering, and the printable form for
agencies without accounts. Thin: parse → access → query or act → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.cases.models import ServiceOutcome
from amparo.cases.queries import get_case_for, open_restricted_cases_of, service_decisions_of
from amparo.core import access, audit, names
from amparo.core.forms import errors_on
from amparo.referrals import actions, queries
from amparo.referrals.forms import (
    AnswerForm,
    OnwardReferralForm,
    PartnerReferralForm,
    ReferralFilterForm,
    ReferralForm,
    WithdrawForm,
)
from amparo.referrals.models import RECIPIENT, SHAREABLE_FIELDS, STATE_RULES, ReferralState
from amparo.registry.models import Individual
from amparo.registry.queries import get_individual_for


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (access.can(user, "referrals.view") or access.can(user, "referrals.respond")):
        access.require(user, "referrals.view")
    form = ReferralFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    lists = {}
    for name, qs in (
        ("incoming", queries.incoming_for(user)),
        ("outgoing", queries.outgoing_for(user)),
    ):
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("overdue"):
            qs = queries.overdue(qs)
        page = Paginator(qs.order_by("-sent_at", "-id"), 50).get_page(request.GET.get(name))
        for referral in page.object_list:
            referral.overdue = queries.is_overdue(referral)
        lists[name] = page
    return render(
        request,
        "referrals/list.html",
        {
            "form": form,
            **lists,
            "can_send_own": access.can(user, "referrals.manage")
            and not access.can(user, "registry.view"),
        },
    )


def _service_choices(user, case=None):
    """Active services serving the case's (or the user's) office area; the services of the
    care routes the case follows first (a child survivor's: the child protection route, then
    the GBV one), each in the route's order."""
    office = case.office if case is not None else user.office
    area = office.area if office is not None else None
    if area is not None:
        services = queries.services_serving(user, area, active_only=True)
    else:
        services = queries.services_visible_to(user).filter(
            is_active=True, provider__is_active=True
        )
    services = list(services.select_related("provider").order_by("provider__name", "name"))
    routes = queries.care_routes_for_case(user, case) if case is not None else []
    groups, placed = [], set()
    for route in routes:
        routed = [s for s in queries.route_services(route) if s.pk not in placed]
        placed |= {s.pk for s in routed}
        if routed:
            groups.append(
                (
                    _("Care route: %(name)s") % {"name": route.name},
                    [(s.pk, f"{s.name} · {s.provider.name}") for s in routed],
                )
            )
    others = [(s.pk, f"{s.name} · {s.provider.name}") for s in services if s.pk not in placed]
    return [*groups, (_("Other services"), others)] if groups else others


@login_required
def new_referral(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require(user, "referrals.manage")
    case = person = None
    if request.GET.get("case"):
        case = get_case_for(user, request.GET["case"])
        people = list(case.individuals.select_related("household"))
    elif request.GET.get("individual"):
        person = get_individual_for(user, request.GET["individual"])
        restricted = open_restricted_cases_of(user, person).first()
        if restricted is not None:  # only for her GBV team: her consent is on the case
            messages.info(
                request, _("Refer the person from their case, where their consent is recorded.")
            )
            return redirect(f"{reverse('referrals:new')}?case={restricted.uuid}")
        people = [person]
    elif not access.can(user, "registry.view"):
        people = []  # a partner agency refers someone into an organization
    else:
        return redirect("registry:search")
    walk_in = case is not None and case.is_walk_in  # the survivor's identity is the case's
    form_class = PartnerReferralForm if not people and not walk_in else ReferralForm
    form = form_class(
        request.POST or None,
        people=people,
        walk_in=walk_in,
        restricted=case is not None and case.restricted,
        services=_service_choices(user, case),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        service = queries.services_visible_to(user).filter(pk=d["service"]).first()
        chosen = next((p for p in people if p.pk == d.get("individual")), None)
        if service is None:
            form.add_error("service", _("Choose a service from your directory."))
        else:
            with errors_on(form):
                referral = actions.send_referral(
                    actor=user,
                    service=service,
                    urgency=d["urgency"],
                    reason=d["reason"],
                    shared_fields=d.get("shared_fields") or [],
                    consent=d["consent"],
                    consent_method=d["consent_method"],
                    consent_date=d["consent_date"],
                    case=case,
                    individual=chosen,
                    person=None
                    if people or walk_in
                    else {k: d.get(k) for k in actions.PERSON_FIELDS},
                    cross_border_consent=d["cross_border_consent"],
                    request=request,
                )
                messages.success(
                    request, _("Referral %(reference)s sent.") % {"reference": referral.reference}
                )
                return redirect("referrals:detail", referral.uuid)
    return render(
        request,
        "referrals/new.html",
        {"form": form, "case": case, "person": person, "declined": _declined(case)},
        status=400 if form.errors else 200,
    )


def _declined(case) -> list[str]:
    """The kinds of service the survivor of a restricted case declined (said on the form)."""
    if case is None or not case.restricted:
        return []
    decisions = service_decisions_of(case).filter(outcome=ServiceOutcome.DECLINED)
    return [d.get_service_type_display() for d in decisions]


def _in_words(field: str, value):
    """A shared value as the reader says it: "F" → "Mujer", "VE" → "Venezuela". What a partner
    typed in its own words stays as typed."""
    if field == "sex" and value in Individual.Sex.values:
        return Individual.Sex(value).label
    if field == "nationality":
        return names.country_name(value)
    if field == "languages" and isinstance(value, str):
        return ", ".join(names.language_name(c.strip()) for c in value.split(",") if c.strip())
    return value


def _page_context(user, referral) -> dict:
    withheld = queries.shared_data_withheld(referral)
    shared = {} if withheld else actions.shared_data(referral)
    return {
        "referral": referral,
        "withheld": withheld,
        "shared": [(SHAREABLE_FIELDS.get(k, k), _in_words(k, v)) for k, v in shared.items()],
        "overdue": queries.is_overdue(referral),
        "as_sender": referral.as_sender,
        "chain": queries.onward_chain(user, referral),
        "can_refer_onward": actions.can_refer_onward(user, referral),
    }


def _detail(
    request: HttpRequest,
    referral,
    form: AnswerForm,
    status: int = 200,
    withdraw_form: WithdrawForm | None = None,
) -> HttpResponse:
    """The referral's page, with the answers the user may give from its state, and the
    sender's withdrawal while it is open."""
    answerable = actions.can_answer(request.user, referral)
    follows = STATE_RULES[ReferralState(referral.state)].follows
    # Buttons named as actions ("Mark as received", "Accept", "Decline"), in the states' order.
    next_states = [
        (state, STATE_RULES[state].verb)
        for state in ReferralState
        if state in follows and STATE_RULES[state].mover == RECIPIENT
    ]
    withdrawable = ReferralState.WITHDRAWN in follows and actions.can_withdraw(
        request.user, referral
    )
    return render(
        request,
        "referrals/detail.html",
        {
            **_page_context(request.user, referral),
            "next_states": next_states if answerable else [],
            "form": form,
            "withdraw_form": (withdraw_form or WithdrawForm()) if withdrawable else None,
        },
        status=status,
    )


@login_required
def referral_detail(request: HttpRequest, referral_id) -> HttpResponse:
    referral = queries.get_referral_for(request.user, referral_id)
    audit.record_view(request=request, target=referral)
    return _detail(request, referral, AnswerForm())


@login_required
@require_POST
def answer(request: HttpRequest, referral_id) -> HttpResponse:
    referral = queries.get_referral_for(request.user, referral_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.move(
                actor=request.user,
                referral=referral,
                to_state=form.cleaned_data["state"],
                note=form.cleaned_data["note"],
                request=request,
            )
            messages.success(request, _("Answer recorded."))
            return redirect("referrals:detail", referral.uuid)
    return _detail(request, referral, form, status=400)


@login_required
@require_POST
def withdraw(request: HttpRequest, referral_id) -> HttpResponse:
    """The sending side withdraws the referral (the recipient: 404)."""
    referral = queries.get_referral_for(request.user, referral_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.withdraw_referral(
                actor=request.user,
                referral=referral,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request=request,
            )
            messages.success(request, _("Referral withdrawn."))
            return redirect("referrals:detail", referral.uuid)
    elif not actions.can_withdraw(request.user, referral):
        raise Http404
    return _detail(request, referral, AnswerForm(), status=400, withdraw_form=form)


@login_required
def refer_onward(request: HttpRequest, referral_id) -> HttpResponse:
    """The recipient of a referral refers the person on, within the consent it carried."""
    user = request.user
    parent = queries.get_referral_for(user, referral_id)
    if not actions.can_refer_onward(user, parent):
        access.require(user, "referrals.manage")
        messages.info(request, _("Accept the referral before you refer the person on."))
        return redirect("referrals:detail", parent.uuid)
    form = OnwardReferralForm(request.POST or None, parent=parent, services=_service_choices(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        service = queries.services_visible_to(user).filter(pk=d["service"]).first()
        if service is None:
            form.add_error("service", _("Choose a service from your directory."))
        else:
            with errors_on(form):
                referral = actions.refer_onward(
                    actor=user,
                    parent=parent,
                    service=service,
                    urgency=d["urgency"],
                    reason=d["reason"],
                    shared_fields=d.get("shared_fields") or [],
                    consent=d["consent"],
                    consent_method=d.get("consent_method") or "",
                    consent_date=d.get("consent_date"),
                    cross_border_consent=d["cross_border_consent"],
                    request=request,
                )
                messages.success(
                    request, _("Referral %(reference)s sent.") % {"reference": referral.reference}
                )
                return redirect("referrals:detail", referral.uuid)
    return render(
        request,
        "referrals/onward.html",
        {"form": form, "parent": parent},
        status=400 if form.errors else 200,
    )


@login_required
def print_form(request: HttpRequest, referral_id) -> HttpResponse:
    """The referral on paper, for an agency without accounts: only the shared fields."""
    referral = queries.get_referral_for(request.user, referral_id)
    audit.record(
        actor=request.user,
        action="referrals.referral.printed",
        target=referral,
        request=request,
        details={"shared_fields": referral.shared_fields},
    )
    return render(
        request,
        "referrals/print.html",
        {**_page_context(request.user, referral), "today": timezone.localdate()},
    )
