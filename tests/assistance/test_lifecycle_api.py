"""The API for closing a cycle and cancelling an entitlement: what the HTML pages already do."""

import pytest

from amparo.assistance.models import Cycle, Entitlement
from amparo.core.models import AuditEvent
from tests.factories import api_token


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


@pytest.mark.django_db
def test_a_manager_closes_a_cycle_once_then_409(client, manager, cycle):
    url = f"/api/v1/cycles/{cycle.uuid}/close/"

    closed = api(client, manager).post(url, {}, content_type="application/json")
    again = client.post(url, {}, content_type="application/json")

    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "closed"
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    assert again.status_code == 409
    assert again.json()["detail"] == "Solo se puede cerrar un ciclo abierto."
    assert AuditEvent.objects.filter(action="assistance.cycle.closed").count() == 1


@pytest.mark.django_db
def test_a_closed_cycles_entitlements_leave_the_pending_list_as_absent(
    client, manager, officer, cycle
):
    pending = cycle.entitlements.count()
    listed = api(client, officer).get("/api/v1/entitlements/?status=pending")
    assert listed.json()["count"] == pending

    api(client, manager).post(f"/api/v1/cycles/{cycle.uuid}/close/", {}, "application/json")

    assert api(client, officer).get("/api/v1/entitlements/?status=pending").json()["count"] == 0
    absent = client.get("/api/v1/entitlements/?status=absent").json()
    assert absent["count"] == pending
    assert {row["status"] for row in absent["results"]} == {"absent"}


@pytest.mark.django_db
def test_closing_a_cycle_answers_404_to_other_roles_and_scopes(
    client, officer, registrar, admin_b, cycle
):
    url = f"/api/v1/cycles/{cycle.uuid}/close/"

    answers = [
        api(client, user).post(url, {}, content_type="application/json").status_code
        for user in (officer, registrar, admin_b)
    ]

    assert answers == [404, 404, 404]
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN


@pytest.mark.django_db
def test_a_manager_cancels_an_entitlement_with_a_reason(client, manager, entitlement):
    url = f"/api/v1/entitlements/{entitlement.uuid}/cancel/"
    client = api(client, manager)

    missing = client.post(url, {}, content_type="application/json")
    blank = client.post(url, {"reason": "  "}, content_type="application/json")
    malformed = client.post(url, "{not json", content_type="application/json")
    done = client.post(url, {"reason": "Se mudó a Lima"}, content_type="application/json")
    again = client.post(url, {"reason": "Otra vez"}, content_type="application/json")

    assert [missing.status_code, blank.status_code, malformed.status_code] == [400, 400, 400]
    assert "reason" in missing.json()
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled"
    entitlement.refresh_from_db()
    assert (entitlement.state, entitlement.cancel_reason) == ("cancelled", "Se mudó a Lima")
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["Este derecho de asistencia ya fue anulado."]
    assert AuditEvent.objects.filter(action="assistance.entitlement.cancelled").count() == 1


@pytest.mark.django_db
def test_cancelling_answers_404_to_a_distribution_officer_and_a_registrar(
    client, officer, registrar, admin_b, entitlement
):
    url = f"/api/v1/entitlements/{entitlement.uuid}/cancel/"

    answers = [
        api(client, user).post(url, {"reason": "x"}, content_type="application/json").status_code
        for user in (officer, registrar, admin_b)
    ]

    assert answers == [404, 404, 404]
    assert Entitlement.objects.get(pk=entitlement.pk).state == "pending"
