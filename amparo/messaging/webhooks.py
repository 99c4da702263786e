"""Who may call our webhooks: the gateway of the channel, proven by its own scheme.

- Twilio-style: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, URL + each POST
  parameter's name and value, in sorted name order)), the URL being the one the gateway
  called: `settings.AMPARO_PUBLIC_URL` + the path and query string (we sit behind a proxy).
- RapidPro-style: `Authorization: Token <settings.AMPARO_WEBHOOK_SECRET>`. An empty secret
  refuses everything.

Console and SMTP channels have no webhooks: everything is refused. Comparisons are
constant-time (`hmac.compare_digest`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

from amparo.messaging import channels

GATEWAYS = ("twilio", "rapidpro")


def twilio_signature(token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature a Twilio-style gateway sends with a form POST to `url`."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.POST.lists() for value in values]


def authentic(request: HttpRequest, channel: str) -> bool:
    """Whether this request comes from the gateway configured for `channel`."""
    provider = channels.provider_of(channel)
    if provider == "twilio":
        token = settings.MESSAGING_CHANNELS.get(channel, {}).get("token", "")
        given = request.headers.get("X-Twilio-Signature", "")
        if not token or not given:
            return False
        url = settings.AMPARO_PUBLIC_URL + request.get_full_path()
        expected = twilio_signature(token, url, _form_pairs(request))
        return hmac.compare_digest(expected.encode(), given.encode())
    if provider == "rapidpro":
        secret = settings.AMPARO_WEBHOOK_SECRET
        given = request.headers.get("Authorization", "")
        if not secret or not given:
            return False
        return hmac.compare_digest(f"Token {secret}".encode(), given.encode())
    return False
