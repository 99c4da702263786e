"""GBV statistics for managers and donors: counts only, by quarter and by province, with small
cells suppressed (`core.disclosure`). No names, no exact dates, no exact places.

What is counted follows the GBVIMS Information Sharing Protocol: only incidents whose survivor
consented to their use in statistics, and not those she also reported to another GBVIMS agency
(that agency counts them; counting them here too would count them twice across agencies). A
table about people counts survivors, each once, not incidents. An incident in another country
is counted under that country, never in one of the office's provinces.
"""

from __future__ import annotations

import io
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from amparo.cases.incident_recorder import caveat
from amparo.cases.models import (
    AgeGroup,
    DisplacementStage,
    Incident,
    IncidentType,
    PerpetratorRelationship,
    PlaceType,
    ServiceDecision,
    ServiceOutcome,
    ServiceType,
    TimeOfDay,
)
from amparo.cases.queries import survivor_profile
from amparo.core import access, disclosure, names
from amparo.core.models import Area, Office, User
from amparo.registry.regions import office_region

QUARTERS = ["Q1", "Q2", "Q3", "Q4"]


# What the ISP lets an agency count: the survivor agreed, and no other GBVIMS agency counts it.
COUNTED = {"statistics_consent": True, "reported_to_gbvims_agency": False}


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
        Incident.objects.filter(**COUNTED),
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


# The GBVIMS monthly tables (the Incident Recorder's statistics, as Primero's GBV insights show
# them), stored by code in a release's snapshot and worded when shown.
NOT_RECORDED = "not_recorded"
SEX = [("F", gettext_lazy("Female")), ("M", gettext_lazy("Male")), ("X", gettext_lazy("Other"))]
INCIDENTS = [("count", gettext_lazy("Incidents"))]
SURVIVORS = [("count", gettext_lazy("Survivors"))]
OUTCOMES = [
    (ServiceOutcome.REFERRED.value, ServiceOutcome.REFERRED.label),
    (ServiceOutcome.PROVIDED.value, ServiceOutcome.PROVIDED.label),
    (ServiceOutcome.DECLINED.value, ServiceOutcome.DECLINED.label),
    (ServiceOutcome.UNAVAILABLE.value, ServiceOutcome.UNAVAILABLE.label),
]
IR_SERVICES = [
    ServiceType.HEALTH,
    ServiceType.PSYCHOSOCIAL,
    ServiceType.SHELTER,
    ServiceType.LEGAL,
    ServiceType.POLICE,
    ServiceType.LIVELIHOODS,
]
# key → (title, row heading, rows, columns)
MONTHLY_TABLES = {
    "by_type": (
        gettext_lazy("Incidents by type"),
        gettext_lazy("Incident type"),
        IncidentType.choices,
        INCIDENTS,
    ),
    "by_type_and_age": (
        gettext_lazy("Incidents by type and the survivor's age group"),
        gettext_lazy("Incident type"),
        IncidentType.choices,
        AgeGroup.choices,
    ),
    "by_type_and_sex": (
        gettext_lazy("Incidents by type and the survivor's sex"),
        gettext_lazy("Incident type"),
        IncidentType.choices,
        SEX,
    ),
    "by_relationship": (
        gettext_lazy("Incidents by the alleged perpetrator's relationship to the survivor"),
        gettext_lazy("Relationship"),
        PerpetratorRelationship.choices,
        INCIDENTS,
    ),
    "by_displacement": (
        gettext_lazy("Incidents by stage of displacement"),
        gettext_lazy("Stage of displacement"),
        [*DisplacementStage.choices, (NOT_RECORDED, gettext_lazy("Not recorded"))],
        INCIDENTS,
    ),
    "by_place_and_time": (
        gettext_lazy("Incidents by type of place and time of day"),
        gettext_lazy("Type of place"),
        [*PlaceType.choices, (NOT_RECORDED, gettext_lazy("Not recorded"))],
        [*TimeOfDay.choices, (NOT_RECORDED, gettext_lazy("Not recorded"))],
    ),
    "services": (
        gettext_lazy("Survivors by service and what became of it"),
        gettext_lazy("Service"),
        [(s.value, s.label) for s in IR_SERVICES],
        OUTCOMES,
    ),
    "survivors_by_age": (
        gettext_lazy("Survivors by age group (at their first incident of the month)"),
        gettext_lazy("Survivor's age group"),
        AgeGroup.choices,
        SURVIVORS,
    ),
}


