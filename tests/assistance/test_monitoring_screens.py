"""Reconciliation and monitoring pages and API: who may use them, what they do."""

import pytest
from django.urls import reverse

from amparo.assistance import actions
from amparo.assistance.models import Cycle, Delivery, Entitlement, MonitoringSample
from amparo.core.models import AuditEvent
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


@pytest.fixture
def delivered(officer, entitlement, head):
    delivery, _ = actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    return delivery


def test_the_manager_reads_the_reconciliation_and_downloads_it(client, manager, cycle, delivered):
    client.force_login(manager)
    page_url = reverse("assistance:reconciliation", args=[cycle.uuid])

    listed = client.get(reverse("assistance:reconciliations"))
    page = client.get(page_url)
    csv = client.get(page_url, {"format": "csv"})

    assert cycle.name in listed.content.decode()
    assert page.status_code == 200
    assert page.context["rec"].delivered.households == 1
    assert "Con derecho" in page.content.decode()
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Cache-Control"] == "no-store"
    assert "totals,delivered,1,120.00,USD" in csv.content.decode()
    actions_seen = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"assistance.cycle.reconciled", "assistance.cycle.reconciliation_exported"} <= (
        actions_seen
    )


def test_the_manager_reverses_cancels_and_closes_from_the_page(
    client, manager, cycle, entitlement, delivered
):
    client.force_login(manager)
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()
    found = client.get(
        reverse("assistance:reconciliation", args=[cycle.uuid]),
        {"q": entitlement.household.reference},
    )

    reversed_ = client.post(
        reverse("assistance:reverse", args=[delivered.uuid]), {"reason": "Hogar equivocado"}
    )
    client.post(reverse("assistance:cancel", args=[other.uuid]), {"reason": "Duplicado"})
    closed = client.post(reverse("assistance:close", args=[cycle.uuid]), follow=True)

    assert [e.pk for e in found.context["found"]] == [entitlement.pk]
    assert "Revertir la entrega" in found.content.decode()
    assert reversed_.status_code == 302
    delivered.refresh_from_db()
    assert delivered.reverse_reason == "Hogar equivocado"
    other.refresh_from_db()
    assert other.state == Entitlement.State.CANCELLED
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    assert "Ciclo cerrado" in closed.content.decode()
    assert closed.context["rec"].absent.households == 1


@pytest.mark.parametrize("who", ["officer", "registrar", "other_org", "caseworker"])
def test_others_get_404_and_change_nothing(
    client, make_user, office_a1, office_b1, officer, registrar, cycle, entitlement, delivered, who
):
    user = {
        "officer": lambda: officer,
        "registrar": lambda: registrar,
        "other_org": lambda: make_user("me_officer", office=office_b1),
        "caseworker": lambda: make_user("caseworker", office=office_a1),
    }[who]()
    client.force_login(user)
    other = cycle.entitlements.exclude(pk=entitlement.pk).get()

    answers = [
        client.get(reverse("assistance:reconciliation", args=[cycle.uuid])).status_code,
        client.get(reverse("assistance:monitoring", args=[cycle.uuid])).status_code,
        client.post(
            reverse("assistance:reverse", args=[delivered.uuid]), {"reason": "X"}
        ).status_code,
        client.post(reverse("assistance:cancel", args=[other.uuid]), {"reason": "X"}).status_code,
        client.post(reverse("assistance:close", args=[cycle.uuid])).status_code,
        client.post(reverse("assistance:monitoring", args=[cycle.uuid]), {"size": "1"}).status_code,
    ]
    api(client, user)
    answers.append(
        client.post(
            f"/api/v1/deliveries/{delivered.uuid}/reverse/",
            {"reason": "X"},
            content_type="application/json",
        ).status_code
    )

    assert answers == [404] * 7
    delivered.refresh_from_db()
    assert delivered.reversed_at is None
    assert Cycle.objects.get().state == Cycle.State.OPEN
    assert not MonitoringSample.objects.exists()


