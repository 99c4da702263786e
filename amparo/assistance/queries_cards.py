"""Reads of beneficiary cards, already scoped.

Who sees a household's card: holders of `assistance.distribute` or `assistance.manage` in the
household's organization (in its office for office-bound roles), the same scope as the cycles.
A card number outside that scope answers exactly like a number that does not exist (404).
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amparo.assistance.models import Card, Cycle, Entitlement
from amparo.assistance.queries import READ, entitlements_deliverable_by
from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import Household, Individual
from amparo.registry.queries import individuals_visible_to

# How many cards one printed page holds: an A4 sheet takes ten ID-1 cards.
CARDS_PER_PAGE = 50


def card_households_visible_to(user: User) -> QuerySet[Household]:
    """The households whose cards `user` may see, issue and revoke."""
    if not access.can_any(user, READ):
        return Household.objects.none()
    qs = Household.objects.select_related("office", "organization")
    return access.visible(user, qs, office_field="office")


def get_card_household_for(user: User, household_id: UUID | str) -> Household:
    """One household whose cards `user` may handle; 404 when missing or out of scope."""
    return access.get_visible(card_households_visible_to(user), uuid=household_id)


def cards_visible_to(user: User) -> QuerySet[Card]:
    """The cards (in use and revoked) of the households of `card_households_visible_to`."""
    if not access.can_any(user, READ):
        return Card.objects.none()
    qs = Card.objects.select_related(
        "household", "household__organization", "issued_by", "revoked_by"
    )
    return access.visible(user, qs, office_field="household__office")


def cards_of(user: User, household: Household) -> list[Card]:
    """The household's cards, newest first: the one in use (if any), then the revoked ones."""
    return list(cards_visible_to(user).filter(household=household).order_by("-issued_at", "-pk"))


def card_in_use_of(user: User, household: Household) -> Card | None:
    """The household's card in use, or None."""
    return cards_visible_to(user).filter(household=household, revoked_at__isnull=True).first()


def find_card_for(user: User, token: str | None) -> Card | None:
    """The card with the number `token` (as `actions.normalise_token` gives it), in use or
    revoked; None when the number is malformed (None), unknown or out of the user's scope (the
    caller answers all three alike)."""
    if token is None:
        return None
    return cards_visible_to(user).filter(token=token).first()


def members_shown_to(user: User, household: Household) -> list[Individual]:
    """The household's members `user` may see, the head first."""
    return list(individuals_visible_to(user).filter(household=household).order_by("-is_head", "pk"))


def open_entitlements_of(user: User, household: Household) -> QuerySet[Entitlement]:
    """The household's entitlements in open cycles that `user` may deliver, pending or already
    delivered (with the delivery), cancelled ones left out; the cycle ending soonest first."""
    return (
        entitlements_deliverable_by(user)
        .filter(household=household, cycle__state=Cycle.State.OPEN)
        .exclude(state=Entitlement.State.CANCELLED)
        .order_by("cycle__end_date", "pk")
    )


def checkin_entitlement(user: User, cycle: Cycle, household: Household) -> Entitlement | None:
    """The household's entitlement in `cycle` that `user` may deliver, with the members `user`
    may see (`household.shown_members`, the head first); None when there is none."""
    members = individuals_visible_to(user).order_by("-is_head", "pk")
    return (
        entitlements_deliverable_by(user)
        .filter(cycle=cycle, household=household)
        .prefetch_related(Prefetch("household__members", queryset=members, to_attr="shown_members"))
        .first()
    )


def cycle_households_without_card(user: User, cycle: Cycle) -> int:
    """How many households entitled in `cycle` (not cancelled) have no card in use."""
    if not access.can_any(user, READ):
        return 0
    in_use = Card.objects.filter(revoked_at__isnull=True).values("household_id")
    return (
        access.visible(user, Entitlement.objects.filter(cycle=cycle), office_field="office")
        .exclude(state=Entitlement.State.CANCELLED)
        .exclude(household_id__in=in_use)
        .count()
    )


def cycle_cards_in_use(user: User, cycle: Cycle) -> QuerySet[Card]:
    """The cards in use of the households entitled in `cycle` (not cancelled), by household
    reference."""
    entitled = Entitlement.objects.filter(cycle=cycle).exclude(state=Entitlement.State.CANCELLED)
    return (
        cards_visible_to(user)
        .filter(revoked_at__isnull=True, household_id__in=entitled.values("household_id"))
        .order_by("household__reference", "pk")
    )


def revoked_message(card: Card) -> str:
    """What an officer is told when a revoked card is shown."""
    return _("This card was revoked on %(date)s; ask for the new card.") % {
        "date": date_format(timezone.localtime(card.revoked_at), "DATE_FORMAT")
    }
