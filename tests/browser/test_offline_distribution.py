"""A distribution point loses its connection: the officer's phone has the cycle's list, opens the
distribution page from its service worker, queues two deliveries, and syncs them when the
connection returns; one household was meanwhile served by another officer, which is reported
as a conflict and never counted twice. A retried sync of the same delivery records nothing new."""

import pytest
from django.test import Client

from amparo.assistance import actions
from amparo.assistance.models import Card, Delivery
from amparo.core.models import AuditEvent
from amparo.demo import organizations as demo_orgs
from tests.browser.test_distribution import quito_cycle  # noqa: F401  (a fixture)
from tests.browser.test_registration import sign_in
from tests.factories import UserFactory, api_token, builtin_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUED_ITEM = """key => new Promise((resolve, reject) => {
  const open = indexedDB.open("amparo-offline");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const store = open.result.transaction("queue", "readwrite").objectStore("queue");
    const get = store.getAll();
    get.onsuccess = () => {
      const items = get.result;
      if (key) {
        const item = items.find(i => i.key === key);
        item.state = "queued";
        store.put(item);
      }
      resolve(items);
    };
  };
})"""


def find_and_deliver(page, text):
    page.fill("#offline-token", text)
    page.click("#offline-find button[type=submit]")
    page.wait_for_selector("#offline-deliver")
    page.click("#offline-deliver button[type=submit]")


def test_queue_offline_then_sync_with_one_conflict(live_server, phone, quito_cycle):  # noqa: F811
    page, url = phone, live_server.url
    answers: list[int] = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if r.url.endswith("/deliver/") else None,
    )
    officer_a = quito_cycle.first().cycle.created_by
    first, second = list(quito_cycle.filter(state="pending")[:2])
    # The demo gives the cycle's households their cards; a household without one gets it here.
    card = Card.objects.filter(
        household=second.household, revoked_at__isnull=True
    ).first() or actions.issue_card(actor=officer_a, household=second.household)
    other = UserFactory(
        username="entregas2.quito",
        first_name="Jorge",
        last_name="Vera",
        organization=first.organization,
        office=first.office,
        role=builtin_role("distribution_officer"),
    )
    other.set_password(demo_orgs.DEMO_PASSWORD)
    other.save()
    distribution = f"{url}/assistance/cycles/{first.cycle.uuid}/"
    sign_in(page, url, "entregas.quito")

    page.goto(distribution)
    page.wait_for_selector("#offline:not([hidden])")
    page.click("#offline-download")
    page.wait_for_selector("#offline-find:not([hidden])")
    listed = quito_cycle.filter(state__in=["pending", "delivered"]).count()
    assert f"Lista de {listed} hogares descargada" in page.inner_text("#offline-list-state")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.axe.check()
    page.context.set_offline(True)

    page.reload()  # no network: the service worker answers with the offline shell
    page.wait_for_selector("#offline-find:not([hidden])")
    assert page.inner_text("h1") == "Distribución sin conexión"
    assert "Sin conexión" in page.inner_text("#offline-network")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    find_and_deliver(page, first.household.reference)
    page.wait_for_selector("#offline-queue li[data-state=queued]")
    find_and_deliver(page, card.display_token.lower().replace("-", " "))  # as typed
    page.wait_for_function(
        "() => document.querySelectorAll('#offline-queue li[data-state=queued]').length === 2"
    )
    page.fill("#offline-token", first.household.reference)  # a second visit on this phone
    page.click("#offline-find button[type=submit]")
    page.wait_for_selector("#offline-found >> text=Ya se entregó en este teléfono")
    assert not Delivery.objects.exists()
    page.axe.check()

    elsewhere = Client()  # another officer, online, serves the second household first
    answer = elsewhere.post(
        f"/api/v1/entitlements/{second.uuid}/deliver/",
        {"collected_by_name": "Vecina autorizada"},
        content_type="application/json",
        headers={"Authorization": f"Token {api_token(other)}"},
    )
    assert answer.status_code == 201
    page.context.set_offline(False)
    page.click("#offline-sync")
    page.wait_for_function(
        "() => document.querySelectorAll('#offline-queue li[data-state=queued]').length === 0"
    )

    counts = page.inner_text("#offline-counts")
    assert counts == "En espera: 0 · enviadas: 1 · conflictos: 1 · rechazadas: 0"
    conflict = page.inner_text("#offline-queue li[data-state=conflict]")
    assert second.household.reference in conflict
    assert "conflicto, no se cuenta: Ya se entregó a las " in conflict
    assert "por Jorge Vera." in conflict
    assert first.household.reference in page.inner_text("#offline-queue li[data-state=synced]")
    page.axe.check()
    delivered_first = Delivery.objects.get(entitlement=first)
    assert delivered_first.delivered_by.username == "entregas.quito"
    assert Delivery.objects.get(entitlement=second).delivered_by == other
    assert Delivery.objects.count() == 2

    # The same queued delivery sent again (a retry after a lost answer): the first comes back.
    page.evaluate(QUEUED_ITEM, delivered_first.idempotency_key)
    page.reload()  # the page sends what waits as it opens
    page.wait_for_function(
        "() => document.querySelectorAll('#offline-queue li[data-state=synced]').length === 1"
        " && document.querySelectorAll('#offline-queue li[data-state=queued]').length === 0"
    )
    assert answers == [201, 409, 200]  # sent, conflict, then the retry's replay
    assert Delivery.objects.filter(entitlement=first).count() == 1
    assert Delivery.objects.count() == 2
    recorded = AuditEvent.objects.filter(action="assistance.delivery.recorded")
    assert recorded.count() == 2
    assert AuditEvent.objects.filter(action="assistance.cycle.downloaded").count() == 1
