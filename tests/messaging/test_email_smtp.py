"""E-mail through the real engine and Django's SMTP backend, to a real SMTP server (aiosmtpd)
the test starts on 127.0.0.1: what arrives, a refused recipient, a server that is down."""

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from amparo.messaging import actions, delivery, optout_links, rendering, tasks
from amparo.messaging.models import Campaign, Message
from amparo.registry.models import Individual

pytestmark = pytest.mark.django_db

REFUSED = "nadie@example.org"


class Mailbox:
    """The SMTP server's side: refuses REFUSED with 550, keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> EmailMessage:
        (message,) = [m for rcpt, m in self.received if rcpt == [address]]
        return message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """`start()` runs the server on a port the e-mail channel already points at."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.AMPARO_PUBLIC_URL = "https://amparo.example.org"
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.AMPARO_MESSAGING_TIMEOUT = 5
    settings.AMPARO_MESSAGING_RATE = 0
    settings.MESSAGING_CHANNELS = {**settings.MESSAGING_CHANNELS, "email": {"provider": "smtp"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    mailbox = Mailbox()
    controllers = []

    def start() -> Mailbox:
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return mailbox

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def email_template(messenger):
    return actions.save_template(
        actor=messenger,
        name="Taller",
        channel="email",
        subject_es="Taller de derechos, {first_name}",
        subject_en="Rights workshop, {first_name}",
        body_es="Hola {first_name}: le esperamos en {office}.",
        body_en="Hello {first_name}: we expect you at {office}.",
    )


def queue(org, addresses: list[str]) -> list[Message]:
    now = timezone.now()
    return [
        Message.objects.create(
            organization=org,
            channel="email",
            address=address,
            subject="Su cita",
            body="Su cita es el lunes a las 9:00.",
            next_attempt_at=now,
        )
        for address in addresses
    ]


def plain(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    return text.replace("\r\n", "\n")  # SMTP carries lines ended by CRLF


def test_a_campaign_email_arrives_in_each_persons_language_with_one_click_unsubscribe(
    smtp, messenger, people, email_template
):
    mailbox = smtp()
    campaign = actions.create_campaign(
        actor=messenger, name="Taller", template=email_template, filters={}
    )
    # Written as prepare_campaign would, with addresses given here: the registry has no
    # e-mail field on this branch (test_a_campaign_scheduled_by_email_... covers that path).
    Campaign.objects.filter(pk=campaign.pk).update(state=Campaign.State.SENDING)
    for person in people[:3]:
        Message.objects.create(
            organization=campaign.organization,
            office=person.household.office,
            campaign=campaign,
            individual=person,
            channel="email",
            address=f"{person.given_names.split()[0].lower()}@example.org",
            language=rendering.language_for(person.languages),
            next_attempt_at=timezone.now(),
        )

    delivery.drain(campaign.pk, threads=0)

    assert delivery.finish_if_done(campaign.pk)
    assert sorted(m.state for m in Message.objects.all()) == ["sent"] * 3
    assert sorted(r for rcpt, _ in mailbox.received for r in rcpt) == [
        "ana@example.org",
        "bruno@example.org",
        "carla@example.org",
    ]
    ana, bruno = mailbox.to("ana@example.org"), mailbox.to("bruno@example.org")
    assert ana["Subject"] == "Taller de derechos, Ana"
    assert bruno["Subject"] == "Rights workshop, Bruno"
    assert plain(ana).startswith("Hola Ana: le esperamos en Oficina A1.\n")
    assert plain(bruno).startswith("Hello Bruno: we expect you at Oficina A1.\n")
    for address, received in (("ana@example.org", ana), ("bruno@example.org", bruno)):
        # The signed link (it carries a time stamp): the same in the header and the text.
        header = received["List-Unsubscribe"].strip()
        link = header.removeprefix("<").removesuffix(">")
        assert header == f"<{link}>"
        assert link.startswith("https://amparo.example.org/messaging/optout/")
        assert optout_links.read(link.rstrip("/").rsplit("/", 1)[-1]) == ("email", address)
        assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert plain(received).endswith(f" {link}\n")
        message = Message.objects.get(address=address)
        assert received["X-Amparo-Message"] == str(message.uuid)
    assert "\n--\nPara no recibir más estos mensajes: http" in plain(ana)
    assert "To receive no more of these messages:" in plain(bruno)


def test_a_refused_recipient_fails_and_the_others_are_sent(smtp, org_a):
    mailbox = smtp()
    first, refused, last = queue(org_a, ["ana@example.org", REFUSED, "carla@example.org"])

    delivery.drain(None, threads=0)

    for message in (first, refused, last):
        message.refresh_from_db()
    assert (first.state, last.state) == (Message.State.SENT, Message.State.SENT)
    assert (refused.state, refused.attempts, refused.error) == (
        Message.State.FAILED,
        1,
        "SMTP 550",
    )
    assert [rcpt for rcpt, _ in mailbox.received] == [["ana@example.org"], ["carla@example.org"]]
    received = mailbox.to("ana@example.org")
    assert (received["Subject"], plain(received)) == (
        "Su cita",
        "Su cita es el lunes a las 9:00.\n",
    )
    assert received["List-Unsubscribe"] is None  # a single message to one person is no campaign


def test_a_server_that_is_down_is_tried_again_later(smtp, org_a):
    (message,) = queue(org_a, ["ana@example.org"])
    before = timezone.now()

    delivery.drain(None, threads=0)  # nothing listens on the port yet

    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.QUEUED, 1)
    assert message.error == "ConnectionRefusedError"
    assert message.next_attempt_at > before + timezone.timedelta(seconds=47)

    mailbox = smtp()
    Message.objects.update(next_attempt_at=timezone.now())
    delivery.drain(None, threads=0)

    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.SENT, 2)
    assert [rcpt for rcpt, _ in mailbox.received] == [["ana@example.org"]]


HAS_EMAIL = any(f.name == "email" for f in Individual._meta.get_fields())


@pytest.mark.skipif(not HAS_EMAIL, reason="the registry has no e-mail address yet")
def test_a_campaign_scheduled_by_email_reaches_each_person_with_an_address(
    smtp, messenger, people, email_template
):
    mailbox = smtp()
    for person in people:
        address = f"{person.given_names.split()[0].lower()}@example.org"
        Individual.objects.filter(pk=person.pk).update(email=address)
    campaign = actions.create_campaign(
        actor=messenger, name="Taller", template=email_template, filters={}
    )
    actions.schedule_campaign(actor=messenger, campaign=campaign)
    tasks.prepare_campaign.call(campaign.pk)

    delivery.drain(campaign.pk, threads=0)

    assert delivery.finish_if_done(campaign.pk)
    assert sorted(r for rcpt, _ in mailbox.received for r in rcpt) == [
        "ana@example.org",
        "bruno@example.org",
        "carla@example.org",  # Diego gave no consent to be contacted
    ]
    assert mailbox.to("bruno@example.org")["Subject"] == "Rights workshop, Bruno"
