from django.db.models import Sum

from amparo.assistance.models import Card, Cycle, Entitlement, StockBalance, StockMovement
from amparo.core.models import AuditEvent
from amparo.demo import assistance, organizations, registry, stock


def test_demo_opens_a_cycle_in_quito_with_500_pending_entitlements_once(db):
    organizations.load()
    registry.load(120, seed=2026)

    first = assistance.load()
    second = assistance.load()

    cycle = Cycle.objects.select_related("office__organization").get()
    assert (cycle.office.organization.code, cycle.office.code) == ("hias-ec", "quito")
    assert cycle.state == Cycle.State.OPEN
    assert cycle.rule.name == assistance.RULE_NAME
    assert first["entitlements"] >= 500
    assert second == {"entitlements": 0, "cards": 0}
    pending = Entitlement.objects.filter(cycle=cycle, state=Entitlement.State.PENDING)
    assert pending.count() == first["entitlements"]
    assert AuditEvent.objects.filter(action="assistance.cycle.opened").count() == 1
    # every household of the cycle has one card in use, issued once
    cards = Card.objects.filter(revoked_at__isnull=True)
    assert first["cards"] == first["entitlements"] == cards.count()
    assert set(cards.values_list("household_id", flat=True)) == set(
        pending.values_list("household_id", flat=True)
    )
    assert AuditEvent.objects.filter(action="assistance.card.issued").count() == first["cards"]


def test_demo_gives_cards_to_a_cycle_loaded_before_cards_existed(db):
    organizations.load()
    registry.load(120, seed=2026)
    assistance.load()
    Card.objects.all().delete()  # as a demo database from before the cards

    again = assistance.load()

    cycle = Cycle.objects.get()
    assert again == {"entitlements": 0, "cards": cycle.entitlements.count()}
    assert Card.objects.filter(household__in=cycle.entitlements.values("household")).count() == (
        cycle.entitlements.count()
    )


def test_demo_stocks_a_warehouse_in_quito_once(db):
    organizations.load()

    first = stock.load()
    second = stock.load()

    balances = dict(
        StockBalance.objects.filter(warehouse__office__code="quito").values_list(
            "kit_type__name", "quantity"
        )
    )
    assert balances == {"Kit de alimentos familiar": 800, "Kit de higiene familiar": 294}
    assert first == {"kits": 1094}
    assert second == {"kits": 0}
    assert StockMovement.objects.aggregate(n=Sum("change"))["n"] == 1094
