"""The reports' writes: the audit events of exports (what was counted, for whom, how), and
the home's figures kept once counted (`DashboardSnapshot`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from amparo.core import audit, jobs
from amparo.core.errors import ActionError
from amparo.core.models import Job, User
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


# Exports one reader may have the worker preparing at a time: the worker is everyone's.
PREPARING_AT_ONCE = 3


def prepare_export(*, actor: User, handler: jobs.Handler, params: dict) -> Job:
    """Start preparing an export off the request (`tasks.five_w`, `tasks.reached_table`), or
    give back the one of the same kind and parameters `actor` is already waiting for: a second
    click, or a client asking again, counts nothing twice. At most `PREPARING_AT_ONCE` at a
    time per reader; one more is refused with the reason."""
    kinds = [jobs.path_of(tasks.five_w), jobs.path_of(tasks.reached_table)]
    waiting = Job.objects.filter(
        owner=actor, handler__in=kinds, state__in=[Job.State.QUEUED, Job.State.RUNNING]
    )
    jobs.interrupt_silent(waiting)  # a job whose worker died is not waited for
    same = [job for job in waiting if job.handler == jobs.path_of(handler) and job.params == params]
    if same:
        return same[0]
    if len(waiting) >= PREPARING_AT_ONCE:
        raise ActionError.general(
            ngettext(
                "You already have %(count)s export being prepared: wait until it is ready.",
                "You already have %(count)s exports being prepared: wait until one is ready.",
                PREPARING_AT_ONCE,
            )
            % {"count": PREPARING_AT_ONCE}
        )
    return jobs.start(owner=actor, handler=handler, params=params)
