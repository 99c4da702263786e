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

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from amparo.core import access
from amparo.core.models import Role, User
from amparo.feedback import tracking
from amparo.feedback.models import FeedbackEntry, FeedbackNote, Status
from amparo.registry import queries as registry_queries
from amparo.registry.models import Individual

READERS = ("feedback.view", "feedback.psea")
# Who may record feedback that arrived through another channel.
RECORDERS = ("feedback.record", *READERS)


def reads_sensitive(user: User) -> bool:
    return access.role_grants(user, "feedback.psea")


def reads_feedback(user: User) -> bool:
    """Whether the user's role lets them read some feedback (the inbox, the API's list)."""
    return any(access.role_grants(user, p) for p in READERS)


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


def colleagues_for(entry: FeedbackEntry) -> QuerySet[User]:
    """The users who may see and handle `entry` (`entries_visible_to(u)` holds it): active
    users of its organization whose role reads its kind of entry, office-bound ones only at its
    office. One query on users; roles are few and read first, since their permissions are a
    JSON list."""
    needed = "feedback.psea" if entry.sensitive else "feedback.view"
    roles = [
        role.pk
        for role in Role.objects.only("pk", "permissions")
        if needed in (role.permissions or [])
    ]
    qs = User.objects.filter(
        organization_id=entry.organization_id, is_active=True, role_id__in=roles
    ).filter(
        models.Q(role__office_bound=False)
        | models.Q(role__office_bound=True, office_id=entry.office_id, office_id__isnull=False)
    )
    return qs.order_by("first_name", "last_name", "username")


def registered_person(user: User, typed: str) -> Individual | None:
    """The registered person `user` means by `typed`: their id in the registry (a UUID), or a
    household's reference for its head. None when there is none the user may see."""
    typed = (typed or "").strip()
    if not typed:
        return None
    people = registry_queries.individuals_visible_to(user)
    try:
        return people.filter(uuid=UUID(typed)).first()
    except ValueError:
        pass
    return people.filter(household__reference__iexact=typed[:32], is_head=True).first()


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
