"""GBV statistics for managers and donors: counts only, by quarter and by province, with small
cells suppressed (`core.disclosure`). No names, no exact dates, no exact places."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from amparo.cases.models import Incident, IncidentType
from amparo.core import access, disclosure
from amparo.core.models import Area, User

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]


def may_see_statistics(user: User) -> bool:
    return access.can(user, "reports.view") or access.can(user, "cases.gbv")


def incidents_counted_for(user: User) -> QuerySet[Incident]:
    """Incidents of the user's organization (their office only for office-bound roles).
    Only ever aggregated: never listed."""
    if not may_see_statistics(user):
        return Incident.objects.none()
    return access.visible(
        user,
        Incident.objects.all(),
        organization_field="case__organization",
        office_field="case__office",
    )


def _province(area_id: int, areas: dict[int, Area]) -> Area:
    area = areas[area_id]
    while area.parent_id and area.level > 1:
        area = areas.get(area.parent_id) or Area.objects.get(pk=area.parent_id)
        areas[area.pk] = area
    return area


def gbv_tables(user: User, year: int) -> dict:
    """Two suppressed tables for `year` (by date of report): type × quarter, type × province."""
    rows = list(
        incidents_counted_for(user)
        .filter(report_date__year=year)
        .values_list("type", "report_date", "area_id")
    )
    areas = {a.pk: a for a in Area.objects.filter(pk__in={r[2] for r in rows})}
    types = [str(label) for _code, label in IncidentType.choices]
    label_of = dict(IncidentType.choices)
    by_quarter = {str(t): {} for t in types}
    by_province = {str(t): {} for t in types}
    provinces: dict[str, str] = {}
    for code, reported, area_id in rows:
        row = str(label_of[code])
        quarter = QUARTERS[(reported.month - 1) // 3]
        by_quarter[row][quarter] = by_quarter[row].get(quarter, 0) + 1
        province = _province(area_id, areas)
        provinces[province.code] = province.display_name
        by_province[row][province.display_name] = by_province[row].get(province.display_name, 0) + 1
    province_columns = sorted(provinces.values())
    return {
        "year": year,
        "by_quarter": {
            "columns": QUARTERS,
            "labels": [_("Q%(number)d") % {"number": n} for n in range(1, 5)],
            "table": disclosure.suppress(by_quarter, QUARTERS),
        },
        "by_province": {
            "columns": province_columns,
            "labels": province_columns,
            "table": disclosure.suppress(by_province, province_columns),
        },
    }
