import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from amparo.assistance import actions
from amparo.registry.actions import register_household
from tests.factories import member


def household(registrar, office, **overrides):
    return register_household(
        actor=registrar,
        office=office,
        members=[member(documents=[], phone="", **overrides)],
    )


@pytest.fixture
def registrar(make_user, office_a1):
    return make_user("registration_officer", office=office_a1, username="reg.a1")


@pytest.fixture
def manager(make_user, org_a):
    return make_user("me_officer", organization=org_a, username="mye.a")


@pytest.fixture
def officer(make_user, office_a1):
    return make_user(
        "distribution_officer", office=office_a1, username="dist.a1", first_name="Rosa"
    )


@pytest.fixture
def second_officer(make_user, office_a1):
    return make_user(
        "distribution_officer", office=office_a1, username="dist2.a1", first_name="Pedro"
    )


@pytest.fixture
def households(registrar, office_a1):
    return [
        household(registrar, office_a1),
        household(registrar, office_a1, given_names="Ana", population_group="refugee"),
    ]


@pytest.fixture
def project(manager, office_a1, office_a2):
    today = timezone.localdate()
    return actions.create_project(
        actor=manager,
        code="BHA-26",
        name="Necesidades básicas 2026",
        donor="BHA",
        sector="basic_needs",
        offices=[office_a1, office_a2],
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
        target_households=2400,
    )


@pytest.fixture
def cycle(manager, project, office_a1, households):
    today = timezone.localdate()
    return actions.open_cycle(
        actor=manager,
        project=project,
        office=office_a1,
        name="Efectivo marzo",
        assistance_type="mpc",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=6),
        amount=Decimal("120.00"),
        currency="usd",
        place="Centro comunal",
    )


@pytest.fixture
def entitlement(cycle):
    return cycle.entitlements.order_by("pk").first()


@pytest.fixture
def head(entitlement):
    return entitlement.household.members.get(is_head=True)
