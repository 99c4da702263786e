"""`GET /api/v1/cards/{number}/` resolves a card to its household and open entitlements;
`POST /api/v1/cards/` issues or replaces one, `POST …/revoke/` revokes it."""

import pytest

from amparo.assistance import actions
from amparo.assistance.models import Card
from amparo.core.models import AuditEvent
from tests.assistance.conftest import household
from tests.factories import api_token

URL = "/api/v1/cards/"

pytestmark = pytest.mark.django_db


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


@pytest.fixture
def card(officer, entitlement):
    return actions.issue_card(actor=officer, household=entitlement.household)


@pytest.mark.parametrize("form", ["printed", "lower", "bare", "spaced"])
def test_a_card_resolves_to_its_household_and_open_entitlements(
    client, officer, card, entitlement, head, form
):
    number = {
        "printed": card.display_token,
        "lower": card.display_token.lower(),
        "bare": card.token,
        "spaced": card.display_token.replace("-", " "),
    }[form]

    answer = api(client, officer).get(f"{URL}{number}/")

    assert answer.status_code == 200
    body = answer.json()
    assert body["number"] == card.display_token
    assert body["household"] == {
        "id": str(entitlement.household.uuid),
        "reference": entitlement.household.reference,
        "members": [{"id": str(head.uuid), "name": "María José Pérez Gómez"}],
    }
    assert [e["id"] for e in body["entitlements"]] == [str(entitlement.uuid)]
    shown = body["entitlements"][0]
    assert (shown["status"], shown["amount"], shown["currency"], shown["delivery"]) == (
        "pending",
        "120.00",
        "USD",
        None,
    )
    assert shown["cycle"] == str(entitlement.cycle.uuid)
    assert shown["cycle_name"] == "Efectivo marzo"
    event = AuditEvent.objects.get(action="assistance.card.resolved")
    assert event.target_id == str(entitlement.household.uuid)
    assert event.details == {"card": str(card.uuid)}


def test_a_delivered_entitlement_shows_its_delivery(client, officer, card, entitlement, head):
    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)

    body = api(client, officer).get(f"{URL}{card.token}/").json()

    shown = body["entitlements"][0]
    assert shown["status"] == "delivered"
    assert shown["delivery"]["id"] == str(delivery.uuid)
    assert shown["delivery"]["delivered_by"]["name"] == "Rosa Pérez"


def test_a_revoked_card_answers_410_with_when_and_what_to_do(client, officer, card):
    actions.issue_card(actor=officer, household=card.household, reason="Perdida")

    answer = api(client, officer).get(f"{URL}{card.display_token}/")

    assert answer.status_code == 410
    assert answer.json()["detail"].startswith("Esta tarjeta fue revocada el ")
    assert answer.json()["detail"].endswith("; pida la tarjeta nueva.")
    assert "household" not in answer.json()
    assert AuditEvent.objects.filter(
        action="assistance.card.refused", target_id=str(card.uuid)
    ).exists()
    assert not AuditEvent.objects.filter(action="assistance.card.resolved").exists()


@pytest.mark.parametrize("number", ["0000-0000-0000", "K7M2-9QXD", "ÑÑÑÑ-ÑÑÑÑ-ÑÑÑÑ", "x" * 40])
def test_an_unknown_or_malformed_number_answers_404(client, officer, card, number):
    answer = api(client, officer).get(f"{URL}{number}/")

    assert answer.status_code == 404
    assert answer.json() == {"detail": "No encontrado."}


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("distribution_officer", "office_a2"),  # another office of the organization
        ("distribution_officer", "office_b1"),  # another organization
        ("registration_officer", "office_a1"),  # no assistance permission
        ("caseworker", "office_a1"),
    ],
)
def test_out_of_scope_answers_404_exactly_like_unknown(
    client, make_user, request, card, role, where
):
    office = request.getfixturevalue(where)
    stranger = make_user(role, office=office, username=f"x.{role}.{where}")
    api(client, stranger)

    found = client.get(f"{URL}{card.display_token}/")
    unknown = client.get(f"{URL}0000-0000-0000/")

    assert found.status_code == unknown.status_code == 404
    assert found.content == unknown.content
    assert not AuditEvent.objects.filter(action__startswith="assistance.card.res").exists()


def test_a_revoked_card_out_of_scope_answers_404_not_410(client, make_user, office_a2, card):
    actions.revoke_card(actor=card.issued_by, card=card, reason="Robada")
    stranger = make_user("distribution_officer", office=office_a2, username="dist.a2")

    answer = api(client, stranger).get(f"{URL}{card.token}/")

    assert answer.status_code == 404


def test_a_manager_sees_the_card_but_nothing_to_deliver(client, manager, card):
    answer = api(client, manager).get(f"{URL}{card.token}/")

    assert answer.status_code == 200
    # No `assistance.distribute`: nothing they may deliver; no `registry.view`: no names.
    assert answer.json()["entitlements"] == []
    assert answer.json()["household"]["members"] == []


def test_issue_replace_and_revoke_through_the_api(client, officer, entitlement):
    api(client, officer)
    target = str(entitlement.household.uuid)

    first = client.post(URL, {"household": target}, content_type="application/json")
    again = client.post(URL, {"household": target}, content_type="application/json")
    second = client.post(
        URL, {"household": target, "reason": "Tarjeta perdida"}, content_type="application/json"
    )
    old = client.get(f"{URL}{first.json()['number']}/")
    revoked = client.post(
        f"{URL}{second.json()['number']}/revoke/",
        {"reason": "Robada"},
        content_type="application/json",
    )
    twice = client.post(
        f"{URL}{second.json()['number']}/revoke/",
        {"reason": "Robada"},
        content_type="application/json",
    )

    assert first.status_code == 201 and first.json()["household"] == target
    assert again.status_code == 400
    assert again.json() == {"reason": ["Indique por qué se reemplaza la tarjeta en uso."]}
    assert second.status_code == 201 and second.json()["number"] != first.json()["number"]
    assert old.status_code == 410
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert twice.status_code == 400
    assert Card.objects.filter(revoked_at__isnull=True).count() == 0


def test_issue_with_a_bad_body_answers_400(client, officer):
    api(client, officer)

    answer = client.post(URL, {"household": "not-an-id"}, content_type="application/json")
    no_reason = client.post(f"{URL}0000-0000-0000/revoke/", {}, content_type="application/json")

    assert answer.status_code == 400 and list(answer.json()) == ["household"]
    assert no_reason.status_code == 404  # the card is looked up first
    assert not Card.objects.exists()


def test_issue_to_a_household_out_of_scope_answers_404(client, make_user, office_a2, registrar):
    theirs = household(registrar, registrar.office)
    stranger = make_user("distribution_officer", office=office_a2, username="dist.a2")

    answer = api(client, stranger).post(
        URL, {"household": str(theirs.uuid)}, content_type="application/json"
    )

    assert answer.status_code == 404
    assert not Card.objects.exists()


def test_the_schema_documents_the_card_endpoints(client, officer):
    schema = api(client, officer).get("/api/schema/", {"format": "json"}).json()

    lookup = schema["paths"]["/api/v1/cards/{number}/"]["get"]
    assert set(lookup["responses"]) == {"200", "410"}
    assert "post" in schema["paths"]["/api/v1/cards/"]
    assert "post" in schema["paths"]["/api/v1/cards/{number}/revoke/"]
