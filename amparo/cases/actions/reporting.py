"""Reporting to the GBV coordination group under the Information Sharing Protocol: the
Incident Recorder export, and the monthly tables' release (prepared by the GBV team, approved by
a GBV coordinator who did not prepare them, then seen by the organization)."""

from __future__ import annotations

import calendar
from datetime import date

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import incident_recorder, queries, statistics
from amparo.cases.models import MonthlyRelease
from amparo.core import audit
from amparo.core.errors import ActionError
from amparo.core.models import Office, User

__all__ = [
    "approve_monthly_release",
    "export_incident_recorder",
    "month_bounds",
    "prepare_monthly_release",
    "withdraw_monthly_release",
]


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


@transaction.atomic
def prepare_monthly_release(
    *, actor: User, office: Office | None, month: str, request: HttpRequest | None = None
) -> MonthlyRelease:
    """Store `month`'s GBVIMS tables of `office` (None: every GBV office of the actor's
    organization), small cells suppressed, for a GBV coordinator to approve. Any member of the
    GBV team of each office counted may; anyone else gets 404. A month is prepared once it has
    ended, and once per office unless withdrawn.

    Side effects: audit `cases.monthly_release.prepared` (restricted to the office's GBV team).
    """
    organization_id = actor.organization_id
    if organization_id is None or (office and office.organization_id != organization_id):
        raise Http404
    offices = queries.release_offices(office, organization_id)
    if not queries.covers(offices, queries.gbv_team_offices(actor)):
        raise Http404
    since, until = month_bounds(month)
    if until >= timezone.localdate():
        raise ActionError.on("month", _("Prepare a month's tables once the month has ended."))
    taken = MonthlyRelease.objects.filter(
        organization_id=organization_id, office=office, month=since
    ).exclude(state=MonthlyRelease.State.WITHDRAWN)
    if taken.exists():
        raise ActionError.on(
            "month",
            _("This month's tables are already prepared or approved: withdraw them first."),
        )
    release = MonthlyRelease.objects.create(
        organization_id=organization_id,
        office=office,
        month=since,
        tables=statistics.monthly_tables(offices, since, until),
        prepared_by=actor,
    )
    audit.record(
        actor=actor,
        action="cases.monthly_release.prepared",
        target=release,
        request=request,
        details={"month": month},
    )
    return release


def _locked_for(actor: User, release: MonthlyRelease) -> MonthlyRelease:
    """The release, locked, if `actor` coordinates every office it counts; 404 otherwise."""
    release = MonthlyRelease.objects.select_for_update().get(pk=release.pk)
    if not queries.may_decide_release(actor, release):
        raise Http404
    return release


@transaction.atomic
def approve_monthly_release(
    *, actor: User, release: MonthlyRelease, request: HttpRequest | None = None
) -> MonthlyRelease:
    """Release prepared tables to the organization. A GBV coordinator of every office counted
    (404 for anyone else), who did not prepare them.

    Side effects: audit `cases.monthly_release.approved`.
    """
    release = _locked_for(actor, release)
    if release.state != MonthlyRelease.State.PREPARED:
        raise ActionError.general(_("Only prepared tables can be approved."))
    if release.prepared_by_id == actor.pk:
        raise ActionError.general(
            _("Tables are approved by a GBV coordinator other than the person who prepared them.")
        )
    release.state = MonthlyRelease.State.APPROVED
    release.approved_by = actor
    release.approved_at = timezone.now()
    release.save(update_fields=["state", "approved_by", "approved_at"])
    audit.record(
        actor=actor, action="cases.monthly_release.approved", target=release, request=request
    )
    return release


@transaction.atomic
def withdraw_monthly_release(
    *, actor: User, release: MonthlyRelease, request: HttpRequest | None = None
) -> MonthlyRelease:
    """Withdraw prepared or approved tables (a mistake found): nobody off the GBV team sees them
    any more, and the month can be prepared again. A GBV coordinator of every office counted;
    404 for anyone else.

    Side effects: audit `cases.monthly_release.withdrawn`.
    """
    release = _locked_for(actor, release)
    if release.state == MonthlyRelease.State.WITHDRAWN:
        raise ActionError.general(_("These tables were withdrawn already."))
    release.state = MonthlyRelease.State.WITHDRAWN
    release.withdrawn_by = actor
    release.withdrawn_at = timezone.now()
    release.save(update_fields=["state", "withdrawn_by", "withdrawn_at"])
    audit.record(
        actor=actor, action="cases.monthly_release.withdrawn", target=release, request=request
    )
    return release
