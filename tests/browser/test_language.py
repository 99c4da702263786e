import pytest

from amparo.demo import organizations as demo_orgs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_demo_user_signs_in_and_switches_language(live_server, phone, screenshot):
    demo_orgs.load()
    page = phone

    page.goto(f"{live_server.url}/")
    page.axe.check()
    page.fill("#id_username", "caso.quito")
    page.fill("#id_password", demo_orgs.DEMO_PASSWORD)
    page.click("main button[type=submit]")

    page.wait_for_selector("h1")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.inner_text("h1") == "Bienvenida/o, Daniela Paredes"
    assert not page.get_by_role("link", name="Inicio").is_visible()  # behind "Menú" on a phone
    page.axe.check()
    page.screenshot(path=str(screenshot("home.png")), full_page=True)
    page.click("summary:text('Menú')")
    assert page.get_by_role("link", name="Inicio").is_visible()

    page.click("button[value=en]")
    page.wait_for_selector("html[lang=en]")
    page.click("summary:text('Menu')")
    assert page.inner_text("h1") == "Welcome, Daniela Paredes"
    assert page.get_by_role("link", name="Home").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.axe.check()

    page.goto(f"{live_server.url}/team/")
    assert page.inner_text("h1") == "Team"
    page.axe.check()

    page.click("summary:text('Menu')")
    page.click("button[value=es]")
    page.wait_for_selector("html[lang=es]")
    assert page.inner_text("h1") == "Equipo"
    page.axe.check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