def monthly_tables(office_ids: list[int], since: date, until: date) -> dict[str, dict]:
    """The monthly tables of incidents reported from `since` to `until` in `office_ids`,
    counted as the ISP asks (`COUNTED`), small cells suppressed, keyed by code (JSON-ready).
    The caller decides who may see them: see `cases.actions.prepare_monthly_release`."""
    incidents = list(
        Incident.objects.filter(
            **COUNTED,
            case__office_id__in=office_ids,
            report_date__gte=since,
            report_date__lte=until,
        )
        .select_related("case__survivor")
        .defer("account", "case__summary")  # not counted: not decrypted either
        .prefetch_related("case__individuals")
        .order_by("report_date", "id")
    )
    counts: dict[str, dict[str, dict[str, int]]] = {key: {} for key in MONTHLY_TABLES}

    def add(key: str, row: str, column: str = "count") -> None:
        cells = counts[key].setdefault(row, {})
        cells[column] = cells.get(column, 0) + 1

    sex_of: dict[int, str] = {}
    survivors: dict[int, str] = {}  # case → age group at her first incident of the month
    for incident in incidents:
        case_id = incident.case_id
        if case_id not in sex_of:
            sex_of[case_id] = survivor_profile(incident.case)["sex"] or "X"
        add("by_type", incident.type)
        add("by_type_and_age", incident.type, incident.survivor_age_group)
        add("by_type_and_sex", incident.type, sex_of[case_id])
        add("by_relationship", incident.perpetrator_relationship)
        add("by_displacement", incident.displacement_stage or NOT_RECORDED)
        add(
            "by_place_and_time",
            incident.place_type or NOT_RECORDED,
            incident.time_of_day or NOT_RECORDED,
        )
        survivors.setdefault(case_id, incident.survivor_age_group)
    for age in survivors.values():
        add("survivors_by_age", age)
    decisions = ServiceDecision.objects.filter(
        case_id__in=list(survivors), service_type__in=IR_SERVICES
    ).values_list("service_type", "outcome")
    for service, outcome in decisions:
        if outcome in dict(OUTCOMES):
            add("services", service, outcome)
    tables = {}
    for key, (_title, _heading, rows, columns) in MONTHLY_TABLES.items():
        codes = [code for code, _label in columns]
        table = {code: counts[key].get(code, {}) for code, _label in rows}
        tables[key] = disclosure.suppress(table, codes)
    return tables


def worded(snapshot: dict[str, dict]) -> list[dict]:
    """A release's stored tables in the reader's language, for `_suppressed_table.html`."""
    shown = []
    for key, (title, heading, rows, columns) in MONTHLY_TABLES.items():
        table = snapshot.get(key)
        if table is None:
            continue
        row_label = {code: str(label) for code, label in rows}
        shown.append(
            {
                "key": key,
                "title": str(title),
                "row_heading": str(heading),
                "labels": [str(label) for _code, label in columns],
                "table": {
                    "rows": {row_label.get(c, c): r for c, r in table["rows"].items()},
                    "totals": table["totals"],
                    "total": table["total"],
                },
            }
        )
    return shown


def release_workbook(release) -> bytes:
    """A release's tables in one sheet, under the caveat; "<5" where a count is hidden."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("GBV tables")
    scope = release.office.name if release.office else _("The whole organization")
    sheet.append(
        [
            _("GBV statistics, %(month)s: %(scope)s")
            % {"month": f"{release.month:%Y-%m}", "scope": scope}
        ]
    )
    sheet["A1"].font = Font(bold=True)
    sheet.append([caveat()])
    sheet.append([_("State: %(state)s") % {"state": release.get_state_display()}])

    def shown(value):
        return "<5" if value is None else value

    for table in worded(release.tables):
        sheet.append([])
        sheet.append([table["title"]])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append([table["row_heading"], *table["labels"], _("Total")])
        for label, line in table["table"]["rows"].items():
            cells = [shown(v) for v in line["cells"].values()]
            sheet.append([label, *cells, shown(line["total"])])
        totals = [shown(v) for v in table["table"]["totals"].values()]
        sheet.append([_("Total"), *totals, shown(table["table"]["total"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
