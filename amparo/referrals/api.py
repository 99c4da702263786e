"""REST API for referrals: /api/v1/referrals/.

A sender sees every field of what they sent; a recipient sees only what was shared with them
(`shared`, the reason, the service, the state and its times), never the case or the person's
record.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.cases.queries import cases_visible_to
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin
from amparo.referrals import actions, queries
from amparo.referrals.models import ANSWERS, SHAREABLE_FIELDS, Referral, WithdrawReason
from amparo.registry.queries import individuals_visible_to


class _ReferralFields(serializers.ModelSerializer):
    """What every view of a referral says about where it goes and whether it is late."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    service = serializers.UUIDField(source="service.uuid", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    from_organization = serializers.CharField(source="from_organization.code", read_only=True)
    overdue = serializers.SerializerMethodField()
    # Every view of a referral opens with these, in this order.
    HEAD = (
        "id",
        "reference",
        "state",
        "urgency",
        "service",
        "service_name",
        "from_organization",
    )

    def get_overdue(self, referral) -> bool:
        return queries.is_overdue(referral)


class OnwardLinkSerializer(_ReferralFields):
    """A link of an onward chain: where it went and how it stands, nothing about the person."""

    class Meta:
        model = Referral
        fields = [*_ReferralFields.HEAD, "sent_at"]
        read_only_fields = fields


class SharedReferralSerializer(_ReferralFields):
    """What the recipient sees. Once withdrawn because the person withdrew consent, no longer
    what was shared about her (`shared` is empty, `reason` blank): only its originating
    sender still reads them."""

    shared = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    withdraw_note = serializers.SerializerMethodField(
        help_text="The sender's note on the withdrawal; blank for the recipient when the "
        "person withdrew consent."
    )
    consented_types = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Service types the person agreed to be referred to (an onward referral to "
        "another type needs their new consent).",
    )
    onward = serializers.SerializerMethodField(
        help_text="Onward referrals that followed: the whole chain for its original sender, "
        "otherwise what the user's organization sent on."
    )

    class Meta:
        model = Referral
        fields = [
            *_ReferralFields.HEAD,
            "reason",
            "shared",
            "consent_method",
            "consent_date",
            "sent_at",
            "respond_by",
            "overdue",
            "received_at",
            "responded_at",
            "concluded_at",
            "decline_reason",
            "outcome",
            "withdrawn_at",
            "withdraw_reason",
            "withdraw_note",
            "consented_types",
            "cross_border_consent",
            "onward",
        ]
        read_only_fields = fields

    def get_shared(self, referral) -> dict[str, str]:
        return {} if queries.shared_data_withheld(referral) else actions.shared_data(referral)

    def get_reason(self, referral) -> str:
        return "" if queries.shared_data_withheld(referral) else referral.reason

    def get_withdraw_note(self, referral) -> str:
        hidden = referral.consent_withdrawn and not referral.as_sender
        return "" if hidden else referral.withdraw_note

    @extend_schema_field(OnwardLinkSerializer(many=True))
    def get_onward(self, referral) -> list[dict]:
        chain = queries.onward_chain(self.context["request"].user, referral)
        return OnwardLinkSerializer(chain, many=True).data


class ReferralSerializer(SharedReferralSerializer):
    """What the sender sees."""

    case = serializers.SerializerMethodField()
    individual = serializers.SerializerMethodField()

    class Meta(SharedReferralSerializer.Meta):
        fields = [
            *SharedReferralSerializer.Meta.fields,
            "case",
            "individual",
            "shared_fields",
            "parent",
        ]
        read_only_fields = fields

    parent = serializers.SerializerMethodField(
        help_text="For an onward referral the user's organization sent: the referral it "
        "received and referred on from."
    )

    def get_parent(self, referral) -> str | None:
        return str(referral.parent.uuid) if referral.parent_id else None

    def get_case(self, referral) -> str | None:
        return str(referral.case.uuid) if referral.case_id else None

    def get_individual(self, referral) -> str | None:
        return str(referral.individual.uuid) if referral.individual_id else None


class ReferralRowSerializer(_ReferralFields):
    """A row of the list: no reason, no shared data, no outcome (those are in the audited
    detail)."""

    side = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            *_ReferralFields.HEAD,
            "sent_at",
            "respond_by",
            "overdue",
            "side",
        ]
        read_only_fields = fields

    def get_side(self, referral) -> str:
        """ "sender" or "recipient"."""
        return "sender" if referral.as_sender else "recipient"


class SendSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    urgency = serializers.ChoiceField(choices=Referral._meta.get_field("urgency").choices)
    reason = serializers.CharField(max_length=5000)
    case = serializers.UUIDField(required=False, allow_null=True)
    individual = serializers.UUIDField(required=False, allow_null=True)
    person = serializers.DictField(child=serializers.CharField(), required=False)
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SHAREABLE_FIELDS)), required=False, default=list
    )
    consent = serializers.BooleanField(
        help_text="True only when the person gave informed consent for this recipient and purpose."
    )
    consent_method = serializers.ChoiceField(choices=Referral.ConsentMethod.choices)
    consent_date = serializers.DateField()
    cross_border_consent = serializers.BooleanField(
        default=False,
        help_text="Required for a provider in another country than the sender's office: the "
        "person agrees that their information goes to that country.",
    )


