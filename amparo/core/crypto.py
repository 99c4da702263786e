"""Encryption at rest for sensitive text (case narratives, GBV incident details, notes).

Keys come from ``AMPARO_FIELD_KEYS`` (newest first, comma-separated) or the instance file
``field_keys``. Rotation without downtime: put a new key first and keep the old ones after it
(values stay readable, new writes use the newest key), run ``amparo rotate-keys`` (re-encrypts
every stored value with the newest key), then remove the old keys.
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


def encrypted_fields():
    """(model, field) for every encrypted field of every installed model."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def rotate_all(batch: int = 500) -> dict[str, int]:
    """Re-encrypt every stored value with the newest key, in small transactions.

    Safe while the application runs: every configured key still decrypts, and a row changed
    meanwhile is left alone (its new value is already under the newest key).
    """
    from django.db import connection, transaction

    counts: dict[str, int] = {}
    newest = Fernet(settings.AMPARO_FIELD_KEYS[0].encode())
    for model, field in encrypted_fields():
        table, column = model._meta.db_table, field.column
        pk = model._meta.pk.column
        qn = connection.ops.quote_name
        # Table and column names come from the models and are quoted; values are parameters.
        t, c, k = qn(table), qn(column), qn(pk)
        select = (
            f"SELECT {k}, {c} FROM {t} WHERE {c} IS NOT NULL AND {k} > %s ORDER BY {k} LIMIT %s"  # noqa: S608, E501
        )
        update = f"UPDATE {t} SET {c} = %s WHERE {k} = %s AND {c} = %s"  # noqa: S608
        last, done, unreadable = 0, 0, 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select, [last, batch])
                rows = cursor.fetchall()
            if not rows:
                break
            with transaction.atomic(), connection.cursor() as cursor:
                for row_pk, token in rows:
                    last = row_pk
                    if not token.startswith(PREFIX) or _under(newest, token):
                        continue
                    try:
                        fresh = rotate(token)
                    except InvalidToken:
                        unreadable += 1  # no configured key opens it: left as it is
                        continue
                    cursor.execute(update, [fresh, row_pk, token])
                    done += cursor.rowcount
        counts[f"{model._meta.label}.{field.name}"] = done
        if unreadable:
            counts[f"{model._meta.label}.{field.name} (unreadable)"] = unreadable
    return counts


def _under(key: Fernet, token: str) -> bool:
    try:
        key.decrypt(token[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True
