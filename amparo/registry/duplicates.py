"""Possible duplicates of a person about to be registered, best first.

Kinds of match: same document (type and number, separators ignored), same phone, and a similar
name (typos, accents, surname order, nicknames, glued compounds, a second surname missing on
one side) with the same or a close date of birth (day and month swapped included). Each
candidate says why (`reasons`, `Candidate.explanation`). Namesakes born
years apart are not flagged. Only people the user may see are shown; matches elsewhere in the
organization are counted, without details, so the officer knows to ask.
"""

import datetime
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from amparo.core import access
from amparo.core.models import User
from amparo.registry import normalize
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to
from amparo.registry.search import born_on, name_candidates, reading_score
from amparo.registry.similarity import token_similarity

MIN_SCORE = 0.8
# Similar names born within two years (besides everyone born the same day), best first: the
# bench's near-duplicates all rank in the first few; each one costs name comparisons.
WINDOW_CANDIDATES = 60


# Why a person is shown as a possible duplicate, as the registration screen says it.
REASONS = {
    "same_document": _("same document"),
    "same_phone": _("same phone"),
    "same_name": _("same name"),
    "same_name_without_second_surname": _(
        "same given names and first surname (one has no second surname)"
    ),
    "similar_name": _("similar name"),
    "same_birth_date": _("same birth date"),
    "swapped_birth_date": _("same birth date with day and month swapped"),
    "close_birth_date": _("close birth date"),
}


@dataclass
class Candidate:
    individual: Individual
    score: float
    reasons: list[str] = field(default_factory=list)
    # Set by a ranker (`add_ranker`): the trained model's probability and its reasons, in words.
    probability: float | None = None
    model_reasons: list[str] = field(default_factory=list)

    @property
    def explanation(self) -> list[str]:
        """The reasons in words, in the user's language."""
        return [str(REASONS[code]) for code in self.reasons] + self.model_reasons


# Apps above the registry may rank the candidates again and add their reasons (dedup: the
# organization's trained linkage model). A ranker is `ranker(user, data, candidates)` and
# reorders the list in place; registered from `AppConfig.ready`.
Ranker = Callable[[User, Mapping, list[Candidate]], None]
_rankers: list[Ranker] = []


def add_ranker(ranker: Ranker) -> None:
    if ranker not in _rankers:
        _rankers.append(ranker)


@dataclass
class DuplicateReport:
    candidates: list[Candidate]
    hidden: int  # matches in the organization the user may not see


