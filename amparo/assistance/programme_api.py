"""REST API of the programme screens, for holders of `assistance.manage`: projects (list,
create, with their indicators; add an indicator), cycles (list, close), targeting rules (list,
create, preview). Others get 404."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import actions, queries_indicators, targeting
from amparo.assistance import queries_targeting as queries
from amparo.assistance.models import (
    Cycle,
    IndicatorMeasure,
    Project,
    ProjectIndicator,
    Sector,
    TargetingRule,
)
from amparo.core import audit
from amparo.core.drf import ScopedMixin, signed_in
from amparo.core.errors import ActionError
from amparo.core.queries import offices_in_scope


class IndicatorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = ProjectIndicator
        fields = [
            "id", "name", "measure", "unit", "target",
            "sector", "activity_type", "closure_reason", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class IndicatorInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    measure = serializers.ChoiceField(choices=IndicatorMeasure.choices)
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    # The one choice of a measure counted by the reports (the action checks it).
    sector = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    activity_type = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    closure_reason = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default=""
    )


class ProjectSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    offices = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "donor",
            "sector",
            "offices",
            "start_date",
            "end_date",
            "currency",
            "target_households",
            "target_items",
            "indicators",
        ]
        read_only_fields = fields


class ProjectInput(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    donor = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    sector = serializers.ChoiceField(choices=Sector.choices)
    offices = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=100)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    currency = serializers.CharField(max_length=3, required=False, default="USD")
    target_households = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    target_items = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class CycleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    project = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    rule = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "project",
            "office",
            "name",
            "assistance_type",
            "place",
            "start_date",
            "end_date",
            "amount",
            "amount_basis",
            "member_cap",
            "currency",
            "state",
            "rule",
        ]
        read_only_fields = fields


class RuleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    project = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta:
        model = TargetingRule
        fields = ["id", "project", "name", "criteria", "threshold"]
        read_only_fields = fields


class RuleInput(serializers.Serializer):
    project = serializers.UUIDField()
    name = serializers.CharField(max_length=120)
    criteria = serializers.JSONField()
    threshold = serializers.JSONField(required=False, allow_null=True, default=None)


class PreviewInput(serializers.Serializer):
    office = serializers.UUIDField(required=False, help_text="one office of the project; all")


class PreviewSerializer(serializers.Serializer):
    base = serializers.IntegerField()
    by_rule = serializers.IntegerField()
    entitled = serializers.IntegerField()
    included = serializers.IntegerField()
    excluded = serializers.IntegerField()
    passing = serializers.ListField(child=serializers.ListField())
    scores = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    sample = serializers.ListField(child=serializers.CharField())


class ProjectViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The organization's projects."""

    queryset = Project.objects.none()
    serializer_class = ProjectSerializer
    permission = queries.MANAGE
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        projects = queries_indicators.managed_projects_with_indicators(user)
        return projects.order_by("-start_date", "code")

    @extend_schema(request=IndicatorInput, responses={201: IndicatorSerializer})
    @action(detail=True, methods=["post"])
    def indicators(self, request: Request, id=None) -> Response:
        """Add an indicator (a target) to the project."""
        user = signed_in(request)
        project = queries.get_managed_project(user, id)
        data = IndicatorInput(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = actions.add_project_indicator(
            actor=user, project=project, request=request, **data.validated_data
        )
        return Response(IndicatorSerializer(indicator).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectInput, responses={201: ProjectSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        user = signed_in(request)
        self.get_queryset()  # the permission check: 404 without it
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        wanted = values.pop("offices")
        offices = list(offices_in_scope(user).filter(uuid__in=wanted))
        if len(offices) != len(set(wanted)):
            raise ValidationError({"offices": [_("Choose offices of your organization.")]})
        project = actions.create_project(actor=user, offices=offices, request=request, **values)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _conflict(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


class CycleViewSet(ScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The distribution cycles of the projects the caller plans."""

    queryset = Cycle.objects.none()
    serializer_class = CycleSerializer
    permission = queries.MANAGE
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        return queries.managed_cycles(user).order_by("-start_date", "-pk")

    @extend_schema(request=None, responses={200: CycleSerializer, 409: ConflictSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id=None) -> Response:
        """Close an open cycle: no more deliveries, its pending entitlements count as absent.
        409 when the cycle is not open (already closed)."""
        user = signed_in(request)
        cycle = queries.get_managed_cycle(user, id)
        if cycle.state != Cycle.State.OPEN:
            return _conflict(_("Only an open cycle can be closed."))
        try:
            closed = actions.close_cycle(actor=user, cycle=cycle, request=request)
        except ActionError as refused:  # closed meanwhile by someone else
            return _conflict(refused.messages[0])
        return Response(CycleSerializer(closed).data)


class TargetingRuleViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Targeting rules; `preview/` counts what one would entitle today, writing nothing but
    the audit of the sample of references it shows."""

    queryset = TargetingRule.objects.none()
    serializer_class = RuleSerializer
    permission = queries.MANAGE
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        return queries.rules_visible_to(user).order_by("project", "name", "pk")

    @extend_schema(request=RuleInput, responses={201: RuleSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        user = signed_in(request)
        self.get_queryset()
        data = RuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = queries.get_managed_project(user, values["project"])
        rule = actions.create_rule(
            actor=user,
            project=project,
            name=values["name"],
            criteria=values["criteria"],
            threshold=values["threshold"],
            request=request,
        )
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PreviewInput, responses=PreviewSerializer)
    @action(detail=True, methods=["post"])
    def preview(self, request: Request, id=None) -> Response:
        """How many households the rule entitles today, per criterion and in all."""
        user = signed_in(request)
        rule = queries.get_rule_for(user, id)
        data = PreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        offices = queries.project_offices_for(user, rule.project)
        if data.validated_data.get("office"):
            offices = offices.filter(uuid=data.validated_data["office"])
            if not offices.exists():
                raise ValidationError({"office": [_("This office does not run the project.")]})
        shown = targeting.preview(rule, offices, timezone.localdate())
        audit.record(
            actor=user,
            action="assistance.rule.previewed",
            target=rule,
            request=request,
            details={"households": len(shown.sample)},
        )
        return Response(PreviewSerializer(shown).data)


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="project")
    router.register("cycles", CycleViewSet, basename="cycle")
    router.register("targeting-rules", TargetingRuleViewSet, basename="targeting-rule")
