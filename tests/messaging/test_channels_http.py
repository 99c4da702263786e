"""SMS and WhatsApp through the real engine and the real adapters, against a fake gateway that
speaks HTTP on 127.0.0.1 (`bench/fake_provider.py`): what the provider receives, and what each
of its answers does to the message row. Nothing of our code is mocked."""

import base64
import datetime
import time

import pytest
from django.utils import timezone

from amparo.messaging import actions, delivery, tasks
from amparo.messaging.models import Campaign, Message
from bench.fake_provider import ACCOUNT, TOKEN, FakeProvider

pytestmark = pytest.mark.django_db

CALLBACK = "http://127.0.0.1:8000/api/v1/messaging/hooks/sms/status/"
SENDER = "+15550001111"
ADAPTERS = [
    ("twilio", "sms"),
    ("twilio", "whatsapp"),
    ("rapidpro", "sms"),
    ("rapidpro", "whatsapp"),
]


@pytest.fixture
def gateway(settings):
    """A fake provider, and `point(provider, channel)` to send a channel through it."""
    settings.AMPARO_MESSAGING_RATE = 0  # no pacing: the tests wait for nothing
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with FakeProvider(timeout_sleep=1.0) as provider:

        def point(kind: str, channel: str, **overrides) -> FakeProvider:
            config = {**provider.channel_config(kind, timeout=0.4, callback=CALLBACK), **overrides}
            settings.MESSAGING_CHANNELS = {**settings.MESSAGING_CHANNELS, channel: config}
            return provider

        yield point


def queue(org, channel: str, addresses: list[str]) -> list[Message]:
    """Single messages (no campaign), due now."""
    now = timezone.now()
    return [
        Message.objects.create(
            organization=org,
            channel=channel,
            address=address,
            body=f"Su cita es el lunes ({n}).",
            next_attempt_at=now,
        )
        for n, address in enumerate(addresses)
    ]


def recorded(provider: FakeProvider, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(provider.requests) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def make_due() -> None:
    Message.objects.filter(state=Message.State.QUEUED).update(next_attempt_at=timezone.now())


def expected_request(
    kind: str, channel: str, address: str, text: str, reference: str = ""
) -> tuple[dict, str]:
    if kind == "twilio":
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        payload = {
            "To": prefix + address,
            "From": prefix + SENDER,
            "Body": text,
            "StatusCallback": f"{CALLBACK}?message={reference}",
        }
        return payload, "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    urn = f"whatsapp:{address.lstrip('+')}" if channel == "whatsapp" else f"tel:{address}"
    return {"urns": [urn], "text": text}, f"Token {TOKEN}"


@pytest.mark.parametrize(("kind", "channel"), ADAPTERS)
def test_a_campaign_reaches_the_gateway_as_its_api_expects_and_keeps_its_references(
    gateway, kind, channel, messenger, people
):
    provider = gateway(kind, channel)
    template = actions.save_template(
        actor=messenger,
        name="Aviso",
        channel=channel,
        body_es="Hola {first_name}: le esperamos en {office}.",
        body_en="Hello {first_name}: we expect you at {office}.",
    )
    campaign = actions.create_campaign(actor=messenger, name="Aviso", template=template, filters={})
    actions.schedule_campaign(actor=messenger, campaign=campaign)
    tasks.prepare_campaign.call(campaign.pk)

    more = delivery.drain(campaign.pk, threads=0)

    assert more is False
    assert delivery.finish_if_done(campaign.pk)
    messages = {m.address: m for m in Message.objects.filter(campaign=campaign)}
    assert sorted(messages) == ["+593990000001", "+593990000002", "+593990000003"]
    assert len(provider.requests) == 3
    for request in provider.requests:
        text = request.payload.get("Body") or request.payload.get("text")
        address = next(a for a in messages if a.lstrip("+") in request.to)
        message = messages[address]
        payload, authorization = expected_request(kind, channel, address, text, str(message.uuid))
        assert request.payload == payload
        assert request.authorization == authorization
        assert (message.state, message.attempts) == (Message.State.SENT, 1)
        assert message.provider_ref == request.ref
        assert message.sent_at is not None
    by_address = {
        a: (r.payload.get("Body") or r.payload.get("text"))
        for a in messages
        for r in provider.requests
        if a.lstrip("+") in r.to
    }
    assert by_address["+593990000001"] == "Hola Ana: le esperamos en Oficina A1."
    assert by_address["+593990000002"] == "Hello Bruno: we expect you at Oficina A1."
    assert Campaign.objects.get(pk=campaign.pk).state == Campaign.State.FINISHED


@pytest.mark.parametrize("kind", ["twilio", "rapidpro"])
@pytest.mark.parametrize("answer", [500, 429, "timeout"])
def test_a_temporary_refusal_waits_then_sends_once_the_provider_recovers(
    gateway, kind, answer, org_a
):
    provider = gateway(kind, "sms")
    provider.script = [answer]
    (message,) = queue(org_a, "sms", ["+593990000001"])
    before = timezone.now()

    delivery.drain(None, threads=0)
    recorded(provider, 1)  # a timed-out request reaches the provider's log when it answers

    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.QUEUED, 1)
    assert message.claim is None and message.provider_ref == ""
    # The first retry waits RETRY_SECONDS (60 s), give or take a fifth.
    assert message.next_attempt_at > before + datetime.timedelta(seconds=47)
    assert message.error in {"HTTP 500", "HTTP 429", "TimeoutError", "URLError"}

    delivery.drain(None, threads=0)  # not due yet: nothing goes
    assert len(provider.requests) == 1

    make_due()
    delivery.drain(None, threads=0)

    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.SENT, 2)
    assert message.provider_ref == provider.requests[-1].ref
    assert len(provider.requests) == 2
    if answer == "timeout":
        # The provider took the first request after the adapter had given up on it: a timeout
        # cannot tell, so it is retried, and this message went twice.
        assert provider.accepted_per_address()["+593990000001"] == 2
    else:
        assert provider.accepted_per_address()["+593990000001"] == 1


