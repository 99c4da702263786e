"""Stock: warehouses, kit types, and the ledger of kits in and out.

Every movement appends one `StockMovement` and changes its `StockBalance` in the same
transaction. A withdrawal locks the balance row (SELECT … FOR UPDATE) and then takes the kits
with a conditional UPDATE (`quantity = quantity - n WHERE quantity >= n`): two withdrawals at
once wait for each other and the second sees what the first left; the database's CHECK
(`quantity >= 0`) backs both up. So a balance never goes below zero and always equals the sum
of its ledger.

A kit cycle takes its kits in one movement when it is opened (`dispatch_for_cycle`): deliveries
at the distribution point then never contend for the warehouse's row. Closing the cycle gives
back what was not delivered (`return_from_cycle`, idempotent).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from amparo.assistance.models import (
    CASH_TYPES,
    KIT_TYPES,
    Cycle,
    Entitlement,
    KitItem,
    KitType,
    StockBalance,
    StockMovement,
    Warehouse,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Office, User

__all__ = [
    "MAX_QUANTITY",
    "NotEnoughStock",
    "adjust_stock",
    "create_kit_type",
    "create_warehouse",
    "dispatch_for_cycle",
    "receive_stock",
    "record_loss",
    "return_from_cycle",
    "transfer_stock",
]

# One movement moves at most this many kits: a typo of three extra zeros is refused.
MAX_QUANTITY = 1_000_000
Kind = StockMovement.Kind


class NotEnoughStock(ActionError):
    """A withdrawal asked for more kits than the warehouse holds (the API answers 409)."""

    def __init__(self, *, field: str, available: int, asked: int):
        self.available = available
        self.asked = asked
        super().__init__(
            {
                field: [
                    _("Only %(available)d in stock: %(asked)d cannot be taken out.")
                    % {"available": available, "asked": asked}
                ]
            }
        )


def _check_organization(actor: User, organization_id: int) -> None:
    if actor.organization_id is None and not actor.is_superuser:
        raise Http404
    if organization_id != actor.organization_id and not actor.is_superuser:
        raise Http404


def _check_warehouse(actor: User, warehouse: Warehouse) -> None:
    """The actor may work on `warehouse` (its organization, and its office for an office-bound
    role); 404 otherwise, as for a warehouse that does not exist."""
    _check_organization(actor, warehouse.organization_id)
    if actor.office_bound and not actor.is_superuser and warehouse.office_id != actor.office_id:
        raise Http404


def _check_quantity(errors: Errors, quantity: int, field: str = "quantity") -> None:
    if quantity <= 0:
        errors.add(field, _("The quantity must be more than zero."))
    elif quantity > MAX_QUANTITY:
        errors.add(field, _("At most %(n)d kits in one movement.") % {"n": MAX_QUANTITY})


def _check_kit_type(errors: Errors, warehouse: Warehouse, kit_type: KitType) -> None:
    if kit_type.organization_id != warehouse.organization_id:
        errors.add("kit_type", _("Choose one of your organization's kit types."))


@transaction.atomic
def create_warehouse(*, actor: User, office: Office, name: str, request=None) -> Warehouse:
    """A new warehouse of `office`. Requires `assistance.manage` and an office the actor may
    work in. Side effects: audit `assistance.warehouse.created`."""
    from amparo.assistance.actions.programmes import check_office

    access.require(actor, "assistance.manage")
    check_office(actor, office)
    name = name.strip()
    errors = Errors()
    if not name:
        errors.add("name", _("Give the warehouse a name."))
    elif Warehouse.objects.filter(office=office, name__iexact=name).exists():
        errors.add("name", _("This office already has a warehouse with this name."))
    errors.raise_if_any()
    warehouse = Warehouse.objects.create(
        organization_id=office.organization_id, office=office, name=name[:120]
    )
    audit.record(
        actor=actor, action="assistance.warehouse.created", target=warehouse, request=request
    )
    return warehouse


@transaction.atomic
def create_kit_type(
    *,
    actor: User,
    name: str,
    assistance_type: str,
    items: Iterable[tuple[str, Decimal, str]],
    request=None,
) -> KitType:
    """A kit type of the actor's organization with its contents: `items` are lines
    (item, quantity, unit), e.g. ("Arroz", Decimal("5"), "kg"). Requires `assistance.manage`.
    Side effects: audit `assistance.kit_type.created`."""
    access.require(actor, "assistance.manage")
    organization_id = actor.organization_id
    if organization_id is None:
        raise Http404
    name = name.strip()
    lines = [(item.strip(), quantity, unit.strip()) for item, quantity, unit in items]
    errors = Errors()
    if not name:
        errors.add("name", _("Give the kit type a name."))
    elif KitType.objects.filter(organization_id=organization_id, name__iexact=name).exists():
        errors.add("name", _("Another kit type already has this name."))
    if assistance_type not in KIT_TYPES:
        errors.add("assistance_type", _("Choose a kind of kit."))
    if not lines:
        errors.add("items", _("Say what is in the kit: at least one item."))
    for number, (item, quantity, _unit) in enumerate(lines):
        if not item:
            errors.add(f"items.{number}", _("Name the item."))
        if quantity is None or quantity <= 0:
            errors.add(f"items.{number}", _("The quantity must be more than zero."))
    errors.raise_if_any()
    kit_type = KitType.objects.create(
        organization_id=organization_id, name=name[:120], assistance_type=assistance_type
    )
    KitItem.objects.bulk_create(
        KitItem(kit_type=kit_type, position=n, name=item[:120], quantity=quantity, unit=unit[:30])
        for n, (item, quantity, unit) in enumerate(lines)
    )
    audit.record(
        actor=actor, action="assistance.kit_type.created", target=kit_type, request=request
    )
    return kit_type


def _locked_balance(warehouse: Warehouse, kit_type: KitType) -> StockBalance:
    """The balance row, created at zero the first time, locked for this transaction."""
    try:
        with transaction.atomic():
            StockBalance.objects.get_or_create(warehouse=warehouse, kit_type=kit_type)
    except IntegrityError:  # created by a concurrent transaction in between: it exists now
        pass
    return StockBalance.objects.select_for_update().get(warehouse=warehouse, kit_type=kit_type)


def _move(
    *,
    actor: User,
    warehouse: Warehouse,
    kit_type: KitType,
    kind: str,
    change: int,
    field: str = "quantity",
    reason: str = "",
    reference: str = "",
    cycle: Cycle | None = None,
    counterpart: Warehouse | None = None,
) -> StockMovement:
    """Append one movement and apply it to the balance; `NotEnoughStock` if it would go
    below zero. Runs inside the caller's transaction."""
    balance = _locked_balance(warehouse, kit_type)
    if change < 0:
        # Conditional: only takes the kits if they are there, even were the lock skipped.
        taken = StockBalance.objects.filter(pk=balance.pk, quantity__gte=-change).update(
            quantity=F("quantity") + change
        )
        if not taken:
            raise NotEnoughStock(field=field, available=balance.quantity, asked=-change)
    else:
        StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + change)
    balance.refresh_from_db(fields=["quantity"])
    return StockMovement.objects.create(
        organization_id=warehouse.organization_id,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=kind,
        change=change,
        balance_after=balance.quantity,
        reason=reason.strip()[:300],
        reference=reference.strip()[:100],
        cycle=cycle,
        counterpart=counterpart,
        recorded_by=actor,
    )


