"""DRF plumbing named in settings (kept apart from api.py to avoid an import cycle)."""

from django.http import Http404
from django.utils import translation
from rest_framework import authentication
from rest_framework.exceptions import NotFound


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF token auth that also switches to the user's language (the middleware ran before)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[0].language:
            translation.activate(result[0].language)
            request.LANGUAGE_CODE = result[0].language
        return result


def exception_handler(exc, context):
    """DRF's handler, with one leak closed: 404s never say what was looked for."""
    from rest_framework import views

    if isinstance(exc, Http404):
        exc = NotFound()
    return views.exception_handler(exc, context)
