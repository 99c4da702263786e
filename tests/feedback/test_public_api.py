"""The public feedback API (no sign-in): POST /api/v1/public/feedback/ and
GET /api/v1/public/feedback/{tracking_code}/, its defences, and the code masked in logs."""

import json
import logging

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from amparo.access_log import RedactSecrets, redact
from amparo.core.models import AuditEvent
from amparo.feedback import actions, tracking
from amparo.feedback.models import FeedbackEntry

SEND = "/api/v1/public/feedback/"


def _status_url(code: str) -> str:
    return f"{SEND}{code}/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def open_api(handler, office_a1):
    return handler


@pytest.mark.django_db
def test_anonymous_post_creates_one_web_entry_and_answers_its_code(api, open_api, org_a, office_a1):
    answer = api.post(
        SEND,
        {"category": "complaint", "text": "No hubo agua", "contact": "0991234567", "office": "a1"},
        format="json",
    )

    assert answer.status_code == 201
    assert list(answer.json()) == ["tracking_code"]
    code = answer.json()["tracking_code"]
    assert len(code) == 14 and code.count("-") == 2
    entry = FeedbackEntry.objects.get()
    assert (entry.organization, entry.office, entry.contact) == (org_a, office_a1, "0991234567")
    assert entry.channel == "web" and entry.recorded_by is None
    assert entry.tracking_digest == tracking.digest(code.replace("-", ""))
    assert answer["Cache-Control"] == "no-store"
    assert answer["X-Robots-Tag"] == "noindex, nofollow"
    assert answer.cookies == {} and "Set-Cookie" not in answer.headers


@pytest.mark.django_db
def test_the_status_answers_four_fields_for_a_code_typed_in_lower_case(
    api, open_api, submit, ethics
):
    entry, code = submit(category="sexual_exploitation_abuse", text="El guardia")
    ethics_reply = "<script>alert(1)</script> Le llamaremos."
    actions.reply(actor=ethics, entry=entry, text=ethics_reply)

    answer = api.get(_status_url(tracking.shown(code).lower()))

    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body) == ["public_reply", "replied_at", "status", "status_label"]
    assert body["status"] == "in_progress" and body["status_label"] == "En curso"
    assert body["public_reply"] == ethics_reply  # JSON: the client escapes it when shown
    assert body["replied_at"]
    assert answer["Content-Type"] == "application/json"
    assert answer.cookies == {}


@pytest.mark.django_db
def test_an_unknown_or_malformed_code_answers_the_same_404_as_any_record(api, open_api, submit):
    submit()

    unknown = api.get(_status_url("0000-0000-0000"))
    malformed = api.get(_status_url("not-a-code"))
    other = APIClient()
    other.force_authenticate(open_api)
    missing_household = other.get("/api/v1/households/00000000-0000-0000-0000-000000000000/")

    assert unknown.status_code == malformed.status_code == missing_household.status_code == 404
    assert unknown.json() == malformed.json() == missing_household.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [("es", "Elija de qué trata el mensaje."), ("en", "Choose what the message is about.")],
)
def test_a_bad_category_is_refused_in_the_requests_language(api, open_api, language, message):
    answer = api.post(
        SEND,
        {"category": "gossip", "text": "Hola"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert answer.status_code == 400
    assert answer.json() == {"category": [message]}
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [b'{"category": "complaint", "text": ', b"[1, 2]", b'"text"'],
    ids=["malformed", "a-list", "a-string"],
)
def test_a_body_that_is_not_a_json_object_answers_400(api, open_api, body):
    answer = api.generic("POST", SEND, body, content_type="application/json")

    assert answer.status_code == 400
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "complaint", "text": "x" * (actions.MAX_TEXT + 1)}, "text"),
        ({"category": "complaint", "text": "   "}, "text"),
        ({"category": "complaint", "text": "Hola", "office": "b1"}, "office"),
        ({"category": "complaint", "text": "Hola", "organization": "org-b"}, "organization"),
    ],
)
def test_bad_fields_are_refused_and_write_nothing(api, open_api, office_b1, body, field):
    answer = api.post(SEND, body, format="json")

    assert answer.status_code == 400
    assert field in answer.json()
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_with_several_organizations_the_organization_is_required(
    api, open_api, make_user, org_b, office_b1
):
    make_user("me_officer", organization=org_b, username="mye.b")
    body = {"category": "thanks", "text": "Gracias"}

    unnamed = api.post(SEND, body, format="json")
    named = api.post(SEND, {**body, "organization": "org-b", "office": "b1"}, format="json")

    assert unnamed.status_code == 400 and "organization" in unnamed.json()
    assert named.status_code == 201
    entry = FeedbackEntry.objects.get()
    assert (entry.organization, entry.office) == (org_b, office_b1)


