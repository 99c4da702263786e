"""Registry screens: search, household and person pages, registration. Thin: parse → access →
query or act → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amparo.core import access, audit
from amparo.core import queries as core_queries
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.registry import actions, queries, search
from amparo.registry.forms import (
    HouseholdEditForm,
    HouseholdForm,
    MemberForm,
    MemberFormSet,
    MoveForm,
    SearchForm,
    areas_of,
)
from amparo.registry.regions import office_region, user_region


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "registry.view")
    offices = core_queries.offices_visible_to(request.user)
    # Bound even on a fresh visit (no filter is required), so the page opens on the most
    # recent registrations the user may see rather than on an empty list.
    form = SearchForm(
        request.GET, offices=offices, country=user_region(request.user), user=request.user
    )
    hits, people = [], []
    if form.is_valid():
        text = form.cleaned_data["q"]
        if text:
            hits = search.search_individuals(
                request.user,
                text,
                narrow=form.narrow,
                born=form.cleaned_data.get("born"),
                region=user_region(request.user),
            )
            audit.record(
                actor=request.user,
                action="registry.individual.searched",
                request=request,
                details={"results": len(hits)},
            )
        else:
            people = list(
                form.narrow(queries.individuals_visible_to(request.user)).order_by(
                    "-household__registered_on", "household_id", "-is_head"
                )[:50]
            )
            audit.record(
                actor=request.user,
                action="registry.individual.listed",
                request=request,
                details={"results": len(people)},
            )
    return render(
        request,
        "registry/search.html",
        {
            "form": form,
            "hits": hits,
            "people": people,
            "can_register": access.can(request.user, "registry.register"),
            "can_import": access.can(request.user, "registry.import"),
        },
    )


@login_required
def household_page(request: HttpRequest, household_id) -> HttpResponse:
    household = queries.get_household_for(request.user, household_id)
    audit.record_view(request=request, target=household)
    targets = [str(household.uuid)] + [str(m.uuid) for m in household.members.all()]
    history = core_queries.history_for(request.user, targets)
    return render(
        request,
        "registry/household.html",
        {
            "household": household,
            "history": history,
            "can_change": access.can(request.user, "registry.change"),
            # The assistance app's card screens (linked by URL name, not imported).
            "can_card": access.can_any(
                request.user, ("assistance.distribute", "assistance.manage")
            ),
        },
    )


@login_required
def edit_household(request: HttpRequest, household_id) -> HttpResponse:
    access.require(request.user, "registry.change")
    household = queries.get_household_for(request.user, household_id)
    initial = {"status": household.status, "address": household.address, "phone": household.phone}
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            actions.update_household(
                actor=request.user, household=household, changes=form.cleaned_data, request=request
            )
            messages.success(request, _("Household saved."))
            return redirect("registry:household", household.uuid)
    return render(
        request,
        "registry/household_edit.html",
        {"household": household, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def individual_page(request: HttpRequest, individual_id) -> HttpResponse:
    survivor = queries.survivor_of(request.user, individual_id)
    if survivor is not None:  # a merged record's old identifier leads to the person
        return redirect("registry:individual", survivor.uuid)
    person = queries.get_individual_for(request.user, individual_id)
    audit.record_view(request=request, target=person)
    merged = list(queries.merged_into(person))
    history = core_queries.history_for(
        request.user, [str(person.uuid), *(str(m.uuid) for m in merged)]
    )
    return render(
        request,
        "registry/individual.html",
        {
            "person": person,
            "needs": queries.need_names(queries.needs_visible_to(request.user, person)),
            "history": history,
            "merged": merged,
            "can_change": access.can(request.user, "registry.change"),
            "can_open_case": access.can(request.user, "cases.manage"),
            "can_refer": access.can(request.user, "referrals.manage"),
            "can_record_service": access.can(request.user, "activities.record"),
            "can_message": access.can(request.user, "messaging.send"),
        },
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a household with all its members at the user's office, duplicates checked."""
    access.require(request.user, "registry.register")
    if request.user.office_id is None:
        return render(request, "registry/register.html", {"no_office": True}, status=400)
    if request.method != "POST":
        size = min(max(_int(request.GET.get("members"), 1), 1), 20)
        formset = MemberFormSet(initial=[{"relationship": "head"}] + [{}] * (size - 1))
        return render(
            request,
            "registry/register.html",
            {"form": _household_form(request), "formset": formset},
        )

    formset = MemberFormSet(request.POST)
    form = _household_form(request, request.POST, members=formset)
    context = {"form": form, "formset": formset}
    if "add_member" in request.POST:
        data = request.POST.copy()
        count = formset.total_form_count()
        if count < 20:
            data["form-TOTAL_FORMS"] = str(count + 1)
            for name in MemberForm.FROM_HEAD:  # as the page's script does
                data.setdefault(f"form-{count}-{name}", request.POST.get(f"form-0-{name}", ""))
        context["formset"] = MemberFormSet(data)
        context["formset"].errors  # noqa: B018 - bind, but show no errors for blank new rows
        return render(request, "registry/register.html", {**context, "adding": True})
    if not (form.is_valid() and formset.is_valid()):
        return render(request, "registry/register.html", context, status=400)
    with errors_on(form):  # members' errors go to their forms (HouseholdForm.members)
        try:
            household = actions.register_household(
                actor=request.user,
                office=request.user.office,
                members=[f.as_member() for f in form.member_forms],
                address=form.cleaned_data["address"],
                area=form.cleaned_data["area"],
                phone=form.cleaned_data["phone"],
                check_duplicates=True,
                duplicate_reason=form.cleaned_data["duplicate_reason"],
                request=request,
            )
        except actions.DuplicatesSuspected as exc:
            context["duplicates"] = [
                (f.cleaned_data, report)
                for f, report in zip(form.member_forms, exc.reports, strict=True)
                if report.candidates or report.hidden
            ]
            return render(request, "registry/register.html", context, status=409)
        messages.success(
            request,
            ngettext(
                "Household %(reference)s registered with %(count)s member.",
                "Household %(reference)s registered with %(count)s members.",
                len(form.member_forms),
            )
            % {"reference": household.reference, "count": len(form.member_forms)},
        )
        return redirect("registry:household", household.uuid)
    return render(request, "registry/register.html", context, status=400)


