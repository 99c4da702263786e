"""The public feedback API, open without sign-in (besides signing in, the only such surface):
send feedback, and read its status with the tracking code.

`POST /api/v1/public/feedback/` → 201 `{"tracking_code": "K7M2-9QXD-4T8P"}`;
`GET /api/v1/public/feedback/{tracking_code}/` → `{"status", "status_label", "public_reply",
"replied_at"}`, or the 404 of any unknown address. No authentication is read (a token or a
session changes nothing, and no CSRF check applies: see `public_views._public`); each client
address gets `AMPARO_FEEDBACK_POSTS_PER_MINUTE` messages and `AMPARO_FEEDBACK_CHECKS_PER_MINUTE`
checks a minute, shared with the page (429 with `Retry-After`). The code travels in the path
of a check: the request logs mask it (`amparo/access_log.py`).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import APIException, Throttled
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.core import ratelimit
from amparo.core.api_fields import named_choices
from amparo.core.models import Organization
from amparo.feedback import actions, public_edge, queries, queries_public, tracking
from amparo.feedback.models import Category, Status


class FeedbackIn(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=Category.choices,
        error_messages={"invalid_choice": gettext_lazy("Choose what the message is about.")},
        help_text="`fraud`, `sexual_exploitation_abuse` and `staff_misconduct` go only to the "
        "organization's ethics focal points.",
    )
    text = serializers.CharField(max_length=actions.MAX_TEXT)
    contact = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=actions.MAX_CONTACT,
        help_text="A phone number or e-mail, only if the person wants an answer that way.",
    )
    office = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="The code of the office where the person was served (optional).",
    )
    organization = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="The organization's code; required only when the instance receives feedback "
        "for more than one.",
    )

    def validate(self, attrs: dict) -> dict:
        # Codes to records: the organizations and offices the public page offers.
        organizations = list(queries_public.receiving_organizations())
        code = attrs["organization"]
        if not organizations:
            raise serializers.ValidationError(_("This page is not receiving messages yet."))
        organization: Organization | None
        if len(organizations) == 1 and not code:
            organization = organizations[0]
        else:
            organization = next((o for o in organizations if o.code == code), None)
        if organization is None:
            raise serializers.ValidationError({"organization": [_("Choose the organization.")]})
        office = None
        if attrs["office"]:
            office = next(
                (
                    o
                    for o in queries_public.receiving_offices([organization])
                    if o.code == attrs["office"]
                ),
                None,
            )
            if office is None:
                raise serializers.ValidationError(
                    {"office": [_("Choose one of the organization's offices.")]}
                )
        return {**attrs, "organization": organization, "office": office}


FeedbackStatusField = named_choices("FeedbackStatusEnum", Status.choices)


class FeedbackStatusOut(serializers.Serializer):
    status = FeedbackStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    public_reply = serializers.CharField(read_only=True)
    replied_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large to be read.")
    default_code = "too_large"


_ERRORS = inline_serializer(
    "PublicFeedbackErrors",
    {"field": serializers.ListField(child=serializers.CharField())},
)
_DETAIL = inline_serializer("PublicFeedbackDetail", {"detail": serializers.CharField()})


class PublicFeedbackViewSet(viewsets.ViewSet):
    """Feedback from anyone, without an account."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    lookup_field = "tracking_code"
    lookup_value_regex = "[^/]+"

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        too_often = (
            public_edge.sending_too_often
            if self.action == "create"
            else public_edge.checking_too_often
        )
        if too_often(request):
            raise Throttled(
                wait=ratelimit.retry_after(), detail=_("Too many tries. Wait a minute.")
            )
        if public_edge.too_big(request):
            raise TooLarge

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in public_edge.HEADERS.items():
            response[header] = value
        return response

    @extend_schema(
        operation_id="public_feedback_send",
        summary="Send feedback or a complaint (no account)",
        request=FeedbackIn,
        responses={
            201: inline_serializer(
                "PublicFeedbackReceipt", {"tracking_code": serializers.CharField()}
            ),
            400: OpenApiResponse(_ERRORS, description="Field errors, in the request's language"),
            413: OpenApiResponse(_DETAIL, description="A body over 64 KB"),
            429: OpenApiResponse(_DETAIL, description="Too many messages from this address"),
        },
        examples=[
            OpenApiExample(
                "complaint",
                value={"category": "complaint", "text": "La fila fue muy larga."},
                request_only=True,
            ),
            OpenApiExample(
                "receipt", value={"tracking_code": "K7M2-9QXD-4T8P"}, response_only=True
            ),
        ],
        auth=[],
    )
    def create(self, request: Request) -> Response:
        data = FeedbackIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        _entry, code = actions.receive_feedback(
            organization=d["organization"],
            office=d["office"],
            category=d["category"],
            text=d["text"],
            contact=d["contact"],
            request=request,
        )
        return Response({"tracking_code": tracking.shown(code)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="public_feedback_status",
        summary="The status of feedback, by its tracking code (no account)",
        parameters=[
            OpenApiParameter(
                "tracking_code",
                str,
                OpenApiParameter.PATH,
                description="The code given when the feedback was sent, in any case, with or "
                "without dashes: `K7M2-9QXD-4T8P`.",
            )
        ],
        responses={
            200: FeedbackStatusOut,
            404: OpenApiResponse(_DETAIL, description="No feedback has this code"),
            429: OpenApiResponse(_DETAIL, description="Too many checks from this address"),
        },
        auth=[],
    )
    def retrieve(self, request: Request, tracking_code: str) -> Response:
        entry = queries.public_status(tracking_code)
        if entry is None:
            raise Http404
        return Response(FeedbackStatusOut(entry).data)
