from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404

from amparo.assistance import actions
from amparo.assistance.models import Cycle, Entitlement, StockBalance, StockMovement
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent


def balance(warehouse, kit_type):
    return StockBalance.objects.get(warehouse=warehouse, kit_type=kit_type).quantity


def ledger_sum(warehouse, kit_type):
    movements = StockMovement.objects.filter(warehouse=warehouse, kit_type=kit_type)
    return movements.aggregate(n=Sum("change"))["n"] or 0


@pytest.mark.django_db
def test_a_kit_type_keeps_its_contents_in_order(kit_type):
    lines = [str(item) for item in kit_type.items.all()]

    assert lines == ["Arroz 5 kg", "Aceite 1 l"]
    assert AuditEvent.objects.filter(action="assistance.kit_type.created").count() == 1


@pytest.mark.django_db
def test_a_kit_type_needs_a_name_a_kind_of_kit_and_sensible_lines(manager):
    with pytest.raises(ActionError) as refused:
        actions.create_kit_type(
            actor=manager,
            name=" ",
            assistance_type="mpc",
            items=[("", Decimal("1"), "kg"), ("Jabón", Decimal("0"), "u")],
        )

    assert set(refused.value.errors) == {"name", "assistance_type", "items.0", "items.1"}


@pytest.mark.django_db
def test_a_receipt_adds_to_the_balance_and_the_ledger(manager, warehouse, kit_type):
    movement = actions.receive_stock(
        actor=manager, warehouse=warehouse, kit_type=kit_type, quantity=25, reference="WB-77"
    )

    assert (movement.kind, movement.change, movement.balance_after) == ("receipt", 25, 25)
    assert movement.reference == "WB-77"
    assert balance(warehouse, kit_type) == 25
    event = AuditEvent.objects.get(action="assistance.stock.received")
    assert event.details == {
        "warehouse": str(warehouse.uuid),
        "kit_type": str(kit_type.uuid),
        "change": 25,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -3, 1_000_001])
def test_a_receipt_of_no_or_absurd_quantity_is_refused(manager, warehouse, kit_type, quantity):
    with pytest.raises(ActionError) as refused:
        actions.receive_stock(
            actor=manager, warehouse=warehouse, kit_type=kit_type, quantity=quantity
        )

    assert list(refused.value.errors) == ["quantity"]
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_a_loss_needs_a_reason_and_cannot_take_more_than_the_balance(manager, stocked, kit_type):
    with pytest.raises(ActionError) as no_reason:
        actions.record_loss(
            actor=manager, warehouse=stocked, kit_type=kit_type, quantity=2, reason=" "
        )
    with pytest.raises(actions.NotEnoughStock) as too_many:
        actions.record_loss(
            actor=manager, warehouse=stocked, kit_type=kit_type, quantity=11, reason="Lluvia"
        )
    lost = actions.record_loss(
        actor=manager, warehouse=stocked, kit_type=kit_type, quantity=3, reason="Lluvia"
    )

    assert list(no_reason.value.errors) == ["reason"]
    assert too_many.value.messages == ["Solo hay 10 en existencia: no se pueden sacar 11."]
    assert (lost.change, lost.balance_after, lost.reason) == (-3, 7, "Lluvia")
    assert balance(stocked, kit_type) == 7
    assert StockMovement.objects.count() == 2  # the receipt and the one loss


@pytest.mark.django_db
def test_a_transfer_moves_kits_between_two_warehouses_in_one_step(
    manager, stocked, other_warehouse, kit_type
):
    out, into = actions.transfer_stock(
        actor=manager,
        warehouse=stocked,
        to_warehouse=other_warehouse,
        kit_type=kit_type,
        quantity=4,
    )

    assert (out.kind, out.change, out.counterpart) == ("transfer_out", -4, other_warehouse)
    assert (into.kind, into.change, into.counterpart) == ("transfer_in", 4, stocked)
    assert (balance(stocked, kit_type), balance(other_warehouse, kit_type)) == (6, 4)
    assert AuditEvent.objects.filter(action="assistance.stock.transferred").count() == 1