def _movement_event(actor: User, action: str, movement: StockMovement, request) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=movement,
        request=request,
        details={
            "warehouse": str(movement.warehouse.uuid),
            "kit_type": str(movement.kit_type.uuid),
            "change": movement.change,
        },
    )


@transaction.atomic
def receive_stock(
    *,
    actor: User,
    warehouse: Warehouse,
    kit_type: KitType,
    quantity: int,
    reference: str = "",
    request=None,
) -> StockMovement:
    """Kits received into `warehouse` (from a donor or a supplier; `reference`: the waybill).
    Requires `assistance.manage` and a warehouse in the actor's scope. Side effects: audit
    `assistance.stock.received`."""
    access.require(actor, "assistance.manage")
    _check_warehouse(actor, warehouse)
    errors = Errors()
    _check_kit_type(errors, warehouse, kit_type)
    _check_quantity(errors, quantity)
    errors.raise_if_any()
    movement = _move(
        actor=actor,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=Kind.RECEIPT,
        change=quantity,
        reference=reference,
    )
    _movement_event(actor, "assistance.stock.received", movement, request)
    return movement


@transaction.atomic
def transfer_stock(
    *,
    actor: User,
    warehouse: Warehouse,
    to_warehouse: Warehouse,
    kit_type: KitType,
    quantity: int,
    reference: str = "",
    request=None,
) -> tuple[StockMovement, StockMovement]:
    """Move kits from `warehouse` to another warehouse of the organization: one movement out,
    one in, in one transaction. Requires `assistance.manage` and the source in the actor's
    scope. Refuses more than the source holds (`NotEnoughStock`). Side effects: audit
    `assistance.stock.transferred`."""
    access.require(actor, "assistance.manage")
    _check_warehouse(actor, warehouse)
    errors = Errors()
    _check_kit_type(errors, warehouse, kit_type)
    _check_quantity(errors, quantity)
    if to_warehouse.organization_id != warehouse.organization_id:
        errors.add("to_warehouse", _("Choose a warehouse of your organization."))
    elif to_warehouse.pk == warehouse.pk:
        errors.add("to_warehouse", _("Choose another warehouse than the one the kits leave."))
    errors.raise_if_any()
    # Lock both balances in one order (by warehouse id) so that two opposite transfers at once
    # cannot wait for each other forever.
    for each in sorted((warehouse, to_warehouse), key=lambda w: w.pk):
        _locked_balance(each, kit_type)
    out = _move(
        actor=actor,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=Kind.TRANSFER_OUT,
        change=-quantity,
        reference=reference,
        counterpart=to_warehouse,
    )
    into = _move(
        actor=actor,
        warehouse=to_warehouse,
        kit_type=kit_type,
        kind=Kind.TRANSFER_IN,
        change=quantity,
        reference=reference,
        counterpart=warehouse,
    )
    _movement_event(actor, "assistance.stock.transferred", out, request)
    return out, into


