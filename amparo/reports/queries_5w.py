"""The monthly 5W for the inter-agency platform (GTRM / R4V): who did what, where, when, for whom.

One row per place, R4V sector, activity and R4V population type, in the shape partners upload
to the platform (ActivityInfo-style columns): people reached in the month (each once per row)
and, of them, *new* beneficiaries (reached by that sector's activity for the first time this
calendar year), women and men (18 and over), girls and boys (under 18), others (sex not
stated) under and over 18. Ages are taken on the month's last day.

*Where* is where the service was given: a distribution's area, else the office's (its admin 1
and 2 from the area's level and parents); for GBV services, only its admin 1. Sectors and
population groups are Amparo's, mapped to the R4V's (`R4V_SECTORS`, `R4V_POPULATION`):
refugees, asylum seekers and migrants count as "in destination" (Amparo does not record who is
in transit or pendular), returnees as returnees, host community as host community.

Each row is protected as a one-row table with its total (`core.disclosure.suppress_line`): the
platform adds rows up by place and sector, so a row must not give a small count away by
difference.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from amparo.activities.models import ActivityType
from amparo.assistance.models import AssistanceType
from amparo.core import disclosure, names
from amparo.core.models import Area, Organization, User
from amparo.registry.models import Individual
from amparo.reports.queries import (
    COARSE_SECTORS,
    NO_EVENTS,
    Period,
    events,
    what_was_reached,
)

R4V_SECTORS = {
    # services given (activities.Sector)
    "protection": _("Protection"),
    "gbv": _("Gender-based violence (GBV)"),
    "child_protection": _("Child protection"),
    "legal": _("Protection"),
    "mhpss": _("Health"),
    "education": _("Education"),
    "livelihoods": _("Integration"),
    "integration": _("Integration"),
    # assistance (assistance.Sector)
    "basic_needs": _("Multipurpose cash assistance (MPC)"),
    "food": _("Food security"),
    "shelter_nfi": _("Shelter"),
    "wash": _("WASH"),
    "health": _("Health"),
}
IN_DESTINATION = _("Refugees and migrants in destination")
R4V_POPULATION = {
    "refugee": IN_DESTINATION,
    "asylum_seeker": IN_DESTINATION,
    "migrant_regular": IN_DESTINATION,
    "migrant_irregular": IN_DESTINATION,
    "returnee": _("Returnees"),
    "host_community": _("Host community"),
    "idp": _("Other populations"),
}
# The breakdown columns, from (sex, adult): women, men, girls, boys, others.
BREAKDOWN = ("women", "men", "girls", "boys", "other_under_18", "other_18_and_over")
_PART = {
    ("F", True): "women",
    ("M", True): "men",
    ("F", False): "girls",
    ("M", False): "boys",
    ("X", False): "other_under_18",
    ("X", True): "other_18_and_over",
}
COLUMNS = [
    ("country", _("Country")),
    ("admin1", _("Admin 1")),
    ("admin1_code", _("Admin 1 P-code")),
    ("admin2", _("Admin 2")),
    ("admin2_code", _("Admin 2 P-code")),
    ("partner", _("Appealing organization")),
    ("implementing_partner", _("Implementing partner")),
    ("month", _("Month")),
    ("sector", _("Sector")),
    ("indicator", _("Indicator")),
    ("activity", _("Activity")),
    ("population_type", _("Population type")),
    ("total", _("Total monthly beneficiaries")),
    ("new", _("New beneficiaries of the month")),
    ("women", _("Women (18 and over)")),
    ("men", _("Men (18 and over)")),
    ("girls", _("Girls (under 18)")),
    ("boys", _("Boys (under 18)")),
    ("other_under_18", _("Other, under 18")),
    ("other_18_and_over", _("Other, 18 and over")),
    ("hidden", _("Hidden (disclosure control)")),
]


@dataclass
class FiveW:
    month: str
    rows: list[dict] = field(default_factory=list)


def month_period(month: str) -> Period:
    """'2026-03' as 1–31 March (a `ValueError` for anything else)."""
    first = datetime.date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return Period(first, following - datetime.timedelta(days=1))


def _adult_cutoff(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def _counts(user: User, period: Period) -> list[tuple]:
    """(location, sector, what, population group, sex, adult, reached, new) per group.

    The month's people are found first, with what reached them; *new* are those that nothing
    of the same sector and activity reached earlier in the year (`seen`). The earlier months
    are read narrow (`what_was_reached`: no day, no place, a delivery per household before
    its members) and joined to the month's people at once: the year is never grouped whole.
    """
    month_union, month_params = events(user, period)
    year_start = period.since.replace(month=1, day=1)
    if period.since > year_start:
        earlier = Period(year_start, period.since - datetime.timedelta(days=1), period.office_id)
        seen_union, seen_params = what_was_reached(user, earlier)
    else:  # January: everyone is new
        seen_union, seen_params = f"SELECT person, area, what FROM ({NO_EVENTS}) e", []  # noqa: S608
    individual, area = Individual._meta.db_table, Area._meta.db_table
    # GBV services count at their admin 1, never below (`COARSE_SECTORS`).
    coarse = ", ".join(f"'{sector}'" for sector in COARSE_SECTORS)
    admin2, admin3 = Area.Level.ADMIN2.value, Area.Level.ADMIN3.value
    statement = f"""
        WITH month AS (SELECT DISTINCT person, location, area, what FROM ({month_union}) e),
        keys AS (SELECT DISTINCT person, COALESCE(area, '') AS area, what FROM month),
        seen AS (
            SELECT DISTINCT s.person, k.area, s.what FROM ({seen_union}) s
            JOIN keys k ON k.person = s.person AND k.what = s.what
                AND k.area = COALESCE(s.area, '')
        )
        SELECT CASE WHEN m.area IN ({coarse}) AND la.level = {admin2} THEN la.parent_id
                    WHEN m.area IN ({coarse}) AND la.level = {admin3} THEN lp.parent_id
                    ELSE m.location END,
               m.area, m.what, i.population_group, i.sex,
               CASE WHEN i.date_of_birth <= %s THEN 1 ELSE 0 END,
               COUNT(DISTINCT m.person),
               COUNT(DISTINCT CASE WHEN s.person IS NULL THEN m.person END)
        FROM month m
        JOIN {individual} i ON i.id = m.person
        LEFT JOIN seen s ON s.person = m.person AND s.what = m.what
            AND s.area = COALESCE(m.area, '')
        LEFT JOIN {area} la ON la.id = m.location
        LEFT JOIN {area} lp ON lp.id = la.parent_id
        WHERE i.merged_into_id IS NULL
        GROUP BY 1, 2, 3, 4, 5, 6
    """  # noqa: S608 — our SQL, the values as parameters
    params = [*month_params, *seen_params, _adult_cutoff(period.until)]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the month's people hashed in memory, not on disk
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(statement, params)
        return cursor.fetchall()


def _places(ids: set[int]) -> dict[int, dict[str, str]]:
    """Country, admin 1 and admin 2 (names and codes) of each area."""
    places = {}
    areas = Area.objects.filter(pk__in=ids).select_related("parent", "parent__parent")
    for area in areas:
        chain = {area.level: area}
        if area.parent is not None:
            chain[area.parent.level] = area.parent
            if area.parent.parent is not None:
                chain[area.parent.parent.level] = area.parent.parent
        first, second = chain.get(Area.Level.ADMIN1), chain.get(Area.Level.ADMIN2)
        places[area.pk] = {
            "country": names.country_name(area.country_code),
            "admin1": first.name if first else "",
            "admin1_code": first.code if first else "",
            "admin2": second.name if second else "",
            "admin2_code": second.code if second else "",
        }
    return places


def _activity_name(what: str) -> str:
    labels = {**dict(ActivityType.choices), **dict(AssistanceType.choices)}
    return str(labels.get(what, what))


def five_w(user: User, organization: Organization, month: str, *, smallest: int) -> FiveW:
    """The 5W of `month` ('YYYY-MM') for what `user` may count, protected."""
    period = month_period(month)
    grouped: dict[tuple, dict] = {}
    for location, sector, what, group, sex, adult, reached, new in _counts(user, period):
        key = (
            location,
            str(R4V_SECTORS.get(sector or "", sector or "")),
            what,
            str(R4V_POPULATION.get(group, group)),
        )
        row = grouped.setdefault(key, {part: 0 for part in BREAKDOWN} | {"new": 0})
        row[_PART[(sex, bool(adult))]] += reached
        row["new"] += new
    places = _places({key[0] for key in grouped if key[0] is not None})
    nowhere = {"country": "", "admin1": "", "admin1_code": "", "admin2": "", "admin2_code": ""}
    result = FiveW(month=month)
    for (location, sector, what, population), counts in sorted(
        grouped.items(), key=lambda item: [str(x) for x in item[0]]
    ):
        shown = disclosure.suppress_line(
            {part: counts[part] for part in BREAKDOWN}, smallest=smallest
        )
        new = counts["new"] if not 0 < counts["new"] < smallest else None
        hidden = shown["total"] is None or any(v is None for v in shown["cells"].values())
        activity = _activity_name(what)
        result.rows.append(
            {
                **places.get(location, nowhere),
                "partner": organization.name,
                "implementing_partner": organization.name,
                "month": month,
                "sector": sector,
                "indicator": str(_("People reached: %(activity)s") % {"activity": activity}),
                "activity": activity,
                "population_type": population,
                "total": shown["total"],
                "new": None if shown["total"] is None else new,
                **shown["cells"],
                "hidden": "x" if hidden or (new is None and counts["new"]) else "",
            }
        )
    return result
