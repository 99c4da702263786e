"""The reports' home: people reached this month and this year, by sector, month, age and sex,
and province, each figure with the filters of the list behind it (`people_behind`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from amparo.activities.models import Sector as ServiceSector
from amparo.assistance.models import Entitlement
from amparo.assistance.models import Sector as AssistanceSector
from amparo.cases.models import Case, CaseState, CaseType, RiskLevel
from amparo.cases.queries import overdue_among
from amparo.core import access, names
from amparo.core.models import Area
from amparo.feedback.models import FeedbackEntry, Status
from amparo.referrals.models import Referral
from amparo.referrals.queries import overdue as referrals_overdue
from amparo.registry.models import Individual
from amparo.reports.queries import Period, age_bands, counted, reached_people


@dataclass
class Figure:
    label: str
    value: int
    filters: dict[str, str | None] = field(default_factory=dict)  # of the list behind it
    url: str = ""  # that list, for a reader who may open it


@dataclass
class Dashboard:
    month: Period
    year: Period
    people_month: int
    households_month: int
    people_year: int
    households_year: int
    counted_month: int
    by_sector: list[Figure]
    by_month: list[Figure]
    by_province: list[Figure]
    by_nationality: list[Figure]
    by_population_group: list[Figure]
    by_disability: list[Figure]
    bands: list[str]
    women: list[Figure]
    men: list[Figure]
    others: list[Figure]
    as_of: datetime.datetime | None = None  # counted then (a snapshot), or None: just now


def scope_of(user, office_id: int | None) -> str:
    """The key of the figures `user` counts, of one office or every one in their scope."""
    base = "all" if user.organization_id is None else f"org:{user.organization_id}"
    if office_id is None and user.office_bound:
        office_id = user.office_id
    return base if office_id is None else f"{base}/office:{office_id}"


def periods(month: datetime.date, office_id: int | None) -> tuple[Period, Period]:
    """The month (from its first day) and its year up to the month's end."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    this_month = Period(month, following - datetime.timedelta(days=1), office_id)
    return this_month, Period(month.replace(month=1), this_month.until, office_id)


# The year's figures by one of the person's dimensions each, as the home shows them (by
# sector and by month too).
PERSON_FIGURES = ("admin1", "nationality", "population_group", "disability")


def count(user, month: datetime.date, office_id: int | None = None) -> dict:
    """The home's figures of `month` (its first day) and of its year to the month's end, as
    codes and counts (JSON, kept as a snapshot: `reports.actions.dashboard_for`).

    Counted from the year's people reached, each once (`queries.reached_people`): one pass
    over the year's services and deliveries, then a dozen counts of at most as many rows as
    people. `people_reached` would give the same figures (a test holds them equal), from the
    services each time: 12 times slower at a million people (`docs/benchmarks.md`)."""
    this_month, this_year = periods(month, office_id)
    with reached_people(user, this_year) as people:
        ((people_year, households_year),) = people.count()
        ((people_month, households_month),) = people.count(month=month.month)
        by = {
            "sector": [[code, n] for code, n in people.by_sector().items()],
            "month": [[code, n] for code, n in people.by_month().items()],
        }
        for dimension in PERSON_FIGURES:
            by[dimension] = [[code, n] for code, n, _households in people.count((dimension,))]
        pyramid = [[sex, band, n] for sex, band, n, _h in people.count(("sex", "age_band"))]
    return {
        "month": month.isoformat(),
        "office": office_id,
        "people_month": people_month,
        "households_month": households_month,
        "people_year": people_year,
        "households_year": households_year,
        "counted_month": sum(counted(user, this_month).values()),
        "by": by,
        "bands": [band.code for band in age_bands()],
        "pyramid": pyramid,
    }


def _labels(dimension: str, codes: list[str | None]) -> dict[str | None, str]:
    """What a reader sees for each code of `dimension`, in their language."""
    if dimension == "sector":
        known = {
            **{str(k): str(v) for k, v in AssistanceSector.choices},
            **{str(k): str(v) for k, v in ServiceSector.choices},
        }
    elif dimension == "admin1":
        known = dict(
            Area.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name")
        )
    elif dimension == "nationality":
        known = {c: names.country_name(c) for c in codes if c}
    elif dimension == "population_group":
        known = {str(k): str(v) for k, v in Individual.PopulationGroup.choices}
    elif dimension == "disability":
        known = {"yes": _("with a disability"), "no": _("without a disability")}
    else:  # month: its code is its name
        known = {c: c for c in codes if c}
    return {code: known.get(code or "", code or _("not recorded")) for code in codes}


