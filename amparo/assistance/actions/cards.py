"""Beneficiary cards: issue one to a household, replace a lost one, revoke one, issue them to a
cycle's households that have none yet."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.models import Card, Cycle, Entitlement
from amparo.core import access, audit, codes
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.registry.models import Household

__all__ = ["CARD_ALPHABET", "issue_card", "issue_cycle_cards", "normalise_token", "revoke_card"]

CARD_ALPHABET = codes.ALPHABET
TOKEN_LENGTH = 12


def new_token() -> str:
    return codes.new_code(TOKEN_LENGTH)


def normalise_token(text: str) -> str | None:
    """The stored form of a card number as typed or scanned ('k7m2-9qxd 4t8p' → 'K7M29QXD4T8P'),
    or None when it cannot be one."""
    return codes.normalise_code(text, TOKEN_LENGTH)


@transaction.atomic
def issue_card(*, actor: User, household: Household, reason: str = "", request=None) -> Card:
    """Give `household` a new card; a card it already had is revoked with `reason` (a lost or
    damaged card) in the same transaction, so its token is refused from now on.

    Requires `assistance.distribute` or `assistance.manage` and a household in the actor's scope
    (the caller fetched it through the registry's queries). Side effects: audit
    `assistance.card.issued` (and `assistance.card.revoked` for the card replaced).
    """
    access.require_any(actor, ("assistance.distribute", "assistance.manage"))
    current = (
        Card.objects.select_for_update()
        .filter(household=household, revoked_at__isnull=True)
        .first()
    )
    if current is not None:
        if not reason.strip():
            raise ActionError.on("reason", _("Say why the card in use is replaced."))
        _revoke(actor, current, reason, request)
    card = Card.objects.create(
        organization_id=household.organization_id,
        household=household,
        token=new_token(),
        issued_by=actor,
    )
    audit.record(actor=actor, action="assistance.card.issued", target=card, request=request)
    return card


@transaction.atomic
def revoke_card(*, actor: User, card: Card, reason: str, request=None) -> Card:
    """Revoke `card` (lost, stolen, damaged) so its token is refused. Requires the permissions
    of `issue_card`. Side effects: audit `assistance.card.revoked`."""
    access.require_any(actor, ("assistance.distribute", "assistance.manage"))
    locked = Card.objects.select_for_update().get(pk=card.pk)
    if locked.revoked_at is not None:
        raise ActionError.general(_("This card was already revoked."))
    if not reason.strip():
        raise ActionError.on("reason", _("Say why the card is revoked."))
    _revoke(actor, locked, reason, request)
    return locked


def _revoke(actor: User, card: Card, reason: str, request) -> None:
    card.revoked_at = timezone.now()
    card.revoked_by = actor
    card.revoke_reason = reason.strip()[:200]
    card.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit.record(
        actor=actor,
        action="assistance.card.revoked",
        target=card,
        request=request,
        details={"reason": card.revoke_reason},
    )


def issue_cycle_cards(*, actor: User, cycle: Cycle, request=None) -> list[Card]:
    """Give a card to every household entitled in `cycle` (cancelled entitlements left out)
    that has no card in use, in one transaction; answer the new cards.

    Requires the permissions of `issue_card` and a cycle in the actor's scope (the caller
    fetched it through `queries.get_cycle_for`). A concurrent issue to one of the households
    (another officer's batch, say) refuses the whole batch: nothing is issued, try again.
    Side effects: audit `assistance.card.issued` for each card, with the cycle.
    """
    access.require_any(actor, ("assistance.distribute", "assistance.manage"))
    try:
        with transaction.atomic():
            return _issue_cycle_cards(actor, cycle, request)
    except IntegrityError:
        raise ActionError.general(
            _("Someone issued cards to this cycle's households at the same time. Try again.")
        ) from None


def _issue_cycle_cards(actor: User, cycle: Cycle, request) -> list[Card]:
    in_use = Card.objects.filter(revoked_at__isnull=True).values("household_id")
    household_ids = (
        Entitlement.objects.filter(cycle=cycle)
        .exclude(state=Entitlement.State.CANCELLED)
        .exclude(household_id__in=in_use)
        .order_by("household__reference", "pk")
        .values_list("household_id", flat=True)
    )
    cards = Card.objects.bulk_create(
        Card(
            organization_id=cycle.organization_id,
            household_id=household_id,
            token=new_token(),
            issued_by=actor,
        )
        for household_id in household_ids
    )
    # bulk_create gives primary keys on PostgreSQL and SQLite; the uuids were set in Python.
    for card in cards:
        audit.record(
            actor=actor,
            action="assistance.card.issued",
            target=card,
            request=request,
            details={"cycle": str(cycle.uuid)},
        )
    return cards
