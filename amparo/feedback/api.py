"""REST API for the feedback inbox: parse → access → act → serialize.

Readers (`feedback.view`, `feedback.psea`) list and read the entries they may see, reply and
close; recorders post what arrived through another channel and get its tracking code once.
Out of scope, or a sensitive entry to anyone but the ethics focal points: 404.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.core import access
from amparo.core.api_fields import named_choices
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin, signed_in
from amparo.core.models import Office
from amparo.core.queries import organization_offices
from amparo.feedback import actions, queries, tracking
from amparo.feedback.forms import STAFF_CHANNELS
from amparo.feedback.models import Category, FeedbackEntry, Satisfaction, Status

FeedbackStatusField = named_choices("FeedbackStatusEnum", Status.choices)


class EntrySerializer(serializers.ModelSerializer):
    """One entry as the list shows it: what, where, when, never what was said."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    status = FeedbackStatusField(read_only=True)
    overdue = serializers.SerializerMethodField(help_text="open and past its due date")

    class Meta:
        model = FeedbackEntry
        fields = [
            "id",
            "reference",
            "category",
            "status",
            "channel",
            "priority",
            "office",
            "received_at",
            "due_on",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, entry: FeedbackEntry) -> bool:
        return entry.status != Status.CLOSED and entry.due_on < timezone.localdate()


class EntryDetailSerializer(EntrySerializer):
    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "text", "contact", "public_reply"]
        read_only_fields = fields


class RecordInput(serializers.Serializer):
    """Feedback received through another channel; the actions validate the content."""

    channel = serializers.ChoiceField(choices=STAFF_CHANNELS)
    category = serializers.ChoiceField(choices=Category.choices)
    text = serializers.CharField(max_length=actions.MAX_TEXT)
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=actions.MAX_CONTACT
    )
    office = serializers.CharField(
        required=False, max_length=40, help_text="office code; default: yours"
    )
    received_at = serializers.DateTimeField(required=False, help_text="default: now")
    individual = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="the registered person's id, or their household's reference (its head)",
    )


class RecordedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    tracking_code = serializers.CharField(
        help_text="give it to the person now: it is never shown again"
    )


class ReplyInput(serializers.Serializer):
    public_reply = serializers.CharField(max_length=actions.MAX_REPLY)


class CloseInput(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)


class EntryFilter(filters.FilterSet):
    overdue = filters.BooleanFilter(method="only_overdue", help_text="open and past due")

    class Meta:
        model = FeedbackEntry
        fields = ["status", "category", "channel"]

    def only_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = qs.exclude(status=Status.CLOSED).filter(due_on__lt=timezone.localdate())
        return late if value else qs.exclude(pk__in=late.values("pk"))


RECORD_EXAMPLE = {
    "channel": "hotline",
    "category": "complaint",
    "text": "Nadie contestó en la oficina el martes.",
    "contact": "0991234567",
}


@extend_schema_view(
    list=extend_schema(responses=EntrySerializer(many=True)),
    retrieve=extend_schema(responses=EntryDetailSerializer),
)
class FeedbackViewSet(
    AuditedRetrieveMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feedback and complaints. Reading one is audited."""

    queryset = FeedbackEntry.objects.none()
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    filterset_class = EntryFilter

    def scoped_queryset(self, user):
        # A superuser's or an administrator's flag reads no feedback: the role decides.
        if not queries.reads_feedback(user):
            raise Http404
        return queries.entries_visible_to(user)

    def get_serializer_class(self):
        return EntrySerializer if self.action == "list" else EntryDetailSerializer

    def _detail(self, entry: FeedbackEntry) -> Response:
        return Response(EntryDetailSerializer(entry, context=self.get_serializer_context()).data)

    @extend_schema(
        request=RecordInput,
        responses={201: RecordedSerializer},
        examples=[OpenApiExample("a hotline call", request_only=True, value=RECORD_EXAMPLE)],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Record feedback received through another channel; the answer holds its tracking
        code, the only time Amparo shows it."""
        user = signed_in(request)
        access.require_any(user, queries.RECORDERS)
        if user.organization is None:
            raise Http404
        data = RecordInput(data=request.data)
        data.is_valid(raise_exception=True)
        data = data.validated_data
        person = None
        if data.get("individual", "").strip():
            person = queries.registered_person(user, data["individual"])
            if person is None:
                raise ValidationError(
                    {
                        "individual": [
                            _("No registered person with this id or reference that you can see.")
                        ]
                    }
                )
        entry, code = actions.receive_feedback(
            organization=user.organization,
            actor=user,
            channel=data["channel"],
            category=data["category"],
            text=data["text"],
            contact=data.get("contact", ""),
            office=_office(user, data.get("office")),
            received_at=data.get("received_at"),
            individual=person,
            request=request,
        )
        body = {
            "id": entry.uuid,
            "reference": entry.reference,
            "tracking_code": tracking.shown(code),
        }
        return Response(RecordedSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplyInput, responses={200: EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, id=None) -> Response:
        """Write or replace the public reply (what the person reads with their code)."""
        entry = self.get_object()
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = actions.reply(
            actor=signed_in(request),
            entry=entry,
            text=data.validated_data["public_reply"],
            request=request,
        )
        return self._detail(entry)

    @extend_schema(request=CloseInput, responses={200: EntryDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id=None) -> Response:
        """Close the entry, saying whether the person was satisfied."""
        entry = self.get_object()
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = actions.close_entry(
            actor=signed_in(request),
            entry=entry,
            satisfaction=data.validated_data["satisfaction"],
            request=request,
        )
        return self._detail(entry)


def _office(user, code: str | None) -> Office | None:
    """The office named by `code` in the user's organization, or the user's own (None when
    they have none: the action then asks for one)."""
    if not code:
        return user.office
    matches = list(organization_offices(user).filter(code=code)[:2])
    if len(matches) != 1:
        raise ValidationError({"office": [_("Unknown office “%(code)s”.") % {"code": code}]})
    return matches[0]


def register(router) -> None:
    """Add this app's endpoints to the /api/v1/ router."""
    router.register("feedback", FeedbackViewSet, basename="feedback")
