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
from amparo.core import access
from amparo.core.models import Area
from amparo.feedback.models import FeedbackEntry, Status
from amparo.referrals.models import Referral
from amparo.referrals.queries import overdue as referrals_overdue
from amparo.reports.queries import Period, age_bands, people_reached


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
    bands: list[str]
    women: list[Figure]
    men: list[Figure]
    others: list[Figure]


def _sector_names() -> dict[str, str]:
    return {
        **{str(k): str(v) for k, v in AssistanceSector.choices},
        **{str(k): str(v) for k, v in ServiceSector.choices},
    }


def dashboard(user, month: datetime.date, office_id: int | None = None) -> Dashboard:
    """The figures of `month` (its first day) and of its year up to the month's end."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    this_month = Period(month, following - datetime.timedelta(days=1), office_id)
    this_year = Period(month.replace(month=1), this_month.until, office_id)
    in_month = people_reached(user, this_month)
    in_year = people_reached(user, this_year)
    sectors = _sector_names()
    by_sector = people_reached(user, this_year, ("sector",))
    by_month = people_reached(user, this_year, ("month",))
    by_province = people_reached(user, this_year, ("admin1",))
    pyramid = people_reached(user, this_year, ("sex", "age_band"))
    provinces = dict(
        Area.objects.filter(
            code__in=[r["admin1"] for r in by_province.rows if r["admin1"]]
        ).values_list("code", "name")
    )
    bands = [band.code for band in age_bands()]
    cells = {(r["sex"], r["age_band"]): r["people"] for r in pyramid.rows}

    def side(sex: str) -> list[Figure]:
        return [
            Figure(band, cells.get((sex, band), 0), {"sex": sex, "age_band": band})
            for band in bands
        ]

    return Dashboard(
        month=this_month,
        year=this_year,
        people_month=in_month.people,
        households_month=in_month.households,
        people_year=in_year.people,
        households_year=in_year.households,
        counted_month=sum(in_month.counted.values()),
        by_sector=sorted(
            (
                Figure(
                    sectors.get(r["sector"] or "", _("not recorded")),
                    r["people"],
                    {"sector": r["sector"]},
                )
                for r in by_sector.rows
            ),
            key=lambda f: -f.value,
        ),
        by_month=[
            Figure(r["month"], r["people"], {"month": r["month"]})
            for r in sorted(by_month.rows, key=lambda r: r["month"] or "")
        ],
        by_province=sorted(
            (
                Figure(
                    provinces.get(r["admin1"], _("not recorded")),
                    r["people"],
                    {"admin1": r["admin1"]},
                )
                for r in by_province.rows
            ),
            key=lambda f: -f.value,
        ),
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
