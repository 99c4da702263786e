"""REST API of cash through a provider (holders of `assistance.manage`; others get 404).

`GET /api/v1/payments/?cycle=…&status=…` lists payments; `POST /api/v1/payments/reconcile/`
takes the provider's file (multipart: `cycle`, `format`, `file`, `dry_run`) and answers the
counts, or 400 with every bad row (`rows.<n>`) and nothing changed.
`/api/v1/payment-formats/` lists, creates and shows formats; `POST /api/v1/payment-lists/`
generates a list (`cycle`, `format`) and `GET /api/v1/payment-lists/{id}/export/` is its file.
"""

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import actions, queries, queries_payments
from amparo.assistance.models import Payment, PaymentBatch, PaymentListFormat
from amparo.core import access, tabular
from amparo.core.api_fields import named_choices
from amparo.core.drf import ScopedMixin, signed_in

MANAGE = "assistance.manage"


PaymentStatusField = named_choices("PaymentStatusEnum", Payment.State.choices)


class PaymentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    payment_list = serializers.SlugRelatedField(source="batch", slug_field="uuid", read_only=True)
    cycle = serializers.UUIDField(source="batch.cycle.uuid", read_only=True)
    entitlement = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    household_reference = serializers.CharField(
        source="entitlement.household.reference", read_only=True
    )
    status = PaymentStatusField(source="state", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "reference",
            "payment_list",
            "cycle",
            "entitlement",
            "household_reference",
            "amount",
            "currency",
            "status",
            "reason",
            "transaction_id",
            "paid_on",
            "reconciled_at",
        ]
        read_only_fields = fields


class PaymentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(field_name="state", choices=Payment.State.choices)
    cycle = filters.UUIDFilter(field_name="batch__cycle__uuid", help_text="cycle id")
    payment_list = filters.UUIDFilter(field_name="batch__uuid", help_text="payment list id")

    class Meta:
        model = Payment
        fields: list[str] = []


class ReconcileInput(serializers.Serializer):
    cycle = serializers.UUIDField()
    format = serializers.UUIDField()
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class ReconcileResult(serializers.Serializer):
    rows = serializers.IntegerField()
    paid = serializers.IntegerField()
    failed = serializers.IntegerField()
    unclaimed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class PaymentViewSet(ScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Payments of the cash cycles the caller manages."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    permission = MANAGE
    filterset_class = PaymentFilter

    def scoped_queryset(self, user):
        return queries_payments.payments_visible_to(user).order_by("reference")

    @extend_schema(request={"multipart/form-data": ReconcileInput}, responses=ReconcileResult)
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def reconcile(self, request: Request) -> Response:
        """Import the provider's reconciliation file: all rows or none."""
        user = signed_in(request)
        access.require(user, MANAGE)
        data = ReconcileInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cycle = queries.get_cycle_for(user, values["cycle"])
        fmt = queries_payments.get_payment_format_for(user, values["format"])
        upload = values["file"]
        tabular.check_size(upload.size)
        result = actions.reconcile_payments(
            actor=user,
            cycle=cycle,
            payment_format=fmt,
            data=upload.read(),
            filename=upload.name,
            dry_run=values["dry_run"],
            request=request,
        )
        return Response(result.as_dict())


class ColumnSerializer(serializers.Serializer):
    header = serializers.CharField(max_length=80)
    source = serializers.ChoiceField(choices=PaymentListFormat.Source.choices)
    value = serializers.CharField(max_length=80, required=False, allow_blank=True)


class PaymentFormatSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    columns = ColumnSerializer(many=True)
    reconciliation = serializers.DictField(child=serializers.CharField(), required=False)
    status_values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )

    class Meta:
        model = PaymentListFormat
        fields = [
            "id",
            "name",
            "file_type",
            "delimiter",
            "encoding",
            "columns",
            "reconciliation",
            "status_values",
        ]


class PaymentFormatViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The organization's payment list formats."""

    queryset = PaymentListFormat.objects.none()
    serializer_class = PaymentFormatSerializer
    permission = MANAGE
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        return queries_payments.payment_formats_visible_to(user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        user = signed_in(request)
        access.require(user, MANAGE)
        data = PaymentFormatSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fmt = actions.create_payment_format(actor=user, request=request, **data.validated_data)
        return Response(PaymentFormatSerializer(fmt).data, status=status.HTTP_201_CREATED)


class PaymentListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    cycle = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    format = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    payments = serializers.SerializerMethodField()

    class Meta:
        model = PaymentBatch
        fields = ["id", "cycle", "format", "created_at", "payments"]
        read_only_fields = fields

    def get_payments(self, batch) -> dict[str, int]:
        return {state: getattr(batch, state, 0) or 0 for state in ["total", *Payment.State.values]}


class GenerateInput(serializers.Serializer):
    cycle = serializers.UUIDField()
    format = serializers.UUIDField()


@extend_schema_view(create=extend_schema(request=GenerateInput, responses=PaymentListSerializer))
class PaymentListViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payment lists sent to providers; `export` is the file (personal data, audited)."""

    queryset = PaymentBatch.objects.none()
    serializer_class = PaymentListSerializer
    permission = MANAGE
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        # The counts' GROUP BY drops the model's ordering: pages need one of their own.
        return queries_payments.payment_batches_visible_to(user).order_by("-created_at", "-pk")

    def create(self, request: Request, *args, **kwargs) -> Response:
        user = signed_in(request)
        access.require(user, MANAGE)
        data = GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = queries.get_cycle_for(user, data.validated_data["cycle"])
        fmt = queries_payments.get_payment_format_for(user, data.validated_data["format"])
        batch = actions.generate_payment_list(
            actor=user, cycle=cycle, payment_format=fmt, request=request
        )
        batch = queries_payments.get_payment_batch_for(user, batch.uuid)
        return Response(PaymentListSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, id=None) -> HttpResponse:
        """The list's file in its format (CSV or XLSX)."""
        user = signed_in(request)
        batch = self.get_object()
        exported = actions.export_payment_list(actor=user, batch=batch, request=request)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        response["Cache-Control"] = "no-store"
        return response


def register(router) -> None:
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("payment-formats", PaymentFormatViewSet, basename="payment-format")
    router.register("payment-lists", PaymentListViewSet, basename="payment-list")
