"""Every write to services given. One transaction each; the audit event in the same function."""

import datetime
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.activities.models import (
    GROUP_TYPES,
    Activity,
    ActivityType,
    AgeBand,
    Attendance,
    Sector,
)
from amparo.cases.models import Case
from amparo.cases.queries import cases_visible_to, survivor_age, survivor_of
from amparo.core import access, audit
from amparo.core.errors import Errors
from amparo.core.models import Office, User
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

# A typo guard: the HTML date picker accepts year 202 as readily as 2025.
EARLIEST_DATE = datetime.date(2000, 1, 1)
# People in one cell (sex × age band) of one activity; more is a typing slip, not a workshop.
MAX_COUNT = 10_000

_TYPES = frozenset(ActivityType.values)
_SECTORS = frozenset(Sector.values)
_SEXES = frozenset(Attendance.Sex.values)
_AGE_BANDS = frozenset(AgeBand.values)


def counts_path(sex: str, age_band: str) -> str:
    """The error key of one cell of the attendance grid."""
    return f"counts.{sex}.{age_band}"


def _check_office(actor: User, office: Office, errors: Errors) -> bool:
    if not actor.is_superuser and office.organization_id != actor.organization_id:
        errors.add("office", _("Choose one of your organization's offices."))
        return False
    if actor.office_bound and office.pk != actor.office_id:
        errors.add("office", _("You can only record services given at your own office."))
    elif not office.is_active:
        errors.add("office", _("This office is closed."))
    return True


def _check_date(date: datetime.date | None, errors: Errors) -> None:
    if not isinstance(date, datetime.date):
        errors.add("date", _("Enter the date as YYYY-MM-DD."))
    elif date > timezone.localdate():
        errors.add("date", _("The date is in the future."))
    elif date < EARLIEST_DATE:
        errors.add("date", _("Check the year: the date is before 2000."))


def _check_staff(organization_id: int | None, staff: list[User], errors: Errors) -> None:
    if not staff:
        errors.add("staff", _("Choose at least one staff member."))
    elif any(u.organization_id != organization_id or not u.is_active for u in staff):
        errors.add("staff", _("Choose active staff members of this office's organization."))


def _clean_counts(counts: Mapping, errors: Errors) -> dict[tuple[str, str], int]:
    cleaned = {}
    for key, value in counts.items():
        sex, band = key if isinstance(key, tuple) and len(key) == 2 else ("", "")
        if sex not in _SEXES or band not in _AGE_BANDS:
            errors.add("counts", _("Unknown sex or age band: %(key)s.") % {"key": key})
            continue
        path = counts_path(sex, band)
        if value is None or value == "":
            continue
        number = None
        if isinstance(value, int | str) and not isinstance(value, bool):
            try:
                number = int(str(value).strip())
            except ValueError:
                number = None
        if number is None:
            errors.add(path, _("Enter a whole number."))
        elif number < 0:
            errors.add(path, _("The number of people cannot be negative."))
        elif number > MAX_COUNT:
            errors.add(path, _("Enter at most %(max)d people.") % {"max": MAX_COUNT})
        elif number:
            cleaned[(sex, band)] = number
    return cleaned


def _age_band(age: int) -> str:
    for band, top in (("0-5", 5), ("6-11", 11), ("12-17", 17), ("18-59", 59)):
        if age <= top:
            return band
    return AgeBand.OLDER_60


def _survivor_cell(case: Case, errors: Errors) -> dict[tuple[str, str], int]:
    """A service given to a walk-in case's survivor counts her or him by sex and age band
    (read from the case), as group activities count people who are not registered."""
    identity = survivor_of(case) or {}
    age = survivor_age(identity)
    if age is None:
        errors.add(
            "participants",
            _(
                "Record the survivor's date of birth or age on the case first: the service "
                "counts them by sex and age band."
            ),
        )
        return {}
    return {(identity.get("sex") or Attendance.Sex.OTHER, _age_band(age)): 1}


def _check_case(actor: User, case: Case, type: str, office: Office, errors: Errors) -> bool:
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        errors.add("case", _("Choose a case you work on."))
    elif case.organization_id != office.organization_id:
        errors.add("case", _("This case belongs to another organization."))
    elif type in GROUP_TYPES:
        errors.add("case", _("Only individual services can be linked to a case."))
    else:
        return True
    return False


