"""REST API for beneficiary cards: parse → access → act → serialize.

`GET /api/v1/cards/{number}/` resolves a card number (as printed, `K7M2-9QXD-4T8P`, or typed in
lower case, with or without dashes) to its household and the household's open entitlements the
caller may deliver. A number that is malformed, unknown or of a household outside the caller's
scope answers 404, all alike; a revoked card of a household in scope answers 410 Gone with
when it was revoked, so the officer asks for the new card instead of retyping the number.
`POST /api/v1/cards/` issues a household's card (or replaces the one in use, with a reason);
`POST /api/v1/cards/{number}/revoke/` revokes one.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import actions, queries_cards
from amparo.assistance.api import EntitlementSerializer
from amparo.assistance.models import Card
from amparo.core import audit
from amparo.core.drf import signed_in


class MemberSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(source="full_name", read_only=True)


class CardHouseholdSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    reference = serializers.CharField(read_only=True)
    members = MemberSerializer(many=True, read_only=True, help_text="the members you may see")


class CardEntitlementSerializer(EntitlementSerializer):
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)

    class Meta(EntitlementSerializer.Meta):
        fields = [*EntitlementSerializer.Meta.fields, "cycle_name"]
        read_only_fields = fields


class CardSerializer(serializers.ModelSerializer):
    """A card: its number as printed, when it was issued and, if so, revoked."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    number = serializers.CharField(source="display_token", read_only=True)
    household = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Card
        fields = ["id", "number", "household", "issued_at", "revoked_at"]
        read_only_fields = fields


class ResolvedCardSerializer(serializers.Serializer):
    number = serializers.CharField()
    household = CardHouseholdSerializer()
    entitlements = CardEntitlementSerializer(many=True)


class RevokedCardSerializer(serializers.Serializer):
    detail = serializers.CharField()
    revoked_at = serializers.DateTimeField()


class IssueInput(serializers.Serializer):
    household = serializers.UUIDField(help_text="the household's id")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="why the card in use is replaced (required when there is one)",
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="why the card is revoked")


class CardViewSet(viewsets.ViewSet):
    """Beneficiary cards, found by their number."""

    lookup_field = "number"
    lookup_value_regex = "[^/]{1,40}"

    def _card(self, request: Request, number: str) -> Card:
        card = queries_cards.find_card_for(signed_in(request), actions.normalise_token(number))
        if card is None:
            raise Http404
        return card

    @extend_schema(responses={200: ResolvedCardSerializer, 410: RevokedCardSerializer})
    def retrieve(self, request: Request, number: str = "") -> Response:
        """The card's household, its members you may see, and its entitlements in open cycles
        that you may deliver (pending or delivered). Audited."""
        user = signed_in(request)
        card = self._card(request, number)
        if card.revoked_at is not None:
            audit.record(actor=user, action="assistance.card.refused", target=card, request=request)
            body = {"detail": queries_cards.revoked_message(card), "revoked_at": card.revoked_at}
            return Response(RevokedCardSerializer(body).data, status=status.HTTP_410_GONE)
        household = card.household
        household.members_shown = queries_cards.members_shown_to(user, household)
        audit.record(
            actor=user,
            action="assistance.card.resolved",
            target=household,
            request=request,
            details={"card": str(card.uuid)},
        )
        body = {
            "number": card.display_token,
            "household": {
                "uuid": household.uuid,
                "reference": household.reference,
                "members": household.members_shown,
            },
            "entitlements": queries_cards.open_entitlements_of(user, household),
        }
        return Response(ResolvedCardSerializer(body).data)

    @extend_schema(request=IssueInput, responses={201: CardSerializer})
    def create(self, request: Request) -> Response:
        """Issue the household a card; when it has one in use, that card is revoked with
        `reason` (required then) and refused from now on."""
        user = signed_in(request)
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        household = queries_cards.get_card_household_for(user, data.validated_data["household"])
        card = actions.issue_card(
            actor=user,
            household=household,
            reason=data.validated_data.get("reason", ""),
            request=request,
        )
        return Response(CardSerializer(card).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonInput, responses={200: CardSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, number: str = "") -> Response:
        """Revoke the card (lost, stolen, damaged): its number is refused from now on."""
        user = signed_in(request)
        card = self._card(request, number)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        card = actions.revoke_card(
            actor=user, card=card, reason=data.validated_data["reason"], request=request
        )
        return Response(CardSerializer(card).data)


def register(router) -> None:
    router.register("cards", CardViewSet, basename="card")
