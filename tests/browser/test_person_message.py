"""A message to one person on a 360-px phone: a caseworker opens a person's page, writes an SMS,
previews it, sends it (the console channel) and finds it in the person's messages. axe on
every page."""

import json

import pytest

from amparo.messaging.models import Message
from amparo.registry.actions import register_household
from tests import factories
from tests.browser.test_layout import _measure
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def caseworker(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="caso.a1")


@pytest.fixture
def person(caseworker, office_a1):
    return register_household(
        actor=caseworker,
        office=office_a1,
        members=[member(contact_consent=True, documents=[])],
    ).members.get()


@pytest.fixture
def console_log(settings, tmp_path):
    """What the console channel wrote (as tests/messaging/conftest.py's fixture)."""
    settings.AMPARO_HOME = tmp_path

    def read(channel="sms"):
        path = tmp_path / "messages" / f"{channel}.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


def test_a_caseworker_sends_an_sms_and_sees_it_in_the_messages(
    live_server, phone, caseworker, person, console_log
):
    page, url = phone, live_server.url
    page.goto(f"{url}/login/")
    page.axe.check()
    page.fill("#id_username", caseworker.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()

    page.goto(f"{url}/registry/individuals/{person.uuid}/")
    page.wait_for_selector("h1")
    _measure(page, "person")
    page.click(f"main a[href='/messaging/person/{person.uuid}/new/']")
    page.wait_for_selector("#id_text")
    _measure(page, "new message")
    assert page.locator("input[name=channel][value=email]").count() == 0  # no address

    page.check("input[name=channel][value=sms]")
    page.fill("#id_text", "Hola {first_name}, su cita es el lunes a las 9.")
    page.click("button[name=preview]")
    page.wait_for_selector("#preview-title")
    _measure(page, "preview")
    assert "Hola María, su cita es el lunes a las 9." in page.inner_text(".preview")
    assert not Message.objects.exists()

    page.click("button[name=send]")
    page.wait_for_selector(".messages")
    page.axe.check()
    assert page.url.rstrip("/").endswith(str(person.uuid))
    page.click(f"main a[href='/messaging/person/{person.uuid}/']")
    page.wait_for_selector("main ul.rows li")
    _measure(page, "messages")

    listed = page.inner_text("main ul.rows")
    assert "Hola María, su cita es el lunes a las 9." in listed
    assert "SMS" in listed
    assert [line["text"] for line in console_log()] == ["Hola María, su cita es el lunes a las 9."]
    assert Message.objects.get().state == Message.State.SENT
