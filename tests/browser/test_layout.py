"""Phone layout at 360 px, in Spanish and in English, on the pages of the journeys: every tap
target at least 44 px tall (a checkbox or radio counts with its label), nothing wider than the
screen, the header on one or two rows for every role, and no serious or critical axe finding."""

import pytest

from amparo.cases.models import Case
from amparo.demo import cases as demo_cases
from amparo.demo import directory as demo_directory
from amparo.demo import organizations as demo_orgs
from amparo.demo import registry as demo_registry
from amparo.referrals.models import Referral
from amparo.registry.models import Household
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 360
TAP = 44  # px, WCAG 2.5.5 (AAA) and the platforms' guidance
TWO_ROWS = 2 * TAP + 12  # two rows of 44 px targets, their padding and the border

# Every visible link, button, field and disclosure of the page, with its height; a checkbox or
# radio is as tall as the tallest of itself and its labels (the label is the tap target).
TARGETS = """() => {
  const found = [];
  for (const el of document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary"
  )) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") {
      continue;
    }
    let height = box.height;
    if (el.type === "checkbox" || el.type === "radio") {
      for (const label of el.labels) {
        height = Math.max(height, label.getBoundingClientRect().height);
      }
    }
    const name = (el.innerText || el.value || el.name || el.id || "").trim().slice(0, 40);
    found.push({tag: el.tagName.toLowerCase(), name, height});
  }
  return found;
}"""
OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture
def demo(db):
    demo_orgs.load()
    demo_registry.load(150)
    demo_directory.load()
    demo_cases.load()


def _measure(page, where: str) -> None:
    """Check the page on screen (menu folded, then every disclosure open)."""
    page.axe.check()
    header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
    assert header <= TWO_ROWS, f"{where}: header {header} px tall"
    page.evaluate(OPEN_ALL)  # the menu and every confirmation: their contents too
    small = [t for t in page.evaluate(TARGETS) if t["height"] < TAP]
    assert small == [], f"{where}: tap targets under {TAP} px: {small}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{where}: {width} px wide"


def _open_menu(page) -> None:
    if page.locator("header details[open]").count() == 0:
        page.click("header summary")


def _switch_language(page, code: str) -> None:
    _open_menu(page)
    page.click(f"header button[value={code}]")
    page.wait_for_selector(f"html[lang={code}]")


def _walk(page, url: str, user: str, paths: list[str]) -> None:
    sign_in(page, url, user)
    for language in ("es", "en"):
        if language == "en":
            _switch_language(page, "en")
        for path in paths:
            page.goto(url + path)
            page.wait_for_selector("h1")
            _measure(page, f"{user} {language} {path}")


def test_a_caseworker_pages_fit_a_phone(live_server, phone, demo):
    case = Case.objects.filter(owner__username="caso.quito", state="intake").first()
    case = case or Case.objects.filter(owner__username="caso.quito").first()
    household = case.household

    _walk(
        phone,
        live_server.url,
        "caso.quito",
        [
            "/",
            "/cases/",
            f"/cases/{case.uuid}/",
            f"/cases/{case.uuid}/plan/",
            f"/cases/{case.uuid}/follow-ups/",
            f"/referrals/new/?case={case.uuid}",
            "/registry/",
            "/registry/?q=maria",
            f"/registry/households/{household.uuid}/",
            "/referrals/",
        ],
    )


def test_a_supervisor_and_a_registration_officer_pages_fit_a_phone(live_server, phone, demo):
    household = Household.objects.filter(office__code="lago-agrio").first()

    _walk(phone, live_server.url, "supervisora.quito", ["/", "/cases/"])
    _open_menu(phone)
    phone.click("header form[action*='logout'] button")
    phone.wait_for_selector("h1")
    phone.axe.check()
    _walk(
        phone,
        live_server.url,
        "registro.lagoagrio",
        ["/", "/registry/", f"/registry/households/{household.uuid}/", "/registry/register/"],
    )


def test_a_partner_pages_fit_a_phone(live_server, phone, demo):
    referral = Referral.objects.filter(to_organization__code="hospital-lago-agrio").first()

    _walk(
        phone,
        live_server.url,
        "enlace.hospital",
        ["/", "/referrals/", f"/referrals/{referral.uuid}/"],
    )


def test_the_gbv_team_incident_pages_fit_a_phone(live_server, phone, demo):
    # The adult survivor's case with an incident abroad (the child survivors' cases, opened
    # later, come first in the cases' order).
    case = Case.objects.filter(type="gbv", household__isnull=False, incidents__country="CO").first()
    incident = case.incidents.filter(country="CO").get()

    _walk(
        phone,
        live_server.url,
        "vbg.lagoagrio",
        [
            f"/cases/{case.uuid}/",
            f"/cases/{case.uuid}/incidents/",
            f"/cases/{case.uuid}/incidents/{incident.uuid}/",
            "/cases/gbv-statistics/",
        ],
    )
