"""Normalization used by search and the duplicate check: names, documents, phones.

Pure functions, no database: the same keys are computed when a person is saved and when a
query arrives, so both sides of a comparison are folded the same way.
"""

import re
import unicodedata

import phonenumbers

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_NOT_DOC = re.compile(r"[^0-9A-Z]+")
# Particles that many records drop or keep at random ("María de los Ángeles", "del Valle").
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "van", "von"})


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation as spaces: 'Núñez-Peña ' → 'nunez pena'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", stripped.casefold().replace("ß", "ss")).strip()


def name_tokens(*parts: str) -> list[str]:
    """The significant words of a name, folded, particles dropped, in their original order."""
    return [t for t in fold(" ".join(p for p in parts if p)).split() if t not in _PARTICLES]


def name_key(*parts: str) -> str:
    """Order-insensitive key: the folded tokens sorted ('Pérez Gómez Ana' == 'Ana Gómez Pérez')."""
    return " ".join(sorted(name_tokens(*parts)))


def document_key(number: str) -> str:
    """Document number without spaces, dots, dashes or case: 'V-12.345.678' → 'V12345678'."""
    decomposed = unicodedata.normalize("NFKD", number or "")
    return _NOT_DOC.sub("", decomposed.upper())


def document_digits(number: str) -> str:
    """Only the digits, to match 'V-12345678' with '12345678'."""
    return re.sub(r"\D", "", number or "")


class InvalidPhone(ValueError):
    pass


def phone_e164(raw: str, region: str) -> str:
    """A phone number in E.164 ('+593991234567'), reading local forms with `region` (ISO 3166-1).

    Raises InvalidPhone when it is not a valid number for that region (or the region its
    international prefix names).
    """
    if not raw or not raw.strip():
        raise InvalidPhone("empty")
    try:
        parsed = phonenumbers.parse(raw, (region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_search_key(raw: str, region: str) -> str:
    """E.164 when the text parses as a phone number, else '' (the query is not a phone)."""
    try:
        return phone_e164(raw, region)
    except InvalidPhone:
        return ""
