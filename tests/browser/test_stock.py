"""The M&E officer in Quito, on a phone, finds the warehouse from the menu, tries to record a
loss without a reason and sees why it is refused, records it, and finds it in the ledger. Each
page fits 360 px, its tap targets are at least 44 px, and axe finds nothing serious."""

import pytest

from amparo.assistance.models import StockBalance, StockMovement
from amparo.demo import organizations as demo_orgs
from amparo.demo import stock as demo_stock
from tests.browser.test_layout import _measure
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quito_stock():
    demo_orgs.load()
    demo_stock.load()


def test_a_loss_is_refused_without_a_reason_then_recorded(live_server, phone, quito_stock):
    page, url = phone, live_server.url
    sign_in(page, url, "mye.hias")

    page.click("header summary")
    page.click("header nav a:has-text('Existencias')")
    page.wait_for_selector("h1:has-text('Existencias')")
    _measure(page, "warehouses")
    page.click("main ul.rows a:has-text('Bodega La Tola')")
    page.wait_for_selector("h1:has-text('Bodega La Tola')")
    _measure(page, "warehouse")
    page.click("main a:has-text('Registrar kits perdidos o dañados')")
    page.select_option("#id_kit_type", label="Kit de higiene familiar")
    page.fill("#id_quantity", "3")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert "Indique por qué se perdieron o dañaron los kits." in page.inner_text("main")
    _measure(page, "loss refused")
    assert StockMovement.objects.filter(kind="loss").count() == 1  # the demo's own

    page.fill("#id_reason", "Roedores en la bodega")
    page.click("main button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Movimiento de existencias registrado." in page.inner_text(".messages")
    assert "Roedores en la bodega" in page.inner_text("main")
    _measure(page, "ledger")
    hygiene = StockBalance.objects.get(kit_type__name="Kit de higiene familiar")
    assert hygiene.quantity == 291


def test_the_kit_type_pages_fit_a_phone(live_server, phone, quito_stock):
    page, url = phone, live_server.url
    sign_in(page, url, "mye.hias")

    for path in ("/assistance/kits/", "/assistance/kits/new/"):
        page.goto(url + path)
        page.wait_for_selector("h1")
        _measure(page, path)
    page.goto(url + "/assistance/kits/")
    page.click("main ul.rows a:has-text('Kit de alimentos familiar')")
    page.wait_for_selector("text=Arroz")
    _measure(page, "kit type")
