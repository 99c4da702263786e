"""Someone without an account sends a complaint from a cheap phone, writes down the code the
receipt shows, and follows it: first received, then with the answer a staff member gave.
Every page fits 360 px, its targets are 44 px tall, axe finds nothing, and no cookie is set."""

import re

import pytest
from django.core.cache import cache

from amparo.core.models import User
from amparo.demo import organizations as demo_orgs
from amparo.feedback import actions
from amparo.feedback.models import FeedbackEntry
from tests.browser.test_layout import _measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hias():
    demo_orgs.load()  # HIAS Ecuador: its M&E officer and ethics focal point read feedback
    cache.clear()  # the public page's tries per address


def _check_status(page, url: str, code: str) -> None:
    page.goto(f"{url}/feedback/status/")
    page.wait_for_selector("h1")
    _measure(page, "status form")
    page.fill("#id_code", code.lower())
    page.click("main button[type=submit]")
    page.wait_for_selector("[role=status]")
    _measure(page, "status")


def test_send_a_complaint_and_follow_it_with_the_code(live_server, phone, screenshot, hias):
    page, url = phone, live_server.url

    page.goto(f"{url}/feedback/")
    _measure(page, "feedback form")
    assert page.inner_text("h1") == "Cuéntenos qué piensa"
    assert page.locator("select[name=organization]").count() == 0  # one organization
    page.click("main button[type=submit]")  # nothing chosen, nothing written: refused
    page.wait_for_selector(".error-summary")
    _measure(page, "feedback refused")
    page.check("input[name=category][value=complaint]")
    page.fill("#id_text", "Esperé <b>cuatro horas</b> en la fila de Quito y nadie me atendió.")
    page.select_option("#id_office", label="Quito")
    page.screenshot(path=screenshot("feedback-public.png"), full_page=True)
    page.click("main button[type=submit]")
    page.wait_for_selector("#tracking-code")
    _measure(page, "receipt")
    code = page.inner_text("#tracking-code").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert "Anótelo ahora" in page.inner_text("main")
    entry = FeedbackEntry.objects.get()
    assert (entry.category, entry.channel, entry.office.name) == ("complaint", "web", "Quito")
    assert entry.recorded_by is None

    page.click("main a[href^='/feedback/status/']")
    page.wait_for_selector("#id_code")
    _measure(page, "status form from the receipt")
    page.fill("#id_code", code.lower())
    page.click("main button[type=submit]")
    page.wait_for_selector("[role=status]")
    _measure(page, "status received")
    assert "Recibida" in page.inner_text("[role=status]")
    assert page.locator("#public-reply").count() == 0
    assert code not in page.content()

    actions.reply(
        actor=User.objects.get(username="mye.hias"),
        entry=entry,
        text="Lo sentimos. Desde el lunes abrimos <script>una segunda fila</script>.",
    )
    _check_status(page, url, code)

    assert "En curso" in page.inner_text("[role=status]")
    assert page.inner_text("#public-reply") == (
        "Lo sentimos. Desde el lunes abrimos <script>una segunda fila</script>."
    )
    assert page.context.cookies() == []
