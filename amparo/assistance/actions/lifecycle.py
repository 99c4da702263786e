"""A cycle's life after opening: closing it, cancelling an entitlement, reversing a delivery.

Entitlements still pending when their cycle closes are not changed: reports count them as
*absent* (a derived count, `queries_monitoring.reconciliation`), so that a delivery reversed
after the close, or a cycle's history, never needs a second state to undo.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.actions import stock
from amparo.assistance.models import Cycle, Delivery, Entitlement
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.models import User

__all__ = ["cancel_entitlement", "close_cycle", "reverse_delivery"]

MAX_REASON = 200


def _reason(text: str, message: str) -> str:
    reason = (text or "").strip()[:MAX_REASON]
    if not reason:
        raise ActionError.on("reason", message)
    return reason


@transaction.atomic
def close_cycle(*, actor: User, cycle: Cycle, request=None) -> Cycle:
    """Close an open cycle: no more deliveries (`deliver` refuses a cycle that is not open);
    its pending entitlements become absent.

    Requires `assistance.manage` and a cycle in the actor's scope (fetched through
    `queries.get_cycle_for`). Side effects: audit `assistance.cycle.closed` with the numbers
    delivered and absent; the stock not handed out goes back (see `_after_close`).
    """
    access.require(actor, "assistance.manage")
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.state != Cycle.State.OPEN:
        raise ActionError.general(_("Only an open cycle can be closed."))
    locked.state = Cycle.State.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
    entitlements = Entitlement.objects.filter(cycle=locked)
    # A delivery locks only its entitlement (`deliver`). This UPDATE waits for the deliveries
    # in flight and skips what they delivered; those that follow read the cycle closed.
    absent = entitlements.filter(state=Entitlement.State.PENDING).update(
        state=Entitlement.State.ABSENT, updated_at=locked.closed_at
    )
    audit.record(
        actor=actor,
        action="assistance.cycle.closed",
        target=locked,
        request=request,
        details={
            "delivered": entitlements.filter(state=Entitlement.State.DELIVERED).count(),
            "absent": absent,
        },
    )
    _after_close(actor, locked, request)
    cycle.state, cycle.closed_at, cycle.closed_by = locked.state, locked.closed_at, actor
    return locked


def _after_close(actor: User, cycle: Cycle, request) -> None:
    """What else closing a cycle does, in its transaction: a kit cycle's kits not handed out go
    back to its warehouse (`stock.return_from_cycle`; nothing for a cycle without stock)."""
    stock.return_from_cycle(actor=actor, cycle=cycle, request=request)


@transaction.atomic
def cancel_entitlement(
    *, actor: User, entitlement: Entitlement, reason: str, request=None
) -> Entitlement:
    """Cancel a pending entitlement (the household left, a duplicate, an error of targeting),
    with `reason`. A delivered one must first have its delivery reversed.

    Requires `assistance.manage` (a supervisor) and an entitlement in the actor's scope. Side
    effects: audit `assistance.entitlement.cancelled`.
    """
    access.require(actor, "assistance.manage")
    reason = _reason(reason, _("Say why the entitlement is cancelled."))
    locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if locked.state == Entitlement.State.CANCELLED:
        raise ActionError.general(_("This entitlement was already cancelled."))
    if locked.state == Entitlement.State.DELIVERED:
        raise ActionError.general(
            _("This entitlement was delivered: reverse the delivery before cancelling it.")
        )
    locked.state = Entitlement.State.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = actor
    locked.cancel_reason = reason
    locked.save(
        update_fields=["state", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="assistance.entitlement.cancelled",
        target=locked,
        request=request,
        fields=["state", "cancel_reason"],
    )
    entitlement.state = locked.state
    return locked


@transaction.atomic
def reverse_delivery(*, actor: User, delivery: Delivery, reason: str, request=None) -> Delivery:
    """Reverse a delivery recorded by mistake (wrong household, never handed over), with
    `reason`. The delivery stays in the ledger, marked reversed; its entitlement is pending
    again and can be delivered again (in an open cycle, within its dates).

    Requires `assistance.manage` and a delivery in the actor's scope (fetched through
    `queries.get_delivery_for`). The entitlement is locked first, as `deliver` does, so a
    reversal and a delivery of the same entitlement never interleave. Side effects: audit
    `assistance.delivery.reversed`.
    """
    access.require(actor, "assistance.manage")
    reason = _reason(reason, _("Say why the delivery is reversed."))
    entitlement = Entitlement.objects.select_for_update().get(pk=delivery.entitlement_id)
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.reversed_at is not None:
        raise ActionError.general(_("This delivery was already reversed."))
    locked.reversed_at = timezone.now()
    locked.reversed_by = actor
    locked.reverse_reason = reason
    locked.save(update_fields=["reversed_at", "reversed_by", "reverse_reason"])
    # Back to deliver while its cycle is open; absent once the cycle closed.
    open_cycle = Cycle.objects.filter(pk=entitlement.cycle_id, state=Cycle.State.OPEN).exists()
    entitlement.state = Entitlement.State.PENDING if open_cycle else Entitlement.State.ABSENT
    entitlement.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action="assistance.delivery.reversed",
        target=locked,
        request=request,
        fields=["reversed_at", "reverse_reason"],
        details={"entitlement": str(entitlement.uuid)},
    )
    delivery.reversed_at, delivery.reversed_by = locked.reversed_at, actor
    delivery.reverse_reason = reason
    return locked
