"""Beneficiary cards: issue one to a household, replace a lost one, revoke one."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.models import Card
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.registry.models import Household

__all__ = ["CARD_ALPHABET", "issue_card", "normalise_token", "revoke_card"]

# Crockford's base 32: no I, L, O or U, so that a number read aloud or typed is not misread.
CARD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_LENGTH = 12
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_token() -> str:
    return "".join(secrets.choice(CARD_ALPHABET) for _ in range(TOKEN_LENGTH))


def normalise_token(text: str) -> str | None:
    """The stored form of a card number as typed or scanned ('k7m2-9qxd 4t8p' → 'K7M29QXD4T8P'),
    or None when it cannot be one."""
    token = "".join(ch for ch in text.upper() if ch not in " -").translate(_READ_AS)
    if len(token) != TOKEN_LENGTH or any(ch not in CARD_ALPHABET for ch in token):
        return None
    return token


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
