"""Issue 11's journey, on a 360-px phone with the demo data: a GBV specialist opens a girl's
case, follows Lago Agrio's child protection route (the referral form offers its steps first,
in order), refers her to the hospital (within 72 hours) and to MIES special protection, and
sees both referrals on the case's page; once the hospital refers her on, the chain too."""

import pytest

from amparo.cases.models import Case, ChildConsent
from amparo.core.models import User
from amparo.demo import directory as demo_directory
from amparo.referrals import actions as referral_actions
from amparo.referrals.models import Referral, Service
from tests.browser.test_layout import demo  # noqa: F401 (the demo fixture)
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD_ROUTE = "Protección de la niñez – Lago Agrio (Sucumbíos)"


def _refer(page, url, case, service, reason):
    page.click(f"main a[href$='/referrals/new/?case={case.uuid}']")
    page.wait_for_selector("#id_service")
    page.axe.check()
    page.select_option("#id_service", str(service.pk))
    page.fill("#id_reason", reason)
    page.check("#id_consent")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()
    assert "Derivación" in page.inner_text("main") and "enviada" in page.inner_text("main")
    page.click(f"main a[href$='/cases/{case.uuid}/']")  # back to her case
    page.wait_for_selector("h1")
    page.axe.check()


def test_a_caseworker_refers_a_child_survivor_along_the_child_route(
    live_server,
    phone,
    screenshot,
    demo,  # noqa: F811
):
    # The demo girl whose mother consented, with her assent.
    case = Case.objects.get(child_consents__given_by="caregiver")
    hospital = Service.objects.get(
        provider__organization__code="hias-ec",
        provider__name=demo_directory.HOSPITAL,
        name=demo_directory.SEXUAL_VIOLENCE_CARE,
    )
    mies = Service.objects.get(provider__name=demo_directory.MIES_LAGO)
    page, url = phone, live_server.url
    sign_in(page, url, "vbg.lagoagrio")

    page.goto(f"{url}/cases/")
    page.wait_for_selector("h1")
    page.axe.check()
    page.click(f"main a[href$='/cases/{case.uuid}/']")
    page.wait_for_selector("h1")
    page.axe.check()

    # The form offers the child route's steps first, in the route's order.
    page.click(f"main a[href$='/referrals/new/?case={case.uuid}']")
    page.wait_for_selector("#id_service")
    page.axe.check()
    first_group = page.locator("#id_service optgroup").first
    assert first_group.get_attribute("label") == f"Ruta de atención: {CHILD_ROUTE}"
    steps = first_group.locator("option").all_inner_texts()
    assert steps[0] == f"{hospital.name} · {hospital.provider.name}"
    assert f"{mies.name} · {mies.provider.name}" in steps
    page.go_back()
    page.wait_for_selector("h1")

    _refer(page, url, case, hospital, "Atención médica antes de 72 horas")
    _refer(page, url, case, mies, "Protección especial: no puede volver a casa sin riesgo")

    referrals = page.locator("main section:has(h2:text-is('Derivaciones')) > ul > li")
    listed = referrals.all_inner_texts()
    assert any(mies.provider.name in row and "Enviada" in row for row in listed)
    assert any(hospital.provider.name in row for row in listed)
    assert page.locator("main .chain").count() == 0  # nobody referred her on yet
    to_mies = Referral.objects.get(case=case, service=mies)
    assert referral_actions.shared_data(to_mies) == {"case_code": case.reference}
    assert to_mies.cross_border_consent is False

    # The hospital accepts her and refers her on to HIAS's psychosocial unit, within the consent
    # her mother gave (psychosocial support), sharing the case code it received.
    nurse = User.objects.get(username="enlace.hospital")
    to_hospital = Referral.objects.get(case=case, service=hospital)
    for state in ("received", "accepted"):
        referral_actions.move(actor=nurse, referral=to_hospital, to_state=state)
    onward_service = Service.objects.get(
        provider__organization=nurse.organization, type="psychosocial"
    )
    referral_actions.refer_onward(
        actor=nurse,
        parent=to_hospital,
        service=onward_service,
        urgency="urgent",
        reason="Acompañamiento psicosocial con su madre",
        shared_fields=["case_code"],
    )

    page.reload()
    page.wait_for_selector("h1")
    page.axe.check()
    chain = page.inner_text("main .chain")
    assert f"{nurse.organization.name} → {onward_service.provider.name}" in chain
    assert "Enviada" in chain
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("child-route.png"), full_page=True)
    assert ChildConsent.objects.filter(case=case).count() == 1  # nothing asked twice