@transaction.atomic
def record_loss(
    *,
    actor: User,
    warehouse: Warehouse,
    kit_type: KitType,
    quantity: int,
    reason: str,
    reference: str = "",
    request=None,
) -> StockMovement:
    """Kits lost, damaged or expired, with the reason. Requires `assistance.manage` and a
    warehouse in the actor's scope; refuses more than the balance (`NotEnoughStock`). Side
    effects: audit `assistance.stock.lost`."""
    access.require(actor, "assistance.manage")
    _check_warehouse(actor, warehouse)
    errors = Errors()
    _check_kit_type(errors, warehouse, kit_type)
    _check_quantity(errors, quantity)
    if not reason.strip():
        errors.add("reason", _("Say why the kits were lost or damaged."))
    errors.raise_if_any()
    movement = _move(
        actor=actor,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=Kind.LOSS,
        change=-quantity,
        reason=reason,
        reference=reference,
    )
    _movement_event(actor, "assistance.stock.lost", movement, request)
    return movement


@transaction.atomic
def adjust_stock(
    *,
    actor: User,
    warehouse: Warehouse,
    kit_type: KitType,
    counted: int,
    reason: str,
    request=None,
) -> StockMovement:
    """After a physical count: the balance becomes `counted`, the difference recorded with the
    reason. Requires `assistance.manage` and a warehouse in the actor's scope; refuses a count
    that matches the balance (nothing to adjust). Side effects: audit `assistance.stock.adjusted`.
    """
    access.require(actor, "assistance.manage")
    _check_warehouse(actor, warehouse)
    errors = Errors()
    _check_kit_type(errors, warehouse, kit_type)
    if counted < 0:
        errors.add("quantity", _("A count cannot be negative."))
    elif counted > MAX_QUANTITY:
        errors.add("quantity", _("At most %(n)d kits in one movement.") % {"n": MAX_QUANTITY})
    if not reason.strip():
        errors.add("reason", _("Say why the count differs (who counted, what was found)."))
    errors.raise_if_any()
    balance = _locked_balance(warehouse, kit_type)
    if counted == balance.quantity:
        raise ActionError.on(
            "quantity", _("The count matches the balance: there is nothing to adjust.")
        )
    movement = _move(
        actor=actor,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=Kind.ADJUSTMENT,
        change=counted - balance.quantity,
        reason=reason,
    )
    _movement_event(actor, "assistance.stock.adjusted", movement, request)
    return movement


def _kits_needed(cycle: Cycle) -> int:
    total = Entitlement.objects.filter(cycle=cycle).aggregate(n=Sum("amount"))["n"]
    return int(total or 0)


