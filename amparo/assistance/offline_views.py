"""What lets the distribution screen open and work without a connection: the service worker
(served from /assistance/ so that it may control the distribution pages), the page shell it
falls back to, and a small answer the page asks before sending its queue (who is signed in,
a fresh CSRF token, whether the cycle is still open). None of them holds personal data; the
list itself comes from the API (`offline_api`)."""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from amparo.assistance import queries
from amparo.core import access

# The distribution pages open offline with these; other static files (a scanner's script) are
# kept as the page first loads them.
SHELL_STATIC = ("amparo/amparo.css", "amparo/amparo.js", "assistance/offline.js")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker's script. Its own URL decides its scope (/assistance/). Revalidated
    on every visit, as browsers do for service workers anyway; no personal data in it."""
    files = [static(name) for name in SHELL_STATIC]
    version = hashlib.sha256("\n".join(files).encode()).hexdigest()[:12]
    response = render(
        request,
        "assistance/sw.js",
        {"files": files, "version": version, "static_prefix": settings.STATIC_URL},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/assistance/"
    return response


@login_required
@require_GET
def offline_shell(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows instead of a distribution page that cannot load: the
    offline tools only, which read the list kept on the phone. No household in it."""
    access.require(request.user, "assistance.distribute")
    return render(request, "assistance/offline.html")


@login_required
@require_GET
def offline_session(request: HttpRequest) -> JsonResponse:
    """Who is signed in, a CSRF token for the queue's requests (the page's own may be from a
    shell kept since an earlier sign-in), and whether `?cycle=` is open for this user."""
    access.require(request.user, "assistance.distribute")
    cycle_id = request.GET.get("cycle", "")
    is_open = False
    if cycle_id:
        try:
            is_open = queries.open_cycles_for(request.user).filter(uuid=cycle_id).exists()
        except ValidationError:  # a malformed id: no such cycle
            is_open = False
    return JsonResponse(
        {"user": str(request.user.uuid), "csrf": get_token(request), "cycle_open": is_open}
    )
