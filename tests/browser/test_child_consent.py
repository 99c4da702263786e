"""A GBV specialist, on a phone, records a girl's consent (her mother's, with her assent) and
refers her to child protection, sharing her case code only."""

import datetime

import pytest
from django.utils import timezone

from amparo.cases import actions as case_actions
from amparo.cases.models import ChildConsent, GBVTeamMember
from amparo.core.models import Area, Office, Organization, User
from amparo.demo import organizations as demo_orgs
from amparo.referrals import actions as referral_actions
from amparo.referrals.models import Provider, Referral, Service
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def girls_case():
    demo_orgs.load()
    hias = Organization.objects.get(code="hias-ec")
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    specialist = User.objects.get(username="vbg.lagoagrio")
    GBVTeamMember.objects.create(office=lago, user=specialist)
    sucumbios = Area.objects.get(code="EC-U")
    junta = Provider.objects.create(
        organization=hias,
        name="Junta Cantonal de Protección de Derechos de Lago Agrio",
        kind="government",
    )
    service = Service.objects.create(
        provider=junta, type="child_protection", name="Medidas de protección"
    )
    service.areas.add(sucumbios)
    case = case_actions.open_walk_in_case(
        actor=specialist,
        identity={"given_names": "Ana", "sex": "F", "age": 10, "nationality": "VE"},
        risk_level="critical",
        summary="Niña acompañada por su madre.",
    )
    today = timezone.localdate()
    case_actions.record_incident(
        actor=specialist,
        case=case,
        data={
            "incident_date": today - datetime.timedelta(days=3),
            "report_date": today,
            "area": sucumbios,
            "type": "sexual_assault",
            "context": ["child_sexual_abuse"],
            "perpetrator_count": 1,
            "perpetrator_sex": "M",
            "perpetrator_age_group": "26-40",
            "perpetrator_relationship": "community",
            "referral_consent": ["child_protection"],
        },
    )
    return case, service


def test_a_caseworker_records_a_childs_consent_and_refers_her(
    live_server, phone, screenshot, girls_case
):
    case, service = girls_case
    page, url = phone, live_server.url
    sign_in(page, url, "vbg.lagoagrio")

    page.goto(f"{url}/cases/{case.uuid}/")
    page.axe.check()
    page.click("main a[href$='/referrals/new/?case=" + str(case.uuid) + "']")
    page.wait_for_selector("#id_service")
    page.axe.check()
    # The minimum by default: her case code, not her name.
    assert page.is_checked("input[name=shared_fields][value=case_code]")
    assert not page.is_checked("input[name=shared_fields][value=name]")
    page.select_option("#id_service", str(service.pk))
    page.fill("#id_reason", "Medidas de protección urgentes")
    page.check("#id_consent")
    page.click("main button[type=submit]")  # no child consent yet: refused, nothing sent
    page.wait_for_selector(".error")
    page.axe.check()
    assert "es menor de edad" in page.inner_text("main")
    assert not Referral.objects.exists()

    page.goto(f"{url}/cases/{case.uuid}/")
    page.axe.check()
    page.click("main a[href$='/consent/']")
    page.wait_for_selector("input[name=given_by]")
    page.axe.check()
    page.check("input[name=given_by][value=caregiver]")
    page.select_option("#id_caregiver_relationship", "mother")
    page.check("#id_child_assent")
    page.check("input[name=method][value=written]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()
    assert "Consentimiento registrado." in page.inner_text("main")
    assert "Madre" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("child-consent.png"), full_page=True)

    page.click("main a[href$='/referrals/new/?case=" + str(case.uuid) + "']")
    page.wait_for_selector("#id_service")
    page.axe.check()
    page.select_option("#id_service", str(service.pk))
    page.fill("#id_reason", "Medidas de protección urgentes")
    page.check("#id_consent")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()

    consent = ChildConsent.objects.get()
    assert (consent.given_by, consent.child_assent, consent.age) == ("caregiver", True, 10)
    referral = Referral.objects.get()
    assert referral_actions.shared_data(referral) == {"case_code": case.reference}


def test_a_caregiver_withdraws_consent_and_the_pending_referral_is_withdrawn(
    live_server, phone, screenshot, girls_case
):
    case, service = girls_case
    specialist = User.objects.get(username="vbg.lagoagrio")
    case_actions.record_child_consent(
        actor=specialist,
        case=case,
        data={
            "given_by": "caregiver",
            "caregiver_relationship": "mother",
            "child_assent": True,
            "method": "written",
            "given_on": timezone.localdate(),
            "purposes": ["case_work", "referrals"],
        },
    )
    pending = referral_actions.send_referral(
        actor=specialist,
        service=service,
        urgency="urgent",
        reason="Medidas de protección urgentes",
        shared_fields=[],
        consent=True,
        consent_method="guardian",
        consent_date=timezone.localdate(),
        case=case,
    )
    page, url = phone, live_server.url
    sign_in(page, url, "vbg.lagoagrio")

    page.goto(f"{url}/cases/{case.uuid}/")
    page.click("main a[href$='/consent/withdraw/']")
    page.wait_for_selector("input[name=withdrawn_by]")
    page.axe.check()
    assert pending.reference in page.inner_text("main")  # the confirm step names it
    page.check("input[name=withdrawn_by][value=caregiver]")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()
    main = page.inner_text("main")
    assert "Retiro del consentimiento registrado." in main
    # The tick was left checked: the referral is withdrawn with it, not left pending.
    assert "Se retiró el consentimiento para estas derivaciones" not in main
    assert "Retirada por quien la envió" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("consent-withdrawn.png"), full_page=True)

    # The Junta has no account: the referral's page tells the caseworker to phone it.
    page.click(f"main a[href$='/referrals/{pending.uuid}/']")
    page.wait_for_selector("h1")
    page.axe.check()
    assert "Avise por teléfono a Junta Cantonal" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.go_back()

    page.click("main a[href$='/referrals/new/?case=" + str(case.uuid) + "']")
    page.wait_for_selector("#id_service")
    page.select_option("#id_service", str(service.pk))
    page.axe.check()
    page.fill("#id_reason", "Otra vez")
    page.check("#id_consent")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error")
    page.axe.check()
    assert "retiró el consentimiento" in page.inner_text("main")
    assert Referral.objects.count() == 1
    assert Referral.objects.get().withdraw_reason == "consent_withdrawn"
