"""People reached: who received at least one service or delivery in a period, counted once.

A person is *reached* in a period by a service given (an individual service, or a group
activity they attended as a registered participant: `activities`) or by a delivery of
assistance to their household (every member, as cash and kit reports count them; reversed
deliveries left out). Both sources are scoped by organization and, for an office-bound user,
office (`access.visible`). These are counts, not records: a service of a case the reader is
not on still counts; a list of the people behind a figure applies the whole policy.

A delivery's day is its office's local day (`locations.time_zone` of the office's country):
23:30 in Caracas on 31 March is in March wherever the server runs.

One SQL statement counts them: the union of `(person, office, sector, day)` of every service
and delivery, joined to the person and their household's area, `COUNT(DISTINCT …)` per group.
Dimensions of the person (sex, age band, nationality, population group, disability, admin 1
and 2 of the household's area) count each person once; dimensions of the service (office,
sector, month) once per office, sector or month, so their rows add up to more than the total.
Ages are taken on the last day of the period.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, F, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.activities.models import Activity, Attendance
from amparo.activities.models import Sector as ServiceSector
from amparo.assistance.models import Delivery
from amparo.assistance.models import Sector as AssistanceSector
from amparo.core import access, locations
from amparo.core.errors import ActionError
from amparo.core.models import Area, Office, User
from amparo.registry.models import WG_FIELDS, Difficulty, Household, Individual

PERSON_DIMENSIONS = (
    "sex",
    "age_band",
    "nationality",
    "population_group",
    "disability",
    "admin1",
    "admin2",
)
SERVICE_DIMENSIONS = ("office", "sector", "month")
DIMENSIONS = PERSON_DIMENSIONS + SERVICE_DIMENSIONS
LABELS = {
    "sex": gettext_lazy("sex"),
    "age_band": gettext_lazy("age band"),
    "nationality": gettext_lazy("nationality"),
    "population_group": gettext_lazy("population group"),
    "disability": gettext_lazy("disability"),
    "admin1": gettext_lazy("province or state"),
    "admin2": gettext_lazy("municipality or canton"),
    "office": gettext_lazy("office"),
    "sector": gettext_lazy("sector"),
    "month": gettext_lazy("month"),
}


@dataclass(frozen=True)
class AgeBand:
    low: int
    high: int | None  # inclusive; None: open-ended

    @property
    def code(self) -> str:
        return f"{self.low}-{self.high}" if self.high is not None else f"{self.low}+"


def _read_bands(text: str) -> list[AgeBand]:
    bands = []
    for part in (p.strip() for p in text.split(",")):
        if part.endswith("+"):
            bands.append(AgeBand(int(part[:-1]), None))
        else:
            low, high = part.split("-")
            bands.append(AgeBand(int(low), int(high)))
    return bands


def age_bands(spec: str | None = None) -> list[AgeBand]:
    """'0-4,5-11,12-17,18-59,60+' (`AMPARO_REPORT_AGE_BANDS`) as bands, checked: from 0 up,
    each starting where the one before ended, the last one open."""
    text = spec if spec is not None else settings.AMPARO_REPORT_AGE_BANDS
    try:
        bands = _read_bands(text)
    except ValueError:
        bands = []
    expected = 0
    for index, band in enumerate(bands):
        last = index == len(bands) - 1
        if band.low != expected or (band.high is None) != last:
            bands = []
            break
        if band.high is not None:
            if band.high < band.low:
                bands = []
                break
            expected = band.high + 1
    if not bands:
        raise ActionError.general(
            _(
                "The age bands “%(bands)s” are not valid: write them from 0 upwards, each "
                "starting where the one before ends, the last one open, as in "
                "0-4,5-11,12-17,18-59,60+."
            )
            % {"bands": text}
        )
    return bands


LONGEST_DAYS = 3660  # the longest period a report counts: ten years


@dataclass(frozen=True)
class Period:
    since: datetime.date
    until: datetime.date  # inclusive
    office_id: int | None = None  # one office of those in scope, or all of them
    # Narrower still, for a project's indicators (`queries_projects`): only these offices,
    # this sector, this kind of service or assistance (an activity or assistance type).
    offices: tuple[int, ...] | None = None
    sector: str = ""
    kind: str = ""
    project_id: int | None = None  # only the deliveries of this project's cycles, no service

    @classmethod
    def checked(
        cls, since: datetime.date, until: datetime.date, office_id: int | None = None
    ) -> Period:
        if until < since:
            raise ActionError({"until": [_("The period ends before it starts.")]})
        if (until - since).days > LONGEST_DAYS:  # a count, not an archive
            raise ActionError({"until": [_("Choose a period of ten years at most.")]})
        return cls(since, until, office_id)


@dataclass
class Reached:
    """People and households reached, by the chosen dimensions.

    `rows`: one per combination met, the dimensions' codes with `people` and `households`;
    `people`, `households`: the totals, each once; `counted`: participants of group
    activities who are not registered, by (sex, age band) in the activities' own bands, kept
    apart: they cannot be told apart, so each attendance counts."""

    period: Period
    by: tuple[str, ...]
    rows: list[dict] = field(default_factory=list)
    people: int = 0
    households: int = 0
    counted: dict[tuple[str, str], int] = field(default_factory=dict)


def check_dimensions(by: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown or len(set(by)) != len(by):
        raise ActionError(
            {
                "by": [
                    _("Count by one or more of: %(known)s, each once (not “%(unknown)s”).")
                    % {"known": ", ".join(DIMENSIONS), "unknown": ", ".join(unknown or by)}
                ]
            }
        )
    return tuple(by)


# What each service or delivery is, as one row: who, at which office, in which sector, on
# which (local) day, what it was (activity or assistance type), and where (an area's id).
EVENT_COLUMNS = "person, place, area, day, what, location"


def _activities(user: User, period: Period) -> QuerySet[Activity]:
    activities = access.visible(user, Activity.objects.all()).filter(
        date__gte=period.since, date__lte=period.until
    )
    if period.office_id is not None:
        activities = activities.filter(office_id=period.office_id)
    if period.offices is not None:
        activities = activities.filter(office_id__in=period.offices)
    if period.sector:
        activities = activities.filter(sector=period.sector)
    if period.kind:
        activities = activities.filter(type=period.kind)
    if period.project_id is not None:  # services belong to no project
        activities = activities.none()
    return activities


def _activity_events(user: User, period: Period) -> QuerySet:
    return (
        Activity.participants.through.objects.filter(activity__in=_activities(user, period))
        .values(
            person=F("individual_id"),
            place=F("activity__office_id"),
            area=F("activity__sector"),
            day=F("activity__date"),
            what=F("activity__type"),
            location=F("activity__office__area_id"),
        )
        .order_by()
    )


def local_bounds(
    user: User, period: Period
) -> list[tuple[zoneinfo.ZoneInfo, list[int], datetime.datetime, datetime.datetime]]:
    """(zone, offices, start, end) per time zone of the offices `user` may count in
    `period`: the period's first and following day at midnight where those offices are."""
    offices = access.visible(user, Office.objects.select_related("area"), office_field="pk")
    if period.office_id is not None:
        offices = offices.filter(pk=period.office_id)
    if period.offices is not None:
        offices = offices.filter(pk__in=period.offices)
    by_zone: dict[str, list[int]] = {}
    for office in offices:
        country = office.area.country_code if office.area is not None else None
        by_zone.setdefault(locations.time_zone(country, settings.TIME_ZONE), []).append(office.pk)
    bounds = []
    for name, office_ids in sorted(by_zone.items()):
        zone = zoneinfo.ZoneInfo(name)
        start = datetime.datetime.combine(period.since, datetime.time(), zone)
        end = datetime.datetime.combine(
            period.until + datetime.timedelta(days=1), datetime.time(), zone
        )
        bounds.append((zone, office_ids, start, end))
    return bounds


