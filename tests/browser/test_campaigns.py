"""Campaigns on a 360-px phone: the communication officer writes a template, previews it as
"Ana" would read it, prepares a campaign for Quito's heads of household, sees how many people
it reaches, sends it now and sees it delivered (the immediate task backend runs the worker's
part inside the request). axe on every page."""

import re

import pytest

from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from amparo.messaging.models import Campaign, Template
from amparo.messaging.queries import recipients
from tests.browser.test_layout import _measure
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.AMPARO_HOME = tmp_path  # the console channel's file
    demo_orgs.load()
    demo_registry.load(100)
    return tmp_path


def test_the_officer_writes_previews_and_sends_a_campaign(live_server, phone, demo):
    page, url = phone, live_server.url
    sign_in(page, url, "comunicacion.hias")

    page.click("header summary")
    page.click("header nav a[href='/messaging/']")
    page.wait_for_selector("#campaigns")
    _measure(page, "campaigns")
    page.click("main a[href='/messaging/templates/']")
    page.wait_for_selector("#templates")
    _measure(page, "templates")
    page.click("main a[href='/messaging/templates/new/']")
    page.wait_for_selector("#id_body_es")
    _measure(page, "new template")

    page.fill("#id_name", "Aviso de atención")
    page.select_option("#id_channel", "sms")
    page.fill("#id_body_es", "Hola {first_name}: la oficina de {office} atiende desde el {date}.")
    page.fill("#id_body_en", "Hello {first_name}: the {office} office is open from {date}.")
    page.click("button[name=preview]")
    page.wait_for_selector("#preview")
    _measure(page, "template preview")
    shown = page.inner_text("#preview")
    assert "Hola Ana: la oficina de " in shown
    assert "Hello Ana: the " in shown
    assert re.search(r"\b1 SMS\b", page.inner_text("#preview .sms-length"))
    assert not Template.objects.exists()  # a preview saves nothing

    page.click("button[name=save]")
    page.wait_for_selector(".messages")
    page.axe.check()
    template = Template.objects.get()
    assert template.body_es.startswith("Hola {first_name}")

    page.click("main a.button[href*='/messaging/new/?template=']")
    page.wait_for_selector("#id_offices_0")
    _measure(page, "new campaign")
    page.fill("#id_name", "Atención en Quito")
    page.check("input[name=offices][value=quito]")
    page.check("#id_heads_only")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#recipient-count")
    _measure(page, "confirm campaign")
    campaign = Campaign.objects.get()
    expected = recipients(campaign.organization_id, campaign.filters, "sms").count()
    assert expected > 0
    assert re.search(rf"\b{expected}\b", page.inner_text("#recipient-count"))
    assert "Hola Ana: la oficina de " in page.inner_text("#preview")

    page.click("button[name=now]")
    page.wait_for_selector("#counts")
    _measure(page, "sent campaign")
    assert page.inner_text("#counts dd[data-state=sent]") == str(expected)
    assert page.locator("#delivery-log li").count() == expected
    assert "•••" in page.inner_text("#delivery-log")
    campaign.refresh_from_db()
    assert (campaign.state, campaign.recipients) == (Campaign.State.FINISHED, expected)
    lines = (demo / "messages" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == expected
