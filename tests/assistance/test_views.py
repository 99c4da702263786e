import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.assistance.models import Delivery
from amparo.core.models import AuditEvent
from tests.assistance.conftest import household


def page_of(cycle):
    return reverse("assistance:distribution", args=[cycle.uuid])


def deliver_url(entitlement):
    return reverse("assistance:deliver", args=[entitlement.uuid])


@pytest.mark.django_db
def test_the_officer_finds_the_open_cycle_and_its_households(client, officer, cycle, entitlement):
    client.force_login(officer)

    cycles = client.get(reverse("assistance:cycles"))
    found = client.get(page_of(cycle), {"q": entitlement.household.reference[-3:]})

    assert cycle.name in cycles.content.decode()
    assert found.status_code == 200
    assert [e.pk for e in found.context["page"]] == [entitlement.pk]
    assert "María José Pérez Gómez" in found.content.decode()
    assert "no-store" in found["Cache-Control"]
    assert AuditEvent.objects.filter(action="assistance.cycle.listed").count() == 1


@pytest.mark.django_db
def test_one_tap_delivers_and_a_second_officer_sees_the_refusal(
    client, officer, second_officer, cycle, entitlement, head
):
    client.force_login(officer)
    done = client.post(deliver_url(entitlement), {"collected_by": str(head.uuid), "key": "p:1"})

    client.force_login(second_officer)
    again = client.post(
        deliver_url(entitlement), {"collected_by": str(head.uuid), "key": "p:2"}, follow=True
    )

    assert done.status_code == 302 and done["Location"] == page_of(cycle)
    delivery = Delivery.objects.get()
    assert delivery.delivered_by == officer
    text = again.content.decode()
    assert f"{entitlement.household.reference}: Ya se entregó a las " in text
    assert "por Rosa Pérez." in text
    assert entitlement.pk not in [e.pk for e in again.context["page"]]


@pytest.mark.django_db
def test_a_double_tap_records_one_delivery(client, officer, entitlement, head):
    client.force_login(officer)
    body = {"collected_by": str(head.uuid), "key": "page:abc"}

    client.post(deliver_url(entitlement), body)
    again = client.post(deliver_url(entitlement), body, follow=True)

    assert Delivery.objects.count() == 1
    assert "ya estaba registrada" in again.content.decode()


@pytest.mark.django_db
def test_an_authorised_alternate_collects(client, officer, entitlement):
    client.force_login(officer)

    client.post(deliver_url(entitlement), {"collected_by": "", "collected_by_name": "Vecina"})
    refused = client.post(
        deliver_url(entitlement.cycle.entitlements.exclude(pk=entitlement.pk).get()),
        {"collected_by": ""},
        follow=True,
    )

    assert Delivery.objects.get().collected_by_alternate == "Vecina"
    assert "Indique quién retiró la asistencia." in refused.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_office", "other_org", "registration_officer", "manager"])
def test_out_of_scope_pages_answer_404(
    client, make_user, office_a1, office_a2, office_b1, manager, cycle, entitlement, head, who
):
    user = {
        "other_office": lambda: make_user("distribution_officer", office=office_a2),
        "other_org": lambda: make_user("distribution_officer", office=office_b1),
        "registration_officer": lambda: make_user("registration_officer", office=office_a1),
        "manager": lambda: manager,
    }[who]()
    client.force_login(user)

    listed = client.get(page_of(cycle))
    posted = client.post(deliver_url(entitlement), {"collected_by": str(head.uuid)})

    assert (listed.status_code, posted.status_code) == (404, 404)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_distribution_page_costs_the_same_queries_for_one_and_many(
    client, officer, cycle, registrar, office_a1
):
    client.force_login(officer)
    with CaptureQueriesContext(connection) as two:
        client.get(page_of(cycle))
    for name in ("Uno", "Dos", "Tres"):
        house = household(registrar, office_a1, given_names=name)
        cycle.entitlements.create(
            organization=cycle.organization, office=office_a1, household=house, amount=1
        )

    with CaptureQueriesContext(connection) as five:
        answer = client.get(page_of(cycle))

    assert answer.context["page"].paginator.count == 5
    assert len(five) == len(two)
