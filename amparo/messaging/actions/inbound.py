"""What the gateways tell us through the webhooks (`hooks_api`): delivery reports and replies.

No person acts here: the webhook proved it is the gateway (`webhooks.authentic`).

- `settle_status`: a delivery report moves a message forward (sent → delivered or failed; an
  `unknown` one is settled), never backwards. Like the worker's writes (`delivery.py`) it
  leaves no audit event: one per message would bury the log.
- `receive_reply`: a reply is kept (`InboundMessage`, text encrypted, once per provider
  reference) and becomes an opt-out (the whole text is a word like STOP, ALTO, BAJA) or a
  feedback entry of category `question` (audited by `messaging.optout.recorded` and
  `feedback.entry.received`, with `gateway` as the actor).

The organization of a reply is that of the latest message we sent to the address on the
channel, else `settings.AMPARO_INBOUND_ORGANIZATION`. With neither, an opt-out is still
recorded (opt-outs belong to no organization) but anything else is not kept: it is logged
without its text, and the webhook answers 202.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.feedback import actions as feedback_actions
from amparo.feedback.models import Category
from amparo.messaging import queries
from amparo.messaging.actions.campaigns import opt_out
from amparo.messaging.models import Channel, InboundMessage, Message, OptOut

logger = logging.getLogger(__name__)

MAX_TEXT = feedback_actions.MAX_TEXT

# A whole reply that is one of these (any case, accents or punctuation) stops the messages.
OPT_OUT_WORDS = frozenset(
    {
        "stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "alto",
        "baja",
        "de baja",
        "darme de baja",
        "dar de baja",
        "parar",
        "para",
        "cancelar",
        "salir",
        "no mas",
        "no mas mensajes",
        "detener",
    }
)

# What a gateway's report means for a message, by the gateway's word.
REPORTED = {
    # Twilio's MessageStatus
    "accepted": Message.State.SENT,
    "scheduled": Message.State.SENT,
    "queued": Message.State.SENT,
    "sending": Message.State.SENT,
    "sent": Message.State.SENT,
    "delivered": Message.State.DELIVERED,
    "read": Message.State.DELIVERED,
    "undelivered": Message.State.FAILED,
    "failed": Message.State.FAILED,
    "canceled": Message.State.FAILED,
    # RapidPro's message status
    "wired": Message.State.SENT,
    "handled": Message.State.DELIVERED,
}

# The states a report may move a message out of, by the state it reports: never backwards.
# A queued or claimed message the gateway already has (a timeout hid its acceptance) is
# settled too, so that it is not sent a second time.
_FROM = {
    Message.State.SENT: (
        Message.State.QUEUED,
        Message.State.CLAIMED,
        Message.State.SENDING,
        Message.State.UNKNOWN,
    ),
    Message.State.DELIVERED: (
        Message.State.QUEUED,
        Message.State.CLAIMED,
        Message.State.SENDING,
        Message.State.UNKNOWN,
        Message.State.SENT,
        # A report of delivery is proof: a message we gave up on after timeouts was sent.
        Message.State.FAILED,
    ),
    Message.State.FAILED: (
        Message.State.SENDING,
        Message.State.UNKNOWN,
        Message.State.SENT,
    ),
}


def is_opt_out(text: str) -> bool:
    """Whether the whole reply is a word that asks for no more messages."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    plain = " ".join(re.sub(r"[\W_]+", " ", plain).split())
    return plain in OPT_OUT_WORDS


def plain_address(address: str) -> str:
    """The number without the gateway's scheme (`whatsapp:+593…`, `tel:+593…`)."""
    address = (address or "").strip()
    for scheme in ("whatsapp:", "tel:"):
        if address.lower().startswith(scheme):
            address = address[len(scheme) :]
    address = address.strip()
    if address and address[0].isdigit():
        address = "+" + address  # RapidPro's WhatsApp URNs drop the plus
    return address


@transaction.atomic
def settle_status(
    *, channel: str, status: str, message_uuid: UUID | None = None, provider_ref: str = ""
) -> Message | None:
    """Apply a delivery report; the message it settled, or None when it names no message of
    ours or changes nothing (an unknown status, a step backwards)."""
    messages = Message.objects.select_for_update().filter(channel=channel)
    if message_uuid is not None:
        message = messages.filter(uuid=message_uuid).first()
    elif provider_ref:
        message = messages.filter(provider_ref=provider_ref).order_by("-id").first()
    else:
        message = None
    target = REPORTED.get((status or "").strip().lower())
    if message is None or target is None or message.state not in _FROM[target]:
        return None
    now = timezone.now()
    changes: dict = {"state": target, "claim": None, "lease_until": None}
    if target == Message.State.FAILED:
        changes["error"] = f"the gateway reported: {status.strip().lower()}"[:300]
    else:
        changes["error"] = ""
        changes["sent_at"] = message.sent_at or now
        if not message.body_kept:
            changes["body"] = ""
    if target == Message.State.DELIVERED:
        changes["delivered_at"] = now
    if provider_ref and not message.provider_ref:
        changes["provider_ref"] = provider_ref[:100]
    Message.objects.filter(pk=message.pk).update(**changes)
    message.refresh_from_db()
    return message


@dataclass(frozen=True)
class Reply:
    inbound: InboundMessage | None  # None: no organization to keep it under
    opted_out: bool
    created: bool  # False: the gateway sent this one before


def receive_reply(*, channel: str, address: str, text: str, provider_ref: str = "") -> Reply:
    """Keep a reply and act on it (see the module's docstring). A reply the gateway sends
    again (same provider reference) changes nothing."""
    if channel not in (Channel.SMS, Channel.WHATSAPP):
        raise ValueError(_("Replies are not taken on this channel."))
    address = plain_address(address)[:254]
    provider_ref = (provider_ref or "")[:100]
    text = (text or "").strip()[:MAX_TEXT]
    if not address:
        raise ValueError(_("A reply must name its sender."))
    if provider_ref:
        earlier = InboundMessage.objects.filter(channel=channel, provider_ref=provider_ref).first()
        if earlier is not None:
            return Reply(earlier, earlier.opted_out, created=False)
    try:
        with transaction.atomic():
            return _receive(channel, address, text, provider_ref)
    except IntegrityError:
        # The same reply, delivered twice at once: the other request kept it.
        earlier = InboundMessage.objects.filter(channel=channel, provider_ref=provider_ref).first()
        if earlier is None or not provider_ref:
            raise
        return Reply(earlier, earlier.opted_out, created=False)


def _receive(channel: str, address: str, text: str, provider_ref: str) -> Reply:
    stopping = is_opt_out(text)
    organization = queries.organization_for_reply(channel, address)
    if stopping:
        opt_out(channel=channel, address=address, source=OptOut.Source.REPLY)
    if organization is None:
        logger.warning(
            "a %s reply from an address we never wrote to, and no AMPARO_INBOUND_ORGANIZATION: %s",
            channel,
            "opted out" if stopping else "not kept",
        )
        return Reply(None, stopping, created=True)
    inbound = InboundMessage.objects.create(
        organization=organization,
        channel=channel,
        address=address,
        text=text,
        provider_ref=provider_ref,
        opted_out=stopping,
    )
    if not stopping and text:
        entry, _code = feedback_actions.receive_feedback(
            organization=organization,
            category=Category.QUESTION,
            text=text,
            contact=address,
            channel=channel,
            individual=queries.person_with_phone(organization, address),
        )
        inbound.feedback_entry_uuid = entry.uuid
        inbound.save(update_fields=["feedback_entry_uuid"])
    return Reply(inbound, stopping, created=True)
