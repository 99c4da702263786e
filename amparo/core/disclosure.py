"""Disclosure control for aggregated tables: no count of fewer than five people can be read, or
worked out, from a published table.

Primary suppression hides every count from 1 to `smallest` − 1 (4 by default), totals included.
Secondary suppression works on the table with its margins (row totals, column totals, grand
total): every row and every column, the totals row and column too, is an equation
`cells = total`, so none may be left with exactly one hidden value; while one is, the smallest
other non-zero value of that line (a cell or its total) is hidden too. Zeros are shown: they say
nobody, about nobody.

That rule is not enough: hidden values can be worked out together (a 2 × 2 block of small cells
among shown ones has two hidden values per line, yet each is known within 3). So the table is
then audited as an attacker would (the linear-programming attack tau-ARGUS and sdcMicro guard
against). The attacker knows every shown value, that each line sums to its total, and that
every hidden value is at least 1, zeros never being hidden. He is not told which hidden values
are the small ones, so no upper bound of `smallest` − 1 is assumed (with it no small count could
ever be protected). Instead each primary-hidden value's interval [min, max] must be at least
`smallest` wide: with min ≥ 1, max is then above `smallest`, and the attacker cannot even tell
the count is small. min and max are two LPs (scipy's HiGHS) over the group of hidden values
joined to it by shared lines. The table with its margins is a network, so their ends are whole
numbers: an attacker who reasons in whole numbers learns no more. While a value is exposed, one
more is hidden — the smallest shown non-zero cell of its row or column, else of a line its
group touches, and only then a total, as near — the one-per-line rule applied again, and that
value audited again. Hiding more only ever widens intervals, so a value found protected stays
so; and a group with nothing non-zero left to hide can be scaled up at will, so this ends.

Not protected against: differencing between tables published from overlapping data (two
months, two offices, a table and its breakdown), as each table is audited alone; an attacker
who knows this algorithm's choices (a secondary value was the smallest of its line); what is
known from outside the table (a survivor knows her own case).

Speed: 0.3–0.5 s for a 30 × 15 table with many small cells (counts drawn from
0, 0, 1, 2, 3, 4, 5, 6, 8, 12 by `random.Random(seed)`, seeds 0–4: 160–190 of the 450 cells under
5; best of three `time.perf_counter()` runs of `suppress` on a 2-core Xeon), about 150–190 LPs
of 3 ms. Two shortcuts that keep it sound: every table met on the way (the true one, each LP's
solution) is one the attacker cannot rule out, so a value seen to vary enough needs no more LPs;
and each exposed value is dealt with alone, the others already found protected staying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

SMALLEST = 5

TOTAL = object()  # the margins' key, distinct from any row or column name

Key = tuple[object, object]  # (row, column), either of them TOTAL for a margin


@dataclass
class _Line:
    """One equation of the table: the parts sum to the total."""

    parts: list[Key]
    total: Key

    @property
    def keys(self) -> list[Key]:
        return [*self.parts, self.total]


def suppress(
    counts: dict[str, dict[str, int]], columns: list[str], *, smallest: int = SMALLEST
) -> dict:
    """`counts[row][column]` → the same table with hidden values as None, plus totals.

    Returns {"rows": {row: {"cells": {column: int|None}, "total": int|None}},
             "totals": {column: int|None}, "total": int|None}.
    """
    rows = list(counts)
    value: dict[Key, int] = {}
    for r in rows:
        for c in columns:
            value[(r, c)] = counts[r].get(c, 0)
        value[(r, TOTAL)] = sum(value[(r, c)] for c in columns)
    for column in [*columns, TOTAL]:
        value[(TOTAL, column)] = sum(value[(r, column)] for r in rows)
    lines = [_Line([(r, c) for c in columns], (r, TOTAL)) for r in [*rows, TOTAL]] + [
        _Line([(r, c) for r in rows], (TOTAL, c)) for c in [*columns, TOTAL]
    ]
    sensitive = [key for key, v in value.items() if 0 < v < smallest]
    hidden = set(sensitive)
    _one_per_line(lines, value, hidden)
    # Hiding more only widens the attacker's intervals: a value once protected stays so, and
    # each exposed value can be dealt with in turn, auditing it alone.
    for key in _audit(lines, value, hidden, sensitive, smallest):
        while _audit(lines, value, hidden, [key], smallest):
            hidden.add(_next_to_hide(key, lines, value, hidden))
            _one_per_line(lines, value, hidden)

    def shown(key: Key) -> int | None:
        return None if key in hidden else value[key]

    return {
        "rows": {
            r: {"cells": {c: shown((r, c)) for c in columns}, "total": shown((r, TOTAL))}
            for r in rows
        },
        "totals": {c: shown((TOTAL, c)) for c in columns},
        "total": shown((TOTAL, TOTAL)),
    }


def suppress_line(cells: dict[str, int], *, smallest: int = SMALLEST) -> dict:
    """One line of counts and its total (a row of the 5W) → the same with hidden values as
    None: {"cells": {name: int|None}, "total": int|None}. As `suppress` would protect it as a
    one-row table, with the attacker's LP solved on paper: its one equation is
    `hidden cells = total − shown cells`, so with the total shown each of h hidden values
    (each at least 1) lies in [1, S − h + 1], S their sum, and is protected when S − h is at
    least `smallest`; with the total hidden nothing bounds them above. Microseconds a line,
    where the LPs took milliseconds."""
    names = list(cells)
    total = sum(cells.values())
    hidden = {name for name in names if 0 < cells[name] < smallest}
    total_hidden = 0 < total < smallest
    if hidden or total_hidden:
        while True:
            shown = [n for n in names if n not in hidden and cells[n] > 0]
            if len(hidden) + total_hidden == 1:  # one hidden value is the line's difference
                if not total_hidden and (not shown or total < min(cells[n] for n in shown)):
                    total_hidden = True
                elif shown:
                    hidden.add(min(shown, key=lambda n: cells[n]))
                else:  # cannot be: a hidden total of more than 0 has a hidden part
                    raise RuntimeError("disclosure: a line with one hidden value and no other")
                continue
            if total_hidden:
                break
            room = total - sum(cells[n] for n in names if n not in hidden) - len(hidden)
            if room >= smallest:
                break
            if shown:  # a cell before the total: readers want the total most
                hidden.add(min(shown, key=lambda n: cells[n]))
            else:
                total_hidden = True
    return {
        "cells": {name: None if name in hidden else cells[name] for name in names},
        "total": None if total_hidden else total,
    }


def _one_per_line(lines: list[_Line], value: dict[Key, int], hidden: set[Key]) -> None:
    """The secondary rule: no line keeps exactly one hidden value (it would be its difference)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            keys = line.keys
            if sum(key in hidden for key in keys) != 1:
                continue
            others = [k for k in keys if k not in hidden and value[k] > 0]
            if others:
                hidden.add(min(others, key=lambda k: value[k]))
                changed = True


