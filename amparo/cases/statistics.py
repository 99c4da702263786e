"""GBV statistics for managers and donors: counts only, by quarter and by province, with small
cells suppressed (`core.disclosure`). No names, no exact dates, no exact places.

What is counted follows the GBVIMS Information Sharing Protocol: only incidents whose survivor
consented to their use in statistics, and not those she also reported to another GBVIMS agency
(that agency counts them; counting them here too would count them twice across agencies). A
table about people counts survivors, each once, not incidents. An incident in another country
is counted under that country, never in one of the office's provinces.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from amparo.cases.models import AgeGroup, Incident, IncidentType
from amparo.core import access, disclosure, names
from amparo.core.models import Area, Office, User
from amparo.registry.regions import office_region

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]


def may_see_statistics(user: User) -> bool:
    return access.can(user, "reports.view") or access.can(user, "cases.gbv")


def incidents_counted_for(user: User) -> QuerySet[Incident]:
    """Incidents of the user's organization (their office only for office-bound roles) that may
    be counted: with the survivor's consent, and not reported to another GBVIMS agency.
    Only ever aggregated: never listed."""
    if not may_see_statistics(user):
        return Incident.objects.none()
    return access.visible(
        user,
        Incident.objects.filter(statistics_consent=True, reported_to_gbvims_agency=False),
        organization_field="case__organization",
        office_field="case__office",
    )


def _province(area_id: int, areas: dict[int, Area]) -> Area:
    area = areas[area_id]
    while area.parent_id and area.level > 1:
        area = areas.get(area.parent_id) or Area.objects.get(pk=area.parent_id)
        areas[area.pk] = area
    return area


def _quarter(day) -> str:
    return QUARTERS[(day.month - 1) // 3]


def gbv_tables(user: User, year: int) -> dict:
    """Three suppressed tables for `year` (by date of report): incidents by type × quarter and
    type × province (or country abroad), and survivors by age group × quarter of first report."""
    rows = list(
        incidents_counted_for(user)
        .filter(report_date__year=year)
        .order_by("report_date", "id")
        .values_list(
            "type", "report_date", "area_id", "country", "case__office_id", "case_id",
            "survivor_age_group",
        )
    )  # fmt: skip
    areas = {a.pk: a for a in Area.objects.filter(pk__in={r[2] for r in rows if r[2]})}
    offices = Office.objects.select_related("area", "organization__country")
    home = {o.pk: office_region(o) for o in offices.filter(pk__in={r[4] for r in rows})}
    types = [str(label) for _code, label in IncidentType.choices]
    label_of = dict(IncidentType.choices)
    by_quarter: dict[str, dict[str, int]] = {t: {} for t in types}
    by_place: dict[str, dict[str, int]] = {t: {} for t in types}
    provinces: set[str] = set()
    abroad: set[str] = set()
    survivors: dict[int, tuple[str, str]] = {}  # case → (age group, quarter of first report)
    for code, reported, area_id, country, office_id, case_id, age in rows:
        row = str(label_of[code])
        quarter = _quarter(reported)
        by_quarter[row][quarter] = by_quarter[row].get(quarter, 0) + 1
        if country == home[office_id] and area_id:
            place = _province(area_id, areas).display_name
            provinces.add(place)
        else:
            place = _("Outside the country: %(country)s") % {"country": names.country_name(country)}
            abroad.add(place)
        by_place[row][place] = by_place[row].get(place, 0) + 1
        # One survivor per case: counted once, at her first counted report of the year.
        survivors.setdefault(case_id, (age, quarter))
    age_label = dict(AgeGroup.choices)
    by_age = {str(label): {} for _code, label in AgeGroup.choices}
    for age, quarter in survivors.values():
        row = str(age_label.get(age, age_label[AgeGroup.UNKNOWN]))
        by_age[row][quarter] = by_age[row].get(quarter, 0) + 1
    quarter_labels = [_("Q%(number)d") % {"number": n} for n in range(1, 5)]
    place_columns = sorted(provinces) + sorted(abroad)
    return {
        "year": year,
        "by_quarter": {
            "columns": QUARTERS,
            "labels": quarter_labels,
            "table": disclosure.suppress(by_quarter, QUARTERS),
        },
        "by_province": {
            "columns": place_columns,
            "labels": place_columns,
            "table": disclosure.suppress(by_place, place_columns),
        },
        "survivors_by_age": {
            "columns": QUARTERS,
            "labels": quarter_labels,
            "table": disclosure.suppress(by_age, QUARTERS),
            "row_heading": _("Survivor's age group"),
        },
    }
