"""The worker's side of campaigns (django-tasks): prepare the messages, then drain them.

Queued with `transaction.on_commit` by the actions; `delivery.resume` queues them again when a
worker starts after another died. Both are safe to run twice at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from amparo.messaging import delivery, rendering
from amparo.messaging.models import Campaign, Message
from amparo.messaging.queries import ADDRESS_FIELD, recipients

CHUNK = 2000


def _deferrable() -> bool:
    return drain_messages.get_backend().supports_defer


def enqueue_drain(campaign_id: int | None, *, at: datetime | None = None) -> None:
    if at is not None and _deferrable():
        drain_messages.using(run_after=at).enqueue(campaign_id)
    else:
        drain_messages.enqueue(campaign_id)


def enqueue_prepare(campaign_id: int, *, at: datetime | None = None) -> None:
    if at is not None and at > timezone.now() and _deferrable():
        prepare_campaign.using(run_after=at).enqueue(campaign_id)
    else:
        prepare_campaign.enqueue(campaign_id)


@task()
def prepare_campaign(campaign_id: int) -> int:
    """Write one queued message per recipient (again safely: a person once per campaign),
    mark the campaign sending and start its drains. Returns the number of recipients."""
    campaign = Campaign.objects.select_related("template").filter(pk=campaign_id).first()
    if campaign is None or campaign.state != Campaign.State.SCHEDULED:
        return 0
    now = timezone.now()
    if campaign.send_at and campaign.send_at > now + timedelta(seconds=1):
        enqueue_prepare(campaign_id, at=campaign.send_at)  # woken too early
        return 0
    channel = campaign.template.channel
    field = ADDRESS_FIELD[channel]
    people = recipients(campaign.organization_id, campaign.filters, channel).values_list(
        "id", "household__office_id", field, "languages"
    )
    batch: list[Message] = []
    for person_id, office_id, address, languages in people.iterator(chunk_size=CHUNK):
        batch.append(
            Message(
                organization_id=campaign.organization_id,
                office_id=office_id,
                campaign_id=campaign_id,
                individual_id=person_id,
                channel=channel,
                address=address,
                language=rendering.language_for(languages),
                next_attempt_at=now,
            )
        )
        if len(batch) >= CHUNK:
            Message.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Message.objects.bulk_create(batch, ignore_conflicts=True)
    with transaction.atomic():
        count = campaign.messages.count()
        started = Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SCHEDULED).update(
            state=Campaign.State.SENDING, started_at=now, recipients=count
        )
    if started:
        for _ in range(max(1, settings.AMPARO_MESSAGING_WORKERS)):
            enqueue_drain(campaign_id)
        if not count:
            delivery.finish_if_done(campaign_id)
    return count


@task()
def drain_messages(campaign_id: int | None) -> str:
    """Send a slice of what is due; queue the continuation, or the next retry, or finish."""
    if (
        campaign_id is not None
        and not Campaign.objects.filter(pk=campaign_id, state=Campaign.State.SENDING).exists()
    ):
        return "not sending"
    if not _deferrable():
        # Immediate backend (tests, development): no continuation can wait, so send it all.
        while delivery.drain(campaign_id, threads=0):
            pass
    elif delivery.drain(campaign_id):
        enqueue_drain(campaign_id)
        return "continues"
    if campaign_id is not None and delivery.finish_if_done(campaign_id):
        return "finished"
    at = delivery.next_due(campaign_id)
    if at is not None and _deferrable():
        enqueue_drain(campaign_id, at=max(at, timezone.now()) + timedelta(seconds=1))
        return "waits"
    return "done"