def deliveries_in(user: User, period: Period) -> list[tuple[zoneinfo.ZoneInfo, QuerySet[Delivery]]]:
    """The deliveries (not reversed) `user` may count in `period`, one queryset per time zone
    of the offices (with the zone): a delivery's day is its office's local day."""
    deliveries = access.visible(
        user, Delivery.objects.filter(reversed_at__isnull=True), office_field="entitlement__office"
    )
    if period.sector:
        deliveries = deliveries.filter(entitlement__cycle__project__sector=period.sector)
    if period.kind:
        deliveries = deliveries.filter(entitlement__cycle__assistance_type=period.kind)
    if period.project_id is not None:
        deliveries = deliveries.filter(entitlement__cycle__project_id=period.project_id)
    return [
        (
            zone,
            deliveries.filter(
                entitlement__office_id__in=office_ids,
                delivered_at__gte=start,
                delivered_at__lt=end,
            ),
        )
        for zone, office_ids, start, end in local_bounds(user, period)
    ]


def _delivery_events(user: User, period: Period) -> list[QuerySet]:
    """One queryset per time zone of the offices in scope: a delivery's day is local."""
    return [
        deliveries.values(
            person=F("entitlement__household__members__id"),
            place=F("entitlement__office_id"),
            area=F("entitlement__cycle__project__sector"),
            day=TruncDate("delivered_at", tzinfo=zone),
            what=F("entitlement__cycle__assistance_type"),
            # Where it was given: the distribution's area, else its office's.
            location=Coalesce("entitlement__cycle__area_id", "entitlement__office__area_id"),
        ).order_by()
        for zone, deliveries in deliveries_in(user, period)
    ]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


