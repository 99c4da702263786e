"""The feedback inbox on a 360-px phone: the M&E officer answers a complaint and closes it; a
caseworker records a hotline complaint and sees its tracking code once. axe on every page."""

import re

import pytest

from amparo.core.models import Office, Organization
from amparo.demo import organizations as demo_orgs
from amparo.feedback import actions
from amparo.feedback.models import FeedbackEntry
from tests.browser.test_layout import _measure
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def complaint():
    demo_orgs.load()
    hias = Organization.objects.get(code="hias-ec")
    entry, _ = actions.receive_feedback(
        organization=hias,
        office=Office.objects.get(organization=hias, code="quito"),
        category="complaint",
        text="<script>alert('fila')</script> La fila del martes duró cuatro horas.",
        contact="0991234567",
    )
    return entry


def test_the_me_officer_answers_a_complaint_and_closes_it(live_server, phone, complaint):
    page, url = phone, live_server.url
    sign_in(page, url, "mye.hias")

    page.click("header summary")
    page.click("header nav a:text-is('Retroalimentación')")
    page.wait_for_selector("h1:has-text('Retroalimentación')")
    _measure(page, "inbox")
    page.click(f"main ul.rows a:has-text('{complaint.reference}')")
    page.wait_for_selector(f"h1:has-text('{complaint.reference}')")
    _measure(page, "entry")
    assert "La fila del martes duró cuatro horas." in page.inner_text("main")
    assert "<script>alert('fila')</script>" in page.inner_text("main")  # shown, not run

    page.fill("#id_public_reply", "Abriremos una segunda ventanilla los martes.")
    page.click("button[name=reply]")
    page.wait_for_selector(".messages")
    page.axe.check()
    assert page.inner_text(".messages") == "Respuesta pública guardada."
    page.click("label:has-text('Satisfecha')")
    page.click("button[name=close]")
    page.wait_for_selector(".messages:has-text('cerrada')")
    _measure(page, "closed entry")

    complaint.refresh_from_db()
    assert complaint.public_reply == "Abriremos una segunda ventanilla los martes."
    assert (complaint.status, complaint.satisfaction) == ("closed", "satisfied")
    assert page.locator("button[name=close]").count() == 0


def test_a_caseworker_records_a_hotline_complaint_and_sees_the_code_once(live_server, phone):
    demo_orgs.load()
    page, url = phone, live_server.url
    sign_in(page, url, "caso.quito")

    page.click("header summary")
    page.click("header nav a:text-is('Registrar retroalimentación')")
    page.wait_for_selector("h1")
    _measure(page, "record")
    page.click("main button[type=submit]")  # nothing filled in: refused, explained
    page.wait_for_selector("#error-summary")
    page.axe.check()
    assert FeedbackEntry.objects.count() == 0
    page.select_option("#id_channel", "hotline")
    page.select_option("#id_category", "complaint")
    page.fill("#id_text", "Llamó para decir que nadie contesta en la oficina de Quito.")
    page.fill("#id_contact", "0987654321")
    page.click("main button[type=submit]")
    page.wait_for_selector("#tracking-code")
    _measure(page, "recorded")

    entry = FeedbackEntry.objects.get()
    code = page.inner_text("#tracking-code")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert entry.reference in page.inner_text("main")
    assert (entry.channel, entry.office.code, entry.recorded_by.username) == (
        "hotline",
        "quito",
        "caso.quito",
    )
    page.reload()
    page.wait_for_selector("h1")
    page.axe.check()
    assert page.locator("#tracking-code").count() == 0
    assert code not in page.content()
