import pytest

from amparo.core.models import Area, Office
from amparo.demo import organizations as demo_orgs
from amparo.registry.models import Household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, username):
    page.goto(f"{url}/login/")
    page.axe.check()
    page.fill("#id_username", username)
    page.fill("#id_password", demo_orgs.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    page.axe.check()


def sign_out(page):
    page.click("header summary")  # the menu, folded on a phone
    page.click("header form[action*='logout'] button")
    page.wait_for_selector("h1")
    page.axe.check()


def fill_member(page, index, **fields):
    prefix = f"#id_form-{index}-"
    for name in (
        "given_names",
        "first_surname",
        "second_surname",
        "date_of_birth",
        "age",
        "phone",
        "document_number",
    ):
        if name in fields:
            page.fill(prefix + name, fields[name])
    for name in ("sex", "nationality", "population_group", "relationship", "document_type"):
        if name in fields:
            page.select_option(prefix + name, fields[name])


FAMILY = [
    {
        "given_names": "Yusleidy Carolina",
        "first_surname": "Márquez",
        "second_surname": "Rondón",
        "sex": "F",
        "date_of_birth": "1992-08-21",
        "nationality": "VE",
        "population_group": "asylum_seeker",
        "relationship": "head",
        "phone": "0987 111 222",
        "document_type": "national_id",
        "document_number": "V-20.111.333",
    },
    {
        "given_names": "José Gregorio",
        "first_surname": "Colmenares",
        "second_surname": "Díaz",
        "sex": "M",
        "date_of_birth": "1989-02-10",
        "nationality": "VE",
        "population_group": "asylum_seeker",
        "relationship": "spouse",
    },
    {
        "given_names": "Valentina",
        "first_surname": "Colmenares",
        "second_surname": "Márquez",
        "sex": "F",
        "age": "9",
        "nationality": "VE",
        "population_group": "asylum_seeker",
        "relationship": "child",
    },
    {
        "given_names": "Santiago",
        "first_surname": "Colmenares",
        "second_surname": "Márquez",
        "sex": "M",
        "date_of_birth": "2022-01-15",
        "nationality": "EC",
        "population_group": "host_community",
        "relationship": "child",
    },
]


def register(page, url, members):
    page.goto(f"{url}/registry/register/")
    page.axe.check()
    for index in range(1, len(members)):
        page.click("button[name=add_member]")
        page.wait_for_selector(f"#id_form-{index}-given_names")
        page.axe.check()
    for index, fields in enumerate(members):
        fill_member(page, index, **fields)
    page.fill("#id_address", "Barrio Central, Lago Agrio")
    page.click("button[name=save]")
    page.wait_for_selector("h1")
    page.axe.check()


def test_register_family_of_four_on_a_phone_then_duplicate_warning_then_search(
    live_server, phone, screenshot
):
    demo_orgs.load()
    lago_agrio = Office.objects.get(organization__code="hias-ec", code="lago-agrio")
    assert lago_agrio.area == Area.objects.get(code="EC-U")
    page = phone
    sign_in(page, live_server.url, "registro.lagoagrio")

    register(page, live_server.url, FAMILY)

    assert page.inner_text("h1").startswith("Hogar EC-LAG-")
    assert page.locator("main .rows li").count() >= 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    register(page, live_server.url, FAMILY[:1])
    assert page.get_by_role("heading", name="Posibles duplicados").is_visible()
    page.screenshot(path=str(screenshot("duplicate-warning.png")), full_page=False)
    assert page.get_by_role("link", name="Yusleidy Carolina Márquez Rondón").is_visible()
    assert Household.objects.count() == 1

    page.goto(f"{live_server.url}/registry/")
    page.axe.check()
    page.fill("#id_q", "valentina colmenarez")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main h2")
    page.axe.check()
    assert page.get_by_role("link", name="Valentina Colmenares Márquez").is_visible()