# Sectors whose figures never go below admin 1 outside the organization (GBV): in an export,
# their services count with no office and no admin 2.
COARSE_SECTORS = ("gbv",)


def _coarse(expression: str, outside: bool) -> str:
    """`expression`, or nothing for the services of a `COARSE_SECTORS` sector outside."""
    if not outside:
        return expression
    sectors = ", ".join(f"'{sector}'" for sector in COARSE_SECTORS)
    return f"CASE WHEN e.area IN ({sectors}) THEN NULL ELSE {expression} END"


def _expressions(
    period: Period, bands: list[AgeBand], *, outside: bool = False
) -> tuple[dict[str, str], list]:
    """Each dimension's SQL over the aliases of `_count` (e: the event, i: the person,
    a, a1, a2: the household's area and its parents), and the parameters they take."""
    branches, params = [], []
    for band in reversed(bands[1:]):  # the oldest first: born on or before the cut-off
        branches.append("WHEN i.date_of_birth <= %s THEN %s")
        params += [_years_before(period.until, band.low), band.code]
    age = f"CASE {' '.join(branches)} ELSE %s END" if branches else "%s"
    params.append(bands[0].code)
    serious = ", ".join(f"'{value}'" for value in (Difficulty.A_LOT, Difficulty.CANNOT))
    disability = " OR ".join(f"i.{name} IN ({serious})" for name in WG_FIELDS)
    month = (
        "to_char(e.day, 'YYYY-MM')"
        if connection.vendor == "postgresql"
        else ("strftime('%%Y-%%m', e.day)")
    )
    level = Area.Level
    return (
        {
            "sex": "i.sex",
            "age_band": age,
            "nationality": "i.nationality",
            "population_group": "i.population_group",
            "disability": f"CASE WHEN {disability} THEN 'yes' ELSE 'no' END",
            "admin1": (
                f"CASE a.level WHEN {level.ADMIN1} THEN a.code WHEN {level.ADMIN2} THEN a1.code "
                f"WHEN {level.ADMIN3} THEN a2.code END"
            ),
            "admin2": _coarse(
                f"CASE a.level WHEN {level.ADMIN2} THEN a.code "
                f"WHEN {level.ADMIN3} THEN a1.code END",
                outside,
            ),
            "office": _coarse("e.place", outside),
            "sector": "e.area",
            "month": month,
        },
        params,
    )


# The events of a period nothing can be counted in, typed as the real ones.
NO_EVENTS = (
    "SELECT CAST(NULL AS integer) AS person, CAST(NULL AS integer) AS place, "
    "CAST(NULL AS varchar(20)) AS area, CAST(NULL AS date) AS day, "
    "CAST(NULL AS varchar(20)) AS what, CAST(NULL AS integer) AS location WHERE 1 = 0"
)


def events(user: User, period: Period) -> tuple[str, list[Any]]:
    """SQL (and its parameters) of every service and delivery `user` may count in `period`,
    one row each with `EVENT_COLUMNS`: the source of every figure of the reports."""
    union: list[str] = []
    params: list[Any] = []
    parts = [_activity_events(user, period), *_delivery_events(user, period)]
    for index, part in enumerate(parts):
        try:
            sql, part_params = part.query.sql_with_params()
        except EmptyResultSet:  # a part that can hold nothing (services of a project)
            continue
        union.append(f"SELECT {EVENT_COLUMNS} FROM ({sql}) part{index}")  # noqa: S608
        params += part_params
    return " UNION ALL ".join(union or [NO_EVENTS]), params