def _participants(
    actor: User,
    organization_id: int | None,
    participants: list[Individual],
    case: Case | None,
    errors: Errors,
) -> list[Individual]:
    """The registered participants, checked; for a case, its individuals when none are chosen."""
    if case is not None and not participants:
        participants = list(individuals_visible_to(actor).filter(cases=case).order_by("pk"))
    ids = {p.pk for p in participants}
    visible: set[int] = set()
    if organization_id is not None:  # a person is always registered by an organization
        visible = set(
            individuals_visible_to(actor)
            .filter(pk__in=ids, organization_id=organization_id)
            .values_list("pk", flat=True)
        )
    if ids - visible:
        errors.add("participants", _("Choose people registered in your registry."))
    elif case is not None:
        of_case = set(case.individuals.filter(pk__in=ids).values_list("pk", flat=True))
        if ids - of_case:
            errors.add("participants", _("Choose people of this case."))
    return list({p.pk: p for p in participants}.values())


@transaction.atomic
def record_activity(
    *,
    actor: User,
    office: Office,
    type: str,
    date: datetime.date,
    staff: Iterable[User],
    sector: str,
    programme: str = "",
    case: Case | None = None,
    participants: Iterable[Individual] = (),
    counts: Mapping[tuple[str, str], int] | None = None,
    request=None,
) -> Activity:
    """Record an individual service or a group activity with its attendance.

    Requires `activities.record` (404 otherwise) and an office in the actor's scope. An individual
    service has registered participants only (at least one; when linked to a case and none are
    given, the case's individuals, or for a walk-in case its survivor, counted by sex and age
    band); a group activity has registered participants, people counted
    by sex and age band (`counts[(sex, age_band)] = n`), or both. Raises ActionError with every
    problem; nothing is written then. Side effects: audit `activities.activity.recorded`.
    """
    access.require(actor, "activities.record")
    errors = Errors()
    if type not in _TYPES:
        errors.add("type", _("Choose a service or activity."))
    if sector not in _SECTORS:
        errors.add("sector", _("Choose a sector."))
    office_of_org = _check_office(actor, office, errors)
    _check_date(date, errors)
    staff = list({u.pk: u for u in staff}.values())
    # An office of another organization is the one error to show: staff and people are then
    # checked against the actor's own organization rather than reported as well.
    organization_id = office.organization_id if office_of_org else actor.organization_id
    _check_staff(organization_id, staff, errors)
    case_ok = case is not None and _check_case(actor, case, type, office, errors)
    people = _participants(
        actor, organization_id, list(participants), case if case_ok else None, errors
    )
    cells = _clean_counts(counts or {}, errors)
    is_group = type in GROUP_TYPES
    survivor = case_ok and case is not None and case.is_walk_in and not is_group
    if survivor and case is not None and not people and not cells:
        cells = _survivor_cell(case, errors)
    elif not is_group and cells:
        errors.add(
            "counts",
            _("An individual service has registered participants only: leave the counts empty."),
        )
    if not is_group and not people and not survivor and "participants" not in errors:
        errors.add("participants", _("Choose at least one registered participant."))
    if is_group and not people and not cells and not any(k.startswith("counts") for k in errors):
        errors.add("participants", _("Add at least one participant, registered or counted."))
    errors.raise_if_any()

    activity = Activity.objects.create(
        organization_id=office.organization_id,
        office=office,
        type=type,
        date=date,
        programme=" ".join(programme.split())[:120],
        sector=sector,
        case=case,
        recorded_by=actor,
    )
    activity.staff.set(staff)
    activity.participants.set(people)
    Attendance.objects.bulk_create(
        Attendance(activity=activity, sex=sex, age_band=band, count=number)
        for (sex, band), number in sorted(cells.items())
    )
    audit.record(
        actor=actor,
        action="activities.activity.recorded",
        target=activity,
        request=request,
        fields=[
            "type",
            "date",
            "office",
            "sector",
            "staff",
            *(["programme"] if activity.programme else []),
            *(["case"] if case else []),
            *(["participants"] if people else []),
            *(["counts"] if cells else []),
        ],
        details={"participants": len(people), "counted": sum(cells.values())},
    )
    return activity
