"""The staff API for feedback: scoped list and detail, recording with its code, reply, close."""

import datetime

import pytest
from django.utils import timezone

from amparo.core.models import AuditEvent
from amparo.feedback import tracking
from amparo.feedback.models import FeedbackEntry
from tests.factories import api_token

URL = "/api/v1/feedback/"


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def entries(submit, office_a1, office_a2):
    ordinary, _ = submit(category="complaint", office=office_a1)
    late, _ = submit(
        category="question",
        office=office_a2,
        received_at=timezone.now() - datetime.timedelta(days=30),
    )
    sensitive, _ = submit(category="sexual_exploitation_abuse", office=office_a1)
    return ordinary, late, sensitive


@pytest.mark.django_db
def test_list_is_scoped_and_names_no_one(client, entries, handler, ethics):
    ordinary, late, sensitive = entries

    handler_ids = [e["id"] for e in api(client, handler).get(URL).json()["results"]]
    body = api(client, ethics).get(URL).json()

    assert handler_ids == [str(ordinary.uuid), str(late.uuid)]  # newest first
    assert {e["id"] for e in body["results"]} == {str(e.uuid) for e in entries}
    row = next(e for e in body["results"] if e["id"] == str(ordinary.uuid))
    assert set(row) == {
        "id",
        "reference",
        "category",
        "status",
        "channel",
        "priority",
        "office",
        "received_at",
        "due_on",
        "overdue",
    }
    assert (row["office"], row["status"], row["overdue"]) == ("a1", "received", False)


@pytest.mark.django_db
def test_list_filters(client, entries, handler):
    ordinary, late, _ = entries
    client = api(client, handler)

    def ids(query):
        return [e["id"] for e in client.get(URL + query).json()["results"]]

    assert ids("?overdue=true") == [str(late.uuid)]
    assert ids("?overdue=false") == [str(ordinary.uuid)]
    assert ids("?category=complaint") == [str(ordinary.uuid)]
    assert ids("?channel=hotline") == []
    assert ids("?status=received&channel=web") == [str(ordinary.uuid), str(late.uuid)]
    assert client.get(URL + "?status=nonsense").status_code == 400


@pytest.mark.django_db
def test_detail_adds_the_text_and_is_audited(client, entries, handler):
    ordinary = entries[0]

    response = api(client, handler).get(f"{URL}{ordinary.uuid}/")

    body = response.json()
    assert response.status_code == 200
    assert (body["text"], body["contact"], body["public_reply"]) == (
        "La fila fue muy larga",
        "",
        "",
    )
    event = AuditEvent.objects.get(action="feedback.feedbackentry.viewed")
    assert (event.actor_id, event.target_id) == (handler.pk, str(ordinary.uuid))


@pytest.mark.django_db
def test_permission_matrix(
    client, entries, handler, ethics, recorder, admin_a, make_user, org_a, org_b
):
    ordinary, _, sensitive = entries
    superuser = make_user("administrator", organization=org_a, is_superuser=True)
    reader_b = make_user("ethics_focal_point", organization=org_b)

    def status(user, url):
        return api(client, user).get(url).status_code

    assert status(ethics, f"{URL}{sensitive.uuid}/") == 200
    assert status(handler, f"{URL}{sensitive.uuid}/") == 404
    assert status(handler, f"{URL}{ordinary.uuid}/") == 200
    for outsider in (recorder, admin_a, superuser):
        assert status(outsider, URL) == 404
        assert status(outsider, f"{URL}{ordinary.uuid}/") == 404
    assert api(client, reader_b).get(URL).json()["results"] == []
    assert status(reader_b, f"{URL}{ordinary.uuid}/") == 404
    assert (
        post(
            api(client, handler), f"{URL}{sensitive.uuid}/reply/", {"public_reply": "x"}
        ).status_code
        == 404
    )
    assert (
        post(
            api(client, recorder), f"{URL}{ordinary.uuid}/close/", {"satisfaction": "satisfied"}
        ).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="feedback.feedbackentry.viewed").count() == 2


@pytest.mark.django_db
def test_record_answers_201_with_the_tracking_code(client, recorder, office_a1):
    response = post(
        api(client, recorder),
        URL,
        {"channel": "hotline", "category": "fraud", "text": "Me pidieron dinero", "contact": "099"},
    )

    body = response.json()
    entry = FeedbackEntry.objects.get()
    assert response.status_code == 201
    assert set(body) == {"id", "reference", "tracking_code"}
    assert (body["id"], body["reference"]) == (str(entry.uuid), entry.reference)
    assert entry.tracking_digest == tracking.digest_of_typed(body["tracking_code"])
    assert (entry.office, entry.channel, entry.sensitive, entry.recorded_by) == (
        office_a1,
        "hotline",
        True,
        recorder,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "web", "category": "complaint", "text": "x"}, "channel"),
        ({"channel": "hotline", "category": "nonsense", "text": "x"}, "category"),
        ({"channel": "hotline", "category": "complaint", "text": "  "}, "text"),
        ({"channel": "hotline", "category": "complaint", "text": "x", "office": "zz"}, "office"),
        ({"channel": "hotline", "category": "complaint", "text": "x", "office": "a2"}, "office"),
        (
            {"channel": "hotline", "category": "complaint", "text": "x", "individual": "nadie"},
            "individual",
        ),
        (
            {
                "channel": "hotline",
                "category": "complaint",
                "text": "x",
                "received_at": "2999-01-01T00:00:00Z",
            },
            "received_at",
        ),
        ([1, 2], "non_field_errors"),
    ],
)
def test_record_refuses_bad_input_with_400_and_records_nothing(
    client, recorder, office_a1, office_a2, body, field
):
    response = post(api(client, recorder), URL, body)

    assert response.status_code == 400
    assert field in response.json()
    assert FeedbackEntry.objects.count() == 0


@pytest.mark.django_db
def test_record_is_refused_to_who_may_not_record(client, admin_a):
    response = post(
        api(client, admin_a), URL, {"channel": "hotline", "category": "complaint", "text": "x"}
    )

    assert response.status_code == 404
    assert FeedbackEntry.objects.count() == 0


@pytest.mark.django_db
def test_reply_then_close(client, entries, handler):
    ordinary = entries[0]
    client = api(client, handler)

    replied = post(
        client, f"{URL}{ordinary.uuid}/reply/", {"public_reply": "Gracias, ya se corrigió."}
    )
    closed = post(client, f"{URL}{ordinary.uuid}/close/", {"satisfaction": "not_satisfied"})
    again = post(client, f"{URL}{ordinary.uuid}/close/", {"satisfaction": "satisfied"})
    late_reply = post(client, f"{URL}{ordinary.uuid}/reply/", {"public_reply": "Otra"})

    assert replied.status_code == 200
    assert replied.json()["public_reply"] == "Gracias, ya se corrigió."
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert again.status_code == 400
    assert late_reply.status_code == 400
    ordinary.refresh_from_db()
    assert (ordinary.satisfaction, ordinary.public_reply) == (
        "not_satisfied",
        "Gracias, ya se corrigió.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("reply", {}, "public_reply"),
        ("reply", {"public_reply": "x" * 2001}, "public_reply"),
        ("close", {"satisfaction": "maybe"}, "satisfaction"),
    ],
)
def test_reply_and_close_refuse_bad_input(client, entries, handler, action, body, field):
    ordinary = entries[0]

    response = post(api(client, handler), f"{URL}{ordinary.uuid}/{action}/", body)

    assert response.status_code == 400
    assert field in response.json()
    ordinary.refresh_from_db()
    assert (ordinary.status, ordinary.public_reply) == ("received", "")
