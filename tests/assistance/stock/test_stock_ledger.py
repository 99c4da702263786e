"""Random sequences of stock movements: a balance never goes below zero and always equals the
sum of its ledger; a refused movement changes nothing. The model in the test is the oracle."""

from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amparo.assistance import actions
from amparo.assistance.models import StockBalance, StockMovement
from amparo.core.errors import ActionError

WAREHOUSES = 2
KITS = 2

operation = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 1), st.integers(0, 1), st.integers(-2, 30)),
    st.tuples(st.just("lose"), st.integers(0, 1), st.integers(0, 1), st.integers(-2, 30)),
    st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(0, 1), st.integers(-2, 30)),
    st.tuples(st.just("count"), st.integers(0, 1), st.integers(0, 1), st.integers(-2, 30)),
)


@pytest.fixture
def places(manager, warehouse, other_warehouse, kit_type):
    hygiene = actions.create_kit_type(
        actor=manager,
        name="Kit de higiene",
        assistance_type="hygiene_kit",
        items=[("Jabón", 2, "u")],
    )
    return [warehouse, other_warehouse], [kit_type, hygiene]


def apply(manager, places, op) -> bool:
    """Run one operation through the actions; whether it was accepted."""
    name, w, k, n = op
    warehouses, kits = places
    warehouse, kit = warehouses[w], kits[k]
    try:
        if name == "receive":
            actions.receive_stock(actor=manager, warehouse=warehouse, kit_type=kit, quantity=n)
        elif name == "lose":
            actions.record_loss(
                actor=manager, warehouse=warehouse, kit_type=kit, quantity=n, reason="Daño"
            )
        elif name == "transfer":
            actions.transfer_stock(
                actor=manager,
                warehouse=warehouse,
                to_warehouse=warehouses[1 - w],
                kit_type=kit,
                quantity=n,
            )
        else:
            actions.adjust_stock(
                actor=manager, warehouse=warehouse, kit_type=kit, counted=n, reason="Conteo"
            )
    except ActionError:
        return False
    return True


def expected(model: Counter, op) -> bool:
    """The oracle: what the movement should do to `model`, and whether it is allowed."""
    name, w, k, n = op
    if name == "count":
        if n < 0 or n == model[w, k]:
            return False
        model[w, k] = n
        return True
    if n <= 0:
        return False
    if name == "receive":
        model[w, k] += n
        return True
    if model[w, k] < n:
        return False
    model[w, k] -= n
    if name == "transfer":
        model[1 - w, k] += n
    return True


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, max_size=25))
def test_random_movements_never_take_a_balance_below_zero_and_the_ledger_adds_up(
    manager, places, operations
):
    with transaction.atomic():
        model: Counter = Counter()
        for op in operations:
            assert apply(manager, places, op) == expected(model, op), op

            for w, warehouse in enumerate(places[0]):
                for k, kit in enumerate(places[1]):
                    row = StockBalance.objects.filter(warehouse=warehouse, kit_type=kit).first()
                    held = row.quantity if row else 0
                    ledger = StockMovement.objects.filter(warehouse=warehouse, kit_type=kit)
                    assert held == model[w, k] >= 0
                    assert held == (ledger.aggregate(n=Sum("change"))["n"] or 0)
        transaction.set_rollback(True)
