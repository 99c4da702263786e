"""The list a distribution point takes offline: a cycle's entitlements with the least a
distribution officer needs to hand over to the right person, read in three queries whatever
the cycle's size (20,000 households: bench/offline_list.py).

What an entry holds, and why no more: the entitlement's id (to sync the delivery), the
household's reference and its card number in use (what the officer types or scans), the
amount, the status (and, delivered, when and by whom, so that a second visit is refused at
once), and for a pending one its members' ids and given names, the head marked (to ask "which of
you is Rosa?" and record who collected). No surnames, documents, birth dates, phones, addresses
or needs: a lost phone gives away a reference and some first names.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import FilteredRelation, Q, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from amparo.assistance.models import Card, Cycle, Entitlement
from amparo.assistance.queries import entitlements_deliverable_by
from amparo.core.models import User
from amparo.registry.queries import individuals_visible_to


def offline_list(user: User, cycle: Cycle) -> list[dict]:
    """`cycle`'s pending and delivered entitlements that `user` may deliver, as plain dicts
    (see the module's docstring), by household reference. The caller checked that `user` may
    deliver in `cycle` (`queries.open_cycles_for`)."""
    entitlements = entitlements_deliverable_by(user).filter(
        cycle=cycle, state__in=[Entitlement.State.PENDING, Entitlement.State.DELIVERED]
    )
    # The current delivery only: a reversed one stays in the ledger but no longer counts.
    current = FilteredRelation("deliveries", condition=Q(deliveries__reversed_at__isnull=True))
    rows = list(
        entitlements.annotate(current=current)
        .order_by("household__reference", "pk")
        .values_list(
            "uuid",
            "household_id",
            "household__reference",
            "amount",
            "state",
            "current__delivered_at",
            "current__delivered_by__username",
            NullIf(
                Trim(
                    Concat(
                        Coalesce("current__delivered_by__first_name", Value("")),
                        Value(" "),
                        Coalesce("current__delivered_by__last_name", Value("")),
                    )
                ),
                Value(""),
            ),
        )
    )
    household_ids = entitlements.values("household_id")
    cards = dict(
        Card.objects.filter(household_id__in=household_ids, revoked_at__isnull=True).values_list(
            "household_id", "token"
        )
    )
    pending = entitlements.filter(state=Entitlement.State.PENDING).values("household_id")
    members: dict[int, list[dict]] = defaultdict(list)
    for household_id, uuid, given_names, is_head in (
        individuals_visible_to(user)
        .filter(household_id__in=pending)
        .order_by("household_id", "-is_head", "pk")
        .values_list("household_id", "uuid", "given_names", "is_head")
    ):
        members[household_id].append({"id": str(uuid), "given_names": given_names, "head": is_head})
    return [_entry(row, cards, members) for row in rows]


def _entry(row: tuple, cards: dict[int, str], members: dict[int, list[dict]]) -> dict:
    uuid, household_id, reference, amount, state, delivered_at, username, officer = row
    delivered = state == Entitlement.State.DELIVERED
    return {
        "id": str(uuid),
        "household_reference": reference,
        "card": cards.get(household_id),
        "amount": str(amount),
        "status": state,
        "members": [] if delivered else members.get(household_id, []),
        "delivery": None
        if delivered_at is None
        else {"delivered_at": delivered_at.isoformat(), "delivered_by": officer or username},
    }
