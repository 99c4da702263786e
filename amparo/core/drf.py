"""The API's kernel: authentication and the error handler named in settings, and the mixins
every app's viewsets use (scoped querysets, audited details). Apps import this module, never
each other's `api` modules."""

from django.http import Http404
from django.utils import translation
from rest_framework import authentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.core import access, audit
from amparo.core.errors import ALL, ActionError


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF token auth that also switches to the user's language (the middleware ran before)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[0].language:
            translation.activate(result[0].language)
            request.LANGUAGE_CODE = result[0].language
        return result


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


class ScopedMixin:
    """`get_queryset` always goes through the access policy (`scoped_queryset`).

    `queryset` only names the model for the OpenAPI schema generator.
    """

    permission: str | None = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if self.permission:
            access.require(self.request.user, self.permission)
        return self.scoped_queryset(self.request.user)


class AuditedRetrieveMixin:
    """Detail views of person-level records write a `<app>.<model>.viewed` audit event."""

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        record = self.get_object()
        audit.record_view(request=request, target=record)
        return Response(self.get_serializer(record).data)
