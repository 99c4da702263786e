"""Stock fixtures: a warehouse in office A1 with food kits, and a way to open a kit cycle."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from amparo.assistance import actions
from amparo.core.models import Role
from tests import factories


@pytest.fixture
def warehouse(manager, office_a1):
    return actions.create_warehouse(actor=manager, office=office_a1, name="Bodega central")


@pytest.fixture
def other_warehouse(manager, office_a2):
    return actions.create_warehouse(actor=manager, office=office_a2, name="Bodega norte")


@pytest.fixture
def kit_type(manager):
    return actions.create_kit_type(
        actor=manager,
        name="Kit de alimentos familiar",
        assistance_type="food_kit",
        items=[("Arroz", Decimal("5"), "kg"), ("Aceite", Decimal("1"), "l")],
    )


@pytest.fixture
def stocked(manager, warehouse, kit_type):
    """The warehouse holds 10 food kits."""
    actions.receive_stock(
        actor=manager, warehouse=warehouse, kit_type=kit_type, quantity=10, reference="WB-1"
    )
    return warehouse


@pytest.fixture
def office_manager(org_a, office_a1):
    """An organization's own role: manages assistance, bound to office A1."""
    role = Role.objects.create(
        organization=org_a,
        code="bodeguero",
        name="Responsable de bodega",
        permissions=["assistance.manage"],
        office_bound=True,
    )
    return factories.UserFactory(organization=org_a, office=office_a1, role=role)


@pytest.fixture
def open_kit_cycle(manager, project, office_a1, households):
    """Open a food-kit cycle at office A1 (two households, `amount` kits each)."""

    def open_(amount=Decimal("1"), **kwargs):
        today = timezone.localdate()
        return actions.open_cycle(
            actor=kwargs.pop("actor", manager),
            project=project,
            office=office_a1,
            name="Kits de alimentos marzo",
            assistance_type="food_kit",
            start_date=today - datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=6),
            amount=amount,
            **kwargs,
        )

    return open_
