"""The worker's side of the reports: the home's figures recounted off the request
(queued by `actions.dashboard_for`, once per snapshot at a time), and the exports prepared for
a page (`core.jobs`: the month's 5W, a table of people reached; seconds to a minute at national
scale are not a request's work)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from amparo.core import access, jobs
from amparo.core.errors import ActionError
from amparo.core.models import Job, Organization, User
from amparo.reports import exports, queries, queries_5w, queries_dashboard
from amparo.reports.models import DashboardSnapshot


@task()
def recount_dashboard(snapshot_id: int, user_id: int, office_id: int | None) -> bool:
    """Count the home's figures of a snapshot's month as the reader who asked (whose scope is
    the snapshot's) and keep them. False, and nothing counted, if that reader may no longer
    read them or no longer has the snapshot's scope."""
    snapshots = DashboardSnapshot.objects.filter(pk=snapshot_id)
    snapshot = snapshots.first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if snapshot is None:
        return False
    # A reader moved to another office since counts for that office: not this snapshot's.
    moved = user is not None and queries_dashboard.scope_of(user, office_id) != snapshot.scope
    if user is None or moved or not access.can(user, "reports.view"):
        snapshots.update(requested_at=None)
        return False
    counts = queries_dashboard.count(user, snapshot.month, office_id)
    snapshots.update(counts=counts, counted_at=timezone.now(), requested_at=None)
    return True


def _five_w_interrupted(job: Job) -> str:
    return _("The 5W was interrupted: the server stopped while it was counting. Prepare it again.")


def _exporter(job: Job) -> tuple[User, Organization]:
    """The job's owner and their organization, if they may still export its reports."""
    actor = job.owner
    if not access.can(actor, "reports.export") or actor.organization is None:
        raise ActionError.general(_("You may no longer export this organization's reports."))
    return actor, actor.organization


@jobs.handler(interrupted=_five_w_interrupted)
def five_w(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """A month's 5W (params: month) counted off the request, as its owner may count it,
    protected: `{"month", "rows"}`, counts only (the file is written when it is downloaded)."""
    (actor, organization), month = _exporter(job), job.params["month"]
    progress(0, None, phase="counting")
    result = queries_5w.five_w(actor, organization, month, smallest=settings.AMPARO_REPORT_SMALLEST)
    return {"month": result.month, "rows": result.rows}


def _table_interrupted(job: Job) -> str:
    return _(
        "The table was interrupted: the server stopped while it was counting. Prepare it again."
    )


@jobs.handler(interrupted=_table_interrupted)
def reached_table(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """People reached (params: from, to, by, office: an id or None) as its owner may count
    them, as the protected table that leaves the organization (`exports.protected_table`, in
    the owner's language; the file is written when it is downloaded)."""
    (actor, _organization), params = _exporter(job), job.params
    period = queries.Period.checked(
        datetime.date.fromisoformat(params["from"]),
        datetime.date.fromisoformat(params["to"]),
        params.get("office"),
    )
    progress(0, None, phase="counting")
    reached = queries.people_reached(actor, period, tuple(params["by"]), outside=True)
    table = exports.protected_table(reached, smallest=settings.AMPARO_REPORT_SMALLEST)
    return {**table, "office": params.get("office")}
