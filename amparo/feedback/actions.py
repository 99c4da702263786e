"""Every write of feedback: receiving an entry (public page or staff), handling it.

Each action runs in one transaction, refuses bad input with `ActionError` in the user's
language, and leaves an audit event; events about sensitive entries are read by the ethics
focal points alone (`FeedbackEntry.audit_audience`).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amparo.core import access, audit, references
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Office, Organization, User
from amparo.feedback import queries, tracking
from amparo.feedback.models import (
    DEFAULT_DAYS,
    SENSITIVE,
    Category,
    Channel,
    FeedbackEntry,
    FeedbackNote,
    Priority,
    ResponseDeadline,
    Satisfaction,
    Status,
)
from amparo.registry.models import Individual

MAX_TEXT = 5000
MAX_CONTACT = 300
MAX_NOTE = 5000
MAX_REPLY = 2000
# Replies to our SMS and WhatsApp messages arrive without an actor, through the gateway's
# webhook (`amparo.messaging.actions.inbound`).
GATEWAY_CHANNELS = (Channel.SMS, Channel.WHATSAPP)


def due_date(organization_id: int, category: str, received: datetime.date) -> datetime.date:
    """The day an answer is due: the organization's own days for the category, else Amparo's."""
    own = (
        ResponseDeadline.objects.filter(organization_id=organization_id, category=category)
        .values_list("days", flat=True)
        .first()
    )
    return received + datetime.timedelta(days=own or DEFAULT_DAYS[Category(category)])


@transaction.atomic
def receive_feedback(
    *,
    organization: Organization,
    category: str,
    text: str,
    contact: str = "",
    office: Office | None = None,
    channel: str = Channel.WEB,
    actor: User | None = None,
    individual: Individual | None = None,
    received_at: datetime.datetime | None = None,
    request=None,
) -> tuple[FeedbackEntry, str]:
    """Register one piece of feedback; answer the entry and its tracking code (given to the
    person once: only its digest is kept).

    Without `actor` it came through the public page (channel web) or, as a reply to one of
    our messages, through an SMS or WhatsApp gateway's webhook. With one, a staff member
    records what arrived through another channel: it needs `feedback.record` (or
    `feedback.view`), an office of the actor's organization in their scope, and optionally the
    registered person it is about (fetched through the registry's scoped queries). A recorder
    may record a sensitive category and then no longer see it. Side effects: audit
    `feedback.entry.received` (no content).
    """
    errors = Errors()
    if actor is not None:
        if not access.can_any(actor, queries.RECORDERS):
            raise ActionError.general(_("You may not record feedback."))
        if actor.organization_id != organization.pk:
            raise ActionError.general(_("You may not record feedback."))
        if channel == Channel.WEB:
            errors.add("channel", _("Choose the channel it arrived through."))
        if office is None:
            errors.add("office", _("Choose the office that received it."))
        elif actor.office_bound and office.pk != actor.office_id:
            errors.add("office", _("Choose your own office."))
    elif channel not in GATEWAY_CHANNELS and channel != Channel.WEB:
        raise ValueError("feedback without an actor comes from the public page or a gateway")
    if category not in Category.values:
        errors.add("category", _("Choose what the message is about."))
    if channel not in Channel.values:
        errors.add("channel", _("Choose the channel it arrived through."))
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Write the message."))
    elif len(text) > MAX_TEXT:
        errors.add("text", _("Keep the message under %(n)d characters.") % {"n": MAX_TEXT})
    contact = (contact or "").strip()
    if len(contact) > MAX_CONTACT:
        errors.add(
            "contact", _("Keep the contact details under %(n)d characters.") % {"n": MAX_CONTACT}
        )
    if office is not None and (office.organization_id != organization.pk or not office.is_active):
        errors.add("office", _("Choose one of the organization's offices."))
    if individual is not None and individual.organization_id != organization.pk:
        errors.add("individual", _("Choose a person registered by the organization."))
    errors.raise_if_any()

    received_at = received_at or timezone.now()
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ActionError.on("received_at", _("The date it was received is in the future."))
    code = tracking.new_code()
    (reference,) = references.office_year(
        organization_id=organization.pk,
        lead="F",
        office_code=office.code if office is not None else "WEB",
        year=timezone.localdate(received_at).year,
        digits=5,
    )
    entry = FeedbackEntry.objects.create(
        organization=organization,
        office=office,
        reference=reference,
        tracking_digest=tracking.digest(code),
        category=category,
        sensitive=category in SENSITIVE,
        channel=channel,
        text=text,
        contact=contact,
        language=translation.get_language() or "",
        individual=individual,
        due_on=due_date(organization.pk, category, timezone.localdate(received_at)),
        received_at=received_at,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="feedback.entry.received",
        target=entry,
        request=request,
        organization_id=organization.pk,
        actor_username="" if actor else ("public" if channel == Channel.WEB else "gateway"),
        details={"channel": channel},
    )
    return entry, code


def _require_handler(actor: User, entry: FeedbackEntry) -> None:
    """The actor may handle `entry` (the caller fetched it through `queries.get_entry_for`;
    checked again so that an action never trusts its caller)."""
    if not queries.entries_visible_to(actor).filter(pk=entry.pk).exists():
        raise ActionError.general(_("You may not handle this entry."))


@transaction.atomic
def update_entry(
    *,
    actor: User,
    entry: FeedbackEntry,
    category: str | None = None,
    priority: str | None = None,
    request=None,
) -> FeedbackEntry:
    """Change the category or priority. A new category moves the due date (counted from the
    day it was received) and may make the entry sensitive: from then on only the ethics focal
    points see it. Only they may make a sensitive entry ordinary. Audit `feedback.entry.changed`."""
    _require_handler(actor, entry)
    errors = Errors()
    changed = []
    if category is not None and category != entry.category:
        if category not in Category.values:
            errors.add("category", _("Choose what the message is about."))
        elif entry.sensitive and category not in SENSITIVE and not queries.reads_sensitive(actor):
            errors.add("category", _("Only an ethics focal point may change this category."))
        changed.append("category")
    if priority is not None and priority != entry.priority:
        if priority not in Priority.values:
            errors.add("priority", _("Choose a priority."))
        changed.append("priority")
    errors.raise_if_any()
    if not changed:
        return entry
    if "category" in changed:
        # Audit the change while the entry is still what the actor was allowed to see.
        entry.category = category  # type: ignore[assignment]
        entry.sensitive = category in SENSITIVE
        entry.due_on = due_date(
            entry.organization_id, entry.category, timezone.localdate(entry.received_at)
        )
        changed += ["sensitive", "due_on"]
    if "priority" in changed:
        entry.priority = priority  # type: ignore[assignment]
    entry.save(update_fields=[*changed, "updated_at"])
    audit.record(
        actor=actor, action="feedback.entry.changed", target=entry, request=request, fields=changed
    )
    return entry


@transaction.atomic
def assign_entry(
    *, actor: User, entry: FeedbackEntry, assignee: User | None, request=None
) -> FeedbackEntry:
    """Give the entry to a colleague who may see it (or to nobody). Audit
    `feedback.entry.assigned`."""
    _require_handler(actor, entry)
    if (
        assignee is not None
        and not queries.entries_visible_to(assignee).filter(pk=entry.pk).exists()
    ):
        raise ActionError.on("assigned_to", _("Choose a colleague who may see this entry."))
    entry.assigned_to = assignee
    if assignee is not None and entry.status == Status.RECEIVED:
        entry.status = Status.IN_PROGRESS
    entry.save(update_fields=["assigned_to", "status", "updated_at"])
    audit.record(
        actor=actor,
        action="feedback.entry.assigned",
        target=entry,
        request=request,
        fields=["assigned_to"],
    )
    return entry


@transaction.atomic
def add_note(*, actor: User, entry: FeedbackEntry, text: str, request=None) -> FeedbackNote:
    """An internal note (encrypted, never on the public page). Audit `feedback.note.added`."""
    _require_handler(actor, entry)
    text = (text or "").strip()
    if not text:
        raise ActionError.on("text", _("Write the note."))
    if len(text) > MAX_NOTE:
        raise ActionError.on("text", _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE})
    note = FeedbackNote.objects.create(entry=entry, author=actor, text=text)
    audit.record(actor=actor, action="feedback.note.added", target=note, request=request)
    return note


@transaction.atomic
def reply(*, actor: User, entry: FeedbackEntry, text: str, request=None) -> FeedbackEntry:
    """The public reply: what the person reads with their tracking code (replaces an earlier
    one). Audit `feedback.entry.replied`."""
    _require_handler(actor, entry)
    if entry.status == Status.CLOSED:
        raise ActionError.general(_("This entry is closed."))
    text = (text or "").strip()
    if not text:
        raise ActionError.on("public_reply", _("Write the reply."))
    if len(text) > MAX_REPLY:
        raise ActionError.on(
            "public_reply", _("Keep the reply under %(n)d characters.") % {"n": MAX_REPLY}
        )
    entry.public_reply = text
    entry.replied_at = timezone.now()
    if entry.status == Status.RECEIVED:
        entry.status = Status.IN_PROGRESS
    entry.save(update_fields=["public_reply", "replied_at", "status", "updated_at"])
    audit.record(
        actor=actor,
        action="feedback.entry.replied",
        target=entry,
        request=request,
        fields=["public_reply"],
    )
    return entry


@transaction.atomic
def close_entry(
    *, actor: User, entry: FeedbackEntry, satisfaction: str, request=None
) -> FeedbackEntry:
    """Close the entry, saying whether the person was satisfied (or that nobody could ask).
    Audit `feedback.entry.closed`."""
    _require_handler(actor, entry)
    if entry.status == Status.CLOSED:
        raise ActionError.general(_("This entry is already closed."))
    if satisfaction not in Satisfaction.values:
        raise ActionError.on("satisfaction", _("Say whether the person was satisfied."))
    entry.status = Status.CLOSED
    entry.satisfaction = satisfaction
    entry.closed_at = timezone.now()
    entry.closed_by = actor
    entry.save(update_fields=["status", "satisfaction", "closed_at", "closed_by", "updated_at"])
    audit.record(
        actor=actor,
        action="feedback.entry.closed",
        target=entry,
        request=request,
        fields=["status", "satisfaction"],
    )
    return entry
