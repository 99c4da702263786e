"""REST API for cases: /api/v1/cases/, with notes, follow-ups and the life-cycle steps.

Same policy as the screens: only the case team reads a case (404 otherwise). Narratives
(summary, notes, follow-up notes) never appear in lists; in details they are shown to the case
team only — to anyone else they are write-only.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.cases import actions, queries
from amparo.cases.models import (
    Case,
    CaseNote,
    CasePlan,
    CaseType,
    ClosureReason,
    FollowUp,
    GBVService,
    Incident,
    RiskLevel,
    ServiceType,
)
from amparo.core import access, audit
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin
from amparo.core.queries import areas
from amparo.registry.queries import individuals_visible_to


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.UUIDField(source="owner.uuid", read_only=True)
    household = serializers.UUIDField(source="household.uuid", read_only=True)
    individuals = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "type",
            "risk_level",
            "state",
            "restricted",
            "psea_related",
            "office",
            "owner",
            "members",
            "household",
            "individuals",
            "opened_on",
            "closed_on",
            "closure_reason",
        ]
        read_only_fields = fields

    def get_individuals(self, case) -> list[str]:
        return [str(p.uuid) for p in case.individuals.all()]

    def get_members(self, case) -> list[str]:
        return [str(u.uuid) for u in case.members.all()]


class CaseDetailSerializer(CaseSerializer):
    summary = serializers.CharField(read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "summary"]
        read_only_fields = fields


class OpenCaseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=CaseType.choices)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    individuals = serializers.ListField(child=serializers.UUIDField(), min_length=1)
    summary = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)
    psea_related = serializers.BooleanField(required=False, default=False)


class CaseChangeSerializer(serializers.Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, write_only=True)


class NoteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class FollowUpSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "date", "kind", "notes", "next_date", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class PlanSerializer(serializers.ModelSerializer):
    needs = serializers.CharField(max_length=20000)
    goals = serializers.CharField(max_length=20000)

    class Meta:
        model = CasePlan
        fields = ["needs", "goals", "services_planned", "approved_at"]
        read_only_fields = ["approved_at"]

    services_planned = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceType.choices), required=False, default=list
    )


class IncidentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", queryset=areas())
    services_received = serializers.ListField(
        child=serializers.ChoiceField(choices=GBVService.choices), required=False, default=list
    )
    referral_consent = serializers.ListField(
        child=serializers.ChoiceField(choices=GBVService.choices), required=False, default=list
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "incident_date",
            "report_date",
            "area",
            "type",
            "context",
            "account",
            "perpetrator_count",
            "perpetrator_sex",
            "perpetrator_age_group",
            "perpetrator_relationship",
            "services_received",
            "referral_consent",
        ]


class ClosureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)


class CaseViewSet(
    AuditedRetrieveMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Cases of the caller's team. `summary` only in details; never in the list."""

    queryset = Case.objects.none()
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "cases.view"
    filterset_fields = {
        "type": ["exact"],
        "state": ["exact"],
        "risk_level": ["exact"],
        "office__code": ["exact"],
    }

    def scoped_queryset(self, user):
        return queries.cases_visible_to(user).prefetch_related("individuals", "members")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaseDetailSerializer
        if self.action == "create":
            return OpenCaseSerializer
        if self.action == "partial_update":
            return CaseChangeSerializer
        return CaseSerializer

    @extend_schema(request=OpenCaseSerializer, responses={201: CaseDetailSerializer})
    def create(self, request: Request) -> Response:
        data = OpenCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["individuals"]
        people = list(individuals_visible_to(request.user).filter(uuid__in=ids))
        if len(people) != len(set(ids)):
            raise ValidationError(
                {"individuals": [_("One of these people is not in your registry.")]}
            )
        case = actions.open_case(
            actor=request.user,
            individuals=people,
            type=data.validated_data["type"],
            risk_level=data.validated_data["risk_level"],
            summary=data.validated_data["summary"],
            psea_related=data.validated_data["psea_related"],
            request=request,
        )
        case = queries.get_case_for(request.user, case.uuid)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseChangeSerializer, responses=CaseDetailSerializer)
    def partial_update(self, request: Request, id=None) -> Response:
        case = self.get_object()
        data = CaseChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.update_case(
            actor=request.user,
            case=case,
            risk_level=data.validated_data.get("risk_level", case.risk_level),
            summary=data.validated_data.get("summary", case.summary),
            request=request,
        )
        return Response(CaseDetailSerializer(self.get_object()).data)

    @extend_schema(methods=["GET"], responses=NoteSerializer(many=True))
    @extend_schema(methods=["POST"], request=NoteSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"])
    def notes(self, request: Request, id=None) -> Response:
        case = self.get_object()
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            return Response(NoteSerializer(case.notes.select_related("author"), many=True).data)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = actions.add_note(
            actor=request.user, case=case, text=data.validated_data["text"], request=request
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=FollowUpSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=FollowUpSerializer, responses={201: FollowUpSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="follow-ups")
    def follow_ups(self, request: Request, id=None) -> Response:
        case = self.get_object()
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            return Response(
                FollowUpSerializer(case.follow_ups.select_related("author"), many=True).data
            )
        data = FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = actions.add_follow_up(
            actor=request.user, case=case, request=request, **data.validated_data
        )
        return Response(FollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=PlanSerializer)
    @extend_schema(methods=["PUT"], request=PlanSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["get", "put"])
    def plan(self, request: Request, id=None) -> Response:
        """The assessment and plan (a high-risk case's plan goes to a supervisor on saving)."""
        case = self.get_object()
        if request.method == "GET":
            plan = queries.plan_of(case)
            if plan is None:
                raise Http404
            audit.record_view(request=request, target=case)
            return Response(PlanSerializer(plan).data)
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = actions.save_plan(
            actor=request.user, case=case, request=request, **data.validated_data
        )
        return Response(PlanSerializer(plan).data)

    @extend_schema(methods=["GET"], responses=IncidentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=IncidentSerializer, responses={201: IncidentSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def incidents(self, request: Request, id=None) -> Response:
        """GBV incidents of a GBV case (GBVIMS core fields); for the office's GBV team only."""
        access.require(request.user, "cases.gbv")
        case = self.get_object()
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            return Response(IncidentSerializer(case.incidents.all(), many=True).data)
        data = IncidentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = actions.record_incident(
            actor=request.user, case=case, data=dict(data.validated_data), request=request
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request: Request, id=None) -> Response:
        """Move the case one step on (intake → assessment → case plan → implementation)."""
        case = actions.advance(actor=request.user, case=self.get_object(), request=request)
        return Response(CaseSerializer(case).data)

    @extend_schema(request=ClosureSerializer, responses={202: CaseSerializer})
    @action(detail=True, methods=["post"])
    def closure(self, request: Request, id=None) -> Response:
        """Ask a supervisor to close the case; it stays open until they approve."""
        data = ClosureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = self.get_object()
        actions.request_closure(
            actor=request.user, case=case, reason=data.validated_data["reason"], request=request
        )
        return Response(CaseSerializer(self.get_object()).data, status=status.HTTP_202_ACCEPTED)

    def get_object(self):
        try:
            return super().get_object()
        except (ValueError, TypeError) as exc:
            raise Http404 from exc


def register(router) -> None:
    router.register("cases", CaseViewSet, basename="case")
