"""A delivery is a service given: people reached count the members of the household served,
each person once across services given and deliveries."""

import datetime

import pytest
from django.utils import timezone

from amparo.activities import queries as activity_queries
from amparo.assistance import actions, queries_monitoring
from amparo.core.models import Role
from amparo.registry.actions import register_household
from tests.activities.helpers import record
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(org_a, office_a1):
    """Someone who sees both services given and deliveries at office A1."""
    role = Role.objects.create(
        organization=org_a,
        code="field-lead",
        name="Coordinación de campo",
        permissions=[
            "registry.view",
            "activities.view",
            "activities.record",
            "assistance.distribute",
        ],
        office_bound=True,
    )
    return UserFactory(organization=org_a, office=office_a1, role=role, username="lead.a1")


@pytest.fixture
def family(registrar, office_a1):
    """A household of three."""
    return register_household(
        actor=registrar,
        office=office_a1,
        members=[
            member(documents=[], phone="", given_names="Luisa"),
            member(documents=[], phone="", given_names="Tomás", relationship="child", sex="M"),
            member(documents=[], phone="", given_names="Inés", relationship="child"),
        ],
    )


def test_a_person_reached_by_a_service_and_a_delivery_counts_once(
    reporter, officer, manager, family, cycle, office_a1
):
    entitlement = cycle.entitlements.get(household=family)  # the family was registered first
    luisa = family.members.get(is_head=True)
    before = activity_queries.people_reached(reporter).registered
    record(reporter, participants=[luisa])
    services_only = activity_queries.people_reached(reporter).registered

    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=luisa)
    both = activity_queries.people_reached(reporter)

    assert (before, services_only) == (0, 1)
    assert both.registered == 3  # Luisa once, and her two children through the delivery
    assert queries_monitoring.households_reached(reporter) == 1
    assert activity_queries.people_reached(manager).registered == 3  # M&E: deliveries only
    actions.reverse_delivery(actor=manager, delivery=delivery, reason="Error")
    assert activity_queries.people_reached(reporter).registered == 1
    assert queries_monitoring.households_reached(reporter) == 0


def test_deliveries_count_only_in_the_period_and_the_scope(
    officer, manager, make_user, office_a2, family, cycle, office_a1
):
    entitlement = cycle.entitlements.get(household=family)  # the family was registered first
    actions.deliver(actor=officer, entitlement=entitlement, collected_by="Vecina")
    elsewhere = make_user("distribution_officer", office=office_a2)
    delivered_on = timezone.localdate(entitlement.deliveries.get().delivered_at)
    day_before = delivered_on - datetime.timedelta(days=1)

    assert activity_queries.people_reached(manager, since=delivered_on).registered == 3
    assert activity_queries.people_reached(manager, until=day_before).registered == 0
    assert activity_queries.people_reached(elsewhere).registered == 0
    assert queries_monitoring.households_reached(elsewhere) == 0
