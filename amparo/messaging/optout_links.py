"""The opt-out link in campaign e-mails: a signed (channel, address), so the page needs no
sign-in and reveals nothing but what the link already holds."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

SALT = "amparo.messaging.optout"


def token_for(channel: str, address: str) -> str:
    return signing.dumps([channel, address], salt=SALT, compress=True)


def read(token: str) -> tuple[str, str] | None:
    """(channel, address), or None for a token we did not sign. Links do not expire: an
    old e-mail's link must still work."""
    try:
        channel, address = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(channel), str(address)


def url_for(channel: str, address: str) -> str:
    path = reverse("messaging-optout", args=[token_for(channel, address)])
    return settings.AMPARO_PUBLIC_URL + path


def footer(language: str) -> str:
    with translation.override(language):
        return _("To receive no more of these messages:")
