"""A care post without an account passes a survivor's intake to the Lago Agrio GBV team: the
GBV specialist issues a one-time link, a volunteer fills it in on a phone (no sign-in), and the
specialist opens a walk-in case from it."""

import pytest
from django.core.cache import cache

from amparo.cases.models import Case, GBVTeamMember
from amparo.core.models import Office, Organization, User
from amparo.demo import organizations as demo_orgs
from amparo.referrals.models import Intake
from tests.browser.conftest import Axe
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gbv_team():
    demo_orgs.load()
    hias = Organization.objects.get(code="hias-ec")
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    GBVTeamMember.objects.create(office=lago, user=User.objects.get(username="vbg.lagoagrio"))
    cache.clear()  # the public page's tries per address


@pytest.fixture
def volunteer(browser):
    """Another phone, signed in nowhere: the care post's volunteer."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-EC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.axe = Axe(page)
    yield page
    unchecked = page.axe.unchecked()
    context.close()
    assert unchecked == [], "pages the journey visited without an accessibility check"


def test_care_post_intake_by_one_time_link_becomes_a_walk_in_case(
    live_server, phone, volunteer, screenshot, gbv_team
):
    page, url = phone, live_server.url
    sign_in(page, url, "vbg.lagoagrio")

    page.goto(f"{url}/referrals/intake/")
    page.axe.check()
    page.click("main a[href$='/referrals/intake/links/new/']")
    page.axe.check()
    page.fill("#id_label", "Puesto de cuidado Barrio Nueva Esperanza")
    page.click("main button[type=submit]")
    page.wait_for_selector("#intake-url")
    page.axe.check()
    address = page.input_value("#intake-url")
    assert address.startswith(f"{url}/intake/")

    volunteer.goto(address)
    volunteer.axe.check()
    assert volunteer.inner_text("h1") == "Admisión para el equipo de VBG"
    assert "no escriba quién causó el daño" in volunteer.inner_text("main").lower()
    volunteer.fill("#id_alias", "Flor")
    volunteer.check("input[name=age_group][value=adult]")
    volunteer.check("input[name=sex][value=F]")
    volunteer.fill("#id_community", "Barrio Nueva Esperanza")
    volunteer.check("input[name=needs][value=health]")
    volunteer.check("input[name=urgency][value=now]")
    volunteer.check("input[name=contact_by][value=phone]")
    volunteer.click("main button[type=submit]")  # her agreement not ticked, no phone: refused
    volunteer.wait_for_selector(".field.invalid")
    volunteer.axe.check()
    assert not Intake.objects.exists()
    volunteer.fill("#id_phone", "0991234567")
    volunteer.check("#id_may_call")
    volunteer.fill("#id_safe_times", "Mañanas")
    volunteer.check("#id_consent")
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= 360
    volunteer.screenshot(path=screenshot("care-post-intake.png"), full_page=True)
    volunteer.click("main button[type=submit]")
    volunteer.wait_for_selector("h1:has-text('Enviado al equipo de VBG')")
    volunteer.axe.check()
    volunteer.goto(address)  # once only
    volunteer.axe.check()
    assert volunteer.inner_text("h1") == "Este enlace no funciona"

    page.goto(f"{url}/referrals/intake/")
    page.axe.check()
    page.click("#waiting a")
    page.wait_for_selector("#intake")
    page.axe.check()
    assert "Flor" in page.inner_text("#intake")
    page.click("main a[href$='/record/']")
    page.axe.check()
    assert page.input_value("#id_given_names") == "Flor"
    assert page.input_value("#id_risk_level") == "high"
    page.click("main button[type=submit]")
    page.wait_for_selector("#survivor")
    page.axe.check()
    assert page.inner_text("h1").startswith("C-LAG-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    case = Case.objects.get()
    assert case.is_walk_in and case.restricted
    assert Intake.objects.get().case == case
