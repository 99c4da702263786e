"""Someone who no longer wants our e-mails follows the link at the foot of one, on a cheap
phone: one page, one button, done — with or without JavaScript, and no cookie is set."""

import pytest
from django.core.cache import cache

from amparo.messaging import optout_links
from amparo.messaging.models import OptOut
from tests.browser.test_layout import _measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_the_link_stops_the_e_mails_in_one_tap(live_server, phone):
    path = f"/messaging/optout/{optout_links.token_for('email', 'ana@example.org')}/"

    phone.goto(live_server.url + path)
    _measure(phone, "opt-out page")
    assert "ana@example.org" in phone.inner_text("main")
    phone.click("main button[type=submit]")
    phone.wait_for_selector("#optout-done")
    _measure(phone, "opted out")

    assert OptOut.objects.filter(channel="email", address="ana@example.org").exists()
    assert phone.context.cookies() == []


def test_the_page_works_without_javascript(live_server, browser):
    path = f"/messaging/optout/{optout_links.token_for('email', 'bruno@example.org')}/"
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + path + "?lang=en")
        assert page.inner_text("h1") == "Stop receiving our messages"
        page.click("main button[type=submit]")
        page.wait_for_selector("#optout-done")
        assert "bruno@example.org" in page.inner_text("#optout-done")
    finally:
        context.close()
    assert OptOut.objects.filter(address="bruno@example.org", source="link").exists()
