"""A distribution officer in Quito finds a household of the open cycle on a phone and delivers
with one tap; tapping again on a screen that still lists it shows the refusal."""

import pytest

from amparo.assistance.models import Delivery, Entitlement
from amparo.core.models import Office
from amparo.demo import assistance
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from tests.browser.test_registration import sign_in
from tests.factories import UserFactory, builtin_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quito_cycle():
    demo_orgs.load()
    demo_registry.load(100, seed=2026)
    assistance.load(pending=30)
    quito = Office.objects.get(organization__code="hias-ec", code="quito")
    officer = UserFactory(
        username="entregas.quito",
        first_name="Inés",
        last_name="Chalá",
        organization=quito.organization,
        office=quito,
        role=builtin_role("distribution_officer"),
    )
    officer.set_password(demo_orgs.DEMO_PASSWORD)
    officer.save()
    return Entitlement.objects.filter(cycle__office=quito).order_by("household__reference")


def test_deliver_once_then_see_the_refusal(live_server, phone, screenshot, quito_cycle):
    page, url = phone, live_server.url
    target = quito_cycle.first()
    reference = target.household.reference
    sign_in(page, url, "entregas.quito")

    page.goto(f"{url}/assistance/")
    page.axe.check()
    page.click("main ul.rows a")
    page.axe.check()
    page.fill("#q", reference)
    page.click("form[role=search] button")
    page.wait_for_selector(f"text={reference}")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("distribution.png"), full_page=True)
    other = page.context.new_page()  # the same officer's second screen, or a double tap
    other.goto(page.url)
    other.click("main ul.rows button[type=submit]")
    other.wait_for_selector(".messages .success")
    assert f"Entregado a {reference}." in other.inner_text(".messages")
    other.close()
    assert Delivery.objects.filter(entitlement=target).count() == 1

    page.click("main ul.rows button[type=submit]")  # this screen still lists the household
    page.wait_for_selector(".messages .error")
    page.axe.check()
    refusal = page.inner_text(".messages")
    assert f"{reference}: Ya se entregó a las " in refusal
    assert "por Inés Chalá." in refusal
    assert reference not in page.inner_text("main ul.rows")
    assert Delivery.objects.filter(entitlement=target).count() == 1