def test_monitoring_page_draws_then_records_a_survey(client, manager, cycle, delivered):
    client.force_login(manager)
    url = reverse("assistance:monitoring", args=[cycle.uuid])

    drawn = client.post(url, {"size": "1", "by_day": "on"})
    page = client.get(url)
    [survey] = page.context["surveys"]
    form = client.get(reverse("assistance:survey", args=[survey.uuid]))
    bad = client.post(reverse("assistance:survey", args=[survey.uuid]), {"satisfaction": "9"})
    good = client.post(
        reverse("assistance:survey", args=[survey.uuid]),
        {"satisfaction": "4", "uses": ["food"], "felt_safe": "yes", "complaint": "Ninguna"},
    )

    assert drawn.status_code == 302
    assert survey.entitlement == delivered.entitlement
    assert form.status_code == 200 and bad.status_code == 400
    assert good.status_code == 302
    survey.refresh_from_db()
    assert (survey.satisfaction, survey.felt_safe, survey.complaint) == (4, True, "Ninguna")
    summary = client.get(url).context["summary"]
    assert (summary.answered, summary.average_satisfaction) == (1, 4)


def test_api_reverses_draws_and_records(client, manager, cycle, entitlement, delivered):
    api(client, manager)

    reversed_ = client.post(
        f"/api/v1/deliveries/{delivered.uuid}/reverse/",
        {"reason": "Registrada por error"},
        content_type="application/json",
    )
    listed = client.get("/api/v1/entitlements/", {"status": "pending"}).json()
    empty = client.post(
        "/api/v1/monitoring-samples/",
        {"cycle": str(cycle.uuid), "size": 1},
        content_type="application/json",
    )

    assert reversed_.status_code == 200
    assert reversed_.json()["reversed_at"] is not None
    assert {e["id"] for e in listed["results"]} == {str(e.uuid) for e in cycle.entitlements.all()}
    assert all(e["delivery"] is None for e in listed["results"])
    assert empty.status_code == 400  # nobody served now: nothing to draw
    assert (
        client.post(
            f"/api/v1/deliveries/{delivered.uuid}/reverse/", {}, content_type="application/json"
        ).status_code
        == 400
    )


def test_api_sample_and_survey_records(client, manager, officer, cycle, entitlement, head):
    actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    api(client, manager)

    sample = client.post(
        "/api/v1/monitoring-samples/",
        {"cycle": str(cycle.uuid), "size": 1, "by_day": False},
        content_type="application/json",
    )
    [survey_id] = sample.json()["surveys"]
    answered = client.post(
        f"/api/v1/monitoring-surveys/{survey_id}/answer/",
        {"satisfaction": 2, "uses": ["rent"], "problems": ["long_wait"], "felt_safe": False},
        content_type="application/json",
    )
    invalid = client.post(
        f"/api/v1/monitoring-surveys/{survey_id}/answer/",
        {"satisfaction": 2, "uses": ["casino"], "felt_safe": False},
        content_type="application/json",
    )
    listed = client.get("/api/v1/monitoring-surveys/", {"cycle": str(cycle.uuid)}).json()
    one = client.get(f"/api/v1/monitoring-surveys/{survey_id}/")

    assert sample.status_code == 201
    assert sample.json()["population"] == 1 and sample.json()["by_day"] is False
    assert answered.status_code == 200
    assert answered.json()["household_reference"] == entitlement.household.reference
    assert invalid.status_code == 400 and list(invalid.json()) == ["uses"]
    assert [s["id"] for s in listed["results"]] == [survey_id]
    assert one.json()["satisfaction"] == 2 and one.json()["uses"] == ["rent"]
    assert AuditEvent.objects.filter(action="assistance.monitoring_survey.viewed").count() == 1
    api(client, officer)
    assert client.get(f"/api/v1/monitoring-surveys/{survey_id}/").status_code == 404
    assert Delivery.objects.count() == 1