def _dob(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def dob_closeness(a: datetime.date, b: datetime.date, *, estimated: bool = False) -> float:
    """1.0 same day; 0.9 within a month or day/month swapped; 0.8 same year (or ±2 years when
    either date is estimated); 0.7 one year apart; 0 otherwise."""
    if a == b:
        return 1.0
    if abs((a - b).days) <= 31 or (a.year == b.year and (a.month, a.day) == (b.day, b.month)):
        return 0.9
    if a.year == b.year or (estimated and abs(a.year - b.year) <= 2):
        return 0.8
    if abs(a.year - b.year) == 1:
        return 0.7
    return 0.0


@functools.lru_cache(maxsize=65536)
def _tokens(*parts: str) -> tuple[str, ...]:
    return tuple(normalize.name_tokens(*parts))


def _both_ways(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How alike two names are, both ways: extra words on either side lower it."""
    return min(reading_score(a, b), reading_score(b, a) + 0.1)


def compare_names(new: Mapping, row) -> tuple[float, str]:
    """(similarity 0..1, reason code) of the name about to be registered and a stored one.

    When either side has no second surname, the given names and first surname alone are
    compared too: 'José Pérez' then matches 'José Pérez Gómez'.
    """
    given = _tokens(str(new.get("given_names") or ""))
    first = _tokens(str(new.get("first_surname") or ""))
    second = _tokens(str(new.get("second_surname") or ""))
    their_given, their_first = _tokens(row.given_names), _tokens(row.first_surname)
    their_second = _tokens(row.second_surname)
    full = _both_ways(given + first + second, their_given + their_first + their_second)
    if full >= 1.0:
        return full, "same_name"
    if bool(second) != bool(their_second):
        partial = _both_ways(given + first, their_given + their_first)
        if partial >= 0.999:
            return partial, "same_name_without_second_surname"
        if partial > full:
            return partial, "similar_name"
    return full, "similar_name"


def _words_and_readings(tokens: tuple[str, ...]) -> frozenset[str]:
    """The words typed and the words of their readings ('pepe': jose)."""
    return frozenset(
        word
        for token in tokens
        for reading in normalize.word_alternatives(token)
        for word in reading
    )


def _shares_a_word(words: frozenset[str], name_key: str) -> bool:
    """Whether some word of a stored name is like one of `words`: most people born the same
    day share none, and the full comparison (readings, both ways) is not worth making."""
    return any(token_similarity(w, t) > 0 for t in name_key.split() for w in words)


def _birth_reason(closeness: float, a: datetime.date, b: datetime.date) -> str:
    if closeness >= 1.0:
        return "same_birth_date"
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return "swapped_birth_date"
    return "close_birth_date"


def find_duplicates(user: User, data: Mapping, *, region: str, limit: int = 10) -> DuplicateReport:
    """Candidates for one person described by `data` (the registration fields).

    Looks up the same document, the same phone, everyone born the same day (or with day and
    month swapped: an indexed lookup, then every name compared) and similar names born within
    two years (`search.name_candidates`).
    """
    visible = individuals_visible_to(user).select_related("household")
    organization = access.visible(user, Individual.objects.all(), office_field=None)
    found: dict[int, Candidate] = {}
    hidden: set[int] = set()

    def add(people, score: float, reasons: list[str]) -> None:
        for person in people:
            candidate = found.setdefault(person.pk, Candidate(person, 0.0))
            candidate.score = max(candidate.score, score)
            for reason in reasons:
                if reason not in candidate.reasons:
                    candidate.reasons.append(reason)

    def count_hidden(condition: Q) -> None:
        hidden.update(
            organization.filter(condition)
            .exclude(pk__in=visible.filter(condition).values("pk"))
            .values_list("pk", flat=True)[:50]
        )

    for doc in data.get("documents") or []:
        key = normalize.document_key(str(doc.get("number") or ""))
        if len(key) >= 4:
            condition = Q(documents__number_key=key, documents__type=doc.get("type"))
            add(visible.filter(condition).distinct()[:limit], 1.0, ["same_document"])
            count_hidden(condition)
    phone = normalize.phone_search_key(str(data.get("phone") or ""), region)
    if phone:
        condition = Q(phone=phone)
        add(visible.filter(condition)[:limit], 0.9, ["same_phone"])
        count_hidden(condition)

    tokens = normalize.name_tokens(
        str(data.get("given_names") or ""),
        str(data.get("first_surname") or ""),
        str(data.get("second_surname") or ""),
    )
    dob = _dob(data.get("date_of_birth"))
    if tokens and dob is not None and 3 <= dob.year <= 9997:
        window = (
            dob.replace(year=dob.year - 2, day=min(dob.day, 28)),
            dob.replace(year=dob.year + 2, day=min(dob.day, 28)),
        )
        estimated = bool(data.get("dob_estimated"))
        same_day = normalize.birth_dates(dob.day, dob.month, dob.year)
        rows = {row.pk: row for row in born_on(visible, same_day)}
        for row in name_candidates(visible, tokens, WINDOW_CANDIDATES, born_between=window):
            rows.setdefault(row.pk, row)
        scores: dict[int, tuple[float, list[str]]] = {}
        words = _words_and_readings(tuple(tokens))
        for row in rows.values():
            closeness = dob_closeness(
                dob, row.date_of_birth, estimated=estimated or row.dob_estimated
            )
            if closeness == 0 or not _shares_a_word(words, row.name_key):
                continue
            names, name_reason = compare_names(data, row)
            score = round(0.6 * names + 0.4 * closeness, 4)
            if names >= 0.8 and closeness > 0 and score >= MIN_SCORE:
                reasons = [name_reason, _birth_reason(closeness, dob, row.date_of_birth)]
                scores[row.pk] = (score, reasons)
        best = sorted(scores, key=lambda pk: scores[pk][0], reverse=True)[:limit]
        for person in visible.filter(pk__in=best):
            add([person], *scores[person.pk])

    candidates = sorted(found.values(), key=lambda c: (-c.score, c.individual.name_key))
    for ranker in _rankers:
        ranker(user, data, candidates)
    return DuplicateReport(candidates[:limit], len(hidden))
