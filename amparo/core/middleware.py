from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control


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