def _groups(lines: list[_Line], hidden: set[Key]) -> list[tuple[list[int], list[Key]]]:
    """Hidden values joined by the lines they share: (line indices, hidden keys) per group.
    A value is tied by equations to those of its group only, so each group is its own LP."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    lines_of: dict[Key, list[int]] = {}
    for index, line in enumerate(lines):
        for key in line.keys:
            if key in hidden:
                lines_of.setdefault(key, []).append(index)
    for first, second in lines_of.values():  # every value is in one row and one column
        parent[root(first)] = root(second)
    groups: dict[int, tuple[list[int], list[Key]]] = {}
    for index in range(len(lines)):
        groups.setdefault(root(index), ([], []))[0].append(index)
    for key, (first, _second) in lines_of.items():
        groups[root(first)][1].append(key)
    return [group for group in groups.values() if group[1]]


def _audit(
    lines: list[_Line],
    value: dict[Key, int],
    hidden: set[Key],
    sensitive: list[Key],
    smallest: int,
) -> list[Key]:
    """The values of `sensitive` (all hidden) that an attacker can pin within an interval
    narrower than `smallest`, in the order given."""
    todo = set(sensitive)
    exposed: set[Key] = set()
    for line_indices, keys in _groups(lines, hidden):
        if not todo.isdisjoint(keys):
            group = _Group(lines, line_indices, keys, value, hidden)
            exposed |= {k for k in keys if k in todo and group.narrower(k, smallest)}
    return [key for key in sensitive if key in exposed]


class _Group:
    """The attacker's LP over one group of hidden values: each line of the group is an
    equation, each hidden value a variable of at least 1 (zeros are never hidden)."""

    def __init__(
        self,
        lines: list[_Line],
        line_indices: list[int],
        keys: list[Key],
        value: dict[Key, int],
        hidden: set[Key],
    ):
        self.keys = keys
        self.column = {key: j for j, key in enumerate(keys)}
        self.a_eq = np.zeros((len(line_indices), len(keys)))
        self.b_eq = np.zeros(len(line_indices))
        for i, index in enumerate(line_indices):
            line = lines[index]
            for key, sign in [*((k, 1) for k in line.parts), (line.total, -1)]:
                if key in hidden:
                    self.a_eq[i, self.column[key]] = sign
                else:
                    self.b_eq[i] -= sign * value[key]
        # Every table the attacker cannot rule out bounds each interval from inside; the true
        # one to begin with, then each LP's solution: a value seen to vary enough needs no LP.
        self.low: dict[Key, float] = {key: value[key] for key in keys}
        self.high = dict(self.low)

    def narrower(self, key: Key, smallest: int) -> bool:
        """Whether the attacker's interval for `key` is narrower than `smallest`.

        The table with its margins is a network, so the interval's ends are whole numbers: a
        spread of more than `smallest` − 1 seen means at least `smallest`. Comparing with
        `smallest` − ½ leaves the solver's tolerance (1e-7) no say, and no rounding is needed."""
        for sign in (-1, 1):  # maximise first: a small count has little room below
            if self.high[key] - self.low[key] >= smallest - 0.5:
                return False
            objective = np.zeros(len(self.keys))
            objective[self.column[key]] = sign
            result = linprog(
                objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(1, None), method="highs"
            )
            if result.status == 3:  # no maximum
                return False
            if result.status != 0:  # the true table is a solution: the solver failed, not it
                raise RuntimeError(f"disclosure audit: {result.message}")
            for k, x in zip(self.keys, result.x, strict=True):
                self.low[k], self.high[k] = min(self.low[k], x), max(self.high[k], x)
        return self.high[key] - self.low[key] < smallest - 0.5


def _next_to_hide(key: Key, lines: list[_Line], value: dict[Key, int], hidden: set[Key]) -> Key:
    """The value to hide so that `key` may vary more: the smallest shown non-zero cell of its row
    or column, else of the other lines its group of hidden values touches (hidden, it closes a
    loop through the group); only then a total, as near. Totals go last: they are what readers
    want most. There is always one: a group whose lines have nothing non-zero left to hide can
    be scaled up at will, so none of its values would be exposed."""
    order = {k: position for position, k in enumerate(value)}
    own = [i for i, line in enumerate(lines) if key in line.keys]
    group = next(g for g, keys in _groups(lines, hidden) if key in keys)
    for margins in (False, True):
        for scope in (own, group):
            candidates = [
                k
                for i in scope
                for k in lines[i].keys
                if k not in hidden and value[k] > 0 and (TOTAL in k) == margins
            ]
            if candidates:
                return min(candidates, key=lambda k: (value[k], order[k]))
    raise RuntimeError("disclosure audit: nothing left to hide and a value still exposed")
