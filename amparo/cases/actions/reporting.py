"""Reporting to the GBV coordination group under the Information Sharing Protocol: the
Incident Recorder export."""

from __future__ import annotations

import calendar
from datetime import date

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amparo.cases import incident_recorder, queries
from amparo.core import audit
from amparo.core.errors import ActionError
from amparo.core.models import Office, User

__all__ = ["export_incident_recorder", "month_bounds"]


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-02' → (1 Feb 2026, 28 Feb 2026); ActionError on `month` otherwise."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ActionError.on("month", _("Choose a month.")) from None
    if not 2000 <= year <= 2999:
        raise ActionError.on("month", _("Choose a month.")) from None
    return first, date(year, number, calendar.monthrange(year, number)[1])


@transaction.atomic
def export_incident_recorder(
    *, actor: User, offices: list[Office], month: str, request: HttpRequest | None = None
) -> tuple[bytes, int]:
    """The month's incidents of `offices` in the GBVIMS Incident Recorder's layout (XLSX), and
    how many rows it holds. Only the GBV coordinator of each office (`gbv_export_offices`) may;
    anyone else gets 404. Only incidents whose survivor consented to statistics are written.

    Side effects: one audit `cases.incidents.exported` per office, restricted to its GBV team,
    with the month and the number of incidents, never their values.
    """
    allowed = set(queries.gbv_export_offices(actor).values_list("pk", flat=True))
    if not offices or any(office.pk not in allowed for office in offices):
        raise Http404
    since, until = month_bounds(month)
    found = queries.incident_recorder_rows(actor, offices, since, until)
    rows = [incident_recorder.row(*item) for item in found]
    for office in offices:
        count = sum(1 for item in found if item[0].case.office_id == office.pk)
        audit.record(
            actor=actor,
            action="cases.incidents.exported",
            target=office,
            request=request,
            details={"format": "incident_recorder", "month": month, "incidents": count},
            restricted_office_id=office.pk,
        )
    return incident_recorder.workbook(rows), len(rows)