def _household_form(request: HttpRequest, data=None, members=None) -> HouseholdForm:
    form = HouseholdForm(data, members=members)
    form.fields["area"].queryset = areas_of(office_region(request.user.office))
    return form


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _initial(user, person) -> dict:
    data = actions.member_data(person)
    # A need the user may not read is neither shown nor lost: the action keeps it.
    data["specific_needs"] = queries.needs_visible_to(user, person)
    first = data["documents"][0] if data["documents"] else {}
    data["languages"] = ", ".join(data["languages"])
    data.update(
        document_type=first.get("type", ""),
        document_number=first.get("number", ""),
        document_country=first.get("issuing_country", ""),
    )
    return data


@login_required
def edit_individual(request: HttpRequest, individual_id) -> HttpResponse:
    access.require(request.user, "registry.change")
    person = queries.get_individual_for(request.user, individual_id)
    initial = _initial(request.user, person)
    form = MemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = form.as_member()
        doc_fields = ("document_type", "document_number", "document_country")
        if all(form.cleaned_data[f] == initial[f] for f in doc_fields):
            changes.pop("documents")  # keep every document when the first is unchanged
        elif len(initial["documents"]) > 1:
            changes["documents"] += initial["documents"][1:]
        with errors_on(form):
            actions.update_individual(
                actor=request.user, individual=person, changes=changes, request=request
            )
            messages.success(request, _("Changes saved."))
            return redirect("registry:individual", person.uuid)
    return render(
        request,
        "registry/individual_edit.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def move_individual(request: HttpRequest, individual_id) -> HttpResponse:
    access.require(request.user, "registry.change")
    person = queries.get_individual_for(request.user, individual_id)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        matches = list(
            queries.households_visible_to(request.user)
            .filter(organization_id=person.organization_id)
            .filter(reference__iexact=form.cleaned_data["reference"].strip())[:2]
        )
        target = matches[0] if len(matches) == 1 else None
        if target is None:
            form.add_error("reference", _("No household with this reference that you can see."))
        else:
            with errors_on(form):
                actions.move_individual(
                    actor=request.user,
                    individual=person,
                    to=target,
                    relationship=form.cleaned_data["relationship"],
                    request=request,
                )
                moved = _("Moved to household %(reference)s.")
                messages.success(request, moved % {"reference": target.reference})
                return redirect("registry:household", target.uuid)
    return render(
        request,
        "registry/individual_move.html",
        {"person": person, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def close_need_notice(request: HttpRequest, notice_id) -> HttpResponse:
    """The GBV team marks a notice followed up (404 for anyone else)."""
    notice = queries.get_need_notice_for(request.user, notice_id)
    try:
        actions.close_need_notice(actor=request.user, notice=notice, request=request)
    except ActionError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Marked as followed up."))
    return redirect("home")
