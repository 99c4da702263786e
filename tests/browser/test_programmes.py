"""The M&E officer on a phone: the demo project, its rule with a preview, a new cycle
previewed and refused (nobody left to entitle), the demo cycle's page; every page fits 360 px,
its targets are 44 px tall, axe finds nothing."""

import datetime

import pytest
from django.utils import timezone

from amparo.assistance.models import Cycle
from amparo.demo import assistance
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from tests.browser.test_layout import _measure
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quito_project():
    demo_orgs.load()
    demo_registry.load(60, seed=2026)
    assistance.load(pending=20)


def test_preview_a_rule_and_open_a_cycle_on_a_phone(live_server, phone, quito_project):
    page, url = phone, live_server.url
    sign_in(page, url, assistance.MANAGER)

    page.goto(f"{url}/assistance/projects/")
    _measure(page, "projects")
    page.click(f"main ul.rows a:has-text('{assistance.PROJECT}')")
    _measure(page, "project")
    page.click(f"main ul.rows a:has-text('{assistance.RULE_NAME}')")
    page.click("button[name=preview]")
    page.wait_for_selector("#preview-title")
    _measure(page, "rule preview")
    page.goto(page.url.split("/rules/")[0] + "/cycles/new/")
    page.fill("#id_name", "Kits de higiene – Quito")
    page.select_option("#id_assistance_type", "hygiene_kit")
    today = timezone.localdate()
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", (today + datetime.timedelta(days=4)).isoformat())
    page.fill("#id_amount", "1")
    page.click("button[name=preview]")
    page.wait_for_selector("#preview-title")
    _measure(page, "cycle preview")
    page.click("button[name=open]")
    # The demo's rule wants no cash from the project in 90 days: the demo cycle gave it to all.
    page.wait_for_selector("text=Ningún hogar califica")
    _measure(page, "cycle refused")
    opened = Cycle.objects.get()
    page.goto(f"{url}/assistance/cycles/{opened.uuid}/facts/")
    page.wait_for_selector("#counts-title")
    _measure(page, "cycle")

    assert Cycle.objects.count() == 1
