"""The worker's side of the reports: the home's figures recounted off the request
(queued by `actions.dashboard_for`, once per snapshot at a time)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from amparo.core import access
from amparo.core.models import User
from amparo.reports import queries_dashboard
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
