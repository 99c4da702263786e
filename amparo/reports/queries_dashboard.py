"""The reports' home: people reached this month and this year, by sector, month, age and sex,
and province, each figure with the filters of the list behind it (`people_behind`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from amparo.activities.models import Sector as ServiceSector
from amparo.assistance.models import Sector as AssistanceSector
from amparo.core.models import Area
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
