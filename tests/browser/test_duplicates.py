"""Reviewing a possible duplicate on a 360-px phone: an information manager starts a search
for duplicates, opens the suggested pair, keeps the first record with the second's phone,
merges, and lands on the person's page with both records' histories; the old record's
address leads there too. axe on every page."""

import pytest

from amparo.dedup.models import Merge
from amparo.registry.actions import register_household
from amparo.registry.models import Individual
from tests import factories
from tests.browser.test_layout import _measure
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(make_user, org_a):
    return make_user("information_manager", organization=org_a, username="gestion")


@pytest.fixture
def twice(make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1, username="registro")
    first = register_household(
        actor=officer, office=office_a1, members=[member(date_of_birth="1990-03-04")]
    ).members.get()
    second = register_household(
        actor=officer,
        office=office_a1,
        members=[
            member(
                given_names="Majo",
                second_surname="",
                date_of_birth="1990-04-03",
                phone="0987654321",
                documents=[{"type": "national_id", "number": "V12345678", "issuing_country": "VE"}],
            )
        ],
    ).members.get()
    return first, second


def test_review_a_pair_and_merge_it(live_server, phone, manager, twice):
    page, url = phone, live_server.url
    first, second = twice
    page.goto(f"{url}/login/")
    page.axe.check()
    page.fill("#id_username", manager.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()

    page.goto(f"{url}/duplicates/")
    page.wait_for_selector("h1")
    _measure(page, "duplicates")  # opens the form's disclosure too
    page.fill("#id_threshold", "0.5")
    page.click("main details button[type=submit]")
    page.wait_for_selector("#pairs li a")
    _measure(page, "queue")
    assert "Majo Pérez" in page.inner_text("#pairs")

    page.click("#pairs li a")
    page.wait_for_selector("table.compare")
    _measure(page, "pair")
    assert page.locator("tr.differs").count() >= 3  # given names, surname, birth date, phone
    assert page.locator("#reasons li").count() >= 3
    page.check("input[name=take_phone][value=second]")
    page.click("#merge button[type=submit]")
    page.wait_for_selector("#merged-records")
    _measure(page, "survivor")
    assert page.url.rstrip("/").endswith(str(first.uuid))
    assert "Majo" in page.inner_text("#merged-records")
    history = page.inner_text("main")
    assert history.count("registró") >= 2  # both records' registrations
    survivor = Individual.objects.get(pk=first.pk)
    assert survivor.phone.endswith("987654321")
    assert Merge.objects.get().merged_id == second.pk

    page.goto(f"{url}/registry/individuals/{second.uuid}/")
    page.wait_for_selector("#merged-records")
    page.axe.check()
    assert page.url.rstrip("/").endswith(str(first.uuid))
