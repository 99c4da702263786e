"""DRF plumbing named in settings (kept apart from api.py to avoid an import cycle)."""

from django.http import Http404
from django.utils import translation
from rest_framework import authentication
from rest_framework.exceptions import NotFound, ValidationError

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
