"""Actions on an organization's response deadlines: how many days it gives itself to answer
each category (`ResponseDeadline`, instead of Amparo's `DEFAULT_DAYS`). Kept apart from
`actions.py`, which handles the entries themselves."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Organization, User
from amparo.feedback.models import Category, ResponseDeadline

PERMISSION = "core.manage_offices"
MIN_DAYS = 1
MAX_DAYS = 365


def check_deadline(*, category: str, days: object) -> None:
    """The rules of a deadline, for the admin's form to show next to its fields."""
    errors = Errors()
    if category not in Category.values:
        errors.add("category", _("Choose a category."))
    if not isinstance(days, int) or isinstance(days, bool) or not MIN_DAYS <= days <= MAX_DAYS:
        errors.add(
            "days",
            _("Give between %(min)d and %(max)d days.") % {"min": MIN_DAYS, "max": MAX_DAYS},
        )
    errors.raise_if_any()


@transaction.atomic
def set_response_deadline(
    *, actor: User, organization: Organization, category: str, days: int, request=None
) -> ResponseDeadline:
    """Set the days `organization` gives itself to answer `category` (1 to 365). Entries
    received from then on are due accordingly; those already received keep their due date.

    Needs `core.manage_offices` in that organization (a platform superuser: any). Side
    effects: audit `feedback.deadline.changed` (the category and the days: no personal data).
    """
    if not access.can(actor, PERMISSION) or (
        not actor.is_superuser and actor.organization_id != organization.pk
    ):
        raise ActionError.general(_("You may not change this organization's deadlines."))
    check_deadline(category=category, days=days)
    deadline, created = ResponseDeadline.objects.select_for_update().get_or_create(
        organization=organization, category=category, defaults={"days": days}
    )
    if not created and deadline.days == days:
        return deadline
    if not created:
        deadline.days = days
        deadline.save(update_fields=["days"])
    audit.record(
        actor=actor,
        action="feedback.deadline.changed",
        target=deadline,
        request=request,
        organization_id=organization.pk,
        fields=["days"],
        details={"category": category, "days": days},
    )
    return deadline
