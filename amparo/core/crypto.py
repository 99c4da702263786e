"""Encryption at rest for sensitive text (case narratives, GBV incident details, notes).

Keys come from ``AMPARO_FIELD_KEYS`` (newest first, comma-separated) or the instance file
``field_keys``. Rotation: put a new key first and keep the old ones after it; values stay
readable, new writes use the newest key, and `rotate()` re-encrypts a stored value. The command
that re-encrypts every stored value arrives with the first encrypted field (cases issue).
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.AMPARO_FIELD_KEYS))


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt `token` with the newest key."""
    return PREFIX + fernet().rotate(token[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored encrypted; the database only ever sees the Fernet token."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
