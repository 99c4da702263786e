"""A few tries a minute per client address, for the pages open without sign-in (a care post's
intake, the public feedback page and its API).

Counted in Django's cache: per process with the default local-memory cache, so with several
gunicorn workers the real limit is that times the workers (a shared `CACHES` backend gives an
exact one). Behind a proxy the address is the one `audit.client_address` trusts.
"""

import time

from django.core.cache import cache
from django.http import HttpRequest

from amparo.core.audit import client_address

WINDOW = 60  # seconds


def over_limit(request: HttpRequest, scope: str, per_minute: int) -> bool:
    """Count one more try of `scope` from this client address this minute; whether it is one
    too many."""
    key = f"amparo:{scope}:{client_address(request)}:{int(time.time() // WINDOW)}"
    cache.add(key, 0, timeout=2 * WINDOW)
    try:
        tries = cache.incr(key)
    except ValueError:  # the minute's counter just expired
        tries = 1
    return tries > per_minute


def retry_after() -> int:
    """Seconds until the current minute's count ends (a 429's `Retry-After`)."""
    return WINDOW - int(time.time()) % WINDOW or WINDOW
