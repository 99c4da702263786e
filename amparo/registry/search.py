"""One-box search over individuals: names (typos, accents, order), documents, phones, references.

The database finds candidates (PostgreSQL: name words, `name_words.py`, migration 0011;
SQLite: FTS5 trigram index, kept by triggers, migration 0010), then `name_score` ranks them
in Python, word by word, so "Jose Peres" finds "José Pérez Gómez" and either surname order
matches. Each reading of the query is
looked up: as typed, with nicknames read as the names they stand for ("Pancho" → Francisco,
`nicknames.py`) and glued compounds split ("JoséLuis"). A birth date in the box (or the `born`
filter) looks up the people born that day (indexed) and ranks them by name, so the right
person comes first among thousands of namesakes. Every query starts from
`individuals_visible_to(user)`.
"""

import datetime
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from amparo.core.models import User
from amparo.registry import name_words, normalize
from amparo.registry.models import Document, Individual
from amparo.registry.queries import individuals_visible_to
from amparo.registry.similarity import token_similarity

CANDIDATES = 300
MIN_NAME_SCORE = 0.75
_HAS_LETTER = re.compile(r"[^\W\d_]")
_REFERENCE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}-\d{4}-\d{1,6}$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    individual: Individual
    score: float
    matched: str  # "reference", "document", "phone" or "name"


def name_score(query_tokens: list[str], person_tokens: list[str]) -> float:
    """Mean over the query's words of the best match among the person's words (0..1)."""
    if not query_tokens or not person_tokens:
        return 0.0
    total = 0.0
    for q in query_tokens:
        best = max(token_similarity(q, t) for t in person_tokens)
        if best < 0.9 and len(q) >= 6:
            best = max(best, _glued_similarity(q, person_tokens))
        total += best
    return total / len(query_tokens)


def _glued_similarity(query: str, person_tokens: list[str]) -> float:
    """A word typed as two of the person's words without the space ('wilsonalfredo'), in
    either order (the key's words are sorted), scored like one word; a little below 1."""
    best = 0.0
    for i, a in enumerate(person_tokens):
        if not query.startswith(a[:2]):
            continue
        for j, b in enumerate(person_tokens):
            if i != j and query.endswith(b[-2:]) and abs(len(a) + len(b) - len(query)) <= 2:
                best = max(best, 0.95 * token_similarity(query, a + b))
    return best


def reading_score(query: tuple[str, ...], person: tuple[str, ...]) -> float:
    """`name_score` over the readings of both names (nicknames, glued compounds), best one."""
    return max(
        name_score(list(q), list(p))
        for q in normalize.name_variants(query, READINGS)
        for p in normalize.name_variants(person, 2)
    )


def ranked_score(query: tuple[str, ...], person: tuple[str, ...]) -> float:
    """`reading_score` of the query's words, nudged by how many of the person's words the query
    covers: among people with every word typed, the one with no other words comes first
    ('leonardo hernandez hernandez' before 'jose leonardo hernandez aguado')."""
    forward = reading_score(query, person)
    if forward < MIN_NAME_SCORE:
        return forward
    return 0.95 * forward + 0.05 * reading_score(person, query)


# Readings of a query (as typed, nickname read as the full name, glued compound split) that
# are scored; on SQLite each one is also looked up (one candidate query each).
READINGS = 3
FIELDS = (
    "pk",
    "name_key",
    "date_of_birth",
    "dob_estimated",
    "given_names",
    "first_surname",
    "second_surname",
)


def _fts_queries(tokens: list[str]) -> list[str]:
    """FTS5 queries over the trigram index, strict first: each word contributes the OR of its
    trigrams; first every word must appear, then all but one, so a short word mistyped
    beyond recognition ('jelne' for 'jeune'), or a word the record lacks, is forgiven."""
    clauses = []
    for token in tokens:
        grams = sorted({token[i : i + 3] for i in range(len(token) - 2)})
        if grams:
            clauses.append("(" + " OR ".join(f'"{g}"' for g in grams) + ")")
    if not clauses:
        return []
    queries = [" AND ".join(clauses)]
    if len(clauses) >= 2:
        groups = itertools.combinations(clauses, len(clauses) - 1)
        queries.append(" OR ".join("(" + " AND ".join(group) + ")" for group in groups))
    return queries


# Fewer in-scope rows than this from the strict query, and the lenient one runs too.
ENOUGH_STRICT = 20


def _sqlite_candidates(base: QuerySet[Individual], tokens: list[str], limit: int) -> list:
    """SQLite: the people in scope among the `2 * limit` best-ranked by the trigram index
    (bm25), topped up unranked when the index found more and too few of those are in scope."""
    rows: list = []
    for match in _fts_queries(tokens):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM registry_individual_fts WHERE registry_individual_fts "
                "MATCH %s ORDER BY rank LIMIT %s",
                [match, 2 * limit],
            )
            ranked = [r[0] for r in cursor.fetchall()]
        seen = {r.pk for r in rows}
        rows += [
            r
            for r in base.filter(pk__in=ranked).values_list(*FIELDS, named=True)
            if r.pk not in seen
        ]
        if len(rows) < limit and len(ranked) == 2 * limit:
            every = RawSQL(  # noqa: S611 (constant SQL; the query text is a bound parameter)
                "SELECT rowid FROM registry_individual_fts WHERE registry_individual_fts MATCH %s",
                [match],
            )
            rows += list(
                base.filter(pk__in=every)
                .exclude(pk__in=set(ranked) | seen)
                .values_list(*FIELDS, named=True)[: limit - len(rows)]
            )
        if len(rows) >= ENOUGH_STRICT:
            break
    return rows


