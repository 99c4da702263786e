"""The opt-out page of campaign e-mails (no sign-in): the link's signed token is the
credential (`optout_links`). Thin: read the token → query or action → render.

GET shows what the link is for and one button; a POST opts the address out of the channel
(`source="link"`). A mail client's RFC 8058 one-click unsubscribe is the same POST with the
body `List-Unsubscribe=One-Click` and no CSRF token, so the page has no CSRF check — and,
like the public feedback page, no cookie at all (no session, no CSRF token: the language
comes from `?lang=`). A token we did not sign is 404. Posts are rate-limited per client
address, bodies bounded, and every answer is `no-store` and `noindex`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from amparo.core import ratelimit
from amparo.messaging import actions, optout_links, queries
from amparo.messaging.models import OptOut

POSTS_PER_MINUTE = 10
MAX_BODY = 4 * 1024
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


@csrf_exempt
def optout(request: HttpRequest, token: str) -> HttpResponse:
    if request.GET.get("lang") in dict(settings.LANGUAGES):
        translation.activate(request.GET["lang"])
        request.LANGUAGE_CODE = translation.get_language()
    response = _optout(request, token)
    for header, value in HEADERS.items():
        response[header] = value
    return response


def _optout(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    link = optout_links.read(token)
    if link is None:
        raise Http404
    channel, address = link
    context = {"address": address}
    if request.method != "POST":
        context["done"] = queries.opted_out(channel, address)
        return render(request, "messaging/optout/page.html", context)
    if ratelimit.over_limit(request, "messaging:optout", POSTS_PER_MINUTE):
        response = render(request, "messaging/optout/limit.html", status=429)
        response["Retry-After"] = str(ratelimit.retry_after())
        return response
    if _too_big(request):
        return HttpResponse(status=413)
    actions.opt_out(channel=channel, address=address, source=OptOut.Source.LINK, request=request)
    return render(request, "messaging/optout/page.html", {**context, "done": True})


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
    except ValueError:
        return True
