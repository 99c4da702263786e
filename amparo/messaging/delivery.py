"""Sending, in the background worker: claim, send, record — one message row at a time.

A message goes queued → claimed → sending → sent (→ delivered by a status callback), or back to
queued with a later `next_attempt_at` after a temporary failure, or failed. Workers claim due
messages with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite has one writer anyway), so
any number of workers on any number of machines share a campaign without taking the same row.

Nothing is lost and nothing is sent twice when a worker dies:
- a *claimed* message whose lease ran out was never handed to the provider: it is queued again;
- a message left *sending* was perhaps handed over: it becomes *unknown* and is not sent again
  by itself (the provider's status callback may still settle it). Only the messages in the
  provider's hands at the moment of death can end so — a worker's threads' worth at most.

A drain runs for at most `SLICE_SECONDS` and queues its continuation, so a long campaign
never holds a worker away from other jobs (imports) for long.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, F, Min, OuterRef, Q
from django.utils import timezone

from amparo.messaging import channels, optout_links, queries, rendering
from amparo.messaging.channels.base import Channel
from amparo.messaging.models import Campaign, Message

logger = logging.getLogger(__name__)
SLICE_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
HELD = (Message.State.CLAIMED, Message.State.SENDING)


class Pace:
    """At most `rate` messages a second from this worker, shared by its threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            at = max(self.next_at, now)
            self.next_at = at + self.interval
        if at > now:
            time.sleep(at - now)


def due(campaign_id: int | None) -> Q:
    return Q(campaign__isnull=True) if campaign_id is None else Q(campaign_id=campaign_id)