def what_was_reached(user: User, period: Period) -> tuple[str, list[Any]]:
    """SQL (and its parameters) of `(person, area, what)` for each service and delivery `user`
    may count in `period` (repeats left in): what each person was reached by, not when or
    where. Narrower than `events`, for a pass over many months (the 5W's new beneficiaries):
    a delivery is one row per household and kind before it becomes a row per member."""
    union: list[str] = []
    params: list[Any] = []
    services = (
        _activities(user, period)
        .filter(participants__isnull=False)
        .values(person=F("participants__id"), area=F("sector"), what=F("type"))
        .order_by()
    )
    deliveries = [
        deliveries.values(
            household=F("entitlement__household_id"),
            area=F("entitlement__cycle__project__sector"),
            what=F("entitlement__cycle__assistance_type"),
        )
        .order_by()
        .distinct()
        for _zone, deliveries in deliveries_in(user, period)
    ]
    individual = Individual._meta.db_table
    for index, part in enumerate([services, *deliveries]):
        try:
            sql, part_params = part.query.sql_with_params()
        except EmptyResultSet:
            continue
        if index == 0:
            union.append(f"SELECT person, area, what FROM ({sql}) part0")  # noqa: S608
        else:
            union.append(
                f"SELECT member.id AS person, part{index}.area, part{index}.what "  # noqa: S608
                f"FROM ({sql}) part{index} "
                f"JOIN {individual} member ON member.household_id = part{index}.household"
            )
        params += part_params
    nothing = f"SELECT person, area, what FROM ({NO_EVENTS}) nothing"  # noqa: S608
    return " UNION ALL ".join(union or [nothing]), params


_JOINS = (
    "JOIN {individual} i ON i.id = e.person "
    "LEFT JOIN {household} h ON h.id = i.household_id "
    "LEFT JOIN {area} a ON a.id = h.area_id "
    "LEFT JOIN {area} a1 ON a1.id = a.parent_id "
    "LEFT JOIN {area} a2 ON a2.id = a1.parent_id "
)


def _joins() -> str:
    return _JOINS.format(
        individual=Individual._meta.db_table,
        household=Household._meta.db_table,
        area=Area._meta.db_table,
    )


