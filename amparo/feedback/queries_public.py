"""Reads for the public feedback page and API (no sign-in): where a message may be sent.

Only names and codes of organizations and offices, which the page shows to anyone; never an
entry (`queries.public_status` gives the status of one to whoever holds its code).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from amparo.core.models import Office, Organization, Role, User
from amparo.feedback.queries import READERS


def receiving_organizations() -> QuerySet[Organization]:
    """The organizations a message from the public page can go to: those with an active
    office and an active account whose role reads feedback. A Care Route partner's hospital or
    police station on the same instance has neither reader nor feedback to answer, so it is
    not offered; nor is an organization whose people would never read what was sent."""
    reader_roles = [
        role.pk
        for role in Role.objects.only("pk", "permissions")
        if set(role.permissions) & set(READERS)
    ]
    readers = User.objects.filter(is_active=True, role_id__in=reader_roles)
    return (
        Organization.objects.filter(
            pk__in=readers.values("organization_id"),
            offices__is_active=True,
        )
        .distinct()
        .order_by("name")
    )


def receiving_offices(organizations: Iterable[Organization]) -> QuerySet[Office]:
    """The active offices of `organizations` (where a person may say they were served)."""
    return (
        Office.objects.filter(organization__in=organizations, is_active=True)
        .select_related("organization")
        .order_by("organization__name", "name")
    )
