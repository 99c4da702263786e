"""REST API for reversals and post-distribution monitoring: parse → access → act → serialize.

- `POST /api/v1/deliveries/{id}/reverse/` `{"reason": …}` reverses a delivery (the
  entitlement is pending again).
- `POST /api/v1/monitoring-samples/` `{"cycle": id, "size": n | "percent": p, "by_day": bool}`
  draws a cycle's households to survey; `GET /api/v1/monitoring-samples/{id}/`.
- `GET /api/v1/monitoring-surveys/?cycle=…&answered=…` the sampled households' surveys;
  `GET …/{id}/` one (audited); `POST …/{id}/answer/` records its answers.
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import actions, queries, queries_monitoring
from amparo.assistance.models import (
    CashUse,
    Delivery,
    MonitoringSample,
    MonitoringSurvey,
    Problem,
)
from amparo.core import audit
from amparo.core.drf import ScopedMixin, signed_in


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="why the delivery is reversed")


class ReversedDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    entitlement = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    reversed_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "entitlement", "delivered_at", "reversed_at", "reversed_by"]
        read_only_fields = fields


class DeliveryViewSet(ScopedMixin, viewsets.GenericViewSet):
    """Deliveries, for their reversal (holders of `assistance.manage`)."""

    queryset = Delivery.objects.none()
    serializer_class = ReversedDeliverySerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "assistance.manage"

    def scoped_queryset(self, user):
        return queries_monitoring.managed_deliveries(user)

    @extend_schema(request=ReverseInput, responses={200: ReversedDeliverySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, id=None) -> Response:
        """Reverse this delivery (recorded by mistake): it stays in the ledger, marked
        reversed, and its entitlement can be delivered again."""
        user = signed_in(request)
        delivery = queries_monitoring.get_managed_delivery_for(user, id)
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        reversed_ = actions.reverse_delivery(
            actor=user, delivery=delivery, reason=data.validated_data["reason"], request=request
        )
        return Response(ReversedDeliverySerializer(reversed_).data)


class SampleInput(serializers.Serializer):
    cycle = serializers.UUIDField(help_text="the cycle's id")
    size = serializers.IntegerField(required=False, min_value=1, help_text="households")
    percent = serializers.DecimalField(
        required=False, max_digits=5, decimal_places=2, help_text="or a percentage of them"
    )
    by_day = serializers.BooleanField(
        required=False, default=True, help_text="stratified by distribution day"
    )


class SampleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    cycle = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    surveys = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringSample
        fields = ["id", "cycle", "seed", "size", "population", "by_day", "drawn_at", "surveys"]
        read_only_fields = fields

    def get_surveys(self, sample) -> list[str]:
        return [str(u) for u in sample.surveys.order_by("pk").values_list("uuid", flat=True)]


class SurveySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    sample = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    cycle = serializers.UUIDField(source="sample.cycle.uuid", read_only=True)
    entitlement = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    household_reference = serializers.CharField(
        source="entitlement.household.reference", read_only=True
    )
    uses = serializers.ListField(child=serializers.ChoiceField(CashUse.choices), read_only=True)
    problems = serializers.ListField(child=serializers.ChoiceField(Problem.choices), read_only=True)

    class Meta:
        model = MonitoringSurvey
        fields = [
            "id",
            "sample",
            "cycle",
            "entitlement",
            "household_reference",
            "answered_at",
            "satisfaction",
            "uses",
            "problems",
            "problem_details",
            "felt_safe",
            "complaint",
        ]
        read_only_fields = fields


class SurveyInput(serializers.Serializer):
    satisfaction = serializers.IntegerField(help_text="1 (very unsatisfied) to 5")
    uses = serializers.ListField(child=serializers.CharField(max_length=20), max_length=20)
    problems = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=20, required=False, default=list
    )
    problem_details = serializers.CharField(required=False, allow_blank=True, default="")
    felt_safe = serializers.BooleanField()
    complaint = serializers.CharField(required=False, allow_blank=True, default="")


class SampleViewSet(ScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A cycle's post-distribution monitoring sample: draw it, read it."""

    queryset = MonitoringSample.objects.none()
    serializer_class = SampleSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "assistance.manage"

    def scoped_queryset(self, user):
        return queries_monitoring.monitoring_samples_visible_to(user).order_by("pk")

    @extend_schema(request=SampleInput, responses={201: SampleSerializer})
    def create(self, request: Request) -> Response:
        """Draw the households of a cycle to survey (once per cycle)."""
        user = signed_in(request)
        self.get_queryset()  # the permission check
        data = SampleInput(data=request.data)
        data.is_valid(raise_exception=True)
        cycle = queries.get_cycle_for(user, data.validated_data["cycle"])
        sample = actions.draw_monitoring_sample(
            actor=user,
            cycle=cycle,
            size=data.validated_data.get("size"),
            percent=data.validated_data.get("percent"),
            by_day=data.validated_data["by_day"],
            request=request,
        )
        return Response(SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SurveyFilter(filters.FilterSet):
    cycle = filters.UUIDFilter(field_name="sample__cycle__uuid", help_text="cycle id")
    answered = filters.BooleanFilter(
        field_name="answered_at", lookup_expr="isnull", exclude=True, help_text="answered or not"
    )

    class Meta:
        model = MonitoringSurvey
        fields: list[str] = []


class SurveyViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The sampled households' surveys; reading one is audited."""

    queryset = MonitoringSurvey.objects.none()
    serializer_class = SurveySerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "assistance.manage"
    filterset_class = SurveyFilter

    def scoped_queryset(self, user):
        return queries_monitoring.monitoring_surveys_visible_to(user).order_by("pk")

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        survey = self.get_object()
        audit.record(
            actor=signed_in(request),
            action="assistance.monitoring_survey.viewed",
            target=survey,
            request=request,
        )
        return Response(SurveySerializer(survey).data)

    @extend_schema(request=SurveyInput, responses={200: SurveySerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, id=None) -> Response:
        """Record (or correct) this household's answers."""
        user = signed_in(request)
        survey = queries_monitoring.get_monitoring_survey_for(user, id)
        data = SurveyInput(data=request.data)
        data.is_valid(raise_exception=True)
        recorded = actions.record_survey(actor=user, survey=survey, **data.validated_data)
        return Response(SurveySerializer(recorded).data)


def register(router) -> None:
    """Add the reversal and monitoring endpoints to the /api/v1/ router."""
    router.register("deliveries", DeliveryViewSet, basename="delivery")
    router.register("monitoring-samples", SampleViewSet, basename="monitoring-sample")
    router.register("monitoring-surveys", SurveyViewSet, basename="monitoring-survey")
