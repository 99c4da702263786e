"""The public feedback page (/feedback/, no sign-in): sending, the receipt, the status check,
and its defences (rate limits, honeypot, no cookie, bounded bodies, escaped text)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from amparo.core.models import AuditEvent
from amparo.feedback import actions, tracking
from amparo.feedback.models import FeedbackEntry

SEND = reverse("feedback-public:send")
STATUS = reverse("feedback-public:status")
CODE = re.compile(r'id="tracking-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_page(handler, office_a1, office_a2):
    """Organization A receives feedback (its M&E officer reads it) at two offices."""
    return handler


def _code_in(html: str) -> str:
    match = CODE.search(html)
    assert match, "no tracking code on the receipt"
    return match.group(1)


@pytest.mark.django_db
def test_anonymous_message_creates_one_web_entry_and_shows_its_code_once(
    client, open_page, org_a, office_a1
):
    page = client.get(SEND)
    sent = client.post(
        SEND,
        {
            "category": "complaint",
            "text": "Nadie me atendió en la mañana",
            "office": str(office_a1.uuid),
            "leave_empty": "",
        },
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "Cuéntenos qué piensa" in html
    assert html.count("Va solo al equipo de ética.") == 3
    assert 'name="organization"' not in html  # one organization: no question
    assert sent.status_code == 200
    code = _code_in(sent.content.decode())
    assert "Anótelo ahora" in sent.content.decode()
    entry = FeedbackEntry.objects.get()
    assert (entry.organization, entry.office, entry.category) == (org_a, office_a1, "complaint")
    assert entry.channel == "web" and entry.recorded_by is None and entry.contact == ""
    assert entry.tracking_digest == tracking.digest(code.replace("-", ""))
    assert AuditEvent.objects.filter(action="feedback.entry.received").count() == 1


@pytest.mark.django_db
def test_the_status_check_shows_the_state_and_the_reply_for_a_code_typed_loosely(
    client, open_page, submit, handler
):
    entry, code = submit(category="question", text="¿Dónde me inscribo?")
    actions.reply(actor=handler, entry=entry, text="En la oficina de Quito, de 9 a 13.")
    typed = tracking.shown(code).lower()

    answer = client.post(STATUS, {"code": typed})

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "En curso" in html and "En la oficina de Quito, de 9 a 13." in html
    assert typed not in html.lower() and tracking.shown(code) not in html
    assert entry.reference not in html and "¿Dónde me inscribo?" not in html


@pytest.mark.django_db
def test_an_unknown_and_a_malformed_code_get_the_same_answer(client, open_page, submit):
    submit()

    unknown = client.post(STATUS, {"code": "0000-0000-0000"})
    malformed = client.post(STATUS, {"code": "<b>no es un código</b>"})

    assert unknown.status_code == malformed.status_code == 404
    assert unknown.content == malformed.content
    assert "Ningún mensaje tiene este código" in unknown.content.decode()


@pytest.mark.django_db
def test_a_sensitive_reports_own_code_shows_only_its_status_and_reply(
    client, open_page, submit, ethics
):
    entry, code = submit(category="sexual_exploitation_abuse", text="El guardia de la bodega")
    actions.reply(actor=ethics, entry=entry, text="Lo estamos atendiendo.")

    html = client.post(STATUS, {"code": code}).content.decode()

    assert "Lo estamos atendiendo." in html
    for secret in ("guardia", entry.reference, "explotación", "ética"):
        assert secret not in html.lower()


@pytest.mark.django_db
def test_script_in_a_reply_is_shown_as_text(client, open_page, submit, handler):
    entry, code = submit()
    actions.reply(actor=handler, entry=entry, text="<script>alert(1)</script>")

    html = client.post(STATUS, {"code": code}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_script_in_a_refused_message_is_shown_back_as_text(client, open_page):
    page = client.post(SEND, {"text": "<script>alert(1)</script>"})

    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.content.decode()
    assert "&lt;script&gt;" in page.content.decode()
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_answers_as_if_accepted_and_writes_nothing(client, open_page):
    sent = client.post(
        SEND, {"category": "complaint", "text": "Oferta", "leave_empty": "http://spam"}
    )

    assert sent.status_code == 200
    _code_in(sent.content.decode())
    assert not FeedbackEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="feedback.entry.received").exists()


@pytest.mark.django_db
def test_sending_and_checking_are_rate_limited_per_address(client, settings, open_page):
    settings.AMPARO_FEEDBACK_POSTS_PER_MINUTE = 2
    settings.AMPARO_FEEDBACK_CHECKS_PER_MINUTE = 3
    form = {"category": "thanks", "text": "Gracias"}

    sent = [client.post(SEND, form).status_code for _ in range(3)]
    checks = [client.post(STATUS, {"code": "0000-0000-0000"}).status_code for _ in range(4)]
    elsewhere = client.post(SEND, form, REMOTE_ADDR="10.0.0.9")

    assert sent == [200, 200, 429]
    assert checks == [404, 404, 404, 429]
    assert elsewhere.status_code == 200
    assert FeedbackEntry.objects.count() == 3
    limited = client.post(SEND, form, HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many tries" in limited.content.decode()
    assert FeedbackEntry.objects.count() == 3


@pytest.mark.django_db
def test_public_pages_set_no_cookie_and_are_neither_stored_nor_indexed(open_page, submit):
    browser = Client(enforce_csrf_checks=True)
    _, code = submit()

    answers = [
        browser.get(SEND),
        browser.post(SEND, {"category": "question", "text": "¿Hay clases?"}),
        browser.post(SEND, {"category": "gossip", "text": ""}),
        browser.get(STATUS),
        browser.post(STATUS, {"code": code}),
        browser.post(STATUS, {"code": "nada"}),
    ]

    assert [a.status_code for a in answers] == [200, 200, 400, 200, 200, 404]
    for answer in answers:
        assert answer.cookies == {}
        assert "Set-Cookie" not in answer.headers
        assert answer["Cache-Control"] == "no-store"
        assert answer["X-Robots-Tag"] == "noindex, nofollow"
        assert "csrfmiddlewaretoken" not in answer.content.decode()
    assert FeedbackEntry.objects.count() == 2


@pytest.mark.django_db
def test_the_page_speaks_english_when_asked(client, open_page):
    page = client.get(SEND + "?lang=en")
    refused = client.post(SEND + "?lang=en", {"category": "gossip", "text": "Hi"})

    assert "Tell us what you think" in page.content.decode()
    assert 'href="?lang=es"' in page.content.decode()
    assert refused.status_code == 400
    assert "Choose what the message is about." in refused.content.decode()


@pytest.mark.django_db
def test_a_message_longer_than_the_limit_is_refused(client, open_page):
    page = client.post(SEND, {"category": "complaint", "text": "x" * (actions.MAX_TEXT + 1)})

    assert page.status_code == 400
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_a_body_past_the_edges_bound_is_refused(client, open_page):
    page = client.post(SEND, {"category": "complaint", "text": "x" * 70_000})
    with_a_token = client.post(
        SEND, {"category": "complaint", "text": "x" * 70_000}, HTTP_AUTHORIZATION="Token x"
    )

    assert page.status_code == with_a_token.status_code == 413
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_with_several_organizations_the_person_chooses_one_and_its_office(
    client, open_page, make_user, org_a, org_b, office_a1, office_b1
):
    make_user("me_officer", organization=org_b, username="mye.b")
    form = {"category": "suggestion", "text": "Más sillas"}

    page = client.get(SEND).content.decode()
    unchosen = client.post(SEND, form)
    mismatched = client.post(
        SEND, {**form, "organization": org_a.code, "office": str(office_b1.uuid)}
    )
    sent = client.post(SEND, {**form, "organization": org_b.code, "office": str(office_b1.uuid)})

    assert 'name="organization"' in page and "Organización B" in page
    assert unchosen.status_code == mismatched.status_code == 400
    assert "Elija la organización." in unchosen.content.decode()
    assert sent.status_code == 200
    entry = FeedbackEntry.objects.get()
    assert (entry.organization, entry.office) == (org_b, office_b1)


@pytest.mark.django_db
def test_only_organizations_whose_people_read_feedback_are_offered(
    client, open_page, org_b, office_b1
):
    page = client.get(SEND).content.decode()

    assert 'name="organization"' not in page  # org B has an office but no reader
    assert "Oficina B1" not in page and "Oficina A1" in page
