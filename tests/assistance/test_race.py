"""Two officers deliver the same entitlement at the same moment: exactly one delivery."""

import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone

from amparo.assistance import actions
from amparo.assistance.models import Delivery, Entitlement
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