@pytest.mark.django_db
def test_a_transfer_of_more_than_the_balance_changes_nothing(
    manager, stocked, other_warehouse, kit_type
):
    with pytest.raises(actions.NotEnoughStock):
        actions.transfer_stock(
            actor=manager,
            warehouse=stocked,
            to_warehouse=other_warehouse,
            kit_type=kit_type,
            quantity=11,
        )
    with pytest.raises(ActionError) as to_itself:
        actions.transfer_stock(
            actor=manager, warehouse=stocked, to_warehouse=stocked, kit_type=kit_type, quantity=1
        )

    assert list(to_itself.value.errors) == ["to_warehouse"]
    assert balance(stocked, kit_type) == 10
    assert not StockBalance.objects.filter(warehouse=other_warehouse, quantity__gt=0).exists()
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_a_count_sets_the_balance_and_records_the_difference(manager, stocked, kit_type):
    down = actions.adjust_stock(
        actor=manager, warehouse=stocked, kit_type=kit_type, counted=8, reason="Conteo mensual"
    )
    up = actions.adjust_stock(
        actor=manager, warehouse=stocked, kit_type=kit_type, counted=9, reason="Caja hallada"
    )
    with pytest.raises(ActionError) as same:
        actions.adjust_stock(
            actor=manager, warehouse=stocked, kit_type=kit_type, counted=9, reason="Otra vez"
        )
    with pytest.raises(ActionError) as bad:
        actions.adjust_stock(
            actor=manager, warehouse=stocked, kit_type=kit_type, counted=-1, reason=""
        )

    assert (down.change, up.change, up.balance_after) == (-2, 1, 9)
    assert list(same.value.errors) == ["quantity"]
    assert set(bad.value.errors) == {"quantity", "reason"}
    assert balance(stocked, kit_type) == ledger_sum(stocked, kit_type) == 9


@pytest.mark.django_db
def test_the_database_refuses_a_negative_balance_whatever_the_code_does(stocked, kit_type):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(warehouse=stocked).update(quantity=-1)

    assert balance(stocked, kit_type) == 10


@pytest.mark.django_db
def test_the_database_refuses_to_change_a_line_of_the_ledger(stocked, kit_type):
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.update(change=1000)

    assert StockMovement.objects.get().change == 10


@pytest.mark.django_db
def test_an_office_bound_manager_works_only_on_their_office_warehouses(
    office_manager, stocked, other_warehouse, kit_type
):
    received = actions.receive_stock(
        actor=office_manager, warehouse=stocked, kit_type=kit_type, quantity=1
    )
    with pytest.raises(Http404):
        actions.receive_stock(
            actor=office_manager, warehouse=other_warehouse, kit_type=kit_type, quantity=1
        )

    assert received.balance_after == 11
    assert not StockMovement.objects.filter(warehouse=other_warehouse).exists()


@pytest.mark.django_db
def test_other_roles_and_organizations_cannot_touch_stock(
    make_user, office_a1, office_b1, org_b, officer, stocked, kit_type
):
    outsider = make_user("me_officer", organization=org_b)

    for actor in (officer, outsider):
        with pytest.raises(Http404):
            actions.receive_stock(actor=actor, warehouse=stocked, kit_type=kit_type, quantity=1)
    with pytest.raises(Http404):
        actions.create_warehouse(actor=officer, office=office_a1, name="Otra")

    assert balance(stocked, kit_type) == 10


# Kit cycles ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_a_kit_cycle_dispatches_what_its_entitlements_add_up_to(
    open_kit_cycle, stocked, kit_type
):
    cycle = open_kit_cycle(amount=Decimal("3"), warehouse=stocked, kit_type=kit_type)

    dispatch = StockMovement.objects.get(kind="dispatch")
    assert (cycle.warehouse, cycle.kit_type) == (stocked, kit_type)
    assert (dispatch.cycle, dispatch.change, dispatch.balance_after) == (cycle, -6, 4)
    assert balance(stocked, kit_type) == 4
    assert AuditEvent.objects.filter(action="assistance.stock.dispatched").count() == 1


@pytest.mark.django_db
def test_a_kit_cycle_without_enough_stock_is_not_opened(open_kit_cycle, stocked, kit_type):
    with pytest.raises(ActionError) as refused:
        open_kit_cycle(amount=Decimal("6"), warehouse=stocked, kit_type=kit_type)

    assert list(refused.value.errors) == ["warehouse"]
    assert refused.value.messages[0].startswith(
        "No hay existencias suficientes: se necesitan 12 kits y Bodega central tiene 10."
    )
    assert not Cycle.objects.exists()
    assert not Entitlement.objects.exists()
    assert balance(stocked, kit_type) == 10
    assert not AuditEvent.objects.filter(action="assistance.cycle.opened").exists()