@transaction.atomic
def dispatch_for_cycle(
    *,
    actor: User,
    cycle: Cycle,
    warehouse: Warehouse | None,
    kit_type: KitType | None,
    override_reason: str = "",
    request=None,
) -> StockMovement | None:
    """Give the kit cycle `cycle` its stock: record `warehouse` and `kit_type` on it and
    dispatch, in one movement, the kits its entitlements add up to.

    Called by `open_cycle` after it created the entitlements, inside its transaction: a refusal
    undoes the whole opening. Without enough stock the cycle is refused, unless `override_reason`
    is given by a holder of `assistance.manage`: then what there is is dispatched and the
    shortfall is audited (`assistance.stock.dispatch_overridden`, with the reason). A cash cycle
    takes no stock. Side effects: audit `assistance.stock.dispatched`.
    """
    if warehouse is None and kit_type is None:
        return None
    access.require(actor, "assistance.manage")
    errors = Errors()
    if cycle.assistance_type in CASH_TYPES:
        errors.add("warehouse", _("A cash cycle takes no stock: leave the warehouse empty."))
        errors.raise_if_any()
    if warehouse is None:
        errors.add("warehouse", _("Choose the warehouse the kits leave from."))
    elif warehouse.office_id != cycle.office_id:
        errors.add("warehouse", _("Choose a warehouse of the cycle's office."))
    if kit_type is None:
        errors.add("kit_type", _("Choose the kit type."))
    elif kit_type.organization_id != cycle.organization_id:
        errors.add("kit_type", _("Choose one of your organization's kit types."))
    elif kit_type.assistance_type != cycle.assistance_type:
        errors.add("kit_type", _("Choose a kit type of the cycle's kind of assistance."))
    if Decimal(cycle.amount) != Decimal(cycle.amount).to_integral_value():
        errors.add("amount", _("A kit cycle gives whole kits: enter a whole number."))
    errors.raise_if_any()
    assert warehouse is not None and kit_type is not None  # noqa: S101 - checked above
    _check_warehouse(actor, warehouse)
    cycle.warehouse = warehouse
    cycle.kit_type = kit_type
    cycle.save(update_fields=["warehouse", "kit_type", "updated_at"])
    needed = _kits_needed(cycle)
    if needed == 0:
        return None
    balance = _locked_balance(warehouse, kit_type)
    dispatched = needed
    reason = override_reason.strip()
    if balance.quantity < needed:
        if not reason:
            raise ActionError.on(
                "warehouse",
                _(
                    "Not enough stock: %(needed)d kits are needed and %(warehouse)s holds "
                    "%(available)d. Receive more first, or open the cycle anyway with a "
                    "reason (what there is is dispatched)."
                )
                % {
                    "needed": needed,
                    "warehouse": warehouse.name,
                    "available": balance.quantity,
                },
            )
        dispatched = balance.quantity
    movement = None
    if dispatched > 0:
        movement = _move(
            actor=actor,
            warehouse=warehouse,
            kit_type=kit_type,
            kind=Kind.DISPATCH,
            change=-dispatched,
            field="warehouse",
            reason=reason if dispatched < needed else "",
            cycle=cycle,
        )
        _movement_event(actor, "assistance.stock.dispatched", movement, request)
    if dispatched < needed:
        audit.record(
            actor=actor,
            action="assistance.stock.dispatch_overridden",
            target=cycle,
            request=request,
            details={
                "needed": needed,
                "dispatched": dispatched,
                "shortfall": needed - dispatched,
                "reason": reason[:300],
            },
        )
    return movement


@transaction.atomic
def return_from_cycle(*, actor: User, cycle: Cycle, request=None) -> StockMovement | None:
    """Give back to the warehouse the kits a cycle took and did not deliver: dispatched, minus
    returned before, minus the entitlements delivered. Idempotent: called again (or twice at
    once: the cycle's row is locked) it returns nothing more. Meant for closing a cycle; call it
    once no more deliveries are recorded. Requires `assistance.manage` and the cycle in the
    actor's scope. Side effects: audit `assistance.stock.returned`; None when nothing is owed.
    """
    access.require(actor, "assistance.manage")
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.warehouse_id is None or locked.kit_type_id is None:
        return None
    warehouse = Warehouse.objects.get(pk=locked.warehouse_id)
    kit_type = KitType.objects.get(pk=locked.kit_type_id)
    _check_warehouse(actor, warehouse)
    held = -(
        StockMovement.objects.filter(cycle=locked, kind__in=[Kind.DISPATCH, Kind.RETURN]).aggregate(
            n=Sum("change")
        )["n"]
        or 0
    )
    delivered = Entitlement.objects.filter(
        cycle=locked, state=Entitlement.State.DELIVERED
    ).aggregate(n=Sum("amount"))["n"]
    owed = held - int(delivered or 0)
    if owed <= 0:
        return None
    movement = _move(
        actor=actor,
        warehouse=warehouse,
        kit_type=kit_type,
        kind=Kind.RETURN,
        change=owed,
        cycle=locked,
    )
    _movement_event(actor, "assistance.stock.returned", movement, request)
    return movement
