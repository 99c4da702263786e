"""REST API for assistance: parse → access → act → serialize.

`POST /api/v1/entitlements/{id}/deliver/` records the delivery, honouring an `Idempotency-Key`
header: 201 the first time, 200 with the same delivery when the same officer retries with the
same key, 409 with the first delivery when the entitlement was already delivered.
"""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import (
    actions,
    monitoring_api,
    offline_api,
    payments_api,
    programme_api,
    queries,
    queries_monitoring,
    stock_api,
)
from amparo.assistance.models import Delivery, Entitlement
from amparo.core.api_fields import named_choices
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin, signed_in

EntitlementStatusField = named_choices("EntitlementStatusEnum", Entitlement.State.choices)


class OfficerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class DeliverySerializer(serializers.ModelSerializer):
    """A delivery: when, by which officer, to whom."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    entitlement = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    delivered_by = OfficerSerializer(read_only=True)
    collected_by = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True, help_text="household member's id"
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "entitlement",
            "delivered_at",
            "delivered_by",
            "collected_by",
            "collected_by_alternate",
        ]
        read_only_fields = fields


class DeliveryBriefSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    delivered_by = OfficerSerializer(read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "delivered_at", "delivered_by"]
        read_only_fields = fields


class EntitlementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    cycle = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    household = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    currency = serializers.CharField(source="cycle.currency", read_only=True)
    status = EntitlementStatusField(source="state", read_only=True)
    delivery = serializers.SerializerMethodField()

    class Meta:
        model = Entitlement
        fields = [
            "id",
            "cycle",
            "household",
            "household_reference",
            "amount",
            "currency",
            "status",
            "delivery",
        ]
        read_only_fields = fields

    @extend_schema_field(DeliveryBriefSerializer(allow_null=True))
    def get_delivery(self, entitlement: Entitlement) -> dict | None:
        delivery = getattr(entitlement, "delivery", None)
        return None if delivery is None else DeliveryBriefSerializer(delivery).data


class DeliverInput(serializers.Serializer):
    """Who collected: a household member (`collected_by`) or an authorised alternate's name."""

    collected_by = serializers.UUIDField(
        required=False, allow_null=True, help_text="id of the household member who collected"
    )
    collected_by_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="name of an authorised alternate, when no member collected",
    )

    def validate(self, attrs):
        if not attrs.get("collected_by") and not (attrs.get("collected_by_name") or "").strip():
            raise ValidationError(
                {"collected_by": [_("Say who collected: a member of the household or a name.")]}
            )
        return attrs


class AlreadyDeliveredSerializer(serializers.Serializer):
    detail = serializers.CharField()
    delivery = DeliverySerializer()


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class EntitlementFilter(filters.FilterSet):
    status = filters.ChoiceFilter(
        field_name="state", choices=Entitlement.State.choices, help_text="pending, delivered…"
    )
    cycle = filters.UUIDFilter(field_name="cycle__uuid", help_text="cycle id")
    household = filters.CharFilter(
        field_name="household__reference", lookup_expr="iexact", help_text="household reference"
    )

    class Meta:
        model = Entitlement
        fields: list[str] = []


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="a key of the client's choosing: retried with the same key, the request "
    "answers the first delivery (200) instead of recording another",
)


@extend_schema_view(
    list=extend_schema(responses=EntitlementSerializer(many=True)),
    retrieve=extend_schema(responses=EntitlementSerializer),
)
class EntitlementViewSet(
    AuditedRetrieveMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Entitlements of distribution cycles the caller may see; reading one is audited."""

    queryset = Entitlement.objects.none()
    serializer_class = EntitlementSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = queries.READ
    filterset_class = EntitlementFilter

    def scoped_queryset(self, user):
        # Creation order (a cycle's households in the order they were registered): an index
        # serves an officer's pending ones, a sort by household reference would read them all.
        return queries.entitlements_visible_to(user).order_by("pk")

    @extend_schema(
        request=DeliverInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: DeliverySerializer,
            200: DeliverySerializer,
            409: AlreadyDeliveredSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def deliver(self, request: Request, id=None) -> Response:
        """Record the delivery of this entitlement (exactly once)."""
        user = signed_in(request)
        entitlement = queries.get_deliverable_entitlement_for(user, id)
        data = DeliverInput(data=request.data)
        data.is_valid(raise_exception=True)
        collected_by = data.validated_data.get("collected_by")
        if collected_by:
            person = queries.household_member_for(user, entitlement, collected_by)
            if person is None:
                raise ValidationError(
                    {"collected_by": [_("Choose a member of the entitlement's household.")]}
                )
            who = person
        else:
            who = data.validated_data["collected_by_name"]
        try:
            delivery, created = actions.deliver(
                actor=user,
                entitlement=entitlement,
                collected_by=who,
                idempotency_key=request.headers.get("Idempotency-Key"),
                request=request,
            )
        except actions.AlreadyDelivered as refused:
            body = {
                "detail": refused.messages[0],
                "delivery": DeliverySerializer(refused.delivery).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(
            DeliverySerializer(delivery).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=CancelInput, responses={200: EntitlementSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, id=None) -> Response:
        """Cancel this pending entitlement, with a reason (supervisors: `assistance.manage`).
        400 without a reason or when it is delivered or already cancelled."""
        user = signed_in(request)
        entitlement = queries_monitoring.get_managed_entitlement_for(user, id)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled = actions.cancel_entitlement(
            actor=user,
            entitlement=entitlement,
            reason=data.validated_data["reason"],
            request=request,
        )
        shown = self.scoped_queryset(user).get(pk=cancelled.pk)
        return Response(EntitlementSerializer(shown, context={"request": request}).data)


def register(router) -> None:
    """Add this app's endpoints to the /api/v1/ router."""
    router.register("entitlements", EntitlementViewSet, basename="entitlement")
    offline_api.register(router)
    payments_api.register(router)
    from amparo.assistance import cards_api  # it borrows this module's serializers

    cards_api.register(router)
    programme_api.register(router)
    stock_api.register(router)
    monitoring_api.register(router)
