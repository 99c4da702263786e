"""REST API of campaigns and their templates: parse → access → act → serialize.

Holders of `messaging.campaigns` list, create and read their organization's templates and
campaigns, schedule a draft (now, or at `send_at`) and cancel one; anyone else, or another
organization's record: 404. A campaign's detail has its messages counted by state, never
who they went to.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.core.api_fields import named_choices
from amparo.core.drf import ScopedMixin, signed_in
from amparo.messaging import actions, queries
from amparo.messaging.models import Campaign, Channel, Template

CampaignStateField = named_choices("CampaignStateEnum", Campaign.State.choices)
MessageChannelField = named_choices("MessageChannelEnum", Channel.choices)


class TemplateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    channel = MessageChannelField()

    class Meta:
        model = Template
        fields = [
            "id",
            "name",
            "channel",
            "subject_es",
            "body_es",
            "subject_en",
            "body_en",
            "active",
            "created_at",
        ]
        read_only_fields = ["id", "active", "created_at"]
        # The action checks names and texts (in the user's language, as on the screens).
        extra_kwargs = {
            "name": {"validators": [], "max_length": 200},
            "body_es": {"max_length": 4000},
            "body_en": {"max_length": 4000, "required": False},
            "subject_es": {"max_length": 300, "required": False},
            "subject_en": {"max_length": 300, "required": False},
        }


class FiltersSerializer(serializers.Serializer):
    """Who receives it; every filter optional, all of them must match."""

    offices = serializers.ListField(child=serializers.CharField(), required=False)
    areas = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="area codes (P-codes)"
    )
    population_groups = serializers.ListField(child=serializers.CharField(), required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    project = serializers.CharField(
        required=False, allow_blank=True, help_text="households entitled in this project"
    )
    heads_only = serializers.BooleanField(required=False)


class CampaignSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    template: serializers.SlugRelatedField[Template] = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    channel = MessageChannelField(read_only=True)
    state = CampaignStateField(read_only=True)
    filters = FiltersSerializer(read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "reference",
            "name",
            "template",
            "channel",
            "filters",
            "state",
            "send_at",
            "recipients",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class CountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sending = serializers.IntegerField()
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class CampaignDetailSerializer(CampaignSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    @extend_schema_field(CountsSerializer)
    def get_counts(self, campaign: Campaign) -> dict[str, int]:
        """Its messages by state (none before it is prepared)."""
        return queries.campaign_counts(campaign)


class CampaignInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    template = serializers.UUIDField(help_text="one of your templates")
    filters = FiltersSerializer(required=False)


class ScheduleInput(serializers.Serializer):
    send_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="default: now; within the next 90 days"
    )


CAMPAIGN_EXAMPLE = {
    "name": "Aviso de regularización",
    "template": "0b6a7c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b",
    "filters": {"offices": ["quito"], "languages": ["es"], "heads_only": True},
}


@extend_schema_view(list=extend_schema(responses=TemplateSerializer(many=True)))
class TemplateViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Message templates: a text in Spanish (and English) with {first_name}, {office}, {date}."""

    queryset = Template.objects.none()
    serializer_class = TemplateSerializer
    permission = "messaging.campaigns"
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def scoped_queryset(self, user):
        return queries.templates_visible_to(user)

    @extend_schema(request=TemplateSerializer, responses={201: TemplateSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        self.get_queryset()  # the permission, or 404
        data = TemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = actions.save_template(
            actor=signed_in(request), request=request, **data.validated_data
        )
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses=CampaignSerializer(many=True)),
    retrieve=extend_schema(responses=CampaignDetailSerializer),
)
class CampaignViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Message campaigns: created as drafts, then scheduled (now or later), or cancelled."""

    queryset = Campaign.objects.none()
    permission = "messaging.campaigns"
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    filterset_fields = ["state"]

    def scoped_queryset(self, user):
        return queries.campaigns_visible_to(user)

    def get_serializer_class(self):
        return CampaignSerializer if self.action == "list" else CampaignDetailSerializer

    def _detail(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        return Response(CampaignDetailSerializer(campaign).data, status=code)

    @extend_schema(
        request=CampaignInput,
        responses={201: CampaignDetailSerializer},
        examples=[OpenApiExample("heads of household in Quito", value=CAMPAIGN_EXAMPLE)],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """A draft campaign; `recipients` of its detail is filled in when it is scheduled."""
        user = signed_in(request)
        self.get_queryset()  # the permission, or 404
        data = CampaignInput(data=request.data)
        data.is_valid(raise_exception=True)
        template = (
            queries.templates_visible_to(user)
            .filter(uuid=data.validated_data["template"], active=True)
            .first()
        )
        if template is None:
            raise ValidationError({"template": [_("Choose one of your templates.")]})
        campaign = actions.create_campaign(
            actor=user,
            name=data.validated_data["name"],
            template=template,
            filters=dict(data.validated_data.get("filters") or {}),
            request=request,
        )
        return self._detail(campaign, status.HTTP_201_CREATED)

    @extend_schema(request=ScheduleInput, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, id=None) -> Response:
        """Send the draft now, or at `send_at`."""
        campaign = self.get_object()
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = actions.schedule_campaign(
            actor=signed_in(request),
            campaign=campaign,
            send_at=data.validated_data.get("send_at"),
            request=request,
        )
        return self._detail(campaign)

    @extend_schema(request=None, responses={200: CampaignDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, id=None) -> Response:
        """Stop it: what has not gone to the provider does not go."""
        campaign = actions.cancel_campaign(
            actor=signed_in(request), campaign=self.get_object(), request=request
        )
        return self._detail(campaign)


def register(router) -> None:
    """Add this app's endpoints to the /api/v1/ router."""
    router.register("messaging/templates", TemplateViewSet, basename="message-template")
    router.register("messaging/campaigns", CampaignViewSet, basename="campaign")
