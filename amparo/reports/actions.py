"""The reports' writes: the audit events of exports (what was counted, for whom, how), and
the home's figures kept once counted (`DashboardSnapshot`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amparo.core import audit
from amparo.core.models import User
from amparo.registry.models import Individual
from amparo.reports import queries_dashboard, tasks
from amparo.reports.models import DashboardSnapshot


def exported(
    *,
    actor: User | None,
    organization_id: int | None,
    since: datetime.date,
    until: datetime.date,
    by: tuple[str, ...] | list[str],
    protected: bool,
    rows: int,
    office_id: int | None = None,
) -> None:
    """Record that people reached (from `since` to `until`, by `by`, of one office or all in
    the reader's scope) left the organization as a file or an API answer."""
    audit.record(
        actor=actor,
        action="reports.people_reached.exported",
        organization_id=organization_id,
        actor_username="" if actor is not None else "amparo export",
        details={
            "from": since.isoformat(),
            "to": until.isoformat(),
            "by": list(by),
            "rows": rows,
            "disclosure_control": protected,
            **({"office": office_id} if office_id is not None else {}),
        },
    )


def five_w_exported(
    *, actor: User | None, organization_id: int | None, month: str, rows: int
) -> None:
    """Record that a month's 5W left the organization."""
    audit.record(
        actor=actor,
        action="reports.five_w.exported",
        organization_id=organization_id,
        actor_username="" if actor is not None else "amparo export",
        details={"month": month, "rows": rows, "disclosure_control": True},
    )


@dataclass
class Shown:
    """What the reports' home shows: the figures (None while they are first counted) and
    whether a recount is under way."""

    dashboard: queries_dashboard.Dashboard | None
    recounting: bool = False


def counted_live(user: User) -> bool:
    """True for an organization small enough to count at every view: fewer registered people
    than `AMPARO_REPORT_LIVE_PEOPLE` (a count that stops there)."""
    limit = settings.AMPARO_REPORT_LIVE_PEOPLE
    people = Individual.objects.all()
    if user.organization_id is not None:
        people = people.filter(organization_id=user.organization_id)
    return people[:limit].count() < limit


def dashboard_for(
    *, actor: User, month: datetime.date, office_id: int | None, recount: bool = False
) -> Shown:
    """The home's figures of `month` for `actor` (whose permission the view checked).

    Counted now for a small organization (`counted_live`); otherwise the scope's snapshot,
    recounted off the request by the worker when older than `AMPARO_REPORT_FRESH_MINUTES` or
    when the reader asks (`recount`). A recount is queued once: another is queued only if the
    first has not finished within `AMPARO_JOB_SILENT_MINUTES` (its worker died)."""
    if counted_live(actor):
        return Shown(queries_dashboard.dashboard(actor, month, office_id))
    snapshot, _created = DashboardSnapshot.objects.get_or_create(
        scope=queries_dashboard.scope_of(actor, office_id), month=month
    )
    now = timezone.now()
    stale = snapshot.counted_at is None or snapshot.counted_at < now - datetime.timedelta(
        minutes=settings.AMPARO_REPORT_FRESH_MINUTES
    )
    recounting = snapshot.requested_at is not None
    if recount or stale:
        silent = now - datetime.timedelta(minutes=settings.AMPARO_JOB_SILENT_MINUTES)
        queued = DashboardSnapshot.objects.filter(
            Q(requested_at__isnull=True) | Q(requested_at__lt=silent), pk=snapshot.pk
        ).update(requested_at=now)
        if queued:
            transaction.on_commit(
                lambda: tasks.recount_dashboard.enqueue(snapshot.pk, actor.pk, office_id)
            )
        recounting = True
    if not snapshot.counts:
        return Shown(None, recounting)
    shown = queries_dashboard.dashboard(actor, month, office_id, counts=snapshot.counts)
    shown.as_of = snapshot.counted_at
    return Shown(shown, recounting)


def project_report_exported(
    *, actor: User, project, since: datetime.date, until: datetime.date, rows: int, request=None
) -> None:
    """Record that a project's report left the organization as a workbook."""
    audit.record(
        actor=actor,
        action="reports.project_report.exported",
        target=project,
        request=request,
        details={
            "from": since.isoformat(),
            "to": until.isoformat(),
            "rows": rows,
            "disclosure_control": True,
        },
    )