@pytest.mark.django_db
def test_a_supervisor_opens_it_anyway_with_a_reason_and_what_there_is_goes(
    open_kit_cycle, stocked, kit_type
):
    cycle = open_kit_cycle(
        amount=Decimal("6"),
        warehouse=stocked,
        kit_type=kit_type,
        stock_override_reason="Llega un camión el martes",
    )

    dispatch = StockMovement.objects.get(kind="dispatch")
    assert (dispatch.change, dispatch.reason) == (-10, "Llega un camión el martes")
    assert balance(stocked, kit_type) == 0
    event = AuditEvent.objects.get(action="assistance.stock.dispatch_overridden")
    assert event.target_id == str(cycle.uuid)
    assert event.details == {
        "needed": 12,
        "dispatched": 10,
        "shortfall": 2,
        "reason": "Llega un camión el martes",
    }


@pytest.mark.django_db
def test_closing_returns_what_was_not_delivered_once(
    open_kit_cycle, manager, officer, stocked, kit_type
):
    cycle = open_kit_cycle(amount=Decimal("2"), warehouse=stocked, kit_type=kit_type)
    entitlement = cycle.entitlements.order_by("pk").first()
    actions.deliver(actor=officer, entitlement=entitlement, collected_by="Vecina")

    returned = actions.return_from_cycle(actor=manager, cycle=cycle)
    again = actions.return_from_cycle(actor=manager, cycle=cycle)

    assert (returned.kind, returned.change, returned.balance_after) == ("return", 2, 8)
    assert again is None
    assert balance(stocked, kit_type) == ledger_sum(stocked, kit_type) == 8
    assert AuditEvent.objects.filter(action="assistance.stock.returned").count() == 1


@pytest.mark.django_db
def test_a_cycle_without_stock_returns_nothing(manager, cycle):
    assert actions.return_from_cycle(actor=manager, cycle=cycle) is None
    assert not StockMovement.objects.exists()


@pytest.mark.django_db
def test_a_kit_cycle_names_a_matching_kit_a_warehouse_of_its_office_and_whole_kits(
    manager, open_kit_cycle, other_warehouse, stocked, kit_type
):
    hygiene = actions.create_kit_type(
        actor=manager,
        name="Kit de higiene",
        assistance_type="hygiene_kit",
        items=[("Jabón", 2, "u")],
    )

    with pytest.raises(ActionError) as wrong:
        open_kit_cycle(amount=Decimal("1.5"), warehouse=other_warehouse, kit_type=hygiene)
    with pytest.raises(ActionError) as missing:
        open_kit_cycle(warehouse=stocked)

    assert set(wrong.value.errors) == {"warehouse", "kit_type", "amount"}
    assert list(missing.value.errors) == ["kit_type"]
    assert not Cycle.objects.exists()


@pytest.mark.django_db
def test_a_cash_cycle_takes_no_stock(manager, project, office_a1, households, stocked, kit_type):
    from django.utils import timezone

    today = timezone.localdate()
    with pytest.raises(ActionError) as refused:
        actions.open_cycle(
            actor=manager,
            project=project,
            office=office_a1,
            name="Efectivo",
            assistance_type="mpc",
            start_date=today,
            end_date=today,
            amount=Decimal("120"),
            warehouse=stocked,
            kit_type=kit_type,
        )

    assert list(refused.value.errors) == ["warehouse"]
    assert balance(stocked, kit_type) == 10


@pytest.mark.django_db
def test_closing_the_cycle_gives_back_the_kits_not_handed_out(
    open_kit_cycle, manager, officer, stocked, kit_type
):
    cycle = open_kit_cycle(amount=Decimal("2"), warehouse=stocked, kit_type=kit_type)
    entitlement = cycle.entitlements.order_by("pk").first()
    actions.deliver(actor=officer, entitlement=entitlement, collected_by="Vecina")

    actions.close_cycle(actor=manager, cycle=cycle)

    returns = StockMovement.objects.filter(cycle=cycle, kind="return")
    assert [m.change for m in returns] == [2]
    assert balance(stocked, kit_type) == ledger_sum(stocked, kit_type) == 8
    assert actions.return_from_cycle(actor=manager, cycle=cycle) is None
