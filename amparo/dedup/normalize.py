"""The values a record is compared on, folded the way this population's records differ.

Pure functions over one value, applied by `linkage.prepare` to each *distinct* value of a
column (names and dates repeat: a million people have far fewer distinct names), so that the
Python here costs little even at national scale. The registry's own folding is reused
(`registry.normalize`: accents, case, particles, nicknames, glued compounds), so that the
duplicate check at registration and the batch deduplication read a name the same way.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from amparo.registry.normalize import fold, name_tokens, word_alternatives

_DIGITS = re.compile(r"\D+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# "V-12.345.678", "E 8.123.456": a Venezuelan cédula's nationality letter, often left out.
_LETTER_PREFIX = re.compile(r"^[VEPJG](?=\d{5,}$)")


@dataclass(frozen=True)
class GivenNames:
    full: str | None  # the canonical words: nicknames as the names they stand for
    first: str | None
    second: str | None
    sorted: str | None  # the words in alphabetical order: "José María" = "María José"
    glued: str | None  # without spaces: "mariajose" for "María José" and "Majo"
    written: str | None  # the words as typed, folded: "marisol" (whose full is "maria soledad")


def given_names(raw: str | None) -> GivenNames:
    """'Majo' → 'maria jose'; 'JoseLuis' → 'jose luis'; 'Pancho' → 'francisco'."""
    words: list[str] = []
    tokens = name_tokens(raw or "")
    for token in tokens:
        readings = word_alternatives(token)
        # The typed word, then what a nickname stands for, then a glued compound split: the
        # canonical reading is a nickname's first name, else the split, else the word.
        words.extend(readings[1] if len(readings) > 1 else readings[0])
    if not words:
        return GivenNames(None, None, None, None, None, None)
    second = words[1] if len(words) > 1 else None
    return GivenNames(
        " ".join(words), words[0], second, " ".join(sorted(words)), "".join(words), " ".join(tokens)
    )


def surname(raw: str | None) -> str | None:
    """One surname, folded and glued with its particles: 'De La Cruz' and 'Delacruz' →
    'delacruz'. (A record that drops the particles, 'Cruz', is caught by the comparison's
    "one contains the other" level.)"""
    key = fold(raw or "").replace(" ", "")
    return key or None


def bare_surname(raw: str | None) -> str | None:
    """A surname without its particles: 'De La Cruz' and 'Cruz' → 'cruz'."""
    key = "".join(name_tokens(raw or ""))
    return key or None


_SOUNDS = (
    ("ch", "x"), ("ll", "l"), ("qu", "k"), ("gue", "ge"), ("gui", "gi"), ("ce", "se"),
    ("ci", "si"), ("ge", "je"), ("gi", "ji"), ("h", ""), ("v", "b"), ("z", "s"), ("c", "k"),
    ("w", "u"),
)  # fmt: skip
_VOWELS = re.compile(r"[aeiouy]+")
_REPEATS = re.compile(r"(.)\1+")


def skeleton(word: str | None) -> str | None:
    """A key that survives the commonest slips in a Spanish name: vowels, silent h, b/v, s/z/c,
    doubled letters ('Paredes', 'Pareds', 'Parredes' → 'prds'; 'Villamizar', 'Billamisar' →
    'blmsr'). Blocking reads it, so that a typo does not hide a pair."""
    text = fold(word or "").replace(" ", "")
    if not text:
        return None
    for before, after in _SOUNDS:
        text = text.replace(before, after)
    text = _REPEATS.sub(r"\1", text)
    return _REPEATS.sub(r"\1", text[0] + _VOWELS.sub("", text[1:])) or None


def birth_date(raw: str | datetime.date | None) -> str | None:
    """ISO 'YYYY-MM-DD' from ISO, 'YYYYMMDD' or a date; None when it is not a real date."""
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    text = (raw or "").strip()
    digits = _DIGITS.sub("", text)
    if len(digits) != 8 or not (text[:4].isdigit() or len(text) == 8):
        return None
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
    except ValueError:
        return None


def document(raw: str | None) -> str | None:
    """'V-12.345.678', '012345678' and '12345678' → '12345678'; a passport keeps its letters."""
    key = _NOT_ALNUM.sub("", fold(raw or "").upper())
    key = _LETTER_PREFIX.sub("", key).lstrip("0")
    return key or None


def phone(raw: str | None) -> str | None:
    """The last nine digits: '+593 99 123 4567', '0991234567' and '593991234567' agree."""
    digits = _DIGITS.sub("", raw or "")
    return digits[-9:] if len(digits) >= 7 else None


# Words that say what kind of place, not which: dropped, as records write them or not.
_PLACE_WORDS = frozenset(
    {
        "av", "avda", "avenida", "calle", "cl", "cll", "cra", "carrera", "barrio", "bo", "sector",
        "urb", "urbanizacion", "casa", "apto", "apartamento", "dpto", "departamento", "piso",
        "no", "nro", "numero", "n", "y", "e", "de", "del", "la", "las", "los", "el",
    }
)  # fmt: skip


def address(raw: str | None) -> str | None:
    """An address's words, folded, in their order, without the words that only say what kind
    of place it is: 'Av. 10 de Agosto N24-55 y Colón' → '10 agosto n24 55 colon'."""
    words = [w for w in _NOT_WORD.split(fold(raw or "")) if w and w not in _PLACE_WORDS]
    return " ".join(words) or None


def sex(raw: str | None) -> str | None:
    value = fold(raw or "")[:1]
    return {"f": "F", "m": "M", "h": "M"}.get(value)
