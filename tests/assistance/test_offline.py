"""The offline list (`GET /api/v1/cycles/{id}/offline/`), the service worker, the shell page and
the session answer the page's queue relies on."""

import gzip
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.assistance import actions
from amparo.assistance.models import Cycle, Delivery
from amparo.core.models import AuditEvent
from tests.assistance.conftest import household
from tests.factories import api_token


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def url(cycle):
    return f"/api/v1/cycles/{cycle.uuid}/offline/"


@pytest.mark.django_db
def test_the_list_holds_pending_and_delivered_with_the_minimum(
    client, officer, second_officer, cycle, entitlement, head
):
    card = actions.issue_card(actor=officer, household=entitlement.household)
    actions.deliver(actor=second_officer, entitlement=entitlement, collected_by=head)
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()
    other_head = other.household.members.get()

    answer = api(client, officer).get(url(cycle))

    assert answer.status_code == 200
    body = answer.json()
    assert body["cycle"]["id"] == str(cycle.uuid)
    assert body["officer"] == str(officer.uuid)
    by_id = {e["id"]: e for e in body["entitlements"]}
    assert set(by_id) == {str(entitlement.uuid), str(other.uuid)}
    done = by_id[str(entitlement.uuid)]
    assert done == {
        "id": str(entitlement.uuid),
        "household_reference": entitlement.household.reference,
        "card": card.token,
        "amount": "120.00",
        "status": "delivered",
        "members": [],
        "delivery": {
            "delivered_at": Delivery.objects.get().delivered_at.isoformat(),
            "delivered_by": "Pedro Pérez",
        },
    }
    todo = by_id[str(other.uuid)]
    assert todo["status"] == "pending"
    assert todo["card"] is None
    assert todo["delivery"] is None
    assert todo["members"] == [{"id": str(other_head.uuid), "given_names": "Ana", "head": True}]
    entry = json.dumps(todo, ensure_ascii=False)
    assert other_head.first_surname not in entry
    assert str(other_head.date_of_birth) not in answer.content.decode()


@pytest.mark.django_db
def test_the_list_is_never_cached_gzipped_and_audited_once(client, officer, cycle):
    answer = api(client, officer).get(url(cycle), HTTP_ACCEPT_ENCODING="gzip")

    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    assert answer["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(answer.content))["entitlements"]) == 2
    event = AuditEvent.objects.get(action="assistance.cycle.downloaded")
    assert event.target_id == str(cycle.uuid)
    assert event.details == {"households": 2}
    assert event.actor_id == officer.pk


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_two_and_five_households(
    client, officer, registrar, office_a1, manager, project, cycle
):
    api(client, officer)
    with CaptureQueriesContext(connection) as before:
        client.get(url(cycle))
    for _ in range(3):
        household(registrar, office_a1)
    bigger = actions.open_cycle(
        actor=manager,
        project=project,
        office=office_a1,
        name="Kits",
        assistance_type="hygiene_kit",
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        amount=1,
    )

    with CaptureQueriesContext(connection) as after:
        answer = client.get(url(bigger))

    assert len(answer.json()["entitlements"]) == 5
    assert len(after) == len(before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["other_office", "other_org", "registration_officer", "caseworker", "programme_officer"],
)
def test_out_of_scope_answers_404_and_records_nothing(
    client, make_user, office_a1, office_a2, office_b1, org_a, cycle, who
):
    user = {
        "other_office": lambda: make_user("distribution_officer", office=office_a2),
        "other_org": lambda: make_user("distribution_officer", office=office_b1),
        "registration_officer": lambda: make_user("registration_officer", office=office_a1),
        "caseworker": lambda: make_user("caseworker", office=office_a1),
        "programme_officer": lambda: make_user("me_officer", organization=org_a),
    }[who]()

    answer = api(client, user).get(url(cycle))

    assert answer.status_code == 404
    assert not AuditEvent.objects.filter(action="assistance.cycle.downloaded").exists()


@pytest.mark.django_db
def test_a_closed_cycle_or_a_bad_id_answers_404(client, officer, cycle):
    api(client, officer)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)

    closed = client.get(url(cycle))
    malformed = client.get("/api/v1/cycles/not-a-uuid/offline/")

    assert (closed.status_code, malformed.status_code) == (404, 404)


@pytest.mark.django_db
def test_an_anonymous_caller_gets_nothing(client, cycle):
    answer = client.get(url(cycle))

    assert answer.status_code in (401, 403)
    assert "entitlements" not in answer.content.decode()


@pytest.mark.django_db
def test_the_schema_documents_the_offline_list(client, officer):
    schema = api(client, officer).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/cycles/{cycle_id}/offline/"]["get"]
    assert "200" in operation["responses"]


@pytest.mark.django_db
def test_the_service_worker_is_served_for_the_assistance_pages(client):
    answer = client.get("/assistance/sw.js")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/assistance/"
    assert answer["Cache-Control"] == "no-cache"
    text = answer.content.decode()
    assert "assistance/offline.js" in text
    assert "amparo/amparo.css" in text


@pytest.mark.django_db
def test_the_shell_is_for_distribution_officers_only(client, officer, registrar):
    client.force_login(officer)
    shown = client.get("/assistance/offline/")
    client.force_login(registrar)
    refused = client.get("/assistance/offline/")

    assert shown.status_code == 200
    assert 'id="offline"' in shown.content.decode()
    assert refused.status_code == 404


@pytest.mark.django_db
def test_the_session_answer_gives_a_token_the_deliver_api_accepts(
    officer, cycle, entitlement, head
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(officer)
    me = browser.get("/assistance/offline/session/", {"cycle": str(cycle.uuid)}).json()
    deliver = f"/api/v1/entitlements/{entitlement.uuid}/deliver/"
    body = json.dumps({"collected_by": str(head.uuid)})

    without = browser.post(deliver, body, content_type="application/json")
    with_token = browser.post(
        deliver,
        body,
        content_type="application/json",
        headers={"X-CSRFToken": me["csrf"], "Idempotency-Key": "k-1"},
    )
    again = browser.post(
        deliver,
        body,
        content_type="application/json",
        headers={"X-CSRFToken": me["csrf"], "Idempotency-Key": "k-1"},
    )

    assert me["user"] == str(officer.uuid)
    assert me["cycle_open"] is True
    assert without.status_code == 403
    assert (with_token.status_code, again.status_code) == (201, 200)
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_the_session_answer_says_when_the_cycle_is_no_longer_open(client, officer, cycle):
    client.force_login(officer)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.CLOSED)

    closed = client.get("/assistance/offline/session/", {"cycle": str(cycle.uuid)}).json()
    malformed = client.get("/assistance/offline/session/", {"cycle": "nope"}).json()

    assert closed["cycle_open"] is False
    assert malformed["cycle_open"] is False


@pytest.mark.django_db
def test_the_distribution_page_carries_the_offline_tools(client, officer, cycle):
    client.force_login(officer)

    page = client.get(f"/assistance/cycles/{cycle.uuid}/").content.decode()

    assert f'data-cycle="{cycle.uuid}"' in page
    assert "assistance/offline.js" in page
