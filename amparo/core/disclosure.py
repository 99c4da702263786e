"""Disclosure control for aggregated tables: no cell may reveal fewer than five people.

Primary suppression hides every count from 1 to `smallest` − 1 (4 by default), totals
included. Secondary suppression then works on the table with its margins (row totals, column
totals, grand total): every row and every column — the totals row and column too — is an
equation `cells = total`, so none may be left with exactly one hidden value. While one is, the
smallest other non-zero value of that line (a cell or its total) is hidden too. Zeros are shown:
they say nobody, about nobody.
"""

from __future__ import annotations

SMALLEST = 5


def suppress(
    counts: dict[str, dict[str, int]], columns: list[str], *, smallest: int = SMALLEST
) -> dict:
    """`counts[row][column]` → the same table with hidden values as None, plus totals.

    Returns {"rows": {row: {"cells": {column: int|None}, "total": int|None}},
             "totals": {column: int|None}, "total": int|None}.
    """
    rows = list(counts)
    TOTAL = object()  # the margin's key, distinct from any row or column name
    value: dict[tuple, int] = {}
    for r in rows:
        for c in columns:
            value[(r, c)] = counts[r].get(c, 0)
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for column in [*columns, TOTAL]:
        value[(TOTAL, column)] = sum(value[(r, column)] for r in rows)
    hidden = {key for key, v in value.items() if 0 < v < smallest}
    lines = [[(r, c) for c in [*columns, TOTAL]] for r in [*rows, TOTAL]] + [
        [(r, c) for r in [*rows, TOTAL]] for c in [*columns, TOTAL]
    ]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            others = [k for k in line if k not in hidden and value[k] > 0]
            if others:
                hidden.add(min(others, key=lambda k: value[k]))
                changed = True

    def shown(key):
        return None if key in hidden else value[key]

    return {
        "rows": {
            r: {"cells": {c: shown((r, c)) for c in columns}, "total": shown((r, TOTAL))}
            for r in rows
        },
        "totals": {c: shown((TOTAL, c)) for c in columns},
        "total": shown((TOTAL, TOTAL)),
    }