def claim(campaign_id: int | None, size: int) -> list[Message]:
    """Take up to `size` due messages for this worker (a lease of `LEASE_SECONDS`)."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        # In the order of the `message_due` index, so that the first rows are read from it:
        # ordering by `id` too made PostgreSQL sort every queued row of the campaign at each
        # claim (bench/messaging.py: 200 ms for 87,000 queued messages, 0.3 ms without it).
        ready = Message.objects.filter(
            due(campaign_id), state=Message.State.QUEUED, next_attempt_at__lte=now
        ).order_by("campaign_id", "next_attempt_at")
        ids = list(ready.select_for_update(skip_locked=True).values_list("id", flat=True)[:size])
        if not ids:
            return []
        Message.objects.filter(id__in=ids, state=Message.State.QUEUED).update(
            state=Message.State.CLAIMED,
            claim=token,
            lease_until=now + timedelta(seconds=settings.AMPARO_MESSAGING_LEASE_SECONDS),
        )
        # A campaign message whose address opted out since the campaign was prepared is not
        # sent: checked here for the whole batch, in one statement, rather than once per message
        # (bench/messaging.py: a quarter of the sending threads' round trips to PostgreSQL).
        Message.objects.filter(
            claim=token,
            state=Message.State.CLAIMED,
            campaign__isnull=False,
        ).filter(Exists(queries.opt_outs(OuterRef("channel"), OuterRef("address")))).update(
            state=Message.State.CANCELLED, claim=None, lease_until=None, error="opted out"
        )
    return list(
        Message.objects.filter(claim=token, state=Message.State.CLAIMED)
        .select_related("individual", "office", "campaign__template")
        .order_by("id")
    )


def release_expired(campaign_id: int | None = None, *, everywhere: bool = False) -> tuple[int, int]:
    """Messages held by a worker that died: claimed ones queue again, sending ones become
    unknown. Returns (queued again, unknown)."""
    now = timezone.now()
    held = Message.objects.filter(lease_until__lt=now)
    if not everywhere:
        held = held.filter(due(campaign_id))
    again = held.filter(state=Message.State.CLAIMED).update(
        state=Message.State.QUEUED, claim=None, lease_until=None, next_attempt_at=now
    )
    unknown = held.filter(state=Message.State.SENDING).update(
        state=Message.State.UNKNOWN,
        claim=None,
        lease_until=None,
        error="the worker stopped while the provider was being called",
    )
    return again, unknown


def send_one(message: Message, open_channels: dict[str, Channel], pace: Pace) -> None:
    mine = Message.objects.filter(pk=message.pk, claim=message.claim)
    outgoing = _outgoing(message)
    channel = open_channels.get(message.channel)
    if channel is None:
        try:
            channel = open_channels[message.channel] = channels.build(message.channel)
        except Exception as exc:  # noqa: BLE001 — a misconfigured channel: nothing was sent
            logger.exception("opening the %s channel", message.channel)
            claimed = mine.filter(state=Message.State.CLAIMED)
            claimed.update(attempts=F("attempts") + 1)
            _retry_or_fail(claimed, message.attempts + 1, f"channel: {type(exc).__name__}")
            return
    pace.wait()
    if not mine.filter(state=Message.State.CLAIMED).update(
        state=Message.State.SENDING, attempts=F("attempts") + 1
    ):
        return  # the lease ran out and someone else has it now
    sending = mine.filter(state=Message.State.SENDING)
    try:
        reference = channel.send(outgoing)
    except channels.PermanentFailure as exc:
        sending.update(state=Message.State.FAILED, claim=None, error=str(exc)[:300])
    except Exception as exc:  # noqa: BLE001 — any other trouble is worth another attempt
        if not isinstance(exc, channels.TemporaryFailure):
            logger.exception("sending message %s", message.uuid)
        _retry_or_fail(sending, message.attempts + 1, str(exc) or type(exc).__name__)
    else:
        done: dict = {"state": Message.State.SENT, "claim": None, "sent_at": timezone.now()}
        if reference:
            done["provider_ref"] = reference
        if not message.body_kept:
            done["body"] = ""
        sending.update(**done)


def _retry_or_fail(sending, attempts: int, error: str) -> None:
    if attempts >= settings.AMPARO_MESSAGING_MAX_ATTEMPTS:
        sending.update(state=Message.State.FAILED, claim=None, error=error[:300])
        return
    delay = min(settings.AMPARO_MESSAGING_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    delay *= random.uniform(0.8, 1.2)  # noqa: S311 — spreads retries, not a secret
    sending.update(
        state=Message.State.QUEUED,
        claim=None,
        lease_until=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        error=error[:300],
    )


def _outgoing(message: Message) -> channels.Outgoing:
    headers: dict[str, str] = {}
    subject, body = message.subject, message.body
    if message.campaign is not None:
        template = message.campaign.template
        english = message.language == "en" and template.body_en
        values = rendering.Values(
            first_name=rendering.first_name(message.individual.given_names)
            if message.individual
            else "",
            office=message.office.name if message.office else "",
        )
        body = rendering.render(
            template.body_en if english else template.body_es, values, message.language
        )
        subject = rendering.render(
            (template.subject_en if english else template.subject_es) or "",
            values,
            message.language,
        )
    if message.channel == "email" and message.campaign_id:
        link = optout_links.url_for(message.channel, message.address)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        body = f"{body}\n\n--\n{optout_links.footer(message.language)} {link}"
    return channels.Outgoing(
        address=message.address,
        body=body,
        subject=subject,
        reference=message.uuid,
        headers=headers,
    )


def drain(
    campaign_id: int | None, *, threads: int | None = None, slice_seconds: float | None = None
) -> bool:
    """Send what is due, from `threads` threads, for up to `slice_seconds`. True when the
    slice ran out with work left (the caller queues a continuation)."""
    release_expired(campaign_id)
    threads = settings.AMPARO_MESSAGING_THREADS if threads is None else threads
    deadline = time.monotonic() + (SLICE_SECONDS if slice_seconds is None else slice_seconds)
    pace = Pace(settings.AMPARO_MESSAGING_RATE)
    size = max(1, settings.AMPARO_MESSAGING_BATCH // max(threads, 1))
    more = threading.Event()

    def work(own_connection: bool) -> None:
        open_channels: dict[str, Channel] = {}
        try:
            while True:
                if time.monotonic() > deadline:
                    more.set()
                    return
                batch = claim(campaign_id, size)
                if not batch:
                    return
                for message in batch:
                    send_one(message, open_channels, pace)
        finally:
            for channel in open_channels.values():
                channel.close()
            if own_connection:
                connection.close()

    if threads <= 0:
        work(own_connection=False)
    else:
        workers = [threading.Thread(target=work, args=(True,)) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        close_old_connections()
    return more.is_set()


def next_due(campaign_id: int | None) -> datetime | None:
    """When the next queued message of the campaign falls due, or a held one's lease ends."""
    scope = Message.objects.filter(due(campaign_id))
    queued = scope.filter(state=Message.State.QUEUED).aggregate(at=Min("next_attempt_at"))["at"]
    held = scope.filter(state__in=HELD).aggregate(at=Min("lease_until"))["at"]
    times = [t for t in (queued, held) if t is not None]
    return min(times) if times else None


def finish_if_done(campaign_id: int) -> bool:
    left = Message.objects.filter(
        campaign_id=campaign_id, state__in=(Message.State.QUEUED, *HELD)
    ).exists()
    if left:
        return False
    return bool(
        Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SENDING).update(
            state=Campaign.State.FINISHED, finished_at=timezone.now()
        )
    )


def resume() -> None:
    """On a worker's start: take back what dead workers held, and queue the drains of every
    campaign still sending (and of single messages waiting)."""
    from amparo.messaging import tasks

    release_expired(everywhere=True)
    for campaign_id in _sending_campaigns():
        tasks.enqueue_drain(campaign_id)
    for campaign_id in Campaign.objects.filter(
        state=Campaign.State.SCHEDULED, send_at__lte=timezone.now()
    ).values_list("id", flat=True):
        tasks.enqueue_prepare(campaign_id)
    if Message.objects.filter(
        campaign__isnull=True, state__in=(Message.State.QUEUED, *HELD)
    ).exists():
        tasks.enqueue_drain(None)


def _sending_campaigns() -> Iterable[int]:
    return Campaign.objects.filter(state=Campaign.State.SENDING).values_list("id", flat=True)
