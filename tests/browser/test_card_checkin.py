"""A distribution officer in Quito, on a phone, checks a household in by its card number (as a
USB scanner types it: the number, then Enter), delivers with one tap, and the same card shown
again is refused with when and by whom it was delivered. The QR printed on the card decodes
to the card number in the browser's own scanner code."""

import pytest

from amparo.assistance import actions
from amparo.assistance.models import Card, Delivery, Entitlement
from amparo.core.models import Office
from amparo.demo import assistance
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from tests.browser.test_registration import sign_in
from tests.factories import UserFactory, builtin_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quito():
    demo_orgs.load()
    demo_registry.load(40, seed=2026)
    assistance.load(pending=10)
    office = Office.objects.get(organization__code="hias-ec", code="quito")
    officer = UserFactory(
        username="entregas.quito",
        first_name="Inés",
        last_name="Chalá",
        organization=office.organization,
        office=office,
        role=builtin_role("distribution_officer"),
    )
    officer.set_password(demo_orgs.DEMO_PASSWORD)
    officer.save()
    target = (
        Entitlement.objects.filter(cycle__office=office, state="pending")
        .order_by("household__reference")
        .first()
    )
    # The demo gives the cycle's households their cards; a household without one gets it here.
    card = Card.objects.filter(
        household=target.household, revoked_at__isnull=True
    ).first() or actions.issue_card(actor=officer, household=target.household)
    return target, card


def test_check_in_by_card_deliver_then_see_the_refusal(live_server, phone, screenshot, quito):
    page, url = phone, live_server.url
    target, card = quito
    reference = target.household.reference
    sign_in(page, url, "entregas.quito")
    page.goto(f"{url}/assistance/")
    page.axe.check()
    page.click("main ul.rows a")
    page.axe.check()
    assert page.evaluate("document.activeElement.id") == "card"

    page.keyboard.type(card.display_token.lower())  # the scanner types into the focused field
    page.keyboard.press("Enter")
    page.wait_for_selector("#checkin-result")
    page.axe.check()
    assert reference in page.inner_text("#checkin-result")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("checkin.png"), full_page=True)
    page.click("#checkin-result button[type=submit]")
    page.wait_for_selector(".messages .success")
    page.axe.check()
    assert f"Entregado a {reference}." in page.inner_text(".messages")
    assert page.evaluate("document.activeElement.id") == "card"  # ready for the next card
    assert Delivery.objects.filter(entitlement=target).count() == 1

    page.fill("#card", card.token)
    page.press("#card", "Enter")
    page.wait_for_selector("#checkin-result [role=alert]")
    page.axe.check()
    refusal = page.inner_text("#checkin-result [role=alert]")
    assert refusal.startswith("Ya se entregó a las ")
    assert refusal.endswith("por Inés Chalá.")
    assert page.locator("#checkin-result button[type=submit]").count() == 0
    assert Delivery.objects.filter(entitlement=target).count() == 1


def test_the_printed_qr_decodes_to_the_card_number(live_server, phone, quito):
    page, url = phone, live_server.url
    target, card = quito
    sign_in(page, url, "entregas.quito")
    page.goto(f"{url}/assistance/households/{target.household.uuid}/cards/print/")
    page.axe.check()
    svg = page.inner_html(".id-card-qr")
    page.goto(f"{url}/assistance/cycles/{target.cycle.uuid}/")
    page.axe.check()

    text = page.evaluate(
        """async (svg) => {
            const doc = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
            doc.setAttribute("xmlns", "http://www.w3.org/2000/svg");
            doc.setAttribute("width", "300");
            doc.setAttribute("height", "300");
            const img = new Image();
            img.src = "data:image/svg+xml;base64," +
                btoa(new XMLSerializer().serializeToString(doc));
            await img.decode();
            const canvas = document.createElement("canvas");
            canvas.width = canvas.height = 300;
            const context = canvas.getContext("2d");
            context.fillStyle = "#fff";
            context.fillRect(0, 0, 300, 300);
            context.drawImage(img, 0, 0);
            return window.amparoScan.decode(canvas);
        }""",
        svg,
    )

    assert text == card.token
