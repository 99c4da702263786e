"""REST API for stock: parse → access → act → serialize.

`GET /api/v1/warehouses/` and `GET /api/v1/stock/` (balances) read; `POST
/api/v1/stock-movements/` records a receipt, transfer, loss or count adjustment: 201 with the
movement, 400 for a bad body, 409 when more kits would leave than the warehouse holds.
"""

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import actions, queries_stock
from amparo.assistance.models import StockBalance, StockMovement, Warehouse
from amparo.core.drf import ScopedMixin, signed_in

MANAGE = queries_stock.MANAGE


class BalanceSerializer(serializers.ModelSerializer):
    warehouse = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    warehouse_name = serializers.CharField(source="warehouse.name", read_only=True)
    kit_type = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    kit_type_name = serializers.CharField(source="kit_type.name", read_only=True)

    class Meta:
        model = StockBalance
        fields = ["warehouse", "warehouse_name", "kit_type", "kit_type_name", "quantity"]
        read_only_fields = fields


class WarehouseBalanceSerializer(serializers.ModelSerializer):
    kit_type = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    kit_type_name = serializers.CharField(source="kit_type.name", read_only=True)

    class Meta:
        model = StockBalance
        fields = ["kit_type", "kit_type_name", "quantity"]
        read_only_fields = fields


class WarehouseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    balances = WarehouseBalanceSerializer(source="shown_balances", many=True, read_only=True)

    class Meta:
        model = Warehouse
        fields = ["id", "name", "office", "office_name", "balances"]
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    warehouse = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    kit_type = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    cycle = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    counterpart = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True, help_text="the other warehouse"
    )
    recorded_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "warehouse",
            "kit_type",
            "kind",
            "change",
            "balance_after",
            "reason",
            "reference",
            "cycle",
            "counterpart",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class MovementInput(serializers.Serializer):
    """A receipt, a transfer, a loss or an adjustment after a count."""

    kind = serializers.ChoiceField(choices=["receipt", "transfer", "loss", "adjustment"])
    warehouse = serializers.UUIDField(help_text="the warehouse the movement is recorded at")
    kit_type = serializers.UUIDField()
    quantity = serializers.IntegerField(
        help_text="kits moved; for an adjustment, the number counted",
        min_value=-(10**9),
        max_value=10**9,
    )
    to_warehouse = serializers.UUIDField(
        required=False, allow_null=True, help_text="a transfer's destination"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="needed for a loss or count"
    )
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="e.g. the donor's waybill"
    )


class NotEnoughStockSerializer(serializers.Serializer):
    detail = serializers.CharField()
    available = serializers.IntegerField()


class BalanceFilter(filters.FilterSet):
    warehouse = filters.UUIDFilter(field_name="warehouse__uuid", help_text="warehouse id")
    kit_type = filters.UUIDFilter(field_name="kit_type__uuid", help_text="kit type id")

    class Meta:
        model = StockBalance
        fields: list[str] = []


class MovementFilter(BalanceFilter):
    class Meta:
        model = StockMovement
        fields: list[str] = []


class WarehouseViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The warehouses the caller manages, with their balances."""

    queryset = Warehouse.objects.none()
    serializer_class = WarehouseSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = MANAGE

    def scoped_queryset(self, user):
        return queries_stock.warehouses_visible_to(user)


class StockViewSet(ScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Balances: kits of each type in each warehouse the caller manages."""

    queryset = StockBalance.objects.none()
    serializer_class = BalanceSerializer
    permission = MANAGE
    filterset_class = BalanceFilter

    def scoped_queryset(self, user):
        return queries_stock.balances_visible_to(user)


@extend_schema_view(
    create=extend_schema(
        request=MovementInput,
        responses={201: MovementSerializer, 409: NotEnoughStockSerializer},
    )
)
class StockMovementViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The ledger of the warehouses the caller manages, newest first; POST records a movement."""

    queryset = StockMovement.objects.none()
    serializer_class = MovementSerializer
    permission = MANAGE
    filterset_class = MovementFilter

    def scoped_queryset(self, user):
        return queries_stock.movements_visible_to(user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        user = signed_in(request)
        self.get_queryset()  # the permission check: 404 without `assistance.manage`
        data = MovementInput(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        warehouse = _warehouse(queries_stock.warehouses_visible_to(user), given["warehouse"])
        kit_type = queries_stock.kit_types_visible_to(user).filter(uuid=given["kit_type"]).first()
        if kit_type is None:
            raise ValidationError({"kit_type": [_("Choose one of your organization's kit types.")]})
        common = {"actor": user, "warehouse": warehouse, "kit_type": kit_type, "request": request}
        kind = given["kind"]
        try:
            if kind == "receipt":
                movement = actions.receive_stock(
                    **common, quantity=given["quantity"], reference=given.get("reference", "")
                )
            elif kind == "transfer":
                if not given.get("to_warehouse"):
                    raise ValidationError({"to_warehouse": [_("Choose where the kits go.")]})
                destination = _warehouse(
                    queries_stock.transfer_destinations_for(user),
                    given["to_warehouse"],
                    field="to_warehouse",
                )
                movement, _into = actions.transfer_stock(
                    **common,
                    to_warehouse=destination,
                    quantity=given["quantity"],
                    reference=given.get("reference", ""),
                )
            elif kind == "loss":
                movement = actions.record_loss(
                    **common,
                    quantity=given["quantity"],
                    reason=given.get("reason", ""),
                    reference=given.get("reference", ""),
                )
            else:
                movement = actions.adjust_stock(
                    **common, counted=given["quantity"], reason=given.get("reason", "")
                )
        except actions.NotEnoughStock as refused:
            return Response(
                {"detail": refused.messages[0], "available": refused.available},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(MovementSerializer(movement).data, status=status.HTTP_201_CREATED)


def _warehouse(choices, warehouse_id, *, field: str = "warehouse") -> Warehouse:
    warehouse = choices.filter(uuid=warehouse_id).first()
    if warehouse is None:
        raise ValidationError({field: [_("Choose a warehouse you manage.")]})
    return warehouse


def register(router) -> None:
    """Add the stock endpoints to the /api/v1/ router."""
    router.register("warehouses", WarehouseViewSet, basename="warehouse")
    router.register("stock", StockViewSet, basename="stock-balance")
    router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
