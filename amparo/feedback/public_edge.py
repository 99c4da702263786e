"""What the public feedback page and the public API share at their edge: the rate limits'
scopes, the bound on bodies, the headers, and the words for a status."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from amparo.core import ratelimit
from amparo.core.middleware import ANONYMOUS_MAX_BODY
from amparo.feedback.models import Status

HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}

# What the status check says of each state, in words.
STATUS_WORDS = {
    Status.RECEIVED: _("We received it. Nobody has answered yet."),
    Status.IN_PROGRESS: _("Someone is looking into it."),
    Status.CLOSED: _("It is closed."),
}


def sending_too_often(request: HttpRequest) -> bool:
    """One more message from this client address (page and API count together)."""
    return ratelimit.over_limit(request, "feedback:send", settings.AMPARO_FEEDBACK_POSTS_PER_MINUTE)


def checking_too_often(request: HttpRequest) -> bool:
    """One more status check from this client address (page and API count together)."""
    return ratelimit.over_limit(
        request, "feedback:check", settings.AMPARO_FEEDBACK_CHECKS_PER_MINUTE
    )


def too_big(request: HttpRequest) -> bool:
    """A body larger than anything these forms need. The edge (`MalformedInputMiddleware`)
    already refuses it from anyone signed in nowhere; checked again because an
    `Authorization` header, which the public endpoints ignore, lifts the edge's bound."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > ANONYMOUS_MAX_BODY
    except ValueError:
        return True
