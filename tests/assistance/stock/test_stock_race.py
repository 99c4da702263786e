"""Two withdrawals from one warehouse at the same moment: the balance never goes below zero."""

import threading

import pytest
from django.db import connections, transaction
from django.db.models import Sum

from amparo.assistance import actions
from amparo.assistance.models import StockBalance, StockMovement
from tests.databases import postgresql_only


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_withdrawals_of_most_of_the_stock_let_one_through(
    manager, office_manager, stocked, other_warehouse, kit_type
):
    start = threading.Barrier(2)
    outcome = []

    def lose(actor):
        try:
            start.wait()
            actions.record_loss(
                actor=actor, warehouse=stocked, kit_type=kit_type, quantity=7, reason="Robo"
            )
            outcome.append("taken")
        except actions.NotEnoughStock as refused:
            outcome.append(f"refused with {refused.available} left")
        finally:
            connections.close_all()

    def transfer(actor):
        try:
            start.wait()
            actions.transfer_stock(
                actor=actor,
                warehouse=stocked,
                to_warehouse=other_warehouse,
                kit_type=kit_type,
                quantity=7,
            )
            outcome.append("taken")
        except actions.NotEnoughStock as refused:
            outcome.append(f"refused with {refused.available} left")
        finally:
            connections.close_all()

    racers = [
        threading.Thread(target=lose, args=(office_manager,)),
        threading.Thread(target=transfer, args=(manager,)),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=20)

    assert sorted(outcome) == ["refused with 3 left", "taken"]
    left = StockBalance.objects.get(warehouse=stocked, kit_type=kit_type).quantity
    ledger = StockMovement.objects.filter(warehouse=stocked).aggregate(n=Sum("change"))["n"]
    assert left == ledger == 3


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_waits_for_one_in_flight_and_then_sees_what_it_left(
    manager, stocked, kit_type
):
    outcome = []

    def lose():
        try:
            actions.record_loss(
                actor=manager, warehouse=stocked, kit_type=kit_type, quantity=5, reason="Lluvia"
            )
            outcome.append("taken")
        except actions.NotEnoughStock as refused:
            outcome.append(refused.available)
        finally:
            connections.close_all()

    with transaction.atomic():  # another withdrawal of 6 is being written
        actions.record_loss(
            actor=manager, warehouse=stocked, kit_type=kit_type, quantity=6, reason="Plagas"
        )
        racer = threading.Thread(target=lose)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second withdrawal did not wait for the first"
    racer.join(timeout=10)

    assert outcome == [4]
    assert StockBalance.objects.get(warehouse=stocked, kit_type=kit_type).quantity == 4