def _figures(dimension: str, rows: list[list]) -> list[Figure]:
    labels = _labels(dimension, [code for code, _n in rows])
    figures = [Figure(labels[code], n, {dimension: code}) for code, n in rows]
    if dimension == "month":
        return sorted(figures, key=lambda f: f.filters["month"] or "")
    return sorted(figures, key=lambda f: (-f.value, f.label))


def dashboard(
    user, month: datetime.date, office_id: int | None = None, counts: dict | None = None
) -> Dashboard:
    """The home of `month`, from `counts` (a snapshot's) or counted now."""
    counts = counts if counts is not None else count(user, month, office_id)
    this_month, this_year = periods(month, office_id)
    bands = counts["bands"]
    cells = {(sex, band): n for sex, band, n in counts["pyramid"]}

    def side(sex: str) -> list[Figure]:
        return [
            Figure(band, cells.get((sex, band), 0), {"sex": sex, "age_band": band})
            for band in bands
        ]

    by = {dimension: _figures(dimension, rows) for dimension, rows in counts["by"].items()}
    return Dashboard(
        month=this_month,
        year=this_year,
        people_month=counts["people_month"],
        households_month=counts["households_month"],
        people_year=counts["people_year"],
        households_year=counts["households_year"],
        counted_month=counts["counted_month"],
        by_sector=by["sector"],
        by_month=by["month"],
        by_province=by["admin1"],
        by_nationality=by["nationality"],
        by_population_group=by["population_group"],
        by_disability=by["disability"],
        bands=bands,
        women=side("F"),
        men=side("M"),
        others=side("X"),
    )


@dataclass
class Work:
    """Work in hand, counted (never listed here): open cases by type and risk (those
    restricted to a GBV team left out: their figures are on the GBV statistics page), cases
    overdue, referrals sent and waiting past their answer date, feedback by status, and the
    month's entitlements delivered of those due."""

    cases: list[tuple[str, list[int], int]]  # type label, a count per risk (`risks`), total
    risks: list[tuple[str, str]]
    cases_overdue: int
    referrals_overdue: int
    feedback: list[tuple[str, int]]
    entitled: int
    delivered: int


def work(user, month: Period, today: datetime.date) -> Work:
    office = month.office_id
    cases = access.visible(user, Case.objects.exclude(state=CaseState.CLOSED)).filter(
        restricted=False
    )
    referrals = access.visible(
        user,
        Referral.objects.all(),
        organization_field="from_organization",
        office_field="from_office",
    )
    feedback = access.visible(user, FeedbackEntry.objects.all())
    entitlements = access.visible(user, Entitlement.objects.exclude(state="cancelled")).filter(
        cycle__start_date__lte=month.until, cycle__end_date__gte=month.since
    )
    if office is not None:
        cases = cases.filter(office_id=office)
        referrals = referrals.filter(from_office_id=office)
        feedback = feedback.filter(office_id=office)
        entitlements = entitlements.filter(office_id=office)
    counts: dict[str, dict[str, int]] = {}
    for row in cases.values("type", "risk_level").annotate(n=Count("pk")).order_by():
        counts.setdefault(row["type"], {})[row["risk_level"]] = row["n"]
    types = dict(CaseType.choices)
    by_status = dict(feedback.values_list("status").annotate(n=Count("pk")).order_by())
    states = dict(entitlements.values_list("state").annotate(n=Count("pk")).order_by())
    return Work(
        cases=[
            (
                str(types.get(t, t)),
                [risks.get(code, 0) for code, _l in RiskLevel.choices],
                sum(risks.values()),
            )
            for t, risks in sorted(counts.items(), key=lambda item: -sum(item[1].values()))
        ],  # fmt: skip
        risks=[(str(k), str(v)) for k, v in RiskLevel.choices],
        cases_overdue=overdue_among(cases, today).count(),
        referrals_overdue=referrals_overdue(referrals).count(),
        feedback=[(str(label), by_status.get(code, 0)) for code, label in Status.choices],
        entitled=sum(states.values()),
        delivered=states.get("delivered", 0),
    )
