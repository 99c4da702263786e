"""A published table's hidden small counts cannot be narrowed below five by any attacker who
solves the table's equations: checked by an attacker written here, apart from the module's."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from amparo.core.disclosure import suppress, suppress_line

SMALLEST = 5


def grid_of(published: dict) -> list[list]:
    """The published table as a grid with its margins: the last column is the row totals, the
    last row the column totals and the grand total."""
    grid = [[*row["cells"].values(), row["total"]] for row in published["rows"].values()]
    grid.append([*published["totals"].values(), published["total"]])
    return grid


def attack(published: dict) -> dict[tuple[int, int], tuple[float, float]]:
    """Every hidden value's [min, max] as an attacker finds it from the published table only:
    each row and column of the grid (margins too) sums to its last entry, every hidden value is
    a whole number of at least 1 (zeros are published). Integer programs, not the module's LPs."""
    grid = grid_of(published)
    height, width = len(grid), len(grid[0])
    unknowns = [(i, j) for i in range(height) for j in range(width) if grid[i][j] is None]
    if not unknowns:
        return {}
    index = {position: n for n, position in enumerate(unknowns)}
    lines = [[(i, j) for j in range(width)] for i in range(height)]
    lines += [[(i, j) for i in range(height)] for j in range(width)]
    rows, rhs = [], []
    for line in lines:
        coefficients = np.zeros(len(unknowns))
        constant = 0
        for n, (i, j) in enumerate(line):
            sign = -1 if n == len(line) - 1 else 1  # the parts minus the total
            if grid[i][j] is None:
                coefficients[index[(i, j)]] += sign
            else:
                constant += sign * grid[i][j]
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(-constant)
    constraint = LinearConstraint(np.array(rows), rhs, rhs)
    integers = np.ones(len(unknowns))
    bounds = Bounds(np.ones(len(unknowns)), np.full(len(unknowns), np.inf))
    found = {}
    for position in unknowns:
        ends = []
        for sign in (1, -1):
            objective = np.zeros(len(unknowns))
            objective[index[position]] = sign
            result = milp(objective, constraints=constraint, integrality=integers, bounds=bounds)
            if result.status == 0:
                ends.append(sign * result.fun)
            else:
                assert sign == -1 and "unbounded" in result.message.lower(), result.message
                ends.append(np.inf)
        found[position] = (ends[0], ends[1])
    return found


def true_grid(counts: list[list[int]]) -> list[list[int]]:
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(column) for column in zip(*grid, strict=True)])
    return grid


def published_for(counts: list[list[int]], **options) -> dict:
    names = [f"c{j}" for j in range(len(counts[0]))]
    table = {f"r{i}": dict(zip(names, row, strict=True)) for i, row in enumerate(counts)}
    return suppress(table, names, **options)


def assert_protected(counts: list[list[int]], published: dict, smallest: int) -> None:
    truth, grid = true_grid(counts), grid_of(published)
    for true_row, row in zip(truth, grid, strict=True):
        for true, shown in zip(true_row, row, strict=True):
            assert shown is None or shown == true  # published values are the true ones
            assert not 0 < true < smallest or shown is None  # small ones are hidden
            assert shown is not None or true > 0  # zeros are published
    lines = [*grid, *zip(*grid, strict=True)]
    assert all(list(line).count(None) != 1 for line in lines)  # the one-per-line rule holds
    for (i, j), (low, high) in attack(published).items():
        assert low <= truth[i][j] <= high
        if truth[i][j] < smallest:
            assert high - low >= smallest, (counts, (i, j), (low, high))


