"""How alike two name words are: the one measure the search, the duplicate check and the
name-word lookup share."""

import functools


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


@functools.lru_cache(maxsize=100_000)
def token_similarity(query: str, token: str) -> float:
    """1 for the same word, 0.9 for a prefix of 3+ letters, 0.85 for the second half of a
    compound typed without its space ('fabienne' in 'medjinefabienne'), less with each typo,
    else 0. Cached: names repeat, so most comparisons of a query were made for an earlier row."""
    if query == token:
        return 1.0
    if len(query) >= 3 and token.startswith(query):
        return 0.9
    if len(query) >= 4 and len(token) >= len(query) + 3 and token.endswith(query):
        return 0.85
    allowed = 1 if len(query) <= 5 else 2
    # Each edit changes the set of letters by at most two: a cheap test that rules out most
    # unrelated words before the (pure Python) edit distance.
    if len(set(query) ^ set(token)) > 2 * allowed:
        return 0.0
    distance = edit_distance(query, token, allowed)
    if distance > allowed:
        return 0.0
    return 1.0 - distance / max(len(query), len(token))
