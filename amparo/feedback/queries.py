"""Every read of feedback, already scoped.

Who sees an entry: holders of `feedback.view` in its organization (its office for
office-bound roles; an entry from the public page without an office is seen organization-wide
only). Sensitive entries (fraud, sexual exploitation and abuse, staff misconduct): holders of
`feedback.psea` alone — the ethics focal points. These come from the user's role only: being a
superuser or an administrator grants neither. Everybody else gets 404, and learns from the
figures no more than anonymous counts.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from amparo.core import access
from amparo.core.models import User
from amparo.feedback import tracking
from amparo.feedback.models import FeedbackEntry, FeedbackNote, Status

READERS = ("feedback.view", "feedback.psea")
# Who may record feedback that arrived through another channel.
RECORDERS = ("feedback.record", *READERS)


def reads_sensitive(user: User) -> bool:
    return access.role_grants(user, "feedback.psea")


def entries_visible_to(user: User) -> QuerySet[FeedbackEntry]:
    """The entries `user` may see and handle (see the module's docstring)."""
    if not any(access.role_grants(user, p) for p in READERS) or user.organization_id is None:
        return FeedbackEntry.objects.none()
    qs = FeedbackEntry.objects.filter(organization_id=user.organization_id)
    if user.office_bound:
        qs = qs.filter(office_id=user.office_id) if user.office_id else qs.none()
    if not reads_sensitive(user):
        qs = qs.filter(sensitive=False)
    elif not access.role_grants(user, "feedback.view"):
        qs = qs.filter(sensitive=True)
    return qs.select_related("office", "assigned_to", "individual")


def get_entry_for(user: User, entry_id: UUID | str) -> FeedbackEntry:
    """One entry `user` may see; 404 when missing, out of scope or sensitive to them."""
    return access.get_visible(entries_visible_to(user), uuid=entry_id)


def overdue_for(user: User, today: datetime.date | None = None) -> QuerySet[FeedbackEntry]:
    """Open entries past their due date, the most overdue first."""
    today = today or timezone.localdate()
    return (
        entries_visible_to(user)
        .exclude(status=Status.CLOSED)
        .filter(due_on__lt=today)
        .order_by("due_on", "pk")
    )


def notes_of(entry: FeedbackEntry) -> QuerySet[FeedbackNote]:
    """The internal notes of an entry the caller already fetched through `get_entry_for`."""
    return entry.notes.select_related("author")


def public_status(tracking_code: str) -> FeedbackEntry | None:
    """The entry behind a tracking code, for the public status page: None for an unknown
    code. The caller shows the status and the public reply only."""
    digest = tracking.digest_of_typed(tracking_code)
    if digest is None:
        return None
    return (
        FeedbackEntry.objects.filter(tracking_digest=digest)
        .only("uuid", "reference", "status", "public_reply", "replied_at", "received_at")
        .first()
    )
