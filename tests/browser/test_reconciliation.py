"""An M&E officer of HIAS Ecuador, on a phone, reconciles the Quito cycle: reverses a delivery
recorded for the wrong household, draws the households for post-distribution monitoring and
records one survey."""

import pytest

from amparo.assistance import actions
from amparo.assistance.models import Delivery, Entitlement, MonitoringSurvey
from amparo.core.models import Office
from amparo.demo import assistance
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from tests.browser.test_registration import sign_in
from tests.factories import UserFactory, builtin_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def served():
    demo_orgs.load()
    demo_registry.load(100, seed=2026)
    assistance.load(pending=30)
    quito = Office.objects.get(organization__code="hias-ec", code="quito")
    officer = UserFactory(
        username="entregas.quito",
        organization=quito.organization,
        office=quito,
        role=builtin_role("distribution_officer"),
    )
    monitor = UserFactory(
        username="monitoreo.quito",
        first_name="Lucía",
        last_name="Andrade",
        organization=quito.organization,
        role=builtin_role("me_officer"),
    )
    monitor.set_password(demo_orgs.DEMO_PASSWORD)
    monitor.save()
    pending = Entitlement.objects.filter(cycle__office=quito, state="pending")
    delivered = []
    for entitlement in pending.order_by("household__reference")[:3]:
        delivery, _ = actions.deliver(
            actor=officer, entitlement=entitlement, collected_by="Vecina autorizada"
        )
        delivered.append(delivery)
    return delivered


def test_reconcile_reverse_and_monitor_on_a_phone(live_server, phone, screenshot, served):
    page, url = phone, live_server.url
    wrong = served[0]
    reference = wrong.entitlement.household.reference
    sign_in(page, url, "monitoreo.quito")

    page.goto(f"{url}/assistance/reconciliation/")
    page.axe.check()
    page.click(f"main ul.rows a:has-text('{wrong.entitlement.cycle.name}')")
    page.wait_for_selector("text=Con derecho")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("reconciliation.png"), full_page=True)
    page.fill("#q", reference)
    page.click("form[role=search] button")
    page.wait_for_selector("text=Revertir la entrega")
    page.axe.check()
    page.click("summary:has-text('Revertir la entrega')")
    page.fill(f"#r-{wrong.entitlement.uuid}", "Hogar equivocado")
    page.click("form[action*='reverse'] button")
    page.wait_for_selector(".messages .success")
    page.axe.check()
    assert f"Entrega a {reference} revertida" in page.inner_text(".messages")
    wrong.refresh_from_db()
    assert wrong.reverse_reason == "Hogar equivocado"

    page.click("text=Monitoreo posdistribución")
    page.axe.check()
    page.fill("#id_size", "2")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Hogares a encuestar")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("main ul.rows a >> nth=0")
    page.axe.check()
    page.check("input[name=satisfaction][value='4']")
    page.check("input[name=uses][value='food']")
    page.check("input[name=felt_safe][value='yes']")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages .success")
    page.axe.check()
    assert "Encuesta registrada." in page.inner_text(".messages")
    answered = MonitoringSurvey.objects.exclude(answered_at=None).get()
    assert answered.satisfaction == 4
    assert answered.entitlement_id in {d.entitlement_id for d in served[1:]}
    assert Delivery.objects.filter(reversed_at__isnull=True).count() == 2