@pytest.mark.django_db
def test_sending_and_checking_are_rate_limited_with_the_pages_counters(
    api, client, settings, open_api
):
    settings.AMPARO_FEEDBACK_POSTS_PER_MINUTE = 2
    settings.AMPARO_FEEDBACK_CHECKS_PER_MINUTE = 2
    body = {"category": "thanks", "text": "Gracias"}

    page = client.post("/feedback/", body)
    sent = [api.post(SEND, body, format="json").status_code for _ in range(2)]
    checks = [api.get(_status_url("0000-0000-0000")).status_code for _ in range(3)]

    assert page.status_code == 200
    assert sent == [201, 429]
    assert checks == [404, 404, 429]
    assert FeedbackEntry.objects.count() == 2  # the page's and the API's first
    limited = api.post(SEND, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["detail"].startswith("Too many tries. Wait a minute.")
    assert "Set-Cookie" not in limited.headers


@pytest.mark.django_db
def test_a_large_body_is_refused_even_with_an_authorization_header(api, open_api):
    body = json.dumps({"category": "complaint", "text": "x" * 70_000})

    anonymous = api.generic("POST", SEND, body, content_type="application/json")
    with_a_header = api.generic(
        "POST", SEND, body, content_type="application/json", HTTP_AUTHORIZATION="Token x"
    )

    assert anonymous.status_code == with_a_header.status_code == 413
    assert not FeedbackEntry.objects.exists()


@pytest.mark.django_db
def test_a_token_or_session_changes_nothing(api, open_api):
    api.force_login(open_api)

    answer = api.post(SEND, {"category": "question", "text": "¿Horario?"}, format="json")

    assert answer.status_code == 201
    assert FeedbackEntry.objects.get().recorded_by is None
    assert AuditEvent.objects.get(action="feedback.entry.received").actor is None


def test_the_tracking_code_is_masked_in_paths():
    line = '1.2.3.4 "GET /api/v1/public/feedback/K7M2-9QXD-4T8P/ HTTP/1.1" 404'

    assert redact(line) == '1.2.3.4 "GET /api/v1/public/feedback/…/ HTTP/1.1" 404'
    assert redact("POST /api/v1/public/feedback/ HTTP/1.1") == (
        "POST /api/v1/public/feedback/ HTTP/1.1"
    )
    assert redact("/intake/abc/") == "/intake/…/"


@pytest.mark.django_db
def test_a_checked_code_is_not_in_djangos_request_log(api, open_api, caplog):
    caplog.set_level(logging.INFO)
    code = "K7M2-9QXD-4T8P"

    answer = api.get(_status_url(code))

    assert answer.status_code == 404
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged, "the probe expects Django to log the 404"
    for record in logged:
        RedactSecrets().filter(record)  # the filter settings.LOGGING puts on django.request
        assert code not in record.getMessage()
        assert "/api/v1/public/feedback/…/" in record.getMessage()


@pytest.mark.django_db
def test_the_schema_documents_the_public_endpoints_without_authentication(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    send = schema["paths"]["/api/v1/public/feedback/"]["post"]
    check = schema["paths"]["/api/v1/public/feedback/{tracking_code}/"]["get"]
    assert set(send["responses"]) == {"201", "400", "413", "429"}
    assert set(check["responses"]) == {"200", "404", "429"}
    assert send.get("security", [{}]) == check.get("security", [{}]) == [{}]  # no token
    out = schema["components"]["schemas"]["FeedbackStatusOut"]["properties"]
    assert sorted(out) == ["public_reply", "replied_at", "status", "status_label"]
    assert schema["components"]["schemas"]["FeedbackStatusEnum"]["enum"] == [
        "received",
        "in_progress",
        "closed",
    ]
    assert "StatusEnum" in schema["components"]["schemas"]  # households' keeps its name
    assert [p for p in schema["paths"] if "public/" in p] == [
        "/api/v1/public/feedback/",
        "/api/v1/public/feedback/{tracking_code}/",
    ]
