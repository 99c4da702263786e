"""Exactly-once delivery of an entitlement."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from amparo.assistance.models import Cycle, Delivery, Entitlement, Payment
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.registry.models import Individual

__all__ = ["MAX_KEY_LENGTH", "AlreadyDelivered", "deliver"]

MAX_KEY_LENGTH = 100


class AlreadyDelivered(ActionError):
    """The entitlement was delivered before: `delivery` is that first delivery."""

    def __init__(self, delivery: Delivery):
        self.delivery = delivery
        officer = delivery.delivered_by
        super().__init__(
            {
                "__all__": [
                    _("Already delivered at %(time)s by %(officer)s.")
                    % {
                        "time": time_format(timezone.localtime(delivery.delivered_at), "H:i"),
                        "officer": officer.get_full_name() or officer.get_username(),
                    }
                ]
            }
        )


def deliver(
    *,
    actor: User,
    entitlement: Entitlement,
    collected_by: Individual | str,
    idempotency_key: str | None = None,
    request=None,
    paid_at: datetime.datetime | None = None,
) -> tuple[Delivery, bool]:
    """Record that `entitlement` was handed to `collected_by` (a member of the household, or
    the name of an authorised alternate); answer `(delivery, created)`.

    Exactly once: the entitlement's row is locked (SELECT … FOR UPDATE) for the transaction,
    so a concurrent delivery waits and then finds this one; the database's "one current
    delivery per entitlement" constraint backs it up (SQLite, which serialises write
    transactions, or any path that skipped the lock). A second delivery raises
    `AlreadyDelivered` carrying the first; the same `idempotency_key` from the same officer
    answers the first delivery with `created` False (a retried request), never a second one.
    A reversed delivery (`lifecycle.reverse_delivery`) no longer counts: the entitlement can be
    delivered again.

    Requires `assistance.distribute` and an entitlement in the actor's scope (the caller
    fetched it through `queries.get_deliverable_entitlement_for`). Refuses a cycle that is not
    open, a day outside the cycle's dates, a cancelled entitlement, and an entitlement in a
    payment list sent to a provider (it is paid there). Side effects: the entitlement becomes
    delivered; audit `assistance.delivery.recorded`.

    `paid_at` is for the reconciliation of a provider's payments (`actions.payments`): the
    provider paid the entitlement then. The delivery is dated `paid_at`, the actor needs
    `assistance.manage` instead, and neither the cycle's state nor its dates are checked (the
    provider's file arrives after the payment, often after the cycle).
    """
    access.require(actor, "assistance.distribute" if paid_at is None else "assistance.manage")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise ActionError.on(
            "idempotency_key",
            _("The idempotency key is longer than %(n)d characters.") % {"n": MAX_KEY_LENGTH},
        )
    try:
        with transaction.atomic():
            return _deliver(
                actor=actor,
                entitlement=entitlement,
                collected_by=collected_by,
                key=key,
                request=request,
                paid_at=paid_at,
            )
    except IntegrityError:
        # Another transaction delivered it (or used this key) between our check and our
        # insert, without the lock: read what won.
        if key is not None:
            replay = _replay(actor, key, entitlement)
            if replay is not None:
                return replay, False
        first = Delivery.objects.select_related("delivered_by").filter(
            entitlement=entitlement, reversed_at__isnull=True
        )
        delivery = first.first()
        if delivery is None:
            raise
        raise AlreadyDelivered(delivery) from None


def _replay(actor: User, key: str, entitlement: Entitlement) -> Delivery | None:
    """The delivery this officer already recorded with `key`, if any."""
    delivery = (
        Delivery.objects.select_related("delivered_by")
        .filter(delivered_by=actor, idempotency_key=key)
        .first()
    )
    _check_same_entitlement(delivery, entitlement)
    return delivery


def _check_same_entitlement(replay: Delivery | None, entitlement: Entitlement) -> None:
    if replay is not None and replay.entitlement_id != entitlement.pk:
        raise ActionError.on(
            "idempotency_key",
            _("This idempotency key was already used for another entitlement."),
        )


def _deliver(
    *,
    actor: User,
    entitlement: Entitlement,
    collected_by: Individual | str,
    key: str | None,
    request,
    paid_at: datetime.datetime | None = None,
) -> tuple[Delivery, bool]:
    # Only the entitlement's row is locked: deliveries of one cycle do not queue behind each
    # other. `close_cycle` locks the pending entitlements it closes, so the cycle read below
    # (a statement of its own, after the lock) sees a close that committed while we waited.
    locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    # The officer's earlier delivery under this key (a retried request) and the entitlement's
    # current delivery, in one query.
    seen = Q(entitlement=locked, reversed_at__isnull=True)
    if key is not None:
        seen |= Q(delivered_by=actor, idempotency_key=key)
    first = None
    for found in Delivery.objects.select_related("delivered_by").filter(seen):
        if key is not None and found.delivered_by_id == actor.pk and found.idempotency_key == key:
            _check_same_entitlement(found, entitlement)
            return found, False
        first = found
    if first is not None:
        raise AlreadyDelivered(first)
    sent = Payment.objects.filter(entitlement_id=locked.pk, state=Payment.State.SENT)
    cycle = Cycle.objects.annotate(in_sent_list=Exists(sent)).get(pk=locked.cycle_id)
    now = timezone.now()
    today = timezone.localdate(now)
    if locked.state == Entitlement.State.CANCELLED:
        raise ActionError.general(_("This entitlement was cancelled."))
    if paid_at is not None:
        now = paid_at
    elif cycle.state != Cycle.State.OPEN:
        raise ActionError.general(_("The distribution cycle is not open."))
    elif not cycle.start_date <= today <= cycle.end_date:
        raise ActionError.general(
            _("Deliveries of this cycle are recorded between %(start)s and %(end)s.")
            % {"start": date_format(cycle.start_date), "end": date_format(cycle.end_date)}
        )
    elif cycle.in_sent_list:
        raise ActionError.general(
            _("This entitlement is in a payment list sent to a provider: it is paid there.")
        )
    person: Individual | None = None
    alternate = ""
    if isinstance(collected_by, Individual):
        if collected_by.household_id != locked.household_id:
            raise ActionError.on(
                "collected_by", _("Choose a member of the household, or an authorised alternate.")
            )
        person = collected_by
    else:
        alternate = collected_by.strip()[:200]
        if not alternate:
            raise ActionError.on("collected_by", _("Say who collected the assistance."))
    delivery = Delivery.objects.create(
        organization_id=locked.organization_id,
        entitlement=locked,
        delivered_at=now,
        delivered_by=actor,
        collected_by=person,
        collected_by_alternate=alternate,
        idempotency_key=key,
    )
    locked.state = Entitlement.State.DELIVERED
    locked.save(update_fields=["state", "updated_at"])
    entitlement.state = locked.state
    audit.record(
        actor=actor,
        action="assistance.delivery.recorded",
        target=delivery,
        request=request,
        details={"entitlement": str(locked.uuid)},
    )
    return delivery, True
