"""Services given: list, record, detail. Thin: parse → access → query or act → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.activities import actions, queries
from amparo.activities.forms import ActivityFilterForm, ActivityForm
from amparo.activities.models import AgeBand, Attendance, Sector
from amparo.cases import queries as case_queries
from amparo.core import access, audit
from amparo.core.forms import errors_on
from amparo.registry import queries as registry_queries


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """Services given, newest first, 50 a page; counts only, never participants' names."""
    access.require(request.user, "activities.view")
    form = ActivityFilterForm(
        request.GET or None, offices=queries.offices_for_filtering(request.user)
    )
    activities = queries.with_attendance(queries.activities_visible_to(request.user))
    if form.is_valid():
        activities = form.narrow(activities)
    page = Paginator(activities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/list.html",
        {
            "form": form,
            "page": page,
            "can_record": access.can(request.user, "activities.record"),
        },
    )


@login_required
def activity_detail(request: HttpRequest, activity_id) -> HttpResponse:
    activity = queries.get_activity_for(request.user, activity_id)
    audit.record_view(request=request, target=activity)
    people = list(queries.participants_shown_to(request.user, activity))
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "people": people,
            "people_not_shown": activity.registered - len(people),
            "grid": _attendance_grid(activity),
        },
    )


@login_required
def new_activity(request: HttpRequest) -> HttpResponse:
    """Record a service or activity. Prefills: ?case=, ?individual=, ?household=<reference>.

    Registered participants are ticked from a list: the case's individuals, the person the page
    was opened from, and the members of households looked up by reference ("Show members"
    submits the form without recording, so it works without JavaScript).
    """
    user = request.user
    access.require(user, "activities.record")
    offices = queries.offices_for_recording(user)
    if not offices.exists():
        return render(request, "activities/new.html", {"no_office": True}, status=400)
    staff = queries.staff_choices_for(user)
    if request.method != "POST":
        return _blank_form(request, offices, staff)

    form = ActivityForm(request.POST, offices=offices, staff=staff)
    finding = "find" in request.POST
    form.is_valid()
    data = form.cleaned_data
    case = None
    if data.get("case"):
        case = case_queries.cases_visible_to(user).filter(uuid=data["case"]).first()
        if case is None:
            form.add_error("case", _("Choose a case you work on."))
    chosen = list(
        registry_queries.individuals_visible_to(user).filter(uuid__in=data.get("participants", []))
    )
    if len(chosen) != len(data.get("participants", [])):
        form.add_error("participants", _("Choose people registered in your registry."))
    household, not_found = _household_members(user, data.get("household", ""))
    if finding and not_found:
        form.add_error("household", not_found)
    candidates = _candidates(user, case=case, chosen=chosen, extra=household)
    context = {"form": form, "case": case, "candidates": candidates, "finding": finding}
    if finding:
        return render(request, "activities/new.html", context)
    if form.errors:
        return render(request, "activities/new.html", context, status=400)
    with errors_on(form):
        activity = actions.record_activity(
            actor=user,
            office=data["office"],
            type=data["type"],
            date=data["date"],
            staff=data["staff"],
            sector=data["sector"],
            programme=data["programme"],
            case=case,
            participants=chosen,
            counts=form.counts(),
            request=request,
        )
        messages.success(request, _("Service recorded."))
        return redirect("activities:detail", activity.uuid)
    return render(request, "activities/new.html", context, status=400)


def _blank_form(request: HttpRequest, offices, staff) -> HttpResponse:
    user = request.user
    case = person = None
    if request.GET.get("case"):
        case = case_queries.get_case_for(user, request.GET["case"])
    if request.GET.get("individual"):
        person = registry_queries.get_individual_for(user, request.GET["individual"])
    own_office = offices.filter(pk=user.office_id).first()
    initial = {
        "date": timezone.localdate(),
        "office": own_office,
        "staff": [user],
        "case": case.uuid if case else None,
        "household": request.GET.get("household", "")[:32],
    }
    if case is not None:
        initial["sector"] = case.type if case.type in Sector.values else Sector.PROTECTION
        if case.office_id in {o.pk for o in offices}:
            initial["office"] = case.office
    form = ActivityForm(initial=initial, offices=offices, staff=staff)
    household, not_found = _household_members(user, initial["household"])
    chosen = [person] if person else []
    if case is not None:
        chosen += list(_case_people(user, case))
    candidates = _candidates(user, case=case, chosen=chosen, extra=household)
    return render(
        request,
        "activities/new.html",
        {
            "form": form,
            "case": case,
            "candidates": candidates,
            "finding": True,
            "household_error": not_found,
        },
    )


def _case_people(user, case):
    return registry_queries.individuals_visible_to(user).filter(cases=case).order_by("pk")


def _household_members(user, reference: str) -> tuple[list, str]:
    """The members of the household with this reference, or an explanation."""
    reference = (reference or "").strip()
    if not reference:
        return [], ""
    household = (
        registry_queries.households_visible_to(user).filter(reference__iexact=reference).first()
    )
    if household is None:
        return [], _("No household with this reference that you can see.")
    members = (
        registry_queries.individuals_visible_to(user)
        .filter(household=household)
        .order_by("-is_head", "date_of_birth")
    )
    return list(members), ""


def _candidates(user, *, case, chosen: list, extra: list) -> list[dict]:
    """People offered as checkboxes: ticked ones first, then the case's and household's."""
    offered = list(chosen)
    if case is not None:
        offered += list(_case_people(user, case))
    else:
        offered += extra
    ticked = {p.pk for p in chosen}
    unique = {p.pk: p for p in offered}
    return [{"person": p, "checked": p.pk in ticked} for p in unique.values()]


def _attendance_grid(activity) -> dict | None:
    """The cells with people counted, by sex then age band, and their total; None if nobody."""
    cells = {(a.sex, a.age_band): a.count for a in activity.attendance.all()}
    if not cells:
        return None
    rows = [
        (sex_label, band_label, cells[sex, band])
        for sex, sex_label in Attendance.Sex.choices
        for band, band_label in AgeBand.choices
        if (sex, band) in cells
    ]
    return {"rows": rows, "total": sum(cells.values())}
