"""REST API for cases: /api/v1/cases/, with notes, follow-ups and the life-cycle steps.

Same policy as the screens: only the case team reads a case (404 otherwise). Narratives
(summary, notes, follow-up notes) never appear in lists; in details they are shown to the case
team only — to anyone else they are write-only.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.cases import actions, queries
from amparo.cases.models import (
    AdolescentIncapacity,
    Case,
    CaseNote,
    CasePlan,
    CaseType,
    ChildConsent,
    ClosureReason,
    ConsentGiver,
    ConsentPurpose,
    ConsentWithdrawal,
    FollowUp,
    GBVService,
    Incident,
    IncidentContext,
    RegistryConsentMethod,
    ReportedTo,
    RiskLevel,
    ServiceDecision,
    ServiceType,
)
from amparo.core import access, audit
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin
from amparo.core.queries import areas
from amparo.registry.actions import DuplicatesSuspected
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.UUIDField(source="owner.uuid", read_only=True)
    household = serializers.UUIDField(source="household.uuid", read_only=True, allow_null=True)
    walk_in = serializers.BooleanField(source="is_walk_in", read_only=True)
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
            "walk_in",
            "opened_on",
            "closed_on",
            "closure_reason",
        ]
        read_only_fields = fields

    def get_individuals(self, case) -> list[str]:
        return [str(p.uuid) for p in case.individuals.all()]

    def get_members(self, case) -> list[str]:
        return [str(u.uuid) for u in case.members.all()]


class SurvivorSerializer(serializers.Serializer):
    """Who a walk-in survivor is: only a given name is required. `age` instead of an unknown
    date of birth (which it estimates)."""

    given_names = serializers.CharField(max_length=100)
    first_surname = serializers.CharField(max_length=100, required=False, allow_blank=True)
    second_surname = serializers.CharField(max_length=100, required=False, allow_blank=True)
    other_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Individual.Sex.choices, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    dob_estimated = serializers.BooleanField(read_only=True)
    age = serializers.IntegerField(min_value=0, max_value=130, required=False, write_only=True)
    nationality = serializers.CharField(max_length=2, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, default=list
    )


class CaseDetailSerializer(CaseSerializer):
    summary = serializers.CharField(read_only=True)
    survivor = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "summary", "survivor"]
        read_only_fields = fields

    @extend_schema_field(SurvivorSerializer(allow_null=True))
    def get_survivor(self, case) -> dict | None:
        """The walk-in survivor's identity (the case's team only, as the whole detail)."""
        identity = queries.survivor_of(case)
        return None if identity is None else {k: v or None for k, v in identity.items()}


class WalkInCaseSerializer(SurvivorSerializer):
    type = serializers.ChoiceField(choices=CaseType.choices, default=CaseType.GBV)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    summary = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)
    psea_related = serializers.BooleanField(required=False, default=False)


class ConsentSerializer(serializers.Serializer):
    consent_method = serializers.ChoiceField(choices=RegistryConsentMethod.choices)
    consent_date = serializers.DateField()


class RegisterSurvivorSerializer(ConsentSerializer):
    person = serializers.DictField(
        help_text="the registry's fields of one person (as POST /api/v1/individuals/), "
        "e.g. given_names, first_surname, sex, date_of_birth or age, nationality, "
        "population_group"
    )
    duplicate_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class LinkSurvivorSerializer(ConsentSerializer):
    individual = serializers.UUIDField()


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
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=areas(), required=False, allow_null=True, default=None
    )
    country = serializers.CharField(
        max_length=2, required=False, default="", help_text="ISO 3166-1 alpha-2; the office's"
    )
    context = serializers.ListField(
        child=serializers.ChoiceField(choices=IncidentContext.choices), min_length=1
    )
    reported_to = serializers.ListField(
        child=serializers.ChoiceField(choices=ReportedTo.choices), required=False, default=list
    )
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
            "country",
            "area",
            "place_type",
            "time_of_day",
            "displacement_stage",
            "type",
            "context",
            "account",
            "survivor_age",
            "survivor_age_group",
            "survivor_marital_status",
            "survivor_ethnicity",
            "previous_incidents",
            "perpetrator_count",
            "perpetrator_sex",
            "perpetrator_age_group",
            "perpetrator_relationship",
            "perpetrator_occupation",
            "former_perpetrator",
            "referred_by",
            "reported_elsewhere",
            "reported_to",
            "reported_to_gbvims_agency",
            "services_received",
            "referral_consent",
            "wants_legal_action",
            "statistics_consent",
        ]


class ChildConsentSerializer(serializers.ModelSerializer):
    """A child survivor's consent; `given_by: best_interests` is a case supervisor's decision
    (with `caregiver_unsuitable` and `reason`)."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    individual = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Individual.objects.none(), required=False, allow_null=True
    )
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentPurpose.choices))
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = ChildConsent
        fields = [
            "id",
            "individual",
            "age",
            "given_by",
            "caregiver_relationship",
            "child_assent",
            "method",
            "given_on",
            "purposes",
            "caregiver_unsuitable",
            "reason",
            "caregiver_in_interest",
            "incapacity",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["age", "incapacity", "created_at"]

    incapacity = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:  # only the case's own people
            self.fields["individual"].queryset = case.individuals.all()


class AdolescentIncapacitySerializer(serializers.ModelSerializer):
    """Why an adolescent of 15–17 cannot give informed consent now: then a caregiver's consent
    (`caregiver_in_interest`) or a best-interests decision may be recorded for them."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    individual = serializers.SlugRelatedField(
        slug_field="uuid", queryset=Individual.objects.none(), required=False, allow_null=True
    )
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = AdolescentIncapacity
        fields = ["id", "individual", "age", "why", "details", "noted_on", "recorded_by"]
        read_only_fields = ["age"]

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["individual"].queryset = case.individuals.all()


class ConsentWithdrawalSerializer(serializers.ModelSerializer):
    """A withdrawal of consent to referrals: `service` empty for every service."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = ConsentWithdrawal
        fields = [
            "id",
            "service",
            "withdrawn_by",
            "withdrawn_on",
            "recorded_by",
            "renewed_on",
        ]
        read_only_fields = ["renewed_on"]


class ServiceDecisionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = ServiceDecision
        fields = ["service_type", "outcome", "decided_on", "recorded_by", "updated_at"]
        read_only_fields = ["updated_at"]


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

    @extend_schema(request=WalkInCaseSerializer, responses={201: CaseDetailSerializer})
    @action(detail=False, methods=["post"], url_path="walk-in")
    def walk_in(self, request: Request) -> Response:
        """Open a GBV (or PSEA-related) case for a survivor who is not in the registry: who
        they are stays in the case, for the office's GBV team only."""
        access.require(request.user, "cases.gbv")
        data = WalkInCaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        case_fields = {k: d.pop(k) for k in ("type", "risk_level", "summary", "psea_related")}
        case = actions.open_walk_in_case(
            actor=request.user, identity=d, request=request, **case_fields
        )
        case = queries.get_case_for(request.user, case.uuid)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    def _walk_in_case(self, request: Request):
        access.require(request.user, "cases.gbv")
        case = self.get_object()
        if queries.survivor_of(case) is None:
            raise Http404
        return case

    @extend_schema(request=SurvivorSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["put"])
    def survivor(self, request: Request, id=None) -> Response:
        """Correct what the case knows of its walk-in survivor."""
        case = self._walk_in_case(request)
        data = SurvivorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.change_survivor_identity(
            actor=request.user, case=case, identity=dict(data.validated_data), request=request
        )
        return Response(CaseDetailSerializer(self.get_object()).data)

    @extend_schema(
        request=RegisterSurvivorSerializer,
        responses={201: CaseDetailSerializer, 409: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path="survivor/register")
    def register_survivor(self, request: Request, id=None) -> Response:
        """The survivor agreed to a registry record: register them and link the case. 409
        with `candidates` (people you can see) and `hidden_matches` when they may already be
        registered: link the case to one of them (`survivor/link`), or give a
        `duplicate_reason`."""
        case = self._walk_in_case(request)
        data = RegisterSurvivorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            actions.register_survivor(
                actor=request.user,
                case=case,
                data=d["person"],
                consent_method=d["consent_method"],
                consent_date=d["consent_date"],
                duplicate_reason=d["duplicate_reason"],
                request=request,
            )
        except DuplicatesSuspected as exc:
            report = exc.reports[0]
            return Response(
                {
                    "detail": _("This person may already be registered."),
                    "candidates": [str(c.individual.uuid) for c in report.candidates],
                    "hidden_matches": report.hidden,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            CaseDetailSerializer(self.get_object()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=LinkSurvivorSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="survivor/link")
    def link_survivor(self, request: Request, id=None) -> Response:
        """The survivor agreed, and is already registered: link the case to that record."""
        case = self._walk_in_case(request)
        data = LinkSurvivorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        person = individuals_visible_to(request.user).filter(uuid=d["individual"]).first()
        if person is None:
            raise ValidationError({"individual": [_("Choose a person of your registry.")]})
        actions.link_survivor(
            actor=request.user,
            case=case,
            individual=person,
            consent_method=d["consent_method"],
            consent_date=d["consent_date"],
            request=request,
        )
        return Response(CaseDetailSerializer(self.get_object()).data)

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

    def _restricted_case(self, request: Request) -> Case:
        access.require(request.user, "cases.gbv")
        case = self.get_object()
        if not case.restricted:
            raise Http404
        return case

    @extend_schema(methods=["GET"], responses=ChildConsentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ChildConsentSerializer, responses={201: ChildConsentSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="child-consents")
    def child_consents(self, request: Request, id=None) -> Response:
        """Consent of a child survivor (by age, Caring for Child Survivors guidelines); a
        best-interests decision by a case supervisor other than the caseworker. Restricted
        cases, their GBV team only."""
        case = self._restricted_case(request)
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            records = queries.child_consents_of(case)
            return Response(ChildConsentSerializer(records, many=True).data)
        data = ChildConsentSerializer(data=request.data, case=case)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        individual = values.pop("individual", None)
        record = (
            actions.record_best_interests_decision
            if values.get("given_by") == ConsentGiver.BEST_INTERESTS
            else actions.record_child_consent
        )
        consent = record(
            actor=request.user, case=case, individual=individual, data=values, request=request
        )
        return Response(ChildConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=AdolescentIncapacitySerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=AdolescentIncapacitySerializer,
        responses={201: AdolescentIncapacitySerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="adolescent-incapacities")
    def adolescent_incapacities(self, request: Request, id=None) -> Response:
        """Why an adolescent of 15–17 cannot consent for themselves now (the caseworker's
        record, before a caregiver's consent or a best-interests decision)."""
        case = self._restricted_case(request)
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            records = queries.adolescent_incapacities_of(case)
            return Response(AdolescentIncapacitySerializer(records, many=True).data)
        data = AdolescentIncapacitySerializer(data=request.data, case=case)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        individual = values.pop("individual", None)
        record = actions.record_adolescent_incapacity(
            actor=request.user, case=case, individual=individual, data=values, request=request
        )
        return Response(AdolescentIncapacitySerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=ConsentWithdrawalSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ConsentWithdrawalSerializer,
        responses={201: ConsentWithdrawalSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="consent-withdrawals")
    def consent_withdrawals(self, request: Request, id=None) -> Response:
        """Withdrawals of consent to referrals (to every service, or one kind). Each refuses
        the referrals it covers until consent is given again (on the case page)."""
        case = self._restricted_case(request)
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            records = queries.consent_withdrawals_of(case)
            return Response(ConsentWithdrawalSerializer(records, many=True).data)
        data = ConsentWithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        withdrawal = actions.withdraw_consent(
            actor=request.user,
            case=case,
            service=data.validated_data.get("service", ""),
            withdrawn_by=data.validated_data["withdrawn_by"],
            withdrawn_on=data.validated_data["withdrawn_on"],
            request=request,
        )
        return Response(
            ConsentWithdrawalSerializer(withdrawal).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(methods=["GET"], responses=ServiceDecisionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ServiceDecisionSerializer,
        responses={201: ServiceDecisionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="service-decisions")
    def service_decisions(self, request: Request, id=None) -> Response:
        """The survivor's decision on each kind of service (GBVIMS: referred, declined by the
        survivor, unavailable…); a decline stops referrals there."""
        case = self._restricted_case(request)
        if request.method == "GET":
            audit.record_view(request=request, target=case)
            records = queries.service_decisions_of(case)
            return Response(ServiceDecisionSerializer(records, many=True).data)
        data = ServiceDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = actions.record_service_decision(
            actor=request.user, case=case, request=request, **data.validated_data
        )
        return Response(ServiceDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

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
