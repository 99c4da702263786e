import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.assistance.models import Delivery
from amparo.core.models import AuditEvent
from tests.factories import api_token

URL = "/api/v1/entitlements/"


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def deliver(client, entitlement, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"{URL}{entitlement.uuid}/deliver/", body, content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_deliver_answers_201_then_409_with_the_first_delivery(
    client, officer, second_officer, entitlement, head
):
    first = deliver(api(client, officer), entitlement, {"collected_by": str(head.uuid)})

    second = deliver(api(client, second_officer), entitlement, {"collected_by_name": "Vecina"})

    assert first.status_code == 201
    assert first.json()["delivered_by"]["name"] == "Rosa Pérez"
    assert first.json()["collected_by"] == str(head.uuid)
    assert second.status_code == 409
    assert second.json()["delivery"] == first.json()
    assert second.json()["detail"].startswith("Ya se entregó a las ")
    assert "no-store" in second["Cache-Control"]
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_a_retried_request_with_the_same_key_answers_200_with_the_first(
    client, officer, entitlement, head
):
    api(client, officer)
    first = deliver(client, entitlement, {"collected_by": str(head.uuid)}, key="abc-1")

    again = deliver(client, entitlement, {"collected_by": str(head.uuid)}, key="abc-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Delivery.objects.get().idempotency_key == "abc-1"
    assert AuditEvent.objects.filter(action="assistance.delivery.recorded").count() == 1


@pytest.mark.django_db
def test_a_bad_body_answers_400_in_the_users_language(client, officer, entitlement):
    answer = deliver(api(client, officer), entitlement, {})

    assert answer.status_code == 400
    assert answer.json() == {
        "collected_by": ["Indique quién retiró: un miembro del hogar o un nombre."]
    }
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_someone_of_another_household_answers_400(client, officer, cycle, entitlement):
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()
    stranger = other.household.members.get()

    answer = deliver(api(client, officer), entitlement, {"collected_by": str(stranger.uuid)})

    assert answer.status_code == 400
    assert list(answer.json()) == ["collected_by"]


@pytest.mark.django_db
def test_the_pending_list_shows_ids_and_a_delivered_one_its_delivery(
    client, officer, cycle, entitlement, head
):
    api(client, officer)
    delivered = deliver(client, entitlement, {"collected_by": str(head.uuid)}).json()

    pending = client.get(URL, {"status": "pending"}).json()
    done = client.get(URL, {"status": "delivered"}).json()

    other = cycle.entitlements.exclude(pk=entitlement.pk).get()
    assert [e["id"] for e in pending["results"]] == [str(other.uuid)]
    assert pending["results"][0]["status"] == "pending"
    assert pending["results"][0]["delivery"] is None
    [row] = done["results"]
    assert row["id"] == str(entitlement.uuid)
    assert row["status"] == "delivered"
    assert row["delivery"]["id"] == delivered["id"]
    assert row["delivery"]["delivered_at"] == delivered["delivered_at"]
    assert row["delivery"]["delivered_by"] == delivered["delivered_by"]


@pytest.mark.django_db
def test_reading_one_entitlement_is_audited(client, officer, entitlement):
    answer = api(client, officer).get(f"{URL}{entitlement.uuid}/")

    assert answer.status_code == 200
    event = AuditEvent.objects.get(action="assistance.entitlement.viewed")
    assert event.target_id == str(entitlement.uuid)


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_one_and_many(
    client, officer, cycle, entitlement, head, second_officer
):
    api(client, officer)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    deliver(client, entitlement, {"collected_by": str(head.uuid)})

    with CaptureQueriesContext(connection) as after:
        answer = client.get(URL)

    assert answer.json()["count"] == 2
    assert len(after) == len(before)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_office", "other_org", "registration_officer", "caseworker"])
def test_out_of_scope_answers_404_and_changes_nothing(
    client, make_user, office_a1, office_a2, office_b1, entitlement, head, who
):
    user = {
        "other_office": lambda: make_user("distribution_officer", office=office_a2),
        "other_org": lambda: make_user("distribution_officer", office=office_b1),
        "registration_officer": lambda: make_user("registration_officer", office=office_a1),
        "caseworker": lambda: make_user("caseworker", office=office_a1),
    }[who]()
    api(client, user)

    answer = deliver(client, entitlement, {"collected_by": str(head.uuid)})
    detail = client.get(f"{URL}{entitlement.uuid}/")
    listed = client.get(URL)

    assert answer.status_code == 404
    assert detail.status_code == 404
    assert listed.status_code == 404 or listed.json()["count"] == 0
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_programme_officer_sees_but_cannot_deliver(client, manager, entitlement, head):
    api(client, manager)

    listed = client.get(URL)
    answer = deliver(client, entitlement, {"collected_by": str(head.uuid)})

    assert listed.json()["count"] == 2
    assert answer.status_code == 404
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_schema_documents_the_deliver_endpoint(client, officer):
    schema = api(client, officer).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/entitlements/{id}/deliver/"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "409"}
    assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
    listing = schema["paths"]["/api/v1/entitlements/"]["get"]
    assert "status" in [p["name"] for p in listing["parameters"]]
