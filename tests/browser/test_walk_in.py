"""A survivor walks into the Lago Agrio safe space: a GBV specialist opens her case without a
registry record, on a phone; later, with her agreement, registers her from the case."""

import pytest

from amparo.cases.models import Case, GBVTeamMember
from amparo.core.models import Office, Organization, User
from amparo.demo import organizations as demo_orgs
from amparo.registry.models import Individual
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gbv_team():
    demo_orgs.load()
    hias = Organization.objects.get(code="hias-ec")
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    GBVTeamMember.objects.create(office=lago, user=User.objects.get(username="vbg.lagoagrio"))


def test_walk_in_survivor_case_then_registry_record(live_server, phone, screenshot, gbv_team):
    page, url = phone, live_server.url
    sign_in(page, url, "vbg.lagoagrio")

    page.goto(f"{url}/cases/")
    page.axe.check()
    page.click("main a[href$='/cases/walk-in/']")
    page.axe.check()
    assert page.inner_text("h1") == "Abrir un caso de VBG para alguien no registrado"
    page.click("main button[type=submit]")  # nothing filled in: explained, nothing opened
    page.wait_for_selector(".field.invalid")
    page.axe.check()
    assert "Este campo es obligatorio." in page.inner_text("main")
    page.fill("#id_given_names", "Yessenia")
    page.fill("#id_other_names", "Yesi")
    page.select_option("#id_sex", "F")
    page.fill("#id_age", "24")
    page.select_option("#id_nationality", "VE")
    page.select_option("#id_risk_level", "critical")
    page.fill("#id_summary", "Llegó sola al espacio seguro.")
    page.click("main button[type=submit]")
    page.wait_for_selector("#survivor")
    page.axe.check()
    assert page.inner_text("h1").startswith("C-LAG-")
    survivor = page.inner_text("#survivor")
    assert "Yessenia" in survivor and "Yesi" in survivor and "24" in survivor
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("walk-in-case.png"), full_page=True)
    assert not Individual.objects.exists()

    page.click("#survivor a[href$='/survivor/register/']")
    page.axe.check()
    assert page.input_value("#id_given_names") == "Yessenia"
    assert page.input_value("#id_age") == "24"
    page.fill("#id_first_surname", "Rivas")
    page.select_option("#id_population_group", "migrant_irregular")
    page.check("#id_consent")
    page.select_option("#id_consent_method", "verbal")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    person = Individual.objects.get()
    assert person.full_name == "Yessenia Rivas"
    assert list(Case.objects.get().individuals.all()) == [person]
    assert page.locator("#survivor").count() == 0
    assert "Yessenia Rivas" in page.inner_text("main dl.facts")
