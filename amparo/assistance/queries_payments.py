"""Reads of the provider route of cash: payment list formats, payment lists, payments.

Who sees them: holders of `assistance.manage` in the organization (in their office for an
office-bound role); everybody else gets 404. Payments name a payee, so they are read only by
those who may export them.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Q, QuerySet

from amparo.assistance.models import Cycle, Payment, PaymentBatch, PaymentListFormat
from amparo.core import access
from amparo.core.models import User

MANAGE = "assistance.manage"


def payment_formats_visible_to(user: User) -> QuerySet[PaymentListFormat]:
    """The organization's payment list formats, for holders of `assistance.manage`."""
    if not access.can(user, MANAGE):
        return PaymentListFormat.objects.none()
    return access.visible(user, PaymentListFormat.objects.all(), office_field=None)


def get_payment_format_for(user: User, format_id: UUID | str) -> PaymentListFormat:
    """One format `user` may use; 404 when missing or out of scope."""
    return access.get_visible(payment_formats_visible_to(user), uuid=format_id)


def payment_batches_visible_to(user: User) -> QuerySet[PaymentBatch]:
    """The payment lists `user` may see, with their counts by state."""
    if not access.can(user, MANAGE):
        return PaymentBatch.objects.none()
    qs = PaymentBatch.objects.select_related("cycle", "format", "created_by").annotate(
        total=Count("payments"),
        **{
            state: Count("payments", filter=Q(payments__state=state))
            for state in Payment.State.values
        },
    )
    return access.visible(user, qs, office_field="office")


def get_payment_batch_for(user: User, batch_id: UUID | str) -> PaymentBatch:
    """One payment list `user` may see; 404 when missing or out of scope."""
    return access.get_visible(payment_batches_visible_to(user), uuid=batch_id)


def payments_visible_to(user: User) -> QuerySet[Payment]:
    """The payments `user` may see, with their list, cycle and household."""
    if not access.can(user, MANAGE):
        return Payment.objects.none()
    qs = Payment.objects.select_related(
        "batch", "batch__cycle", "entitlement", "entitlement__household"
    )
    return access.visible(user, qs, office_field="office")


def payment_counts(user: User, cycle: Cycle) -> dict[str, int]:
    """How many of the cycle's payments are in each state (every state present, 0 or more)."""
    counts = dict.fromkeys(Payment.State.values, 0)
    rows = (
        payments_visible_to(user)
        .filter(batch__cycle=cycle)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts
