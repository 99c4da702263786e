"""The reports' only writes: the audit events of exports (what was counted, for whom, how)."""

from __future__ import annotations

from amparo.core import audit
from amparo.core.models import User
from amparo.reports.queries import Reached


def exported(
    *,
    actor: User | None,
    organization_id: int | None,
    reached: Reached,
    protected: bool,
    rows: int,
) -> None:
    """Record that people reached left the organization as a file or an API answer."""
    audit.record(
        actor=actor,
        action="reports.people_reached.exported",
        organization_id=organization_id,
        actor_username="" if actor is not None else "amparo export",
        details={
            "from": reached.period.since.isoformat(),
            "to": reached.period.until.isoformat(),
            "by": list(reached.by),
            "rows": rows,
            "disclosure_control": protected,
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