def test_a_message_fails_after_the_last_attempt_with_growing_waits(gateway, org_a, settings):
    settings.AMPARO_MESSAGING_MAX_ATTEMPTS = 3
    provider = gateway("twilio", "sms")
    provider.script = [500, 500, 500]
    (message,) = queue(org_a, "sms", ["+593990000001"])
    waits = []

    for _ in range(3):
        start = timezone.now()
        delivery.drain(None, threads=0)
        message.refresh_from_db()
        if message.state == Message.State.QUEUED:
            waits.append((message.next_attempt_at - start).total_seconds())
        make_due()

    assert (message.state, message.attempts, message.error) == (
        Message.State.FAILED,
        3,
        "HTTP 500",
    )
    assert 47 < waits[0] < 73 and 95 < waits[1] < 145  # 60 s, then 120 s, give or take a fifth
    assert len(provider.requests) == 3 and not provider.accepted
    delivery.drain(None, threads=0)
    assert len(provider.requests) == 3  # failed is final


@pytest.mark.parametrize("kind", ["twilio", "rapidpro"])
def test_a_bad_request_or_bad_credentials_fail_at_once(gateway, kind, org_a):
    provider = gateway(kind, "sms")
    provider.script = [400]
    refused, _ = queue(org_a, "sms", ["+5939", "+593990000002"])
    delivery.drain(None, threads=0)
    gateway(kind, "whatsapp", token="wrong", account=ACCOUNT)
    (unauthorized,) = queue(org_a, "whatsapp", ["+593990000003"])

    delivery.drain(None, threads=0)
    make_due()
    delivery.drain(None, threads=0)

    refused.refresh_from_db()
    unauthorized.refresh_from_db()
    assert (refused.state, refused.attempts, refused.error) == (
        Message.State.FAILED,
        1,
        "HTTP 400: refused",
    )
    assert (unauthorized.state, unauthorized.attempts, unauthorized.error) == (
        Message.State.FAILED,
        1,
        "HTTP 401: Authenticate",
    )
    assert [r.answered for r in provider.requests] == [400, 201]  # the 401 is not recorded
    assert Message.objects.filter(state=Message.State.SENT).count() == 1


@pytest.mark.parametrize("kind", ["twilio", "rapidpro"])
def test_a_flaky_provider_loses_nothing_and_takes_nothing_twice(gateway, kind, org_a, settings):
    settings.AMPARO_MESSAGING_MAX_ATTEMPTS = 3
    provider = gateway(kind, "sms")
    provider.failure_rate = 0.5
    addresses = [f"+5939900{n:05d}" for n in range(40)]
    queue(org_a, "sms", addresses)

    for _ in range(5):
        delivery.drain(None, threads=0)
        make_due()

    rows = list(Message.objects.all())
    accepted = provider.accepted_per_address()
    sent = [m for m in rows if m.state == Message.State.SENT]
    failed = [m for m in rows if m.state == Message.State.FAILED]
    assert len(sent) + len(failed) == 40  # every message ended one way or the other
    assert sent and failed  # the seeded provider refuses some three times in a row
    assert all(m.attempts == 3 and m.error == "HTTP 500" for m in failed)
    refs = {r.ref: r for r in provider.accepted}
    for message in sent:
        assert accepted[message.address] == 1
        assert refs[message.provider_ref].to == message.address
    assert not any(accepted[m.address] for m in failed)
    assert sum(accepted.values()) == len(sent)
    assert len(provider.requests) == sum(m.attempts for m in rows)  # each attempt one request


def test_a_channel_that_cannot_be_opened_sends_nothing_and_is_retried_not_left_sending(
    gateway, org_a, settings
):
    # Before, the channel was built after the message was marked sending: a misconfigured
    # provider raised out of the drain and left the message sending, then "unknown".
    settings.AMPARO_MESSAGING_MAX_ATTEMPTS = 2
    provider = gateway("twilio", "sms")
    settings.MESSAGING_CHANNELS = {**settings.MESSAGING_CHANNELS, "sms": {"provider": "twillio"}}
    (message,) = queue(org_a, "sms", ["+593990000001"])

    delivery.drain(None, threads=0)

    message.refresh_from_db()
    assert (message.state, message.attempts, message.error) == (
        Message.State.QUEUED,
        1,
        "channel: KeyError",
    )
    make_due()
    delivery.drain(None, threads=0)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.FAILED, 2)
    assert provider.requests == []
