"""An analyst on a 360-px phone opens the reports, follows a figure to the people behind it,
and downloads the month's 5W. axe on every page."""

import openpyxl
import pytest
from django.utils import timezone

from amparo.core.models import Role
from amparo.registry.actions import register_household
from tests import factories
from tests.activities.helpers import record
from tests.browser.test_layout import _measure
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def analyst(org_a):
    role = Role.objects.create(
        organization=org_a, code="analyst", name="Análisis",
        permissions=["reports.view", "reports.export", "registry.view", "registry.export"],
        office_bound=False,
    )  # fmt: skip
    return factories.UserFactory(organization=org_a, role=role, username="analisis")


@pytest.fixture
def reached(make_user, office_a1):
    registrar = make_user("registration_officer", office=office_a1, username="registro")
    lead = make_user("caseworker", office=office_a1, username="caso")
    people = [
        register_household(
            actor=registrar, office=office_a1,
            members=[member(documents=[], phone="", given_names=f"Persona {n}")],
        ).members.get()
        for n in range(6)
    ]  # fmt: skip
    record(lead, participants=people, date=timezone.localdate())
    return people


def sign_in(page, url, user):
    page.goto(f"{url}/login/")
    page.axe.check()
    page.fill("#id_username", user.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()


def test_follow_a_figure_and_export_the_5w(live_server, phone, analyst, reached):
    page, url = phone, live_server.url
    sign_in(page, url, analyst)

    page.goto(f"{url}/reports/")
    page.wait_for_selector("#table-sector")
    _measure(page, "reports")
    assert "6" in page.inner_text(".figures")
    page.click("#table-sector td a")
    page.wait_for_selector("#people")
    _measure(page, "people behind")
    assert page.locator("#people tbody tr").count() == 6
    page.click("#h-export ~ form button[type=submit]")  # no purpose, no fields: refused
    page.wait_for_selector(".error")
    _measure(page, "export refused")

    page.goto(f"{url}/reports/")
    page.wait_for_selector("#table-sector")
    page.axe.check()
    page.click("form[action='/reports/5w/'] button")  # prepared by the worker, then its page
    page.wait_for_selector("#prepared-ready")
    _measure(page, "5W ready")
    with page.expect_download() as download:
        page.click("a[href='?output=xlsx']")
    with open(download.value.path(), "rb") as workbook:
        book = openpyxl.load_workbook(workbook)
    assert download.value.suggested_filename.endswith(".xlsx")
    rows = list(book.active.values)
    assert len(rows) == 2  # the header and the legal sessions' row


def test_a_project_report_on_a_phone_then_its_workbook(
    live_server, phone, analyst, reached, make_user, org_a, office_a1
):
    from amparo.assistance import actions

    manager = make_user("me_officer", organization=org_a, username="mye")
    today = timezone.localdate()
    project = actions.create_project(
        actor=manager, code="ACNUR-26", name="Protección legal", donor="ACNUR", sector="legal",
        offices=[office_a1], start_date=today.replace(day=1), end_date=today.replace(day=28),
    )  # fmt: skip
    actions.add_project_indicator(
        actor=manager, project=project, name="Personas con orientación legal",
        measure="sector", target=100, sector="legal",
    )  # fmt: skip
    page, url = phone, live_server.url
    sign_in(page, url, analyst)

    page.goto(f"{url}/reports/")
    page.wait_for_selector("#table-sector")
    page.axe.check()
    page.click("a[href='/reports/projects/']")
    page.wait_for_selector("h1")
    _measure(page, "projects")
    page.click(f"a[href='/reports/projects/{project.uuid}/']")
    page.wait_for_selector("#table-indicators")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "6" in page.inner_text("#table-indicators tbody")  # the six people, shown: ≥ 5
    with page.expect_download() as download:
        page.click("a[href*='output=xlsx']")
    with open(download.value.path(), "rb") as workbook:
        rows = list(openpyxl.load_workbook(workbook).active.values)
    assert any(row and row[0] == "Personas con orientación legal" and row[3] == 6 for row in rows)
