"""A cycle's reconciliation: tallies, breakdowns and anomalies on crafted data."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from amparo.assistance import actions, queries_monitoring
from amparo.assistance.exports import reconciliation_csv
from amparo.assistance.models import Delivery
from amparo.assistance.queries_monitoring import Thresholds
from amparo.core.tabular import safe_cell
from tests.assistance.conftest import household

pytestmark = pytest.mark.django_db

LOOSE = Thresholds(collector_households=3, burst_deliveries=5, burst_seconds=30)


@pytest.fixture
def many(cycle, registrar, office_a1):
    """Eight more entitled households (ten in all)."""
    for n in range(8):
        house = household(registrar, office_a1, given_names=f"Persona{n}")
        cycle.entitlements.create(
            organization=cycle.organization, office=office_a1, household=house, amount=120
        )
    return list(cycle.entitlements.order_by("pk"))


def craft(entitlement, officer, at, *, member=None, alternate=""):
    """A delivery written as an offline sync or a provider's file could leave it."""
    if member is None and not alternate:
        member = entitlement.household.members.get(is_head=True)
    delivery = Delivery.objects.create(
        organization_id=entitlement.organization_id,
        entitlement=entitlement,
        delivered_at=at,
        delivered_by=officer,
        collected_by=member,
        collected_by_alternate=alternate,
    )
    entitlement.state = "delivered"
    entitlement.save(update_fields=["state"])
    return delivery


def test_normal_deliveries_show_tallies_and_no_anomaly(
    manager, officer, second_officer, many, cycle
):
    start = timezone.now() - datetime.timedelta(hours=1)
    for n, entitlement in enumerate(many[:6]):  # one every two minutes, each by its head
        craft(entitlement, officer, start + datetime.timedelta(minutes=2 * n))
    actions.deliver(actor=second_officer, entitlement=many[6], collected_by="Vecina Ruiz")
    actions.cancel_entitlement(actor=manager, entitlement=many[9], reason="Duplicado")
    wrong = Delivery.objects.get(entitlement=many[0])
    actions.reverse_delivery(actor=manager, delivery=wrong, reason="Hogar equivocado")

    rec = queries_monitoring.reconciliation(manager, cycle, thresholds=LOOSE)

    assert (rec.entitled.households, rec.entitled.amount) == (9, Decimal("1080"))
    assert (rec.delivered.households, rec.delivered.amount) == (6, Decimal("720"))
    assert (rec.pending.households, rec.cancelled.households) == (3, 1)
    assert rec.absent is None  # the cycle is open: not collected yet, not absent
    assert [(r.reference, r.reason) for r in rec.reversals] == [
        (many[0].household.reference, "Hogar equivocado")
    ]
    days = {timezone.localdate(d.delivered_at).isoformat() for d in Delivery.objects.all()}
    assert [r.label for r in rec.by_day] == sorted(days)
    assert sum(r.households for r in rec.by_day) == 6
    assert [(r.label, r.households) for r in rec.by_officer] == [
        ("Rosa Pérez", 5),
        ("Pedro Pérez", 1),
    ]
    assert rec.anomalies == 0


def test_anomalies_found_on_crafted_deliveries(manager, officer, second_officer, many, cycle):
    now = timezone.now()
    # One alternate, spelt three ways, collects for three households; another for two.
    craft(many[0], second_officer, now - datetime.timedelta(hours=3), alternate="José Núñez")
    craft(many[1], second_officer, now - datetime.timedelta(hours=2), alternate="nunez jose")
    craft(many[2], second_officer, now - datetime.timedelta(hours=1), alternate="JOSE  NUÑEZ")
    craft(many[3], second_officer, now - datetime.timedelta(minutes=50), alternate="Ana Díaz")
    early = timezone.make_aware(
        datetime.datetime.combine(cycle.start_date - datetime.timedelta(days=2), datetime.time(10))
    )
    craft(many[4], second_officer, early, alternate="Ana Díaz")  # before the cycle began
    # Five by one officer within 20 seconds.
    start = now - datetime.timedelta(minutes=5)
    for n, entitlement in enumerate(many[5:]):
        craft(entitlement, officer, start + datetime.timedelta(seconds=5 * n))

    rec = queries_monitoring.reconciliation(manager, cycle, thresholds=LOOSE)
    stricter = queries_monitoring.reconciliation(manager, cycle, thresholds=Thresholds(2, 6, 30))

    [collector] = rec.collectors
    assert (collector.name, collector.households) == ("José Núñez", 3)
    assert collector.references == sorted(e.household.reference for e in many[:3])
    assert [o.reference for o in rec.outside_dates] == [many[4].household.reference]
    assert rec.outside_dates[0].officer == "Pedro Pérez"
    assert [(b.officer, b.count) for b in rec.bursts] == [("Rosa Pérez", 5)]
    assert rec.anomalies == 3
    assert [c.households for c in stricter.collectors] == [3, 2]
    assert stricter.bursts == []  # six needed


def test_a_burst_is_one_episode_and_normal_pace_is_none(manager, officer, many, cycle):
    start = timezone.now() - datetime.timedelta(minutes=30)
    for n, entitlement in enumerate(many[:6]):  # six in 25 seconds
        craft(entitlement, officer, start + datetime.timedelta(seconds=5 * n))
    for n, entitlement in enumerate(many[6:]):  # then one every two minutes
        craft(entitlement, officer, start + datetime.timedelta(minutes=5 + 2 * n))

    rec = queries_monitoring.reconciliation(manager, cycle, thresholds=LOOSE)

    [burst] = rec.bursts
    assert (burst.officer, burst.count) == ("Rosa Pérez", 6)
    assert (burst.start, burst.end) == (start, start + datetime.timedelta(seconds=25))
    assert rec.collectors == [] and rec.outside_dates == []


def test_the_csv_lists_the_sections_and_defuses_formulas(manager, officer, many, cycle):
    for entitlement in many[:3]:
        craft(entitlement, officer, timezone.now(), alternate='=HYPERLINK("http://x")')

    text = reconciliation_csv(queries_monitoring.reconciliation(manager, cycle, LOOSE))

    lines = text.splitlines()
    assert lines[0] == "section,item,households,amount,detail"
    assert "totals,delivered,3,360.00,USD" in lines
    assert any(line.startswith("anomaly_collector,\"'=HYPERLINK(") for line in lines)
    assert not any(",=" in line or line.startswith("=") for line in lines)
    assert [safe_cell(v) for v in ("+1", "-1", "@x", "ok", 3)] == ["+1", "-1", "'@x", "ok", "3"]
