"""A caseworker opens a protection case, plans, follows up and refers to the hospital on the
care route; the hospital's focal point accepts the referral and reports the service given."""

import pytest

from amparo.core.models import Area, Office, Organization, Role, User
from amparo.demo import organizations as demo_orgs
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Referral, Service
from amparo.registry import actions as registry_actions
from tests.browser.test_registration import sign_in, sign_out
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lago_agrio_route():
    demo_orgs.load()
    hias = Organization.objects.get(code="hias-ec")
    office = Office.objects.get(organization=hias, code="lago-agrio")
    caseworker = User.objects.create_user(
        username="caso.lagoagrio",
        password=demo_orgs.DEMO_PASSWORD,
        first_name="Rosa",
        last_name="Chalá",
        organization=hias,
        office=office,
        role=Role.objects.get(organization=None, code="caseworker"),
    )
    sucumbios = Area.objects.get(code="EC-U")
    hospital = Provider.objects.create(
        organization=hias,
        name="Hospital Marco Vinicio Iza",
        kind="health",
        agency=Organization.objects.get(code="hospital-lago-agrio"),
    )
    service = Service.objects.create(
        provider=hospital, type="health", name="Atención médica y certificado de lesiones"
    )
    service.areas.add(sucumbios)
    route = CareRoute.objects.create(
        organization=hias, area=sucumbios, need="protection", name="Protección en Sucumbíos"
    )
    CareRouteStep.objects.create(route=route, position=1, service=service)
    household = registry_actions.register_household(
        actor=caseworker,
        office=office,
        members=[member(given_names="Yohana", first_surname="Mendoza", second_surname="Rivas")],
        area=sucumbios,
    )
    return household.members.get(), service


def test_case_to_referral_to_partner_answer(live_server, phone, screenshot, lago_agrio_route):
    person, service = lago_agrio_route
    page, url = phone, live_server.url
    sign_in(page, url, "caso.lagoagrio")

    page.goto(f"{url}/registry/individuals/{person.uuid}/")
    page.axe.check()
    page.click("a[href*='/cases/open/']")
    page.wait_for_selector("#id_type")
    page.axe.check()
    page.select_option("#id_type", "protection")
    page.select_option("#id_risk_level", "medium")
    page.fill("#id_summary", "Amenazas del arrendatario; dos niños en casa.")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("C-LAG-")
    assert "Protección" in page.inner_text("h1")
    page.axe.check()

    page.click("main a[href$='/plan/']")
    page.wait_for_selector("#id_needs")
    page.axe.check()
    page.fill("#id_needs", "Seguridad y atención médica")
    page.fill("#id_goals", "Atención en salud y vivienda segura en 30 días")
    page.check("input[name=services_planned][value=health]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    assert "Atención en salud y vivienda segura" in page.inner_text("main")
    page.axe.check()

    page.click("main a[href$='/follow-ups/']")
    page.wait_for_selector("#id_kind")
    page.axe.check()
    page.select_option("#id_kind", "call")
    page.fill("#id_notes", "Confirma la cita")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    assert "Confirma la cita" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.axe.check()

    page.click("main a[href*='/referrals/new/']")
    page.wait_for_selector("#id_service")
    page.axe.check()
    # The care route's services come first.
    first = page.locator("#id_service optgroup").first
    assert "Protección en Sucumbíos" in first.get_attribute("label")
    page.select_option("#id_service", str(service.pk))
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_reason", "Lesiones leves; necesita certificado médico")
    page.click("main button[type=submit]")  # without consent: refused, nothing sent
    page.wait_for_selector(".error")
    page.axe.check()  # the refused form, with its messages
    assert Referral.objects.count() == 0
    page.check("#id_consent")
    page.click("main button[type=submit]")
    page.wait_for_selector("button[value=received]", state="detached")
    page.axe.check()
    referral = Referral.objects.get()
    assert referral.state == "sent" and referral.case.individuals.get() == person

    sign_out(page)
    sign_in(page, url, "enlace.hospital")
    page.goto(f"{url}/referrals/")
    page.axe.check()
    page.click(f"a[href='/referrals/{referral.uuid}/']")
    page.wait_for_selector("button[value=received]")
    page.axe.check()
    main = page.inner_text("main")
    assert "Yohana Mendoza Rivas" in main and "certificado médico" in main
    assert "Amenazas del arrendatario" not in main  # the case summary is never shared
    page.click("button[value=received]")
    page.wait_for_selector("button[value=accepted]")
    page.axe.check()
    page.click("button[value=accepted]")
    page.wait_for_selector("button[value=service_given]")
    page.axe.check()
    page.fill("#id_note", "Atendida en emergencia; certificado entregado")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot("referral.png")), full_page=False)
    page.click("button[value=service_given]")
    page.wait_for_selector("h1")
    page.axe.check()
    referral.refresh_from_db()
    assert referral.state == "service_given"
    assert referral.outcome == "Atendida en emergencia; certificado entregado"
    assert page.locator("main button[value]").count() == 0
    # The partner cannot open the case.
    response = page.goto(f"{url}/cases/{referral.case.uuid}/")
    assert response.status == 404
    page.axe.check()  # the error page too
