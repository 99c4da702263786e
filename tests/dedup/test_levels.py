"""The model's levels evaluated in Python (`levels`, the registration check's scoring) give
DuckDB's answer on every pair: the stored SQL stays the one definition of a level."""

import itertools

import pyarrow as pa
import pytest

from amparo.dedup import levels, linkage
from tests.bench.test_dedupe_bench import people
from tests.dedup.test_linkage import BASE, ERRORS, records


@pytest.fixture(scope="module")
def model():
    return linkage.deduplicate(records(), threshold=0.5).model


def _gamma_sql(comparison: dict) -> str:
    """The level each pair meets, as Splink's own CASE reads the model (null level -1)."""
    steps = comparison["comparison_levels"]
    branches = []
    for index, step in enumerate(steps):
        sql = step["sql_condition"]
        when = "ELSE" if sql.strip().upper() == "ELSE" else f"WHEN {sql} THEN"
        branches.append(f"{when} {index}")
    return "CASE " + " ".join(branches) + " END"


def _duckdb_levels(model: dict, table: pa.Table) -> dict[tuple[str, str], tuple]:
    con = linkage._connection()
    linkage.prepare(con, table, "people")
    columns = [row[0] for row in con.execute("DESCRIBE people").fetchall()]
    pairs = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    cases = ", ".join(_gamma_sql(c) for c in model["comparisons"])
    rows = con.execute(
        f"SELECT unique_id_l, unique_id_r, {cases} FROM "  # noqa: S608 (the test's own SQL)
        f"(SELECT {pairs} FROM people l JOIN people r ON l.unique_id <> r.unique_id)"
    ).fetchall()
    con.close()
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def _python_levels(model: dict, table: pa.Table) -> dict[tuple[str, str], tuple]:
    rows = linkage.prepared_rows(table)
    columns = frozenset(rows[0])
    tests = [levels.comparison(c["comparison_levels"], columns) for c in model["comparisons"]]
    found = {}
    for left, right in itertools.permutations(rows, 2):
        found[(left["unique_id"], right["unique_id"])] = tuple(
            next(index for index, test in enumerate(steps) if test(left, right)) for steps in tests
        )
    return found


def test_python_levels_are_duckdbs(model):
    """Every ordered pair of people with every kind of error (the bench's generator, most of
    its people registered more than once, and the fixtures' errors), blanks and accents
    included: the same level of every comparison as DuckDB's."""
    generated = people.model_input(people.generate(120, seed=5, profile="eval", dup_share=0.8))
    fixtures = records(
        *({"id": f"twin-{kind}", **BASE, "dob_estimated": False, **change}
          for kind, change in ERRORS.items()),
        {"id": "address-typo", **BASE, "address": "Av. 10 de Agsto N24-55 y Colón"},
        {"id": "address-half", **BASE, "address": "Colón y 10 de Agosto, barrio La Mariscal"},
        {"id": "address-other", **BASE, "address": "Calle Guayaquil 5"},
        {"id": "empty", "given_names": None, "first_surname": None},
        {"id": "blank", "given_names": "", "first_surname": " ", "document_number": "",
         "date_of_birth": "", "address": ""},
    )  # fmt: skip
    rows = generated.to_pylist() + fixtures.to_pylist()
    table = pa.Table.from_pylist([{c: row.get(c) for c in fixtures.column_names} for row in rows])
    expected = _duckdb_levels(model, table)
    found = _python_levels(model, table)
    assert len(found) == table.num_rows * (table.num_rows - 1) > 50_000
    differing = [pair for pair in expected if expected[pair] != found[pair]]
    assert differing == [], [(p, expected[p], found[p]) for p in differing[:5]]
    # Not only the ELSE level: the pairs meet most levels of each comparison.
    for index, comparison in enumerate(model["comparisons"]):
        met = {levels_[index] for levels_ in found.values()}
        assert len(met) >= len(comparison["comparison_levels"]) - 1, comparison[
            "output_column_name"
        ]


@pytest.mark.parametrize(
    ("sql", "left", "right", "holds"),
    [
        ('"a_l" = "a_r"', {"a": None}, {"a": None}, False),  # NULL = NULL is NULL
        ('"a_l" = "a_r" OR "b_l" = "b_r"', {"a": None, "b": 1}, {"a": 2, "b": 1}, True),
        ('NOT ("a_l" = "a_r")', {"a": None}, {"a": 1}, False),  # NOT NULL is NULL
        ('"a_l" IS DISTINCT FROM "a_r"', {"a": None}, {"a": 1}, True),
        ('"a_l" IS DISTINCT FROM "a_r"', {"a": None}, {"a": None}, False),
        ('"a_l" // 10 = "a_r"', {"a": -17}, {"a": -1}, True),  # truncates toward zero
        ('"a_l" % 10 = "a_r"', {"a": -17}, {"a": -7}, True),
        ('least("a_l", "a_r") = \'x\'', {"a": None}, {"a": "x"}, True),  # skips NULL
        ('CASE WHEN "a_l" > 5 THEN 2 ELSE 1 END = 1', {"a": None}, {"a": 0}, True),
    ],
)
def test_sql_logic_is_kept(sql, left, right, holds):
    columns = frozenset(left)
    assert levels.condition(sql, columns)(left, right) is holds


def test_an_unknown_construct_is_refused_when_compiled():
    """A model with SQL this does not read fails at once, not on some pair later."""
    with pytest.raises(levels.Unsupported):
        levels.condition('soundex("a_l") = soundex("a_r")', frozenset({"a"}))
    with pytest.raises(levels.Unsupported):
        levels.condition('"b_l" = "b_r"', frozenset({"a"}))


def test_blocking_leaves_out_only_pairs_the_guard_zeroes(model):
    """The blocking rules that compare no date skip pairs born apart (`DATES_NOT_APART`):
    every pair they skip meets the date's last level, which `FAMILY_LIKE` zeroes."""
    table = people.model_input(people.generate(300, seed=8, profile="eval", dup_share=0.5))
    dob = next(c for c in model["comparisons"] if c["output_column_name"] == "dob")
    con = linkage._connection()
    linkage.prepare(con, table, "people")
    columns = [row[0] for row in con.execute("DESCRIBE people").fetchall()]
    pairs = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    met = con.execute(
        f"SELECT {_gamma_sql(dob)} AS level, count(*) FROM (SELECT {pairs} "  # noqa: S608
        f"FROM people l JOIN people r ON l.unique_id < r.unique_id "
        f"AND NOT ({linkage.DATES_NOT_APART})) GROUP BY level"
    ).fetchall()
    con.close()
    skipped = dict(met)
    assert sum(skipped.values()) > 10_000  # most random pairs are born years apart
    assert set(skipped) == {len(dob["comparison_levels"]) - 1}  # the ELSE level only
