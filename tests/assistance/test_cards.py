"""Beneficiary cards: an opaque, typeable token; one card in use per household; a replaced or
revoked card's token is gone for good."""

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from amparo.assistance import actions
from amparo.assistance.actions.cards import CARD_ALPHABET, TOKEN_LENGTH
from amparo.assistance.models import Card
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_token_is_typeable_and_normalised():
    token = actions.cards.new_token()
    assert len(token) == TOKEN_LENGTH and set(token) <= set(CARD_ALPHABET)
    assert actions.normalise_token("k7m2-9qxd 4t8p") == "K7M29QXD4T8P"
    # Letters people misread as digits are read as the digits.
    assert actions.normalise_token("O1I2-L3A4-B5C6") == "011213A4B5C6"
    assert actions.normalise_token("K7M2-9QXD") is None
    assert actions.normalise_token("K7M2-9QXD-4T8U") is None


def test_issue_replace_and_revoke(officer, households):
    household = households[0]
    first = actions.issue_card(actor=officer, household=household)
    assert first.display_token.count("-") == 2
    with pytest.raises(ActionError):
        actions.issue_card(actor=officer, household=household)  # replacing needs a reason
    second = actions.issue_card(actor=officer, household=household, reason="Tarjeta perdida")
    first.refresh_from_db()
    assert first.revoked_at is not None and first.revoke_reason == "Tarjeta perdida"
    assert second.token != first.token and second.revoked_at is None
    actions.revoke_card(actor=officer, card=second, reason="Robada")
    with pytest.raises(ActionError):
        actions.revoke_card(actor=officer, card=second, reason="Robada")
    actions_seen = list(
        AuditEvent.objects.filter(action__startswith="assistance.card.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions_seen == [
        "assistance.card.issued",
        "assistance.card.revoked",
        "assistance.card.issued",
        "assistance.card.revoked",
    ]


def test_database_refuses_two_cards_in_use(officer, households):
    card = actions.issue_card(actor=officer, household=households[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Card.objects.create(
            organization_id=card.organization_id,
            household=households[0],
            token="0000AAAA1111",
            issued_by=officer,
        )


def test_registrar_without_assistance_permission_cannot_issue(registrar, households):
    with pytest.raises(Http404):
        actions.issue_card(actor=registrar, household=households[0])
    assert not Card.objects.exists()
