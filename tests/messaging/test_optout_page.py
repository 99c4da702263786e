"""The opt-out link of campaign e-mails (amparo/messaging/public_views.py)."""

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from amparo.core.models import AuditEvent
from amparo.messaging import optout_links, public_views
from amparo.messaging.models import Message, OptOut

pytestmark = pytest.mark.django_db

ADDRESS = "ana@example.org"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def link(settings):
    settings.AMPARO_PUBLIC_URL = "https://amparo.example.org"
    url = optout_links.url_for("email", ADDRESS)
    return url.removeprefix("https://amparo.example.org")


@pytest.fixture
def strict():
    """A client that enforces CSRF, as a browser or a mail client meets the real site."""
    return Client(enforce_csrf_checks=True)


def test_the_link_shows_a_page_with_one_button_and_sets_no_cookie(strict, link):
    response = strict.get(link)

    assert response.status_code == 200
    html = response.content.decode()
    assert ADDRESS in html
    assert '<form method="post"' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert not OptOut.objects.exists()


def test_the_page_speaks_english_when_asked(strict, link):
    response = strict.get(link + "?lang=en")

    assert "Stop receiving our messages" in response.content.decode()


def test_the_button_opts_out_without_any_cookie(strict, link):
    response = strict.post(link, {"confirm": "1"})

    assert response.status_code == 200
    assert 'id="optout-done"' in response.content.decode()
    assert not response.cookies
    optout = OptOut.objects.get()
    assert (optout.channel, optout.address, optout.source) == ("email", ADDRESS, "link")
    event = AuditEvent.objects.get(action="messaging.optout.recorded")
    assert ADDRESS not in str(event.details)
    # Coming back shows it is done, and a second click changes nothing.
    assert 'id="optout-done"' in strict.get(link).content.decode()
    strict.post(link, {"confirm": "1"})
    assert OptOut.objects.count() == 1


def test_a_mail_clients_one_click_post_opts_out(strict, link):
    response = strict.post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert OptOut.objects.filter(channel="email", address=ADDRESS, source="link").exists()


def test_the_opt_out_cancels_queued_campaign_e_mails(
    strict, link, messenger, org_a, sms_template, settings
):
    from amparo.messaging.models import Campaign

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    campaign = Campaign.objects.create(
        organization=org_a,
        reference="C-1",
        name="Aviso",
        template=sms_template,
        created_by=messenger,
        state=Campaign.State.SENDING,
    )
    queued = Message.objects.create(
        organization=org_a, campaign=campaign, channel="email", address=ADDRESS
    )

    strict.post(link, {"confirm": "1"})

    queued.refresh_from_db()
    assert queued.state == Message.State.CANCELLED


def _bad_token(kind: str) -> str:
    if kind == "garbage":
        return "not-a-token"
    if kind == "tampered":
        return optout_links.token_for("email", ADDRESS)[:-2] + "xx"
    # Signed, but for something else than an opt-out link.
    return signing.dumps(["email", ADDRESS])


@pytest.mark.parametrize("kind", ["garbage", "tampered", "other_salt"])
def test_a_bad_token_is_404_and_changes_nothing(strict, kind):
    token = _bad_token(kind)
    path = f"/messaging/optout/{token}/"

    assert strict.get(path).status_code == 404
    assert strict.post(path, {"confirm": "1"}).status_code == 404
    assert not OptOut.objects.exists()


def test_posts_are_rate_limited(strict, link, monkeypatch):
    monkeypatch.setattr(public_views, "POSTS_PER_MINUTE", 2)

    codes = [strict.post(link, {"confirm": "1"}).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_only_get_and_post(strict, link):
    assert strict.put(link).status_code == 405
