"""The M&E officer on a 360-px phone: from the home card to this month's feedback figures
(the demo's entries), another month chosen in the form; axe finds nothing, nothing overflows,
targets are 44 px tall; a small sensitive count shows as "<5"."""

import pytest
from django.utils import timezone

from amparo.demo import feedback
from amparo.demo import organizations as demo_orgs
from amparo.feedback.models import FeedbackEntry
from tests.browser.test_layout import _measure
from tests.browser.test_registration import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_me_officer_opens_this_months_figures_on_a_phone(live_server, phone):
    demo_orgs.load()
    feedback.load()
    page, url = phone, live_server.url
    this_month = f"{timezone.localdate():%Y-%m}"

    sign_in(page, url, "mye.hias")
    _measure(page, "home")
    assert page.locator("#h-feedback").inner_text() == "Retroalimentación"
    page.click("#h-feedback ~ p a")
    page.wait_for_selector("#table-category")
    _measure(page, "figures")

    assert page.input_value("#id_month") == this_month
    assert page.locator("h1").inner_text() == "Cifras de retroalimentación"
    assert page.locator("#table-office tbody th", has_text="Lago Agrio").count() == 1
    # The month of the demo's one report of sexual exploitation or abuse, chosen in the form.
    reported = FeedbackEntry.objects.get(category="sexual_exploitation_abuse").received_at
    month = f"{timezone.localtime(reported):%Y-%m}"
    page.fill("#id_month", month)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**month={month}")
    _measure(page, "the report's month")
    sea = page.locator("#table-category tbody tr", has_text="Explotación o abuso sexual")
    assert sea.locator("td").inner_text() == "<5"
    assert (
        page.locator("#table-category tfoot tr", has_text="Total").locator("td").inner_text()
        == "<5"
    )