def name_candidates(
    base: QuerySet[Individual],
    tokens: list[str],
    limit: int,
    born_between: tuple[datetime.date, datetime.date] | None = None,
) -> list:
    """Up to `limit` rows (FIELDS) whose name resembles `tokens` in one of its readings (as
    typed, nicknames, glued compounds), likeliest first. Only these small rows are read;
    callers load full records for the few that score. `born_between` keeps people born in
    that range.

    PostgreSQL: name words (`name_words`, one lookup for every reading). SQLite: the trigram
    index, once per reading (a glued compound is not split: its trigrams find both words).
    """
    if connection.vendor == "postgresql":
        return name_words.candidates(base, tokens, limit, FIELDS, born_between)
    if born_between is not None:
        base = base.filter(date_of_birth__range=born_between)
    rows: dict[int, object] = {}
    for reading in normalize.name_variants(tuple(tokens), READINGS, split=False):
        for row in _sqlite_candidates(base, list(reading), limit):
            rows.setdefault(row.pk, row)
    return list(rows.values())


def born_on(base: QuerySet[Individual], dates: list[datetime.date], limit: int = 2000) -> list:
    """Rows (FIELDS) of the people born on one of `dates` (an indexed lookup)."""
    return list(base.filter(date_of_birth__in=dates).values_list(*FIELDS, named=True)[:limit])


def search_individuals(
    user: User,
    text: str,
    *,
    region: str = "EC",
    limit: int = 50,
    born: datetime.date | None = None,
    narrow: Callable[[QuerySet[Individual]], QuerySet[Individual]] | None = None,
) -> list[Hit]:
    """Best matches first. `region` reads local phone numbers (the user's office country);
    `born` keeps people born that day; `narrow` adds filters (office, sex, age band …) to the
    already scoped queryset. A birth date or an age typed in the box after a name
    ('Enrique Flores 07/03/1985', '… 41 años') ranks the people born then first."""
    text = (text or "").strip()[:200]
    if not text and born is None:
        return []
    base = individuals_visible_to(user).select_related("household", "household__office")
    if narrow is not None:
        base = narrow(base)
    if born is not None:
        base = base.filter(date_of_birth=born)
    hits: dict[int, Hit] = {}

    def add(people, score: float, matched: str) -> None:
        for person in people:
            if person.pk not in hits or hits[person.pk].score < score:
                hits[person.pk] = Hit(person, score, matched)

    names, dates, age = normalize.split_birth_date(text)
    tokens = [
        t for t in normalize.name_tokens(names) if len(t) >= 2 and not any(c.isdigit() for c in t)
    ]
    if not (tokens and dates):
        _lookup_numbers(base, text, region, limit, add)
    if born is not None:
        dates = [born]
    if age is not None:
        today = timezone.localdate()
        base = base.filter(
            date_of_birth__gt=_years_before(today, age + 2),
            date_of_birth__lte=_years_before(today, max(age - 1, 0)),
        )
    if dates and not tokens and not hits:
        add(base.filter(date_of_birth__in=dates).order_by("name_key")[:limit], 0.9, "birth_date")
    if tokens:
        query = tuple(tokens)
        scores = {}
        rows = born_on(base, dates) if dates else []
        for row in rows:
            score = ranked_score(query, tuple(row.name_key.split()))
            if score >= MIN_NAME_SCORE:
                scores[row.pk] = round(score * 0.96 + 0.04, 4)
        if not scores and born is None:
            # No one born on that date has the name (or no date): the name alone.
            for row in name_candidates(base, tokens, CANDIDATES):
                score = ranked_score(query, tuple(row.name_key.split()))
                if score >= MIN_NAME_SCORE:
                    scores[row.pk] = round(score * 0.96, 4)
        best = sorted(scores, key=scores.get, reverse=True)[:limit]
        for person in base.filter(pk__in=best):
            add([person], scores[person.pk], "name")
    ordered = sorted(hits.values(), key=lambda h: (-h.score, h.individual.name_key))
    return ordered[:limit]


def _lookup_numbers(base, text: str, region: str, limit: int, add) -> None:
    """Household reference, document number (exact, else part of one) and phone. Not run for
    a name with a birth date: those digits are a date, not a number to look up. (An age
    may be the last digits of a document typed with a space: 'AP.68738 4'.)"""
    if _REFERENCE.match(text):
        add(base.filter(household__reference__iexact=text)[:limit], 1.0, "reference")
    doc_key = normalize.document_key(text)
    if len(doc_key) >= 4 and any(c.isdigit() for c in doc_key):
        exact = list(base.filter(documents__number_key=doc_key).distinct()[:limit])
        add(exact, 1.0, "document")
        if not exact:
            # Part of a number ('V-' left out): found in the documents alone first, which
            # SQLite scans (PostgreSQL has a trigram index), then kept to the user's scope.
            owners = Document.objects.filter(number_key__contains=doc_key).values("individual_id")[
                : 20 * limit
            ]
            add(base.filter(pk__in=owners)[:limit], 0.95, "document")
    phone = "" if _HAS_LETTER.search(text) else normalize.phone_search_key(text, region)
    if phone:
        # Two indexed lookups: an OR across the join would scan every visible person.
        add(base.filter(phone=phone)[:limit], 0.97, "phone")
        add(base.filter(household__phone=phone)[:limit], 0.97, "phone")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
