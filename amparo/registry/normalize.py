"""Normalization used by search and the duplicate check: names, documents, phones.

Pure functions, no database: the same keys are computed when a person is saved and when a
query arrives, so both sides of a comparison are folded the same way.
"""

import datetime
import functools
import itertools
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


@functools.lru_cache(maxsize=65536)
def word_alternatives(token: str, split: bool = True) -> tuple[tuple[str, ...], ...]:
    """One word as typed, then the full names a nickname stands for, then a glued compound
    split. Cached: names repeat."""
    from amparo.registry.nicknames import COMPOUND_SHORT_ENDS, COMPOUND_STARTS, HYPOCORISMS

    found = [(token,)]
    if token not in HYPOCORISMS and not token.startswith(COMPOUND_STARTS):
        return tuple(found)  # most words: nothing to look up
    found += [tuple(name.split()) for name in HYPOCORISMS.get(token, ())]
    for start in COMPOUND_STARTS if split else ():
        rest = token[len(start) :]
        if token.startswith(start) and rest in _PARTICLES:
            found.append((start,))  # 'mariadel' (Carmen): the particle glued on
            continue
        if token.startswith(start) and (len(rest) >= 4 or rest in COMPOUND_SHORT_ENDS):
            found.append((start, *word_alternatives(rest)[-1]))
    return tuple(found)


@functools.lru_cache(maxsize=65536)
def name_variants(
    tokens: tuple[str, ...], limit: int = 6, split: bool = True
) -> list[tuple[str, ...]]:
    """Readings of a name's words, as typed first: nicknames as the names they stand for
    ('pancho' → 'francisco', 'majo' → 'maria jose') and, with `split`, compounds typed
    without their space split ('joseluis' → 'jose luis'). At most `limit` readings."""
    alternatives = [word_alternatives(t, split) for t in tokens]
    typed = [alts[0] for alts in alternatives]
    # One word read differently at a time first ('chepe jhon': 'jose jhon' before 'chepe
    # john'), then every combination.
    single = (
        [*typed[:i], alt, *typed[i + 1 :]]
        for i, alts in enumerate(alternatives)
        for alt in alts[1:]
    )
    readings = itertools.chain([typed], single, itertools.product(*alternatives))
    found: dict[tuple[str, ...], None] = {}
    for reading in readings:
        found.setdefault(tuple(word for part in reading for word in part))
        if len(found) == limit:
            break
    return list(found)


_DATE_DMY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_DATE_YMD = re.compile(r"\b(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})\b")
_AGE = re.compile(r"\b(\d{1,3})\s*(?:años|anos|año|ano|a|years?|y|yrs?)?(?=\s|$)", re.IGNORECASE)


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def birth_dates(day: int, month: int, year: int) -> list[datetime.date]:
    """The date as read day first, then with day and month swapped when that is a date too."""
    dates = [d for d in (_date(year, month, day), _date(year, day, month)) if d is not None]
    return list(dict.fromkeys(dates))


def split_birth_date(text: str) -> tuple[str, list[datetime.date], int | None]:
    """(text without it, birth dates, age) from a search box: 'Enrique Flores 07/03/1985',
    '1985-03-07', 'Enrique Flores 41 años' or a bare age after a name ('Enrique Flores 41').

    A date is read day first (dd/mm/yyyy, the Latin American order) and also with day and
    month swapped, since both orders are typed; dates and ages are only read next to letters,
    so a document or phone number is never taken for one.
    """
    dates: list[datetime.date] = []
    match = _DATE_DMY.search(text)
    if match:
        dates = birth_dates(int(match[1]), int(match[2]), int(match[3]))
    else:
        match = _DATE_YMD.search(text)
        if match:
            dates = birth_dates(int(match[3]), int(match[2]), int(match[1]))
    if match:
        return (text[: match.start()] + " " + text[match.end() :]).strip(), dates, None
    if not re.search(r"[^\W\d_]{2}", text):
        return text, [], None
    ages = [m for m in _AGE.finditer(text) if int(m[1]) <= 120]
    if len(ages) == 1:
        m = ages[0]
        return (text[: m.start()] + " " + text[m.end() :]).strip(), [], int(m[1])
    return text, [], None
