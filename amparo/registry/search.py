"""One-box search over individuals: names (typos, accents, order), documents, phones, references.

The database finds candidates (PostgreSQL: trigram indexes; SQLite: token prefixes), then
`name_score` ranks them in Python, token by token, so "Jose Peres" finds "José Pérez Gómez"
and either surname order matches. Every query starts from `individuals_visible_to(user)`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from amparo.core.models import User
from amparo.registry import normalize
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

CANDIDATES = 300
MIN_NAME_SCORE = 0.75
_HAS_LETTER = re.compile(r"[^\W\d_]")
_REFERENCE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}-\d{4}-\d{1,6}$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    individual: Individual
    score: float
    matched: str  # "reference", "document", "phone" or "name"


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def token_similarity(query: str, token: str) -> float:
    if query == token:
        return 1.0
    if len(query) >= 3 and token.startswith(query):
        return 0.9
    allowed = 1 if len(query) <= 5 else 2
    distance = edit_distance(query, token, allowed)
    if distance > allowed:
        return 0.0
    return 1.0 - distance / max(len(query), len(token))


def name_score(query_tokens: list[str], person_tokens: list[str]) -> float:
    """Mean over the query's words of the best match among the person's words (0..1)."""
    if not query_tokens or not person_tokens:
        return 0.0
    total = 0.0
    for q in query_tokens:
        total += max(token_similarity(q, t) for t in person_tokens)
    return total / len(query_tokens)


# Word similarity needed to be a candidate: 0.5 keeps every one-typo match of a full name
# (measured ≥ 0.62 in bench/registry_search.py) while dropping people who share one common word.
WORD_SIMILARITY = 0.5


def _name_candidates(base: QuerySet[Individual], tokens: list[str], limit: int) -> list:
    """Up to `limit` rows (pk, name_key, date_of_birth, dob_estimated), likeliest first.

    Only these small rows are read; callers load full records for the few that score.
    """
    fields = ("pk", "name_key", "date_of_birth", "dob_estimated")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        key = " ".join(tokens)
        with connection.cursor() as cursor:
            cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [WORD_SIMILARITY])
        return list(
            base.filter(name_key__trigram_word_similar=key)
            .annotate(similarity=TrigramWordSimilarity(key, "name_key"))
            .order_by("-similarity")
            .values_list(*fields, named=True)[:limit]
        )
    # SQLite: people having every word's first letters, then (if too few) any word's.
    every = Q()
    for token in tokens:
        every &= Q(name_key__contains=token[:3])
    rows = list(base.filter(every).values_list(*fields, named=True)[:limit])
    if len(rows) < limit and len(tokens) > 1:
        seen = {r.pk for r in rows}
        anyone = Q()
        for token in tokens:
            anyone |= Q(name_key__contains=token[:4] if len(token) > 4 else token)
        rows += [
            r
            for r in base.filter(anyone)
            .exclude(pk__in=seen)
            .values_list(*fields, named=True)[: limit - len(rows)]
        ]
    return rows


def search_individuals(
    user: User,
    text: str,
    *,
    region: str = "EC",
    limit: int = 50,
    narrow: Callable[[QuerySet[Individual]], QuerySet[Individual]] | None = None,
) -> list[Hit]:
    """Best matches first. `region` reads local phone numbers (the user's office country);
    `narrow` adds filters (office, sex, age band …) to the already scoped queryset."""
    text = (text or "").strip()[:200]
    if not text:
        return []
    base = individuals_visible_to(user).select_related("household", "household__office")
    if narrow is not None:
        base = narrow(base)
    hits: dict[int, Hit] = {}

    def add(people, score: float, matched: str) -> None:
        for person in people:
            if person.pk not in hits or hits[person.pk].score < score:
                hits[person.pk] = Hit(person, score, matched)

    if _REFERENCE.match(text):
        add(base.filter(household__reference__iexact=text)[:limit], 1.0, "reference")
    doc_key = normalize.document_key(text)
    if len(doc_key) >= 4 and any(c.isdigit() for c in doc_key):
        add(base.filter(documents__number_key=doc_key).distinct()[:limit], 1.0, "document")
        add(
            base.filter(documents__number_key__contains=doc_key).distinct()[:limit],
            0.95,
            "document",
        )
    phone = "" if _HAS_LETTER.search(text) else normalize.phone_search_key(text, region)
    if phone:
        # Two indexed lookups: an OR across the join would scan every visible person.
        add(base.filter(phone=phone)[:limit], 0.97, "phone")
        add(base.filter(household__phone=phone)[:limit], 0.97, "phone")
    tokens = [
        t for t in normalize.name_tokens(text) if len(t) >= 2 and not any(c.isdigit() for c in t)
    ]
    if tokens:
        scores = {}
        for row in _name_candidates(base, tokens, CANDIDATES):
            score = name_score(tokens, row.name_key.split())
            if score >= MIN_NAME_SCORE:
                scores[row.pk] = round(score * 0.96, 4)
        best = sorted(scores, key=scores.get, reverse=True)[:limit]
        for person in base.filter(pk__in=best):
            add([person], scores[person.pk], "name")
    ordered = sorted(hits.values(), key=lambda h: (-h.score, h.individual.name_key))
    return ordered[:limit]