def people_behind(user: User, period: Period, filters: dict[str, str | None]) -> list[int]:
    """The ids of the people counted in one figure: reached in `period` with each dimension
    of `filters` equal to its code (None: not recorded). For a screen, which then shows only
    those of them the user may see (`registry.individuals_visible_to`, with `among`).

    The service's dimensions narrow the services, then each person is kept once before the
    people are joined and their own dimensions compared: a year's figure is millions of
    services and hundreds of thousands of people."""
    check_dimensions(tuple(filters))
    union, params = events(user, period)
    expressions, age_params = _expressions(period, age_bands())
    own: dict[bool, list[str]] = {True: [], False: []}  # of the service, of the person
    own_params: dict[bool, list] = {True: [], False: []}
    for dimension, code in filters.items():
        of_service = dimension in SERVICE_DIMENSIONS
        expression = expressions[dimension]
        extra = age_params if dimension == "age_band" else []
        if code is None:
            own[of_service].append(f"({expression}) IS NULL")
            own_params[of_service] += extra
        else:
            own[of_service].append(f"({expression}) = %s")
            own_params[of_service] += [*extra, code]
    services = " AND ".join(own[True]) or "1 = 1"
    person = "".join(f" AND {c}" for c in own[False])
    statement = (
        f"SELECT e.person FROM (SELECT DISTINCT e.person FROM ({union}) e "  # noqa: S608 — ours
        f"WHERE {services}) e {_joins()}WHERE i.merged_into_id IS NULL{person}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a year's people hashed in memory, not on disk
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(statement, [*params, *own_params[True], *own_params[False]])
        return [row[0] for row in cursor.fetchall()]


def among(people: QuerySet[Individual], ids: list[int]) -> QuerySet[Individual]:
    """`people` narrowed to `ids`, sent as one parameter rather than one per id: the list
    behind a year's figure holds hundreds of thousands of people. On PostgreSQL as
    `id = ANY(array)`, whose length the planner sees: it hashes the array over one scan of the
    people (366,004 of a million: 1.8 s for a page and its count), where a subquery of `unnest`
    is taken for 200 rows and each id looked up in the index (5.4–7.5 s)."""
    if connection.vendor == "postgresql":
        text = "{" + ",".join(str(int(i)) for i in ids) + "}"
        column = f"{connection.ops.quote_name(Individual._meta.db_table)}.id"
        # Our table's name; the ids go as a parameter.
        listed = RawSQL(f"{column} = ANY(CAST(%s AS bigint[]))", [text], BooleanField())  # noqa: S611
        return people.filter(listed)
    within = RawSQL("SELECT value FROM json_each(%s)", [json.dumps([int(i) for i in ids])])
    return people.filter(pk__in=within)


def _count(
    user: User, by: tuple[str, ...], period: Period, bands: list[AgeBand], outside: bool = False
) -> list[tuple]:
    union, params = events(user, period)
    expressions, expression_params = _expressions(period, bands, outside=outside)
    chosen = [expressions[d] for d in by]
    # Outside, admin 2 reads the service's sector too (`_coarse`).
    if any(d in SERVICE_DIMENSIONS for d in by) or (outside and "admin2" in by):
        people = "COUNT(DISTINCT e.person)"
    else:
        # Each person once before joining the people: millions of services become a row per
        # person, and a group's people are its rows. Not with the service's dimensions: the
        # planner takes the millions of (person, month) for 40,000 and sorts them on disk.
        union = f"SELECT DISTINCT e.person FROM ({union}) e"  # noqa: S608 — our SQL
        people = "COUNT(*)"
    select = ", ".join([*chosen, people, "COUNT(DISTINCT i.household_id)"])
    # Each chosen expression's parameters come before the union's in the statement.
    select_params = []
    for dimension in by:
        if dimension == "age_band":
            select_params += expression_params
    # By position: an expression with parameters is not the same text twice to PostgreSQL.
    group = f" GROUP BY {', '.join(str(n) for n in range(1, len(chosen) + 1))}" if chosen else ""
    statement = (
        f"SELECT {select} FROM ({union}) e {_joins()}"  # noqa: S608 — our SQL
        f"WHERE i.merged_into_id IS NULL{group}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*select_params, *params])
        return cursor.fetchall()


def reached_by(user: User, period: Period, by: tuple[str, ...]) -> list[dict]:
    """`people_reached`'s rows alone, in one pass (it makes a second for the totals): for a
    table whose totals its disclosure control adds up itself."""
    by = check_dimensions(by)
    return [
        {**dict(zip(by, row[: len(by)], strict=True)), "people": row[len(by)]}
        for row in _count(user, by, period, age_bands())
    ]


def people_reached(
    user: User, period: Period, by: tuple[str, ...] = (), *, outside: bool = False
) -> Reached:
    """People and households reached by what `user` may count, in `period`, by `by`. With
    `outside` (a table that leaves the organization), the services of a GBV sector are
    counted with no office and no admin 2: GBV figures never go below admin 1 there."""
    by = check_dimensions(by)
    bands = age_bands()
    result = Reached(period=period, by=by)
    for row in _count(user, by, period, bands, outside):
        values = dict(zip(by, row[: len(by)], strict=True))
        result.rows.append({**values, "people": row[len(by)], "households": row[len(by) + 1]})
    if by:
        ((people, households),) = _count(user, (), period, bands)
    else:  # the one row already counted is the total
        ((people, households),) = [(row["people"], row["households"]) for row in result.rows]
        result.rows = []
    result.people, result.households = people, households
    result.counted = counted(user, period)
    return result


# Every sector a service or delivery may have; the home counts people by them.
SECTORS = tuple(dict.fromkeys([*ServiceSector.values, *AssistanceSector.values]))


@dataclass(frozen=True)
class ReachedPeople:
    """A temporary table of the people reached in a period within one calendar year, each
    once (`reached_people`): `person`, `household`, their `PERSON_DIMENSIONS` (ages on the
    period's last day), `months` (bit m set if reached in month m, 1–12) and `sectors` (bit k
    for `SECTORS[k]`, the next one for none or another). The home's dozen figures count its
    rows, a person each, instead of the year's millions of services."""

    table: str
    period: Period

    def _select(self, columns: str, where: str = "", group: str = "") -> list:
        statement = f"SELECT {columns} FROM {self.table}{where}{group}"  # noqa: S608 — ours
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall()

    def count(self, by: tuple[str, ...] = (), month: int | None = None) -> list[tuple]:
        """(codes of `by`…, people, households) per group met, as `people_reached` counts
        them; of one month (1–12) or of the whole period."""
        if any(d not in PERSON_DIMENSIONS for d in check_dimensions(by)):
            raise ValueError("the person's dimensions only: by_month and by_sector count the rest")
        columns = ", ".join([*by, "COUNT(*)", "COUNT(DISTINCT household)"])
        group = f" GROUP BY {', '.join(by)}" if by else ""
        where = f" WHERE (months & {1 << int(month)}) <> 0" if month is not None else ""
        return self._select(columns, where, group)

    def by_month(self) -> dict[str, int]:
        """People reached in each month ('2026-03') of the period that reached anyone."""
        months = range(self.period.since.month, self.period.until.month + 1)
        (sums,) = self._select(
            ", ".join(f"SUM(CASE WHEN (months & {1 << m}) <> 0 THEN 1 ELSE 0 END)" for m in months)
        )
        year = self.period.since.year
        return {f"{year}-{m:02d}": n for m, n in zip(months, sums, strict=True) if n}

    def by_sector(self) -> dict[str | None, int]:
        """People reached in each sector (None: not recorded) that reached anyone."""
        codes: list[str | None] = [*SECTORS, None]
        (sums,) = self._select(
            ", ".join(
                f"SUM(CASE WHEN (sectors & {1 << k}) <> 0 THEN 1 ELSE 0 END)"
                for k in range(len(codes))
            )
        )
        return {code: n for code, n in zip(codes, sums, strict=True) if n}


@contextmanager
def reached_people(user: User, period: Period) -> Iterator[ReachedPeople]:
    """The people `user` may count as reached in `period` (within one calendar year), in a
    temporary table made in one pass over the services and deliveries (`ReachedPeople`),
    dropped at the end. On PostgreSQL the pass groups a million people in memory (`work_mem`
    256 MB for its transaction) rather than on disk."""
    if period.since.year != period.until.year:
        raise ValueError("a period within one calendar year")
    union, params = events(user, period)
    postgres = connection.vendor == "postgresql"
    month = (
        "CAST(EXTRACT(MONTH FROM e.day) AS INTEGER)"
        if postgres
        else "CAST(strftime('%%m', e.day) AS INTEGER)"
    )
    # Our codes ([a-z_]); a sector's bit is its place in SECTORS, the last for the rest.
    sector = " ".join(f"WHEN '{code}' THEN {k}" for k, code in enumerate(SECTORS))
    sector = f"CASE e.area {sector} ELSE {len(SECTORS)} END"

    def either(bits: str) -> str:  # a bit mask of every value met (distinct powers of two)
        return f"BIT_OR(1 << {bits})" if postgres else f"SUM(DISTINCT 1 << {bits})"

    expressions, age_params = _expressions(period, age_bands())
    dimensions = ", ".join(f"{expressions[d]} AS {d}" for d in PERSON_DIMENSIONS)
    table = "reports_reached_people"
    statement = (
        f"CREATE TEMPORARY TABLE {table} AS "  # noqa: S608 — our SQL, values as parameters
        f"SELECT e.person, i.household_id AS household, {dimensions}, e.months, e.sectors "
        f"FROM (SELECT e.person, {either(month)} AS months, {either(sector)} AS sectors "
        f"FROM ({union}) e GROUP BY e.person) e {_joins()}"
        "WHERE i.merged_into_id IS NULL"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(statement, [*age_params, *params])
        try:
            yield ReachedPeople(table, period)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def counted(user: User, period: Period) -> dict[tuple[str, str], int]:
    """Participants of group activities who are not registered, by (sex, age band) in the
    activities' own bands (`Reached.counted`)."""
    attendance = (
        Attendance.objects.filter(activity__in=_activities(user, period))
        .values("sex", "age_band")
        .annotate(n=Sum("count"))
        .order_by("sex", "age_band")
    )
    return {(row["sex"], row["age_band"]): row["n"] for row in attendance}
