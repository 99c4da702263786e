"""A cycle's life after opening: reversal and re-delivery, cancelling, closing."""

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from amparo.assistance import actions, queries
from amparo.assistance.models import Cycle, Delivery, Entitlement
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_reversed_delivery_stays_and_the_entitlement_is_delivered_again(
    officer, second_officer, manager, entitlement, head
):
    first, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    actions.reverse_delivery(actor=manager, delivery=first, reason="Hogar equivocado")
    entitlement.refresh_from_db()
    pending_again = entitlement.state
    second, created = actions.deliver(
        actor=second_officer, entitlement=entitlement, collected_by="Vecina"
    )

    assert pending_again == Entitlement.State.PENDING
    assert created is True
    first.refresh_from_db()
    assert first.reversed_at is not None and first.reversed_by == manager
    assert first.reverse_reason == "Hogar equivocado"
    assert list(Delivery.objects.order_by("pk")) == [first, second]
    assert list(Delivery.objects.filter(reversed_at__isnull=True)) == [second]
    entitlement.refresh_from_db()
    assert entitlement.state == Entitlement.State.DELIVERED
    assert queries.get_entitlement_for(officer, entitlement.uuid).delivery == second
    with pytest.raises(actions.AlreadyDelivered) as refused:
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    assert refused.value.delivery == second


def test_the_database_refuses_two_current_deliveries_but_keeps_reversed_ones(
    officer, manager, entitlement, head
):
    first, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    again = {
        "organization_id": entitlement.organization_id,
        "entitlement": entitlement,
        "delivered_at": timezone.now(),
        "delivered_by": manager,
        "collected_by": head,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(**again)
    actions.reverse_delivery(actor=manager, delivery=first, reason="Error")
    Delivery.objects.create(**again)

    assert Delivery.objects.filter(entitlement=entitlement).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(**again)


def test_reversal_is_audited_needs_a_reason_and_happens_once(officer, manager, entitlement, head):
    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    with pytest.raises(ActionError) as no_reason:
        actions.reverse_delivery(actor=manager, delivery=delivery, reason="  ")
    actions.reverse_delivery(actor=manager, delivery=delivery, reason="Registrada por error")
    with pytest.raises(ActionError, match="ya se revirtió"):
        actions.reverse_delivery(actor=manager, delivery=delivery, reason="Otra vez")

    assert list(no_reason.value.errors) == ["reason"]
    event = AuditEvent.objects.get(action="assistance.delivery.reversed")
    assert event.actor == manager
    assert event.target_id == str(delivery.uuid)
    assert event.details == {"entitlement": str(entitlement.uuid)}
    assert "Registrada" not in str(event.details)  # the reason is on the record, not the log


def test_a_distribution_officer_cannot_reverse_or_cancel(officer, entitlement, head, cycle):
    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()

    with pytest.raises(Http404):
        actions.reverse_delivery(actor=officer, delivery=delivery, reason="Error")
    with pytest.raises(Http404):
        actions.cancel_entitlement(actor=officer, entitlement=other, reason="Duplicado")
    with pytest.raises(Http404):
        actions.close_cycle(actor=officer, cycle=cycle)

    delivery.refresh_from_db()
    assert delivery.reversed_at is None
    assert not AuditEvent.objects.filter(action__endswith=".reversed").exists()


def test_cancel_a_pending_entitlement_with_a_reason(manager, officer, cycle, entitlement, head):
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()
    actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    actions.cancel_entitlement(actor=manager, entitlement=other, reason="Se mudó de ciudad")
    with pytest.raises(ActionError, match="revierta la entrega"):
        actions.cancel_entitlement(actor=manager, entitlement=entitlement, reason="X")

    other.refresh_from_db()
    assert other.state == Entitlement.State.CANCELLED
    assert (other.cancelled_by, other.cancel_reason) == (manager, "Se mudó de ciudad")
    assert AuditEvent.objects.filter(action="assistance.entitlement.cancelled").count() == 1
    with pytest.raises(ActionError, match="anulado"):
        actions.deliver(actor=officer, entitlement=other, collected_by="Vecina")


def test_close_refuses_later_deliveries_and_counts_the_absent(
    manager, officer, cycle, entitlement, head
):
    actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()

    actions.close_cycle(actor=manager, cycle=cycle)

    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    assert cycle.closed_by == manager and cycle.closed_at is not None
    event = AuditEvent.objects.get(action="assistance.cycle.closed")
    assert event.details == {"delivered": 1, "absent": 1}
    with pytest.raises(ActionError, match="no está abierto"):
        actions.deliver(actor=officer, entitlement=other, collected_by="Vecina")
    with pytest.raises(ActionError):
        actions.close_cycle(actor=manager, cycle=cycle)
    assert Delivery.objects.count() == 1
    other.refresh_from_db()
    assert other.state == Entitlement.State.ABSENT  # no longer on anyone's list to deliver


def test_a_delivery_reversed_after_the_cycle_closed_leaves_its_entitlement_absent(
    manager, officer, cycle, entitlement, head
):
    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    actions.close_cycle(actor=manager, cycle=cycle)

    actions.reverse_delivery(actor=manager, delivery=delivery, reason="Entregado por error")

    entitlement.refresh_from_db()
    assert entitlement.state == Entitlement.State.ABSENT
