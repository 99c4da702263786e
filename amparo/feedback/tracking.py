"""Tracking codes: what the person keeps to follow their feedback, and what Amparo stores of it."""

import hashlib
import hmac

from django.conf import settings

from amparo.core import codes

LENGTH = 12  # Crockford symbols: 60 bits; the public check is rate-limited besides


def new_code() -> str:
    return codes.new_code(LENGTH)


def digest(code: str) -> str:
    """What is stored of a tracking code: its HMAC-SHA256 under the instance's secret key, so
    that a copy of the database does not give the codes away."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"feedback:{code}".encode(), hashlib.sha256).hexdigest()


def digest_of_typed(text: str) -> str | None:
    """The digest of a code as the person typed it ('k7m2-9qxd 4t8p'), or None when it cannot
    be a code."""
    code = codes.normalise_code(text or "", LENGTH)
    return None if code is None else digest(code)


def shown(code: str) -> str:
    """The code as printed for the person: 'K7M2-9QXD-4T8P'."""
    return codes.grouped(code)
