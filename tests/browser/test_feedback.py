"""On a 360-px phone: members added without reloading, the confirmation after saving, and the
error summary taking the focus (issue 10, points 11 and 12); the same without JavaScript."""

import pytest

from amparo.demo import organizations as demo_orgs
from amparo.registry.models import Household
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _in_view(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and 0 <= box["y"] < 740


def _register_page_with_the_head(live_server, page, *, nationality: str):
    """The registration officer's form, its head of household filled in (axe-checked)."""
    demo_orgs.load()
    sign_in(page, live_server.url, "registro.lagoagrio")
    page.goto(f"{live_server.url}/registry/register/")
    page.axe.check()
    page.fill("#id_form-0-given_names", "Yusleidy")
    page.fill("#id_form-0-first_surname", "Márquez")
    page.select_option("#id_form-0-sex", "F")
    page.fill("#id_form-0-age", "33")
    page.select_option("#id_form-0-nationality", nationality)
    page.select_option("#id_form-0-population_group", "refugee")
    return page


def test_members_are_added_without_reload_starting_from_the_heads_answers(live_server, phone):
    page = _register_page_with_the_head(live_server, phone, nationality="CO")
    page.evaluate("window.notReloaded = true")

    for _ in range(3):
        page.click("button[name=add_member]")

    assert page.evaluate("window.notReloaded") is True
    assert page.locator("fieldset.member").count() == 4
    assert page.input_value("#id_form-TOTAL_FORMS") == "4"
    assert page.inner_text("fieldset.member >> nth=3 >> legend") == "Miembro 4"
    assert page.evaluate("document.activeElement.id") == "id_form-3-given_names"
    assert page.input_value("#id_form-3-nationality") == "CO"
    assert page.input_value("#id_form-3-population_group") == "refugee"
    assert page.input_value("#id_form-3-relationship") == ""
    assert page.input_value("#id_form-3-given_names") == ""
    for index, name in ((1, "José"), (2, "Valentina"), (3, "Santiago")):
        page.fill(f"#id_form-{index}-given_names", name)
        page.fill(f"#id_form-{index}-first_surname", "Colmenares")
        page.select_option(f"#id_form-{index}-sex", "M")
        page.fill(f"#id_form-{index}-age", str(10 * index))
        page.select_option(f"#id_form-{index}-relationship", "child")

    page.click("button[name=save]")
    page.wait_for_selector(".messages")
    page.axe.check()

    household = Household.objects.get()
    assert [m.nationality for m in household.members.all()] == ["CO"] * 4
    assert page.inner_text(".messages") == (
        f"Hogar {household.reference} registrado con 4 miembros."
    )
    assert _in_view(page, ".messages")


def test_a_refused_registration_puts_the_focus_on_the_error_summary(live_server, phone):
    page = _register_page_with_the_head(live_server, phone, nationality="VE")
    page.select_option("#id_form-0-relationship", "head")
    page.click("fieldset.member summary")
    page.fill("#id_form-0-languages", "castellano")
    page.evaluate("document.querySelector('fieldset.member details').open = false")

    page.click("button[name=save]")
    page.wait_for_selector("#error-summary")

    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert _in_view(page, "#error-summary")
    page.axe.check()
    page.click("#error-summary a[href='#id_form-0-languages']")
    assert page.evaluate("document.activeElement.id") == "id_form-0-languages"
    assert page.locator("#id_form-0-languages").is_visible()
    assert Household.objects.count() == 0


def test_without_javascript_members_are_added_by_the_server_and_errors_still_lead(
    live_server, browser
):
    demo_orgs.load()
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="es-EC", java_script_enabled=False
    )
    page = context.new_page()  # axe needs JavaScript: the journeys above check these pages
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "registro.lagoagrio")
    page.fill("#id_password", demo_orgs.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"{live_server.url}/registry/register/")
    page.select_option("#id_form-0-nationality", "PE")

    page.click("button[name=add_member]")
    page.wait_for_selector("#id_form-1-given_names")

    assert page.input_value("#id_form-1-nationality") == "PE"
    assert page.locator("#error-summary").count() == 0
    page.click("button[name=save]")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"  # autofocus
    assert _in_view(page, "#error-summary")
    context.close()
