"""Adversarial probes of the care-post intake (issue 11 review): what a stranger with or
without a link, a staff member off the team, or a hostile sender can get out of it."""

import logging
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.core.models import AuditEvent
from amparo.referrals import actions
from amparo.referrals.models import Intake
from tests.databases import tables_holding
from tests.referrals.test_intake import FORM, _data


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issued(gbv_specialist):
    return actions.issue_intake_link(actor=gbv_specialist, label="Puesto <b>Norte</b>", hours=72)


@pytest.fixture
def token(issued):
    return issued[1]


def _url(token: str) -> str:
    return reverse("intake", args=[token])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {**FORM, "alias": "Flor\x00"},  # refused at the edge, before the page's own wrapper
        {**FORM, "needs": ["health"] * 1200},  # more fields than Django parses
    ],
    ids=["nul-byte", "too-many-fields"],
)
def test_a_refused_post_logs_no_secret(client, token, body, caplog):
    caplog.set_level(logging.INFO)

    answer = client.post(_url(token), body)

    assert answer.status_code in (400, 413)  # too many fields: a body past the edge's bound
    assert caplog.records, "the probe expects Django to log the refusal"
    for record in caplog.records:
        assert token not in record.getMessage()
        assert "/intake/…/" in record.getMessage() or "/intake/" not in record.getMessage()
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_x_forwarded_for_does_not_reset_the_rate_limit(client, settings, token):
    settings.AMPARO_INTAKE_TRIES_PER_MINUTE = 2
    settings.AMPARO_TRUSTED_PROXIES = []

    answers = [
        client.get(_url(token), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]

    assert answers == [200, 200, 429]


@pytest.mark.django_db
def test_sent_text_is_escaped_in_the_inbox_the_intake_and_the_public_page(
    client, token, gbv_specialist
):
    script = "<script>alert(1)</script>"
    public = client.get(_url(token)).content.decode()
    intake = actions.receive_intake(
        token=token, data=_data(alias=script, note=script, community=script, safe_times=script)
    )
    client.force_login(gbv_specialist)

    pages = [
        client.get(reverse("referrals:intakes")).content.decode(),
        client.get(reverse("referrals:intake", args=[intake.uuid])).content.decode(),
        client.get(reverse("referrals:intake-record", args=[intake.uuid])).content.decode(),
        client.get(reverse("home")).content.decode(),
        public,
    ]

    for html in pages:
        assert "<script>alert" not in html and "<b>Norte</b>" not in html
    assert "&lt;b&gt;Norte&lt;/b&gt;" in pages[0] and "&lt;script&gt;" in pages[1]


@pytest.mark.django_db
def test_the_secret_is_nowhere_in_the_database_once_used(client, token):
    assert client.post(_url(token), FORM, HTTP_REFERER=f"http://x{_url(token)}").status_code == 200

    assert tables_holding(token) == []


@pytest.mark.django_db
def test_team_pages_are_never_cacheable(client, token, gbv_specialist):
    intake = actions.receive_intake(token=token, data=_data())
    client.force_login(gbv_specialist)
    urls = [
        reverse("referrals:intakes"),
        reverse("referrals:intake", args=[intake.uuid]),
        reverse("referrals:intake-record", args=[intake.uuid]),
        reverse("referrals:intake-link-new"),
        reverse("referrals:intake-paper"),
    ]

    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


@pytest.mark.django_db
def test_printed_form_entry_is_the_gbv_team_with_case_rights_only(
    client, make_user, quito, caseworker
):
    officer = make_user("registration_officer", office=quito, username="registro")
    refused = {}
    for user in (caseworker, officer):
        client.force_login(user)
        refused[user.username] = [
            client.get(reverse("referrals:intake-paper")).status_code,
            client.post(reverse("referrals:intake-paper"), {**FORM, "label": "P"}).status_code,
            client.get(reverse("referrals:intake-link-new")).status_code,
        ]

    assert refused == {u: [404, 404, 404] for u in refused}
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_a_get_on_the_inbox_actions_changes_nothing(client, token, gbv_specialist, issued):
    link = issued[0]
    intake = actions.receive_intake(token=token, data=_data())
    client.force_login(gbv_specialist)

    revoke = client.get(reverse("referrals:intake-link-revoke", args=[link.uuid]))
    record = client.get(reverse("referrals:intake-record", args=[intake.uuid]))

    assert revoke.status_code == 405 and record.status_code == 200
    intake.refresh_from_db()
    link.refresh_from_db()
    assert intake.state == "received" and link.revoked_at is None


@pytest.mark.django_db
def test_unknown_used_and_revoked_links_cost_the_same_queries(client, gbv_specialist, token):
    revoked, revoked_token = actions.issue_intake_link(actor=gbv_specialist, label="R", hours=1)
    actions.revoke_intake_link(actor=gbv_specialist, link=revoked)
    client.post(_url(token), FORM)
    counts = {}
    for name, secret in (("used", token), ("revoked", revoked_token), ("unknown", "q" * 43)):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(_url(secret))
        counts[name] = (answer.status_code, len(queries), sorted(answer.headers))

    assert counts["used"] == counts["revoked"] == counts["unknown"]


@pytest.mark.django_db
def test_a_signed_in_staff_members_browser_adds_nothing_to_a_submission(
    client, token, gbv_specialist
):
    # The page takes posts without CSRF: a forged post from a staff member's browser can do
    # no more than the forger could with the secret alone.
    client.force_login(gbv_specialist)

    answer = client.post(_url(token), FORM)

    assert answer.status_code == 200
    intake = Intake.objects.get()
    assert (intake.entered_by, intake.handled_by, intake.state) == (None, None, "received")
    event = AuditEvent.objects.get(action="referrals.intake.received")
    assert (event.actor, event.ip_address) == (None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_neither_use_the_link_nor_save_anything(client, token, issued, method):
    answer = getattr(client, method)(
        _url(token),
        urlencode({**FORM, "needs": "health"}),
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code in (200, 405)
    assert not Intake.objects.exists()
    link = issued[0]
    link.refresh_from_db()
    assert link.used_at is None
    assert client.get(_url(token)).status_code == 200
