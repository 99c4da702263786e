"""Two officers deliver the same entitlement at the same moment: exactly one delivery."""

import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone, translation

from amparo.assistance import actions
from amparo.assistance.models import Delivery, Entitlement
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from tests.databases import postgresql_only


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_deliveries_record_one(officer, second_officer, entitlement, head):
    start = threading.Barrier(2)
    outcome = []

    def deliver(actor):
        try:
            start.wait()
            entitled = Entitlement.objects.get(pk=entitlement.pk)
            delivery, _ = actions.deliver(actor=actor, entitlement=entitled, collected_by=head)
            outcome.append(("delivered", delivery.pk))
        except actions.AlreadyDelivered as refused:
            outcome.append(("refused", refused.delivery.pk))
        finally:
            connections.close_all()

    racers = [threading.Thread(target=deliver, args=(u,)) for u in (officer, second_officer)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=20)

    only = Delivery.objects.get()
    assert sorted(outcome) == [("delivered", only.pk), ("refused", only.pk)]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_delivery_waits_for_one_in_flight_and_then_finds_it(
    officer, second_officer, entitlement, head
):
    outcome = []

    def deliver():
        try:
            actions.deliver(actor=second_officer, entitlement=entitlement, collected_by=head)
            outcome.append("delivered")
        except actions.AlreadyDelivered as refused:
            outcome.append(refused.delivery.delivered_by_id)
        finally:
            connections.close_all()

    with transaction.atomic():  # the first officer's delivery is being written
        Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        Delivery.objects.create(
            organization_id=entitlement.organization_id,
            entitlement=entitlement,
            delivered_at=timezone.now(),
            delivered_by=officer,
            collected_by=head,
        )
        racer = threading.Thread(target=deliver)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second delivery did not wait for the first"
    racer.join(timeout=10)

    assert outcome == [officer.pk]
    assert Delivery.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_twice_at_once_records_one_and_answers_it_twice(
    officer, entitlement, head
):
    start = threading.Barrier(2)
    outcome = []

    def deliver():
        try:
            start.wait()
            entitled = Entitlement.objects.get(pk=entitlement.pk)
            delivery, created = actions.deliver(
                actor=officer, entitlement=entitled, collected_by=head, idempotency_key="same"
            )
            outcome.append((delivery.pk, created))
        finally:
            connections.close_all()

    racers = [threading.Thread(target=deliver) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=20)

    only = Delivery.objects.get()
    assert sorted(outcome, key=lambda o: o[1]) == [(only.pk, False), (only.pk, True)]


def _in_thread(work):
    """Run `work` in a thread with its own connection; answer the thread and its outcome."""
    outcome: list = []

    def run():
        try:
            with translation.override("en"):
                outcome.append(work())
        except ActionError as refused:
            outcome.append(refused.messages)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_closing_a_cycle_waits_for_a_delivery_in_flight_and_counts_it(
    manager, officer, cycle, entitlement, head
):
    # A delivery locks only its entitlement, not the cycle: closing must still wait for it.
    pending = Entitlement.objects.filter(cycle=cycle, state=Entitlement.State.PENDING).count()
    with transaction.atomic():  # the officer's delivery is being written
        Entitlement.objects.select_for_update().get(pk=entitlement.pk)
        Delivery.objects.create(
            organization_id=entitlement.organization_id,
            entitlement=entitlement,
            delivered_at=timezone.now(),
            delivered_by=officer,
            collected_by=head,
        )
        Entitlement.objects.filter(pk=entitlement.pk).update(state=Entitlement.State.DELIVERED)
        closing, outcome = _in_thread(lambda: actions.close_cycle(actor=manager, cycle=cycle))
        closing.join(timeout=1)
        assert closing.is_alive(), "closing the cycle did not wait for the delivery in flight"
    closing.join(timeout=10)

    assert outcome and not isinstance(outcome[0], list), outcome
    event = AuditEvent.objects.get(action="assistance.cycle.closed")
    assert event.details["delivered"] == 1
    assert event.details["absent"] == pending - 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_delivery_waiting_on_a_closing_cycle_is_refused_once_it_closed(
    manager, officer, cycle, entitlement, head
):
    with transaction.atomic():  # the supervisor's close is being written
        actions.close_cycle(actor=manager, cycle=cycle)
        delivering, outcome = _in_thread(
            lambda: actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
        )
        delivering.join(timeout=1)
        assert delivering.is_alive(), "the delivery did not wait for the close"
    delivering.join(timeout=10)

    assert outcome == [["The distribution cycle is not open."]]
    assert not Delivery.objects.exists()
