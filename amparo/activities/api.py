"""REST API for services given: parse → access → act → serialize."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.activities import actions, queries
from amparo.activities.models import Activity, ActivityType, AgeBand, Attendance, Sector
from amparo.cases import queries as case_queries
from amparo.core import access
from amparo.core.api_fields import named_choices
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin
from amparo.core.models import Office
from amparo.core.queries import organization_offices
from amparo.registry import queries as registry_queries

ActivityTypeField = named_choices("ActivityTypeEnum", ActivityType.choices)


class CountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["sex", "age_band", "count"]


class ActivitySerializer(serializers.ModelSerializer):
    """One service or group activity as lists show it: numbers of people, never who."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    type = ActivityTypeField(read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    staff = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)
    case = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    registered = serializers.IntegerField(
        read_only=True, help_text="registered participants (individuals)"
    )
    counted = serializers.IntegerField(
        read_only=True, help_text="people counted by sex and age band, not registered"
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "date",
            "office",
            "sector",
            "programme",
            "staff",
            "case",
            "registered",
            "counted",
        ]
        read_only_fields = fields


class ActivityDetailSerializer(ActivitySerializer):
    participants = serializers.SerializerMethodField(
        help_text="ids of the registered participants whom you may see in the registry"
    )
    counts = CountSerializer(source="attendance", many=True, read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="uuid", read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [
            *ActivitySerializer.Meta.fields,
            "participants",
            "counts",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_participants(self, activity: Activity) -> list[str]:
        user = self.context["request"].user
        people = queries.participants_shown_to(user, activity).values_list("uuid", flat=True)
        return [str(u) for u in people]


class CountInput(serializers.Serializer):
    sex = serializers.ChoiceField(choices=Attendance.Sex.choices)
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    count = serializers.IntegerField(
        min_value=0,
        max_value=actions.MAX_COUNT,
        error_messages={"min_value": gettext_lazy("The number of people cannot be negative.")},
    )


class ActivityInput(serializers.Serializer):
    """What a client sends; the activities' actions validate the content."""

    type = ActivityTypeField()
    date = serializers.DateField(help_text="YYYY-MM-DD, not in the future")
    office = serializers.CharField(required=False, help_text="office code; default: yours")
    sector = serializers.ChoiceField(choices=Sector.choices)
    programme = serializers.CharField(required=False, allow_blank=True, max_length=120)
    staff = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=50,
        help_text="user ids of the staff who gave it; default: you",
    )
    case = serializers.UUIDField(
        required=False, allow_null=True, help_text="case id (individual services only)"
    )
    participants = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=500,
        help_text="ids of registered individuals; for a case, default: the case's individuals",
    )
    counts = CountInput(
        many=True, required=False, help_text="group activities: people counted, not registered"
    )


class ActivityFilter(filters.FilterSet):
    since = filters.DateFilter(field_name="date", lookup_expr="gte", help_text="from this date")
    until = filters.DateFilter(field_name="date", lookup_expr="lte", help_text="to this date")
    office = filters.CharFilter(field_name="office__code", help_text="office code")

    class Meta:
        model = Activity
        fields = ["type", "sector"]


INDIVIDUAL_EXAMPLE = {
    "type": "legal_counselling",
    "date": "2026-03-02",
    "sector": "legal",
    "programme": "PRM 2026",
    "participants": ["6f1c2d7e-8a4b-4c55-9d0e-3b2a1f0e9c8d"],
}
GROUP_EXAMPLE = {
    "type": "parenting",
    "date": "2026-03-04",
    "sector": "child_protection",
    "counts": [
        {"sex": "F", "age_band": "18-59", "count": 14},
        {"sex": "M", "age_band": "18-59", "count": 3},
    ],
}


@extend_schema_view(
    list=extend_schema(responses=ActivitySerializer(many=True)),
    retrieve=extend_schema(responses=ActivityDetailSerializer),
)
class ActivityViewSet(
    AuditedRetrieveMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Services given and group activities. Reading one is audited."""

    queryset = Activity.objects.none()
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "activities.view"
    filterset_class = ActivityFilter

    def scoped_queryset(self, user):
        qs = queries.with_attendance(queries.activities_visible_to(user))
        qs = qs.select_related("case", "recorded_by").prefetch_related("staff")
        return qs if self.action == "list" else qs.prefetch_related("attendance")

    def get_serializer_class(self):
        return ActivitySerializer if self.action == "list" else ActivityDetailSerializer

    @extend_schema(
        request=ActivityInput,
        responses={201: ActivityDetailSerializer},
        examples=[
            OpenApiExample("individual service", request_only=True, value=INDIVIDUAL_EXAMPLE),
            OpenApiExample("group activity", request_only=True, value=GROUP_EXAMPLE),
        ],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        user = request.user
        access.require(user, "activities.record")
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        office = _office(request, data.get("office"))
        activity = actions.record_activity(
            actor=user,
            office=office,
            type=data["type"],
            date=data["date"],
            staff=_staff(request, office, data.get("staff")),
            sector=data["sector"],
            programme=data.get("programme", ""),
            case=_case(request, data.get("case")),
            participants=_participants(request, data.get("participants", [])),
            counts=_counts(data.get("counts", [])),
            request=request,
        )
        activity = access.get_visible(self.get_queryset(), pk=activity.pk)
        body = ActivityDetailSerializer(activity, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


def _office(request: Request, code: str | None) -> Office:
    """The office named by `code` in the user's organization, or the user's own."""
    if not code:
        if request.user.office_id is None:
            raise ValidationError({"office": [_("Choose the office (your account has none).")]})
        return request.user.office
    offices = organization_offices(request.user)
    matches = list(offices.filter(code=code)[:2])
    if len(matches) != 1:
        raise ValidationError({"office": [_("Unknown office “%(code)s”.") % {"code": code}]})
    return matches[0]


def _staff(request: Request, office: Office, ids: list | None) -> list:
    if ids is None:
        return [request.user]
    staff = list(queries.staff_choices_for(request.user, office).filter(uuid__in=ids))
    if len(staff) != len(set(ids)):
        raise ValidationError({"staff": [_("Choose active staff members of your team.")]})
    return staff


def _case(request: Request, case_id):
    if case_id is None:
        return None
    case = case_queries.cases_visible_to(request.user).filter(uuid=case_id).first()
    if case is None:
        raise ValidationError({"case": [_("Choose a case you work on.")]})
    return case


def _participants(request: Request, ids: list) -> list:
    people = list(registry_queries.individuals_visible_to(request.user).filter(uuid__in=ids))
    if len(people) != len(set(ids)):
        raise ValidationError({"participants": [_("Choose people registered in your registry.")]})
    return people


def _counts(cells: list[dict]) -> dict[tuple[str, str], int]:
    counts = {}
    for cell in cells:
        key = (cell["sex"], cell["age_band"])
        if key in counts:
            raise ValidationError(
                {
                    "counts": [
                        _("Give each sex and age band once (%(sex)s, %(band)s).")
                        % {"sex": key[0], "band": key[1]}
                    ]
                }
            )
        counts[key] = cell["count"]
    return counts


def register(router) -> None:
    """Add this app's endpoints to the /api/v1/ router."""
    router.register("activities", ActivityViewSet, basename="activity")
