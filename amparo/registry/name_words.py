"""PostgreSQL name candidates from name words (migration 0011), at national scale.

Each typed word is matched against the distinct words of all names (`registry_name_word`, a
few thousand rows): the same word, one typo (every one-edit variant looked up by key), a
prefix, the second half of a compound typed without its space, and, when none of those is
found, two typos (trigram similarity). A word also stands for its readings: the names a
nickname stands for ('pancho': francisco) and a glued compound split into two known words
('joseluis': jose luis).

The people are then those with, for every typed word, one of its matched words
(`string_to_array(name_key, ' ') && …`, GIN posting lists intersected: a few ms for the
commonest names); when fewer than `ENOUGH_STRICT` are in scope, those with every word but
one (two words: when none has both). Candidates come best first by trigram similarity of
the whole name; `search.name_score` then ranks them in Python.
"""

import datetime
import functools
import string
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, models
from django.db.models import F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from amparo.registry import normalize
from amparo.registry.similarity import token_similarity

# string_to_array(name_key, ' '): the expression of the GIN index (migration 0011).
NAME_WORDS = Func(
    F("name_key"),
    Value(" "),
    function="string_to_array",
    output_field=ArrayField(models.TextField()),
)
# date_of_birth + 0: the same date, which the planner cannot look up in the B-tree.
UNINDEXED_BIRTH_DATE = RawSQL('"registry_individual"."date_of_birth" + 0', (), models.DateField())
ENOUGH_STRICT = 20
MIN_SPLIT_PART = 3
_LETTERS = string.ascii_lowercase


@functools.lru_cache(maxsize=4096)
def one_edit(word: str) -> frozenset[str]:
    """Every word one deletion, substitution, insertion or transposition away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return frozenset(deletes | swaps | replaces | inserts)


def _splits(word: str) -> list[tuple[str, str]]:
    return [(word[:i], word[i:]) for i in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1)]


def _after(prefix: str) -> str:
    """The first string past every word starting with `prefix`, in byte order (folded words
    are ASCII letters and digits; '{' follows 'z')."""
    return prefix + "{"


def stored_words(typed: set[str]) -> set[str]:
    """The stored words that may be one of `typed`: the same, one edit away, half of it (a
    glued compound), starting with it (3+ letters) or ending with it (4+ letters); for a
    word of 6+ letters with none of those, trigram-similar (two typos). Indexed lookups."""
    probes = set()
    for word in typed:
        probes |= one_edit(word) | {word}
        probes.update(part for pair in _splits(word) for part in pair)
    # A join, not `word = ANY(…)`: the trigram index also answers `=`, and the planner, with
    # no statistics yet (a table filled by the triggers of a first load), chose it: 200 ms.
    selects = [
        "SELECT w.word FROM unnest(%s::text[]) AS probe(word) "
        "JOIN registry_name_word w ON w.word = probe.word"
    ]
    params: list = [sorted(probes)]
    for word in sorted(typed):
        if len(word) >= 3:
            selects.append("SELECT word FROM registry_name_word WHERE word >= %s AND word < %s")
            params += [word, _after(word)]
        if len(word) >= 4:
            selects.append(
                "SELECT word FROM registry_name_word "
                "WHERE reverse(word) >= %s AND reverse(word) < %s"
            )
            params += [word[::-1], _after(word[::-1])]
    found = _words(" UNION ALL ".join(selects), params)
    far = [w for w in typed if len(w) >= 6 and not any(token_similarity(w, s) for s in found)]
    if far:
        found |= _words(
            " UNION ALL ".join(["SELECT word FROM registry_name_word WHERE word %% %s"] * len(far)),
            far,
        )
    return found


def _words(sql: str, params: list) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def _alternatives(token: str, stored: set[str]) -> list[tuple[str, ...]]:
    """The token's readings (as typed, nicknames, known compounds) and its splits into two
    stored words."""
    found = list(normalize.word_alternatives(token))
    if len(token) >= 2 * MIN_SPLIT_PART:
        found += [pair for pair in _splits(token) if pair[0] in stored and pair[1] in stored]
    return list(dict.fromkeys(found))


def _condition(alternatives: list[tuple[str, ...]], matches: dict[str, list[str]]) -> Q | None:
    """A person has one of the token's readings: for each word of it, one matching word."""
    arms = [
        reduce(and_, (Q(name_words__overlap=matches[w]) for w in alternative))
        for alternative in alternatives
        if all(matches.get(w) for w in alternative)
    ]
    return reduce(or_, arms) if arms else None


def _lenient_too(strict: int, words: int) -> bool:
    """Whether to look for people with every word but one: with three words or more when the
    strict lookup found few, with two only when it found no one (one word alone is thin
    evidence, and thousands of people share a common surname)."""
    return (words >= 3 and strict < ENOUGH_STRICT) or (words == 2 and strict == 0)


def candidates(
    base: QuerySet,
    tokens: list[str],
    limit: int,
    fields: tuple[str, ...],
    born_between: tuple[datetime.date, datetime.date] | None = None,
) -> list:
    """Up to `limit` rows (`fields`) of people whose words match `tokens`, likeliest first;
    with `born_between`, born in that range (inclusive)."""
    first = normalize.word_alternatives  # readings before the stored words are known
    typed = {w for t in tokens for alternative in first(t) for w in alternative}
    stored = stored_words(typed)
    per_token = [_alternatives(t, stored) for t in tokens]
    words = {w for alternatives in per_token for alternative in alternatives for w in alternative}
    matches = {w: sorted(s for s in stored if token_similarity(w, s) > 0) for w in words}
    conditions = [_condition(alternatives, matches) for alternatives in per_token]
    key = " ".join(tokens)
    if born_between is not None:
        # Checked on the rows the name words found, not through the birth-date index: a
        # window of years holds tens of thousands of people (12 ms to read their index
        # entries), the name words a few dozen.
        base = base.alias(born=UNINDEXED_BIRTH_DATE).filter(born__range=born_between)
    rows = (
        base.alias(name_words=NAME_WORDS)
        .annotate(similarity=TrigramSimilarity("name_key", key))
        .order_by("-similarity")
    )
    found: dict = {}
    if all(c is not None for c in conditions):
        for row in rows.filter(reduce(and_, conditions)).values_list(*fields, named=True)[:limit]:
            found[row.pk] = row
    if _lenient_too(len(found), len(tokens)):
        arms = []
        for skip in range(len(conditions)):
            rest = [c for i, c in enumerate(conditions) if i != skip]
            if rest and all(c is not None for c in rest):
                arms.append(reduce(and_, rest))
        if arms:
            lenient = rows.filter(reduce(or_, arms)).values_list(*fields, named=True)[:limit]
            for row in lenient:
                found.setdefault(row.pk, row)
    return list(found.values())
