"""Possible duplicates of a person about to be registered, best first.

Kinds of match: same document (type and number, separators ignored), same phone, and a similar
name (typos, accents, surname order) with the same or a close date of birth. Namesakes born
years apart are not flagged. Only people the user may see are shown; matches elsewhere in the
organization are counted, without details, so the officer knows to ask.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from amparo.core import access
from amparo.core.models import User
from amparo.registry import normalize
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to
from amparo.registry.search import _name_candidates, name_score

MIN_SCORE = 0.8


@dataclass
class Candidate:
    individual: Individual
    score: float
    reasons: list[str] = field(default_factory=list)


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


def find_duplicates(user: User, data: Mapping, *, region: str, limit: int = 10) -> DuplicateReport:
    """Candidates for one person described by `data` (the registration fields)."""
    visible = individuals_visible_to(user).select_related("household")
    organization = access.visible(user, Individual.objects.all(), office_field=None)
    found: dict[int, Candidate] = {}
    hidden: set[int] = set()

    def add(people, score: float, reason: str) -> None:
        for person in people:
            candidate = found.setdefault(person.pk, Candidate(person, 0.0))
            candidate.score = max(candidate.score, score)
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
            add(visible.filter(condition).distinct()[:limit], 1.0, "same_document")
            count_hidden(condition)
    phone = normalize.phone_search_key(str(data.get("phone") or ""), region)
    if phone:
        condition = Q(phone=phone)
        add(visible.filter(condition)[:limit], 0.9, "same_phone")
        count_hidden(condition)

    tokens = normalize.name_tokens(
        str(data.get("given_names") or ""),
        str(data.get("first_surname") or ""),
        str(data.get("second_surname") or ""),
    )
    dob = _dob(data.get("date_of_birth"))
    if tokens and dob is not None and 3 <= dob.year <= 9997:
        window = visible.filter(
            date_of_birth__gte=dob.replace(year=dob.year - 2, day=min(dob.day, 28)),
            date_of_birth__lte=dob.replace(year=dob.year + 2, day=min(dob.day, 28)),
        )
        estimated = bool(data.get("dob_estimated"))
        scores = {}
        for row in _name_candidates(window, tokens, 200):
            person_tokens = row.name_key.split()
            names = min(name_score(tokens, person_tokens), name_score(person_tokens, tokens) + 0.1)
            closeness = dob_closeness(
                dob, row.date_of_birth, estimated=estimated or row.dob_estimated
            )
            score = round(0.6 * names + 0.4 * closeness, 4)
            if names >= 0.8 and closeness > 0 and score >= MIN_SCORE:
                scores[row.pk] = score
        for person in window.filter(pk__in=sorted(scores, key=scores.get, reverse=True)[:limit]):
            add([person], scores[person.pk], "similar_name_and_birth_date")

    candidates = sorted(found.values(), key=lambda c: (-c.score, c.individual.name_key))
    return DuplicateReport(candidates[:limit], len(hidden))
