"""Every read of stock that a screen or endpoint shows, already scoped.

Who sees stock: holders of `assistance.manage`, in their organization (in their office for an
office-bound role). Everybody else gets 404. Kit types belong to the organization, not to an
office: every holder of `assistance.manage` in it sees them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch, QuerySet, Sum

from amparo.assistance.models import (
    Cycle,
    Entitlement,
    KitType,
    StockBalance,
    StockMovement,
    Warehouse,
)
from amparo.core import access
from amparo.core.models import User

MANAGE = "assistance.manage"


def warehouses_visible_to(user: User) -> QuerySet[Warehouse]:
    """The warehouses `user` may see and work on, each with its balances (`shown_balances`)."""
    if not access.can(user, MANAGE):
        return Warehouse.objects.none()
    balances = StockBalance.objects.select_related("kit_type").order_by("kit_type__name", "pk")
    qs = (
        Warehouse.objects.select_related("office")
        .prefetch_related(Prefetch("balances", queryset=balances, to_attr="shown_balances"))
        .order_by("office__name", "name", "pk")
    )
    return access.visible(user, qs, office_field="office")


def get_warehouse_for(user: User, warehouse_id: UUID | str) -> Warehouse:
    """One warehouse `user` may see; 404 when missing or out of scope."""
    return access.get_visible(warehouses_visible_to(user), uuid=warehouse_id)


def transfer_destinations_for(user: User) -> QuerySet[Warehouse]:
    """Where `user` may send kits: any warehouse of their organization."""
    if not access.can(user, MANAGE):
        return Warehouse.objects.none()
    qs = Warehouse.objects.select_related("office").order_by("office__name", "name", "pk")
    return access.visible(user, qs, office_field=None)


def kit_types_visible_to(user: User) -> QuerySet[KitType]:
    """The organization's kit types, each with its contents (`items`, prefetched)."""
    if not access.can(user, MANAGE):
        return KitType.objects.none()
    qs = KitType.objects.prefetch_related("items").order_by("name", "pk")
    return access.visible(user, qs, office_field=None)


def get_kit_type_for(user: User, kit_type_id: UUID | str) -> KitType:
    """One kit type `user` may see; 404 when missing or out of scope."""
    return access.get_visible(kit_types_visible_to(user), uuid=kit_type_id)


def balances_visible_to(user: User) -> QuerySet[StockBalance]:
    """The balances of the warehouses `user` may see."""
    if not access.can(user, MANAGE):
        return StockBalance.objects.none()
    qs = StockBalance.objects.select_related("warehouse", "warehouse__office", "kit_type")
    return access.visible(
        user,
        qs.order_by("warehouse__office__name", "warehouse__name", "kit_type__name", "pk"),
        organization_field="warehouse__organization",
        office_field="warehouse__office",
    )


def movements_visible_to(user: User) -> QuerySet[StockMovement]:
    """The ledger lines of the warehouses `user` may see, newest first."""
    if not access.can(user, MANAGE):
        return StockMovement.objects.none()
    qs = StockMovement.objects.select_related(
        "warehouse", "kit_type", "cycle", "counterpart", "recorded_by"
    ).order_by("-recorded_at", "-pk")
    return access.visible(user, qs, office_field="warehouse__office")


def ledger_of(user: User, warehouse: Warehouse) -> QuerySet[StockMovement]:
    """One warehouse's ledger, newest first (the warehouse fetched with `get_warehouse_for`)."""
    return movements_visible_to(user).filter(warehouse=warehouse)


@dataclass(frozen=True)
class CycleStock:
    cycle: Cycle
    needed: int
    dispatched: int
    returned: int
    delivered: int

    @property
    def shortfall(self) -> int:
        return max(0, self.needed - self.dispatched)


def cycles_supplied_by(user: User, warehouse: Warehouse) -> list[CycleStock]:
    """The cycles that took kits from `warehouse`, newest first, with what each needed, took,
    gave back and delivered (its shortfall, when it was opened without enough stock). Four
    queries whatever the number of cycles."""
    if not access.can(user, MANAGE):
        return []
    cycles = list(
        access.visible(user, Cycle.objects.filter(warehouse=warehouse), office_field="office")
        .select_related("kit_type")
        .order_by("-start_date", "-pk")
    )
    if not cycles:
        return []
    ids = [c.pk for c in cycles]
    needed = _sum_by_cycle(Entitlement.objects.filter(cycle__in=ids), "amount")
    delivered = _sum_by_cycle(
        Entitlement.objects.filter(cycle__in=ids, state=Entitlement.State.DELIVERED), "amount"
    )
    movements = StockMovement.objects.filter(cycle__in=ids, warehouse=warehouse)
    dispatched = _sum_by_cycle(movements.filter(kind=StockMovement.Kind.DISPATCH), "change")
    returned = _sum_by_cycle(movements.filter(kind=StockMovement.Kind.RETURN), "change")
    return [
        CycleStock(
            cycle=c,
            needed=needed.get(c.pk, 0),
            dispatched=-dispatched.get(c.pk, 0),
            returned=returned.get(c.pk, 0),
            delivered=delivered.get(c.pk, 0),
        )
        for c in cycles
    ]


def _sum_by_cycle(qs: QuerySet, field: str) -> dict[int, int]:
    rows = qs.values("cycle").annotate(n=Sum(field)).order_by()
    return {row["cycle"]: int(row["n"] or 0) for row in rows}
