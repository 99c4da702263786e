"""Disclosure control for aggregated tables: no cell may reveal fewer than five people.

Primary suppression hides every count from 1 to 4. Secondary suppression then hides the next
smallest count of any row or column left with a single hidden cell, so a hidden value can never
be worked out from the totals. Zeros are shown: they say nobody, about nobody.
"""

from __future__ import annotations

SMALLEST = 5


def suppress(counts: dict[str, dict[str, int]], columns: list[str]) -> dict:
    """`counts[row][column]` → the same table with hidden cells as None, plus totals.

    Returns {"rows": {row: {"cells": {column: int|None}, "total": int|None}},
             "totals": {column: int|None}, "total": int|None}.
    """
    rows = list(counts)
    value = {(r, c): counts[r].get(c, 0) for r in rows for c in columns}
    hidden = {key for key, v in value.items() if 0 < v < SMALLEST}
    lines = [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]
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

    def total(keys):
        amount = sum(value[k] for k in keys)
        return None if 0 < amount < SMALLEST else amount

    return {
        "rows": {
            r: {
                "cells": {c: None if (r, c) in hidden else value[(r, c)] for c in columns},
                "total": total([(r, c) for c in columns]),
            }
            for r in rows
        },
        "totals": {c: total([(r, c) for r in rows]) for c in columns},
        "total": total(list(value)),
    }
