"""The reports' one table: the home's figures kept once counted (`actions.dashboard_for`).

At national scale the home's figures take seconds to minutes to count (a year is millions of
services and deliveries): they are counted off the request, kept here per scope and month,
and shown with the time they were counted. Counts only, never a person.
"""

from __future__ import annotations

from django.db import models


class DashboardSnapshot(models.Model):
    # Whose figures: "org:<id>" or "org:<id>/office:<id>" ("all" for a superuser's every
    # organization): the figures depend on nothing else (`access.visible` of services and
    # deliveries is by organization and office).
    scope = models.CharField(max_length=60)
    month = models.DateField()  # its first day
    counts = models.JSONField(default=dict)  # `queries_dashboard.count`, empty until counted
    counted_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)  # a recount queued, not done

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="dashboard_snapshot_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m}"
