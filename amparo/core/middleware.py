from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """Signed-in users get their saved language; others keep the cookie or browser choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing the application answers is kept by the browser or a proxy.

    Pages and API answers behind login hold personal data; on a shared office computer they
    must not come back with the back button after logout, nor sit in a disk cache. Static files
    never reach this middleware (WhiteNoise answers them first, with their own long cache).
    A response that already says how it may be cached keeps its own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class TwoFactorMiddleware:
    """A signed-in user who must use two-factor sign-in (`twofactor.required_for`) reaches
    only the two-factor pages, sign-out and the language switch until a code has confirmed
    this session: to enter one if they have an authenticator, to set one up if not. API
    requests with a token are checked when the token is issued, not here."""

    OPEN_VIEWS = frozenset(
        {
            "login",
            "logout",
            "set_language",
            "healthz",
            "two_factor_verify",
            "two_factor_setup",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from amparo.core import twofactor  # the models are not loaded when settings are

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN_VIEWS:
            return None
        if not twofactor.required_for(user) or user.is_verified():
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Confirm this sign-in with your second factor first.")},
                status=403,
            )
        page = "two_factor_verify" if twofactor.authenticator_of(user) else "two_factor_setup"
        return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
