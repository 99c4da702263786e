"""An M&E officer sets up a provider's format on a phone, generates the Quito cash cycle's
payment list and imports the provider's reconciliation file: the page shows the counts and the
payment that failed, with its reason."""

from pathlib import Path

import pytest

from amparo.assistance.models import Cycle, Delivery, Payment
from amparo.core.models import Office
from amparo.demo import assistance
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from tests.browser.test_registration import sign_in
from tests.factories import UserFactory, builtin_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quito_cycle():
    demo_orgs.load()
    demo_registry.load(60, seed=2026)
    assistance.load(pending=10)
    quito = Office.objects.get(organization__code="hias-ec", code="quito")
    manager = UserFactory(
        username="pagos.hias",
        organization=quito.organization,
        role=builtin_role("me_officer"),
    )
    manager.set_password(demo_orgs.DEMO_PASSWORD)
    manager.save()
    return Cycle.objects.filter(office=quito, assistance_type="mpc").first()


def test_generate_a_list_and_reconcile_it_on_a_phone(
    live_server, phone, screenshot, quito_cycle, tmp_path, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page, url = phone, live_server.url
    sign_in(page, url, "pagos.hias")

    page.goto(f"{url}/assistance/payment-formats/new/")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_name", "Banco Pichincha")
    page.fill("#id_col_0_header", "Referencia")
    page.select_option("#id_col_0_source", "payment_reference")
    page.fill("#id_col_1_header", "Monto")
    page.select_option("#id_col_1_source", "amount")
    page.fill("#id_rec_reference", "Ref")
    page.fill("#id_rec_status", "Estado")
    page.fill("#id_rec_reason", "Motivo")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Banco Pichincha")
    page.axe.check()

    page.goto(f"{url}/assistance/cycles/{quito_cycle.uuid}/payments/")
    page.axe.check()
    page.click("form[action$='/generate/'] button")
    page.wait_for_selector(".messages .success")
    page.axe.check()
    sent = Payment.objects.filter(batch__cycle=quito_cycle).order_by("reference")
    total = sent.count()
    assert page.inner_text("#count-sent") == str(total)
    first, second = sent[0], sent[1]
    upload = Path(tmp_path) / "conciliacion.csv"
    upload.write_text(
        f"Ref,Estado,Motivo\n{first.reference},PAGADO,\n{second.reference},Fallido,Cuenta cerrada\n"
    )
    page.set_input_files("#id_file", str(upload))
    page.uncheck("#id_dry_run")
    page.click("form[action$='/reconcile/'] button")
    page.wait_for_selector("[role=status]")
    page.axe.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot("payments.png"), full_page=True)

    assert page.inner_text("#count-paid") == "1"
    assert page.inner_text("#count-failed") == "1"
    assert page.inner_text("#count-sent") == str(total - 2)
    assert "Cuenta cerrada" in page.inner_text("main")
    assert Delivery.objects.filter(entitlement=first.entitlement).count() == 1
