"""On a phone: an administrator whose organization asks for two-factor sign-in sets up an
authenticator app, signs in again with a code, and then with a recovery code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from amparo.demo import organizations as demo_orgs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def code_from_key(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the set-up page."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/")
    page.axe.check()
    page.fill("#id_username", "admin.oim")
    page.fill("#id_password", demo_orgs.DEMO_PASSWORD)
    page.click("main button[type=submit]")


def sign_out(page) -> None:
    page.click("header summary")  # the menu, folded on a phone
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_selector("#id_username")
    page.axe.check()


def test_administrator_enrols_then_signs_in_with_a_code_and_a_recovery_code(
    live_server, phone, screenshot
):
    demo_orgs.load()  # OIM Ecuador's policy asks its administrator for a second factor
    page = phone

    sign_in(page, live_server.url)
    page.wait_for_selector("h1:has-text('Configurar el inicio de sesión en dos pasos')")
    page.axe.check()
    assert page.get_by_alt_text("Código QR para su aplicación de autenticación").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(screenshot("two-factor-setup.png")), full_page=True)
    secret = page.inner_text("[data-testid=totp-secret]")
    page.fill("#id_otp", code_from_key(secret))
    page.click("main form button[type=submit]")

    page.wait_for_selector("h1:has-text('Sus códigos de recuperación')")
    page.axe.check()
    codes = page.locator("[data-testid=recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Ya los guardé: continuar").click()
    page.wait_for_selector("h1:has-text('Sofía Espinosa')")
    page.axe.check()
    sign_out(page)

    sign_in(page, live_server.url)
    page.wait_for_selector("h1:has-text('Confirme su inicio de sesión')")
    page.axe.check()
    page.fill("#id_otp", code_from_key(secret, steps_ahead=1))
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Sofía Espinosa')")
    page.axe.check()
    sign_out(page)

    sign_in(page, live_server.url)
    page.wait_for_selector("h1:has-text('Confirme su inicio de sesión')")
    page.axe.check()
    page.fill("#id_otp", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Sofía Espinosa')")
    page.axe.check()
    assert "quedan 9" in page.inner_text(".messages")
