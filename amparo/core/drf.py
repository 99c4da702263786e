"""The API's kernel: authentication and the error handler named in settings, and the mixins
every app's viewsets use (scoped querysets, audited details). Apps import this module, never
each other's `api` modules."""

from typing import Any, Protocol

from django.db.models import Manager, Model, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    ValidationError,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from amparo.core import access, audit
from amparo.core.errors import ALL, ActionError
from amparo.core.models import User


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` with Amparo's expiring, revocable tokens (`ApiToken`);
    `request.auth` is the token. Also switches to the user's language (the middleware ran
    before the API knew the user)."""

    keyword = "Token"

    def authenticate(self, request):
        from amparo.core import actions, queries  # this module loads with DRF's settings

        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed(_("Invalid token header."))
        try:
            key = words[1].decode()
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("Invalid token header.")) from exc
        token = queries.live_api_token(key)
        if token is None:
            raise AuthenticationFailed(
                _("This token is not valid: it has expired or was revoked. Sign in again.")
            )
        actions.note_api_token_use(token)
        user = token.user
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return (user, token)

    def authenticate_header(self, request) -> str:
        return self.keyword


def exception_handler(exc, context):
    """DRF's handler, with one leak closed and one error family added.

    404s never say what was looked for. An action's `ActionError` answers 400 with its field
    errors, `{"field": ["message"]}`; what belongs to no field is under `non_field_errors`,
    as DRF's own validation errors put it.
    """
    from rest_framework import views

    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, ActionError):
        exc = ValidationError(
            {("non_field_errors" if k == ALL else k): v for k, v in exc.errors.items()}
        )
    return views.exception_handler(exc, context)


# The mixins cannot subclass `GenericAPIView`: DRF's settings load this module (the
# authentication class above) while `rest_framework.views` is still being imported. So each
# says in a Protocol what it uses of the viewset it is mixed into; read-only members, so that
# a viewset's narrower `queryset` still fits.


class _ScopedView(Protocol):
    """What `ScopedMixin` uses of its viewset."""

    @property
    def request(self) -> Request: ...
    @property
    def queryset(self) -> QuerySet[Model] | Manager[Model] | None: ...
    @property
    def permission(self) -> str | tuple[str, ...] | None: ...

    def scoped_queryset(self, user: User) -> QuerySet[Model]: ...


class ScopedMixin:
    """`get_queryset` always goes through the access policy (`scoped_queryset`).

    `queryset` only names the model for the OpenAPI schema generator.
    """

    # One permission, or several of which the user needs one.
    permission: str | tuple[str, ...] | None = None

    def get_queryset(self: _ScopedView):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        user = signed_in(self.request)
        if isinstance(self.permission, tuple):
            access.require_any(user, self.permission)
        elif self.permission:
            access.require(user, self.permission)
        return self.scoped_queryset(user)


class _RetrieveView(Protocol):
    """What `AuditedRetrieveMixin` uses of its viewset."""

    def get_object(self) -> Model: ...

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Model]: ...


class AuditedRetrieveMixin:
    """Detail views of person-level records write a `<app>.<model>.viewed` audit event."""

    def retrieve(self: _RetrieveView, request: Request, *args, **kwargs) -> Response:
        record = self.get_object()
        audit.record_view(request=request, target=record)
        return Response(self.get_serializer(record).data)


def signed_in(request: Request) -> User:
    """The request's user. Every endpoint requires one (`DEFAULT_PERMISSION_CLASSES`), so an
    anonymous request never gets this far; should one, it is refused as that permission would."""
    user = request.user
    if not user.is_authenticated:
        raise NotAuthenticated
    return user