# Many small counts, zeros among them: the tables the audit has to work on.
count = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(5, 30))
tables = st.integers(1, 8).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(count, min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_no_attacker_narrows_a_hidden_small_count_below_five(counts):
    assert_protected(counts, published_for(counts), SMALLEST)


@settings(max_examples=40, deadline=None)
@given(tables, st.integers(2, 11))
def test_the_threshold_is_the_callers(counts, smallest):
    assert_protected(counts, published_for(counts, smallest=smallest), smallest)


def test_two_hidden_values_per_line_are_not_enough():
    """The old rule's blind spot, worked by hand. The small block [[1, 2], [2, 1]] among tens:
    primary suppression hides the four small cells, which leaves every line with two hidden
    values or none, so the one-per-line rule hid nothing more. Yet row A gives
    AX + AY = 13 − 10 = 3 and column X gives AX + BX = 3, so with counts ≥ 1 AX is 1 or 2 (0..3
    even allowing zeros): the attacker knows it is small. Now each of them must be able to reach
    six, which takes hiding the tens that close a loop through it."""
    counts = [[1, 2, 10], [2, 1, 10], [10, 10, 10]]
    published = published_for(counts)
    assert_protected(counts, published, SMALLEST)
    # The pattern the old rule published is open to the attack:
    old = published_for(counts)
    for i, row in enumerate(counts):
        for j, true in enumerate(row):
            old["rows"][f"r{i}"]["cells"][f"c{j}"] = None if true < SMALLEST else true
    assert all(total is not None for total in old["totals"].values())
    assert attack(old)[(0, 0)] == (1, 2)
    # Hiding the interior tens and keeping every total is enough, and what the audit does.
    assert grid_of(published) == [
        [None, None, None, 13],
        [None, None, None, 13],
        [None, None, None, 30],
        [13, 13, 30, 56],
    ]


def test_a_small_count_pinned_exactly_though_its_lines_hide_three():
    """Two blocks of small counts joined by one small cell (row 0, column 2): each line has two
    or three hidden values, none one, and the old rule stopped there. But the cell is a bridge:
    adding rows 0 and 1 and taking columns 0 and 1 away cancels every other unknown, so
    x02 = (16 + 23) − (23 + 23) − (10 + 10 + 10) + (10 + 10 + 10 + 10) = 3, exactly."""
    counts = [[1, 2, 3, 10], [2, 1, 10, 10], [10, 10, 1, 2], [10, 10, 2, 1]]
    old = published_for(counts)
    for i, row in enumerate(counts):
        old["rows"][f"r{i}"]["total"] = sum(row)
        for j, true in enumerate(row):
            old["rows"][f"r{i}"]["cells"][f"c{j}"] = None if true < SMALLEST else true
    old["totals"] = {f"c{j}": sum(column) for j, column in enumerate(zip(*counts, strict=True))}
    old["total"] = sum(map(sum, counts))
    assert attack(old)[(0, 2)] == (3, 3)
    assert_protected(counts, published_for(counts), SMALLEST)


def test_a_single_column_as_the_feedback_figures_use_it():
    counts = [[3], [10], [20], [0]]
    published = published_for(counts)
    assert_protected(counts, published, SMALLEST)
    assert grid_of(published)[3] == [0, 0]


def test_nothing_small_nothing_hidden():
    counts = [[5, 7], [0, 12]]
    assert grid_of(published_for(counts)) == [[5, 7, 12], [0, 12, 12], [5, 19, 24]]


def line_published(cells: list[int], smallest: int = SMALLEST) -> dict:
    """A line protected by `suppress_line`, published as the one-row table it is (its column
    totals are its cells)."""
    names = [f"c{j}" for j in range(len(cells))]
    line = suppress_line(dict(zip(names, cells, strict=True)), smallest=smallest)
    return {"rows": {"r0": line}, "totals": dict(line["cells"]), "total": line["total"]}


@settings(max_examples=150, deadline=None)
@given(st.lists(count, min_size=1, max_size=8), st.integers(2, 11))
def test_a_line_solved_on_paper_is_as_safe_as_the_lp(cells, smallest):
    """The 5W's rows: the attacker (integer programs) finds no hidden small count narrower
    than the threshold; the line hides no more than the whole audit of its one-row table."""
    published = line_published(cells, smallest)
    assert_protected([cells], published, smallest)
    audited = published_for([cells], smallest=smallest)["rows"]["r0"]
    hidden_here = sum(v is None for v in [*published["rows"]["r0"]["cells"].values()])
    assert hidden_here <= sum(v is None for v in audited["cells"].values())


def test_a_line_hides_its_small_count_and_the_next_smallest():
    published = line_published([12, 0, 3, 0])
    assert published["rows"]["r0"] == {
        "cells": {"c0": None, "c1": 0, "c2": None, "c3": 0},
        "total": 15,
    }
