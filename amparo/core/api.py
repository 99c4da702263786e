"""REST API for core records: thin views over queries (reads) and actions (writes)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.core import actions, queries
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin, signed_in
from amparo.core.errors import ActionError
from amparo.core.models import ApiToken, Area, AuditEvent, Office, Organization, Role, User


class OrganizationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    country = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "is_care_route_partner", "country"]


class OfficeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    organization = serializers.SlugRelatedField[Organization](slug_field="code", read_only=True)
    area = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)

    class Meta:
        model = Office
        fields = ["id", "organization", "code", "name", "area", "is_active"]


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    organization = serializers.SlugRelatedField[Organization](slug_field="code", read_only=True)
    office = serializers.SlugRelatedField[Office](slug_field="code", read_only=True)
    role = serializers.SlugRelatedField[Role](slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "organization",
            "office",
            "role",
            "language",
            "is_active",
        ]


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField[Area](slug_field="code", read_only=True)  # type: ignore[assignment]  # a declared field, not Field.parent

    class Meta:
        model = Area
        fields = ["code", "name", "name_en", "level", "parent", "country_code", "kind"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "fields",
            "ip_address",
            "details",
        ]


class OrganizationViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Organization.objects.none()
    serializer_class = OrganizationSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    scoped_queryset = staticmethod(queries.organizations_visible_to)


class OfficeViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Office.objects.none()
    serializer_class = OfficeSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "core.view_offices"
    scoped_queryset = staticmethod(queries.offices_visible_to)


class UserViewSet(AuditedRetrieveMixin, ScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.none()
    serializer_class = UserSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    filterset_fields = {"office__code": ["exact"], "role__code": ["exact"]}
    permission = "core.view_team"
    scoped_queryset = staticmethod(queries.users_visible_to)


class AreaFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code")

    class Meta:
        model = Area
        fields = {"country_code": ["exact"], "level": ["exact"]}


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    lookup_field = "code"
    filterset_class = AreaFilter

    def get_queryset(self):
        return queries.areas()


class AuditEventFilter(filters.FilterSet):
    action = filters.CharFilter(lookup_expr="startswith")
    actor = filters.CharFilter(field_name="actor_username", lookup_expr="iexact")
    since = filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", method="in_range")
    until = filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", method="in_range")

    class Meta:
        model = AuditEvent
        fields = ["target_id"]

    def in_range(self, queryset, name, value):
        # Beyond these years a time-zone shift overflows Python's datetime.
        if not 1900 <= value.year <= 2999:
            raise serializers.ValidationError({name: [_("Enter a date between 1900 and 2999.")]})
        lookup = "gte" if name == "since" else "lt"
        return queryset.filter(**{f"at__{lookup}": value})


class AuditEventViewSet(
    ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The audit log is read-only through the API: there is no way to change or delete events."""

    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission = queries.AUDIT_READERS
    scoped_queryset = staticmethod(queries.audit_events_visible_to)


class LanguageChange(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=LanguageChange, responses=UserSerializer)
    def patch(self, request: Request) -> Response:
        data = LanguageChange(data=request.data)
        data.is_valid(raise_exception=True)
        actions.set_language(
            actor=signed_in(request), language=data.validated_data["language"], request=request
        )
        return Response(UserSerializer(request.user).data)


class TokenScheme(OpenApiAuthenticationExtension):
    """Describes `core.drf.TokenAuthentication` in the OpenAPI schema."""

    target_class = "amparo.core.drf.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 - the header's keyword, not a secret
        )


class TokenRequest(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only for accounts with two-factor sign-in: the authenticator app's current "
        "code, or an unused recovery code.",
    )
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A name for the device, shown in the list of your tokens as `label`.",
    )


class TokenView(APIView):
    """Exchange a username and password (and, when the account needs it, a second-factor code)
    for an API token; `DELETE` with the token signs that token out."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return super().get_permissions()

    @extend_schema(
        request=TokenRequest,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        examples=[
            OpenApiExample("login", value={"username": "ana", "password": "…"}, request_only=True)
        ],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise ActionError.general(_("Unable to sign in with this user name and password."))
        key = actions.issue_api_token(
            user=user,
            request=request,
            label=data.validated_data.get("device", ""),
            otp=data.validated_data.get("otp", ""),
        )
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise ActionError.general(_("Send the token to sign out in the Authorization header."))
        actions.revoke_api_token(
            actor=signed_in(request),
            token=request.auth,
            ending=ApiToken.Ending.SIGNED_OUT,
            request=request,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "prefix", "label", "created_at", "expires_at", "last_used_at", "current"]

    def get_current(self, token: ApiToken) -> bool:
        presented = self.context["request"].auth
        return isinstance(presented, ApiToken) and presented.pk == token.pk


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own tokens that still work, without their keys; `DELETE` ends one
    (a lost phone). Nobody lists another user's tokens here: administrators revoke them in the
    admin."""

    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return queries.api_tokens_of(signed_in(self.request))

    def perform_destroy(self, instance: ApiToken) -> None:
        actions.revoke_api_token(
            actor=signed_in(self.request), token=instance, request=self.request
        )