class OnwardSerializer(serializers.Serializer):
    """A partner refers the person of a referral it received and accepted on to another service."""

    service = serializers.UUIDField(help_text="A service of the caller's directory.")
    urgency = serializers.ChoiceField(choices=Referral._meta.get_field("urgency").choices)
    reason = serializers.CharField(max_length=5000)
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SHAREABLE_FIELDS)),
        required=False,
        default=list,
        help_text="No more than the referral received shared (its `shared` keys).",
    )
    consent = serializers.BooleanField(
        default=False,
        help_text="Her new consent: needed only when the service's type is not among the "
        "received referral's `consented_types` (then with its method and date).",
    )
    consent_method = serializers.ChoiceField(
        choices=Referral.ConsentMethod.choices, required=False, allow_blank=True, default=""
    )
    consent_date = serializers.DateField(required=False, allow_null=True, default=None)
    cross_border_consent = serializers.BooleanField(
        default=False,
        help_text="Required for a provider in another country than the caller's: the person "
        "agrees that her information goes to that country.",
    )


class AnswerSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in ANSWERS])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WithdrawSerializer(serializers.Serializer):
    """The sending side withdraws a referral that is still open."""

    reason = serializers.ChoiceField(choices=WithdrawReason.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text='Required for the reason "other". The recipient reads it, except when the '
        "person withdrew consent.",
    )


class ReferralViewSet(
    AuditedRetrieveMixin,
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals the caller's side sent or receives."""

    queryset = Referral.objects.none()
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    filterset_fields = {"state": ["exact"], "urgency": ["exact"]}
    scoped_queryset = staticmethod(queries.referrals_visible_to)

    def get_serializer(self, instance=None, *args, **kwargs):
        if self.action in ("list", "retrieve") and instance is not None:
            if kwargs.pop("many", False):
                return ReferralRowSerializer(instance, many=True)
            cls = ReferralSerializer if instance.as_sender else SharedReferralSerializer
            kwargs.setdefault("context", self.get_serializer_context())
            return cls(instance, *args, **kwargs)
        return super().get_serializer(instance, *args, **kwargs)

    def get_serializer_class(self):
        return ReferralSerializer

    @extend_schema(request=SendSerializer, responses={201: ReferralSerializer})
    def create(self, request: Request) -> Response:
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        user = request.user
        service = queries.services_visible_to(user).filter(uuid=d["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("Choose a service from your directory.")]})
        case = individual = None
        if d.get("case"):
            case = cases_visible_to(user).filter(uuid=d["case"]).first()
            if case is None:
                raise ValidationError({"case": [_("No such case on your team.")]})
        if d.get("individual"):
            people = case.individuals.all() if case else individuals_visible_to(user)
            individual = people.filter(uuid=d["individual"]).first()
            if individual is None:
                raise ValidationError({"individual": [_("Choose a person of this case.")]})
        referral = actions.send_referral(
            actor=user,
            service=service,
            urgency=d["urgency"],
            reason=d["reason"],
            shared_fields=d["shared_fields"],
            consent=d["consent"],
            consent_method=d["consent_method"],
            consent_date=d["consent_date"],
            case=case,
            individual=individual,
            person=d.get("person"),
            cross_border_consent=d["cross_border_consent"],
            request=request,
        )
        referral = queries.get_referral_for(user, referral.uuid)
        return Response(
            ReferralSerializer(referral, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=AnswerSerializer, responses=SharedReferralSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, id=None) -> Response:
        """Received → accepted | declined (with a reason) → service given | not reached."""
        referral = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.move(
            actor=request.user,
            referral=referral,
            to_state=data.validated_data["state"],
            note=data.validated_data["note"],
            request=request,
        )
        referral = self.get_object()
        cls = ReferralSerializer if referral.as_sender else SharedReferralSerializer
        return Response(cls(referral, context={"request": request}).data)

    @extend_schema(request=WithdrawSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id=None) -> Response:
        """Sent | received | accepted → withdrawn, by the sending side, with a reason (final;
        the answer is no longer awaited). Because the person withdrew consent, the open onward
        referrals that followed are withdrawn too, and the recipients no longer read what was
        shared. The recipient, or anyone out of scope: 404."""
        referral = self.get_object()
        if not actions.can_withdraw(request.user, referral):
            raise Http404
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.withdraw_referral(
            actor=request.user,
            referral=referral,
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
            request=request,
        )
        referral = self.get_object()
        return Response(ReferralSerializer(referral, context={"request": request}).data)

    @extend_schema(request=OnwardSerializer, responses={201: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def onward(self, request: Request, id=None) -> Response:
        """Refer the person of a referral the caller's agency received and accepted on to
        another service (hospital → prosecutor), linked to it: sharing no more than it shared,
        to a type of service she consented to (or with her new consent), and with her consent
        to share abroad for a provider in another country. Anyone but the recipient: 404."""
        user = request.user
        parent = self.get_object()
        data = OnwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        service = queries.services_visible_to(user).filter(uuid=d["service"]).first()
        if service is None:
            raise ValidationError({"service": [_("Choose a service from your directory.")]})
        referral = actions.refer_onward(
            actor=user,
            parent=parent,
            service=service,
            urgency=d["urgency"],
            reason=d["reason"],
            shared_fields=d["shared_fields"],
            consent=d["consent"],
            consent_method=d["consent_method"],
            consent_date=d["consent_date"],
            cross_border_consent=d["cross_border_consent"],
            request=request,
        )
        referral = queries.get_referral_for(user, referral.uuid)
        return Response(
            ReferralSerializer(referral, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    router.register("referrals", ReferralViewSet, basename="referral")
