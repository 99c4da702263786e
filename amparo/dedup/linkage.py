"""Probabilistic record linkage for this population: who is registered twice.

A Fellegi–Sunter model in Splink, run in an in-process DuckDB (no server, no labels):
u probabilities by random sampling, m probabilities by expectation–maximisation, then pairs
scored within blocks and joined into clusters. What makes it ours is what it compares:

- **given names** read as the registry reads them (nicknames as the names they stand for,
  glued compounds split, a second given name dropped), with term frequencies: "María" agrees
  less than "Yoselin";
- **surnames** in either order, the second one missing, particles glued or dropped;
- **date of birth** exact, day and month swapped, one digit off, the year off by one, or only
  a year known (an estimated date);
- **documents** typo-tolerant, compared only between numbers of the same kind (a new document
  after regularization is not evidence against);
- **phone** (last nine digits), **address** (its words, with typos), **sex** and **area**.

Blocking keeps each block small even for the commonest names (a surname alone never makes a
block; a surname with a given name and a birth year, or with a birth date, does).

`deduplicate(table)` and `link(left, right)` take pyarrow tables with the columns of
`COLUMNS` (extra ones are ignored) and give a `Result`. Small inputs (fewer than
`MIN_TRAINING_RECORDS`) are scored with `PRIOR`, the model's starting parameters, since there
is too little to learn from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from amparo.dedup import levels, normalize
from amparo.dedup.records import COLUMNS

logger = logging.getLogger(__name__)

MIN_TRAINING_RECORDS = 2_000
U_SAMPLE_PAIRS = 2_000_000
EM_PAIRS = 1_000_000
SEED = 2026
DETERMINISTIC_RECALL = 0.6
MEMORY_LIMIT = "1GB"  # DuckDB's own share; Arrow tables and Python come on top


@dataclass
class Result:
    # id_a, id_b, match_probability, cluster_id (probability >= threshold), and mw_<field>:
    # each comparison's match weight (log2 Bayes factor; mw_tf_adj_<field> its term-frequency
    # adjustment): the reasons a reviewer reads.
    pairs: pa.Table
    clusters: pa.Table  # id, cluster_id (every record)
    model: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)


# --- preparing the records --------------------------------------------------------------------


def _distinct_map(
    con: duckdb.DuckDBPyConnection,
    source: str,
    column: str,
    name: str,
    fields: dict[str, Callable[[Any], Any]],
) -> None:
    """A table `name` (raw, *fields*) computed in Python over the distinct values of
    `source.column`."""
    query = f"SELECT DISTINCT {column} FROM {source}"  # noqa: S608 — our own names
    raws = [row[0] for row in con.execute(query).fetchall()]
    values = {key: [fn(raw) for raw in raws] for key, fn in fields.items()}
    table = pa.table({"raw": pa.array(raws, pa.string()), **values})
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
    con.unregister(f"{name}_arrow")


def _text_column(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    column = table.column(name)
    return column.cast(pa.string()) if column.type != pa.string() else column


def prepare(con: duckdb.DuckDBPyConnection, table: pa.Table, name: str) -> None:
    """Write `name`: one row per record with the compared values (`normalize`)."""
    if "id" not in table.column_names:
        raise ValueError("the records need an `id` column")
    columns = {c: _text_column(table, c) for c in COLUMNS if c != "dob_estimated"}
    if "dob_estimated" in table.column_names:
        columns["dob_estimated"] = table.column("dob_estimated").cast(pa.bool_())
    else:
        columns["dob_estimated"] = pa.array([False] * table.num_rows, pa.bool_())
    raw = f"{name}_raw"
    con.register(f"{raw}_arrow", pa.table(columns))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT * FROM {raw}_arrow")  # noqa: S608
    con.unregister(f"{raw}_arrow")
    given = normalize.given_names
    _distinct_map(
        con,
        raw,
        "given_names",
        "map_given",
        {
            "full": lambda raw: given(raw).full,
            "first": lambda raw: given(raw).first,
            "second": lambda raw: given(raw).second,
            "sorted": lambda raw: given(raw).sorted,
            "skeleton": lambda raw: normalize.skeleton(given(raw).first),
            "glued": lambda raw: given(raw).glued,
            "written": lambda raw: given(raw).written,
        },
    )
    surnames = {
        "key": normalize.surname,
        "bare": normalize.bare_surname,
        "skeleton": normalize.skeleton,
    }
    _distinct_map(con, raw, "first_surname", "map_sn1", surnames)
    _distinct_map(con, raw, "second_surname", "map_sn2", surnames)
    _distinct_map(con, raw, "date_of_birth", "map_dob", {"iso": normalize.birth_date})
    _distinct_map(con, raw, "sex", "map_sex", {"code": normalize.sex})
    _distinct_map(con, raw, "document_number", "map_doc", {"key": normalize.document})
    _distinct_map(con, raw, "phone", "map_phone", {"key": normalize.phone})
    _distinct_map(con, raw, "address", "map_address", {"key": normalize.address})
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT
            r.id AS unique_id,
            g.full AS given, g.first AS given_first, g.glued AS given_glued,
            g.second AS given_second, g.sorted AS given_sorted, g.skeleton AS given_skel,
            g.written AS given_written,
            s1.skeleton AS sn1_skel, s2.skeleton AS sn2_skel,
            nullif(concat(least(s1.skeleton, s2.skeleton), greatest(s1.skeleton, s2.skeleton)), '')
                AS surnames_skel,
            s1.key AS sn1, s2.key AS sn2,
            nullif(concat(least(s1.key, s2.key), greatest(s1.key, s2.key)), '')
                AS surnames_glued,
            nullif(concat(least(s1.bare, s2.bare), greatest(s1.bare, s2.bare)), '')
                AS surnames_bare,
            d.iso AS dob,
            CAST(substr(d.iso, 1, 4) AS INTEGER) AS dob_year,
            CAST(substr(d.iso, 6, 2) AS INTEGER) AS dob_month,
            CAST(substr(d.iso, 9, 2) AS INTEGER) AS dob_day,
            coalesce(r.dob_estimated, false) AS dob_estimated,
            x.code AS sex,
            nullif(lower(trim(coalesce(r.document_type, ''))), '') AS doc_type,
            doc.key AS doc,
            p.key AS phone,
            nullif(upper(trim(coalesce(r.area, ''))), '') AS area,
            a.key AS address
        FROM {raw} r
        LEFT JOIN map_given g ON g.raw IS NOT DISTINCT FROM r.given_names
        LEFT JOIN map_sn1 s1 ON s1.raw IS NOT DISTINCT FROM r.first_surname
        LEFT JOIN map_sn2 s2 ON s2.raw IS NOT DISTINCT FROM r.second_surname
        LEFT JOIN map_dob d ON d.raw IS NOT DISTINCT FROM r.date_of_birth
        LEFT JOIN map_sex x ON x.raw IS NOT DISTINCT FROM r.sex
        LEFT JOIN map_doc doc ON doc.raw IS NOT DISTINCT FROM r.document_number
        LEFT JOIN map_phone p ON p.raw IS NOT DISTINCT FROM r.phone
        LEFT JOIN map_address a ON a.raw IS NOT DISTINCT FROM r.address
        """  # noqa: S608 — table names are ours
    )


def _glued(a: str | None, b: str | None) -> str | None:
    """As the SQL's nullif(concat(least(a, b), greatest(a, b)), ''). DuckDB's least and
    greatest skip a null, so one surname alone is written twice ('floresflores'): the same on
    every record, which is all a comparison needs."""
    present = [x for x in (a, b) if x is not None]
    if not present:
        return None
    return (min(present) + max(present)) or None


def _date_part(iso: str | None, start: int, end: int) -> int | None:
    return int(iso[start:end]) if iso else None


def prepared_rows(table: pa.Table) -> list[dict[str, Any]]:
    """`prepare`'s rows for a handful of records, in Python: the values a screen's pairs are
    compared on (`prepare` costs a statement per distinct-value map, 25 ms, most of a
    screen's budget). The same values (`test_the_fast_preparation_is_the_same`)."""
    rows = pa.table({c: _text_column(table, c) for c in COLUMNS if c != "dob_estimated"})
    flags = (
        table.column("dob_estimated").cast(pa.bool_()).to_pylist()
        if "dob_estimated" in table.column_names
        else [False] * table.num_rows
    )
    prepared = []
    for row, estimated in zip(rows.to_pylist(), flags, strict=True):
        g = normalize.given_names(row["given_names"])
        sn1 = normalize.surname(row["first_surname"])
        sn2 = normalize.surname(row["second_surname"])
        sk1 = normalize.skeleton(row["first_surname"])
        sk2 = normalize.skeleton(row["second_surname"])
        iso = normalize.birth_date(row["date_of_birth"])
        prepared.append(
            {
                "unique_id": row["id"],
                "given": g.full,
                "given_first": g.first,
                "given_glued": g.glued,
                "given_second": g.second,
                "given_sorted": g.sorted,
                "given_skel": normalize.skeleton(g.first),
                "given_written": g.written,
                "sn1_skel": sk1,
                "sn2_skel": sk2,
                "surnames_skel": _glued(sk1, sk2),
                "sn1": sn1,
                "sn2": sn2,
                "surnames_glued": _glued(sn1, sn2),
                "surnames_bare": _glued(
                    normalize.bare_surname(row["first_surname"]),
                    normalize.bare_surname(row["second_surname"]),
                ),
                "dob": iso,
                "dob_year": _date_part(iso, 0, 4),
                "dob_month": _date_part(iso, 5, 7),
                "dob_day": _date_part(iso, 8, 10),
                "dob_estimated": bool(estimated),
                "sex": normalize.sex(row["sex"]),
                "doc_type": (row["document_type"] or "").strip().lower() or None,
                "doc": normalize.document(row["document_number"]),
                "phone": normalize.phone(row["phone"]),
                "area": (row["area"] or "").strip().upper() or None,
                "address": normalize.address(row["address"]),
            }
        )
    return prepared


# --- the model --------------------------------------------------------------------------------


def _same(part: str) -> str:
    return f'"dob_{part}_l" = "dob_{part}_r"'


def _one_digit(part: str) -> str:
    """Two numbers of a date (1–31) that differ in one digit, or by its digits swapped."""
    left, right = f'"dob_{part}_l"', f'"dob_{part}_r"'
    return (
        f"({left} // 10 = {right} // 10 OR {left} % 10 = {right} % 10 "
        f"OR {left} = ({right} % 10) * 10 + {right} // 10)"
    )


def _close_first_names() -> str:
    """One slip in the first given name ("Jessus", "Cadmen", "Joze", "Jroge"): by edit distance
    (two letters swapped count as one slip), as
    Jaro-Winkler puts "Joze" further from "José" than "Jesús" is; or Jaro-Winkler for longer
    names. The length checks first: cheap, and most pairs fail them."""
    left, right = '"given_first_l"', '"given_first_r"'
    return (
        f"(abs(length({left}) - length({right})) <= 1 "
        f"AND least(length({left}), length({right})) >= 3 "
        f"AND greatest(length({left}), length({right})) >= 4 "
        f"AND jaro_winkler_similarity({left}, {right}) >= 0.75 "
        f"AND damerau_levenshtein({left}, {right}) <= 1 "
        f"OR length({left}) >= 7 AND jaro_winkler_similarity({left}, {right}) >= 0.93)"
    )


def _glued_typo() -> str:
    """Given names that are the same written together but for one slip ('AngglicaJosé' /
    'Angélica José'), never two different second names (José Alberto / José Antonio)."""
    left, right = '"given_glued_l"', '"given_glued_r"'
    return (
        f"(length({left}) >= 8 AND abs(length({left}) - length({right})) <= 1 "
        f"AND jaro_winkler_similarity({left}, {right}) >= 0.9 "
        f"AND damerau_levenshtein({left}, {right}) <= 1)"
    )


def _compatible_second_names() -> str:
    """No second given name on one side, or two that are nearly the same ("José", "Jlsé")."""
    left, right = '"given_second_l"', '"given_second_r"'
    return (
        f"({left} IS NULL OR {right} IS NULL OR {left} = {right} "
        f"OR jaro_winkler_similarity({left}, {right}) >= 0.9 "
        f"OR length({left}) >= 4 AND abs(length({left}) - length({right})) <= 1 "
        f"AND damerau_levenshtein({left}, {right}) <= 1)"
    )


def _one_typo(column: str) -> str:
    """One character changed, added, dropped or two swapped. The cheap tests go first (SQL's
    AND stops at the first false): DuckDB's Damerau-Levenshtein is the costliest function of
    the model, and most pairs are nowhere near."""
    left, right = f'"{column}_l"', f'"{column}_r"'
    return (
        f"abs(length({left}) - length({right})) <= 1 "
        f"AND jaro_winkler_similarity({left}, {right}) >= 0.85 "
        f"AND damerau_levenshtein({left}, {right}) <= 1"
    )


def _swapped_names() -> str:
    """The first given name written as the first surname and the other way round, each the
    same or a typo apart ('Royan S.' / 'Spencer' against 'Spencer' / 'Royans')."""

    def near(a: str, b: str) -> str:
        return f'("{a}" = "{b}" OR jaro_winkler_similarity("{a}", "{b}") >= 0.9)'

    # The first letters first: one comparison that nearly every pair fails, before four
    # Jaro-Winklers (a typo in a name's first letter is the rare one).
    return (
        '(left("given_first_l", 1) = left("sn1_r", 1) '
        'AND left("sn1_l", 1) = left("given_first_r", 1) '
        f"AND ({near('given_first_l', 'sn1_r')} OR {near('given_glued_l', 'sn1_r')}) "
        f"AND ({near('sn1_l', 'given_first_r')} OR {near('sn1_l', 'given_glued_r')}))"
    )


def _slip(a: str, b: str) -> str:
    """Two words one slip apart (two for long ones), the cheap tests first."""
    return (
        f'(abs(length("{a}") - length("{b}")) <= 2 '
        f'AND jaro_winkler_similarity("{a}", "{b}") >= 0.85 '
        f'AND damerau_levenshtein("{a}", "{b}") <= CASE WHEN length("{a}") >= 7 THEN 2 ELSE 1 END)'
    )


def _one_surname_slipped() -> str:
    """One surname the same and the other a typo apart, in either order ('Rojas Pérez' /
    'Rojáes Pérez'): before "a surname in common", where cousins meet."""
    return (
        f'("sn1_l" = "sn1_r" AND {_slip("sn2_l", "sn2_r")}) '
        f'OR ("sn2_l" = "sn2_r" AND {_slip("sn1_l", "sn1_r")}) '
        f'OR ("sn1_l" = "sn2_r" AND {_slip("sn2_l", "sn1_r")}) '
        f'OR ("sn2_l" = "sn1_r" AND {_slip("sn1_l", "sn2_r")})'
    )


def _lone_surname_near() -> str:
    """One record has a single surname, and it is one of the other's, a typo apart or
    without its particles ('Bravl' / 'Bravo Contreras', 'Torre' / 'De La Torre Delgado')."""

    def near(a: str, b: str) -> str:
        return (
            f'("{a}" = "{b}" OR abs(length("{a}") - length("{b}")) <= 2 '
            f'AND jaro_winkler_similarity("{a}", "{b}") >= 0.9 '
            f'OR length("{a}") >= 4 AND ends_with("{b}", "{a}"))'
        )

    return (
        f'("sn2_l" IS NULL AND "sn2_r" IS NOT NULL AND ({near("sn1_l", "sn1_r")} '
        f"OR {near('sn1_l', 'sn2_r')})) "
        f'OR ("sn2_r" IS NULL AND "sn2_l" IS NOT NULL AND ({near("sn1_r", "sn1_l")} '
        f"OR {near('sn1_r', 'sn2_l')}))"
    )


def _comparisons(term_frequencies: bool) -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def level(sql: str, label: str, m: float, u: float, tf: str | None = None, fix_u: bool = False):
        created = cll.CustomLevel(sql, label_for_charts=label)
        options: dict[str, Any] = {"m_probability": m, "u_probability": u}
        if fix_u:
            options["fix_u_probability"] = True
        if tf and term_frequencies:
            options["tf_adjustment_column"] = tf
        return created.configure(**options)

    def swapped():
        # A form's boxes mixed up, the given name where the surname goes: a level of both
        # the given names and the surnames, since each of them agrees, only elsewhere.
        return level(
            _swapped_names(), "given name and surname in each other's places", 0.02, 0.00002
        )

    # m and u here are the starting values (`PRIOR`): training replaces them.
    given = cl.CustomComparison(
        output_column_name="given",
        comparison_description="given names",
        comparison_levels=[
            cll.NullLevel("given"),
            level('"given_l" = "given_r"', "same given names", 0.80, 0.004, "given"),
            level(
                '"given_glued_l" = "given_glued_r" OR "given_sorted_l" = "given_sorted_r" '
                'OR ("given_first_l" = "given_first_r" '
                'AND ("given_second_l" IS NULL OR "given_second_r" IS NULL))',
                "the same but a second given name dropped, glued or swapped",
                0.10,
                0.01,
            ),
            level(
                # Word by word, never the glued whole: Jaro-Winkler's bonus for a common
                # start puts brothers José Alberto and José Antonio at 0.95.
                # As written too: a slip in a name that stands for two ("Marisoal" /
                # "Marisol", read as María Soledad) or in a nickname both records use.
                f"({_close_first_names()} AND {_compatible_second_names()}) OR {_glued_typo()} "
                f"OR ({_one_typo('given_written')})",
                "given names nearly the same",
                0.06,
                0.003,
            ),
            swapped(),
            level(
                # Sisters are often María José and María Gabriela: weak evidence.
                '"given_first_l" = "given_first_r" OR "given_second_l" = "given_first_r" '
                'OR "given_first_l" = "given_second_r" OR "given_second_l" = "given_second_r"',
                "a given name in common",
                0.03,
                0.02,
            ),
            cll.ElseLevel().configure(m_probability=0.002, u_probability=0.963),
        ],
    )
    surnames = cl.CustomComparison(
        output_column_name="surnames",
        comparison_description="surnames, in either order",
        comparison_levels=[
            cll.NullLevel("surnames_glued"),
            level(
                '"surnames_glued_l" = "surnames_glued_r"',
                "same surnames (either order, or glued)",
                0.80,
                0.0005,
                "surnames_glued",
            ),
            level(
                '"surnames_bare_l" = "surnames_bare_r"',
                "same surnames but for their particles (de, del, de la)",
                0.03,
                0.0005,
            ),
            level(
                '"sn1_l" = "sn1_r" AND ("sn2_l" IS NULL OR "sn2_r" IS NULL)',
                "same first surname, a second one missing",
                0.08,
                0.005,
            ),
            swapped(),
            level(
                _lone_surname_near(),
                "one surname only, nearly the same as one of the other's",
                0.04,
                0.003,
            ),
            level(
                _one_surname_slipped(),
                "one surname the same, the other a slip apart",
                0.05,
                0.0005,
            ),
            level(
                '"sn1_l" = "sn2_r" OR "sn2_l" = "sn1_r" OR "sn1_l" = "sn1_r" OR "sn2_l" = "sn2_r"',
                "a surname in common",
                0.04,
                0.02,
            ),
            level(
                # Jaro-Winkler, not an edit distance: DuckDB's Damerau-Levenshtein costs 20
                # times more, and every pair of a sample is compared (bench/dedupe.py).
                'abs(length("surnames_glued_l") - length("surnames_glued_r")) <= 2 AND '
                'jaro_winkler_similarity("surnames_glued_l", "surnames_glued_r") >= 0.92',
                "surnames a typo or two apart",
                0.04,
                0.001,
            ),
            cll.ElseLevel().configure(m_probability=0.01, u_probability=0.9555),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            level(
                '"dob_l" = "dob_r" AND NOT ("dob_estimated_l" OR "dob_estimated_r")',
                "same date of birth",
                0.85,
                0.0001,
            ),
            level(
                '"dob_year_l" = "dob_year_r" AND "dob_month_l" = "dob_day_r" '
                'AND "dob_day_l" = "dob_month_r"',
                "day and month swapped",
                0.03,
                0.00005,
            ),
            level(
                # Not in the century or decade: a father born 30 years earlier is another man.
                f"({_same('year')} AND {_same('month')} AND {_one_digit('day')}) "
                f"OR ({_same('year')} AND {_same('day')} AND {_one_digit('month')}) "
                f"OR ({_same('month')} AND {_same('day')} "
                'AND "dob_year_l" // 10 = "dob_year_r" // 10)',
                "one digit off (the year's last, the month or the day)",
                0.05,
                0.002,
            ),
            level(
                '("dob_estimated_l" OR "dob_estimated_r") '
                'AND abs("dob_year_l" - "dob_year_r") <= 1',
                "an estimated date, the same year or next to it",
                0.04,
                0.02,
            ),
            level(
                'abs("dob_year_l" - "dob_year_r") <= 1 AND "dob_month_l" = "dob_month_r" '
                'AND "dob_day_l" = "dob_day_r"',
                "the year off by one",
                0.02,
                0.0002,
            ),
            cll.ElseLevel().configure(m_probability=0.01, u_probability=0.9776),
        ],
    )
    document = cl.CustomComparison(
        output_column_name="doc",
        comparison_description="document of the same kind",
        comparison_levels=[
            cll.CustomLevel(
                '"doc_l" IS NULL OR "doc_r" IS NULL OR ("doc_type_l" IS DISTINCT FROM '
                '"doc_type_r" AND (abs(length("doc_l") - length("doc_r")) > 1 '
                f"OR NOT ({_one_typo('doc')})))",
                label_for_charts="no document, or documents of different kinds",
            ).configure(is_null_level=True),
            level('"doc_l" = "doc_r"', "same document", 0.85, 0.00001),
            level(
                # A typing slip, unlike a sibling's number one digit away (Venezuelan
                # cédulas of one family are often consecutive): it counts as the same one.
                'length("doc_l") = length("doc_r") AND length("doc_l") >= 5 '
                'AND jaro_winkler_similarity("doc_l", "doc_r") >= 0.85 '
                'AND damerau_levenshtein("doc_l", "doc_r") = 1 '
                'AND levenshtein("doc_l", "doc_r") = 2',
                "document with two digits swapped",
                0.03,
                0.00001,
            ),
            level(
                _one_typo("doc"),
                "document one typo apart",
                0.10,
                0.0001,
            ),
            cll.ElseLevel().configure(m_probability=0.01, u_probability=0.99989),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="phone",
        comparison_description="phone",
        comparison_levels=[
            cll.NullLevel("phone"),
            # A household shares its phone: agreeing on it says less than its rarity suggests.
            # Its u is kept, not sampled: random pairs almost never share a phone, but the
            # people of a household (the namesakes most likely to be confused) do.
            level('"phone_l" = "phone_r"', "same phone", 0.6, 0.01, fix_u=True),
            cll.ElseLevel().configure(m_probability=0.4, u_probability=0.99),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="sex",
        comparison_description="sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            level('"sex_l" = "sex_r"', "same sex", 0.97, 0.5),
            cll.ElseLevel().configure(m_probability=0.03, u_probability=0.5),
        ],
    )
    area = cl.CustomComparison(
        output_column_name="area",
        comparison_description="area",
        comparison_levels=[
            cll.NullLevel("area"),
            level('"area_l" = "area_r"', "same area", 0.8, 0.1),
            cll.ElseLevel().configure(m_probability=0.2, u_probability=0.9),
        ],
    )
    address = cl.CustomComparison(
        output_column_name="address",
        comparison_description="address",
        comparison_levels=[
            cll.NullLevel("address"),
            # As the phone: a household, a shelter share it; its u is kept, not sampled.
            level('"address_l" = "address_r"', "same address", 0.7, 0.01, fix_u=True),
            level(
                'abs(length("address_l") - length("address_r")) <= 3 AND '
                'jaro_winkler_similarity("address_l", "address_r") >= 0.9',
                "address a typo or two apart",
                0.1,
                0.001,
            ),
            level(
                # Words counted by their spaces and each address split once: nearly every
                # pair of the u sample meets this level, and splitting is what costs.
                "len(list_intersect(string_split(\"address_l\", ' '), "
                "string_split(\"address_r\", ' '))) * 2 >= 1 + greatest("
                "length(\"address_l\") - length(replace(\"address_l\", ' ', '')), "
                "length(\"address_r\") - length(replace(\"address_r\", ' ', '')))",
                "half the words of the address in common, or more",
                0.1,
                0.001,
            ),
            cll.ElseLevel().configure(m_probability=0.1, u_probability=0.988),
        ],
    )
    return [given, surnames, dob, document, phone, sex, area, address]


# Birth dates within any slip of each other, or one missing: a pair whose dates are further
# apart is zeroed by the guard (`FAMILY_LIKE`: gamma_dob 0) unless it shares a document,
# which the first blocking rule finds. So the rules that compare no date keep only these
# pairs: "José" with "González" alone pairs 37 million records at 1,000,000 people, of
# which a twentieth are born within a year of each other.
DATES_NOT_APART = (
    'l."dob" IS NULL OR r."dob" IS NULL OR abs(l."dob_year" - r."dob_year") <= 1 '
    'OR (l."dob_month" = r."dob_month" AND l."dob_day" = r."dob_day")'
)


def _block(*columns: str) -> str:
    """A blocking rule on equal `columns`, for pairs whose birth dates are not apart."""
    same = " AND ".join(f'l."{column}" = r."{column}"' for column in columns)
    return f"{same} AND ({DATES_NOT_APART})"


def _blocking_rules() -> list:
    from splink import block_on

    return [
        block_on("doc"),
        _block("phone", "given_first"),
        block_on("dob", "sn1"),
        block_on("dob", "given_first"),
        block_on("sn1", "given_first", "dob_year"),
        _block("surnames_glued", "given_first"),
        block_on("surnames_glued", "dob_year"),
        block_on("given_glued", "sn2", "dob_year"),
        # Surnames changed or swapped: the given names (in any order) and the birth date.
        block_on("given_glued", "dob"),
        block_on("given_sorted", "dob"),
        # Typos: the sounds of a name rather than its letters ('Pareds', 'Dellgado').
        _block("surnames_skel", "given_skel"),
        block_on("sn1_skel", "dob"),
        block_on("given_skel", "sn2_skel", "dob"),
        _block("given_sorted", "sn1_skel"),
        _block("given_sorted", "sn2_skel"),
        _block("phone", "sn1_skel"),
        _block("address", "given_skel"),
        _block("address", "sn1_skel"),
        block_on("address", "dob"),
        # Given name and surname in each other's places.
        f'l."given_first" = r."sn1" AND l."sn1" = r."given_first" AND ({DATES_NOT_APART})',
    ]


def settings(link_type: str = "dedupe_only", *, records: int = MIN_TRAINING_RECORDS):
    """The model before training. Fewer than `MIN_TRAINING_RECORDS` records go without term
    frequencies: in a file of six people every name is "common"."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        comparisons=_comparisons(term_frequencies=records >= MIN_TRAINING_RECORDS),
        blocking_rules_to_generate_predictions=_blocking_rules(),
        probability_two_random_records_match=1e-5,
        retain_intermediate_calculation_columns=True,  # mw_: each field's weight, the reasons
        retain_matching_columns=True,  # with the gamma_ values `_guarded` reads
        max_iterations=20,
    )


def _train(linker, records: int, rebuild: Callable[[dict], Any]):
    """The linker with its parameters learnt (or the same one, under `MIN_TRAINING_RECORDS`).
    `rebuild(model)` makes a new linker from saved parameters, for when an EM session fails."""
    from splink import block_on
    from splink.internals.exceptions import EMTrainingException  # not exported elsewhere

    if records < MIN_TRAINING_RECORDS:
        return linker  # too little to learn from: the prior stands
    # How likely two records taken at random are one person: from the pairs that agree on
    # nearly everything, of which about `DETERMINISTIC_RECALL` of all duplicates are. A
    # fixed value over-links a national registry and under-links a small file (a 1e-5
    # prior was 5 times too high at 200,000 people and 50 times too low on FEBRL3).
    linker.training.estimate_probability_two_random_records_match(
        [block_on("doc", "dob"), block_on("given", "surnames_glued", "dob")],
        recall=DETERMINISTIC_RECALL,
    )
    model = linker.misc.save_model_to_json()
    floor = 2 / (records * (records - 1))  # as if one pair of all were one person
    if not model["probability_two_random_records_match"] >= floor:  # nobody agreed on all
        model["probability_two_random_records_match"] = floor
        linker = rebuild(model)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    # Each session fixes what its blocking rule compares and learns the rest.
    # At most `EM_PAIRS` pairs each: a common surname with a common given name makes blocks
    # of thousands at national scale, and a sample learns the same m values.
    # The blocks are pairs that are nearly all the same person (one document; the same names
    # and date of birth), so that EM does not take the members of a household, who share
    # surnames, phone, area and sometimes a birthday, for the same person.
    for rule in (block_on("doc"), block_on("given", "surnames_glued", "dob")):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=EM_PAIRS
            )
        except (EMTrainingException, ValueError):
            # A registry with (nearly) nobody registered twice leaves the block empty or all
            # namesakes, and EM's m values underflow. A failed session leaves the linker half
            # changed: a new one starts from the parameters it had before.
            logger.warning("EM learnt nothing on a block; its m values stay as they were")
            linker = rebuild(before)
    return linker


# --- running it -------------------------------------------------------------------------------


# The comparison vector values (Splink counts a comparison's levels from the bottom, the null
# level being -1): given names that only share a word (1) or nothing (0); birth dates apart
# beyond any slip (0); not the same document, nor one with two digits swapped (below 2).
FAMILY_LIKE = "(gamma_given IN (0, 1) OR gamma_dob = 0) AND gamma_doc < 2"


def _guarded(con, db_api, linker, predictions):
    """Pairs whose given names differ (but for a word), or whose birth dates differ beyond
    any slip, are never joined by the model alone, whatever else agrees, unless they share a
    document: twins, siblings, a father and his namesake son share surnames, phone, address,
    area and sometimes a birthday or a name, which the model, counting each agreement apart,
    would take for one person. Their probability becomes 0 (out of the pairs and clusters)."""
    name = f"{predictions.physical_name}_guarded"
    con.execute(
        f"CREATE TABLE {name} AS SELECT * REPLACE (CASE WHEN {FAMILY_LIKE} THEN 0.0 "  # noqa: S608
        f"ELSE match_probability END AS match_probability) FROM {predictions.physical_name}"
    )
    return linker.table_management.register_table_predict(db_api.register(name))


def _connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB takes 80 % of the machine's memory unless told; past this it spills to a
    # temporary directory (slower, not failing): a worker shares its machine with the app.
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    return con


def _run(tables: list[pa.Table], link_type: str, threshold: float, model: dict | None) -> Result:
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)  # "level not observed" is no news
    seconds: dict[str, float] = {}
    records = sum(table.num_rows for table in tables)
    started = time.perf_counter()
    con = _connection()
    db_api = DuckDBAPI(connection=con)
    names = []
    for index, table in enumerate(tables):
        name = f"records_{index}"
        prepare(con, table, name)
        names.append(name)
    inputs = [
        db_api.register(name, dataset_display_name=f"input_{i}") for i, name in enumerate(names)
    ]
    seconds["prepare"] = time.perf_counter() - started
    if model is not None:  # a stored model scores either kind of run
        model = {**model, "link_type": link_type}

    def make_linker(parameters):
        # Splink sets its logger's level from this: WARNING would let "level not observed"
        # through to a command's output, where it says nothing to the user.
        return Linker(inputs if len(inputs) > 1 else inputs[0], parameters, log_level=logging.ERROR)

    linker = make_linker(model if model is not None else settings(link_type, records=records))
    started = time.perf_counter()
    if model is None:
        linker = _train(linker, records, make_linker)
    seconds["train"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = _guarded(con, db_api, linker, linker.inference.predict(threshold))
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    weights = [
        row[0]
        for row in con.sql(f"DESCRIBE {predictions.physical_name}").fetchall()
        if row[0].startswith("mw_")
    ]
    pairs = con.sql(
        f"""
        SELECT p.unique_id_l AS id_a, p.unique_id_r AS id_b, p.match_probability,
               c.cluster_id{"".join(f", p.{name}" for name in weights)}
        FROM {predictions.physical_name} p
        JOIN {clusters.physical_name} c ON c.unique_id = p.unique_id_l
            {"AND c.source_dataset = p.source_dataset_l" if link_type != "dedupe_only" else ""}
        WHERE p.match_probability >= {threshold}
        ORDER BY p.match_probability DESC, id_a, id_b
        """  # noqa: S608 — Splink's own table names
    ).to_arrow_table()
    everyone = con.sql(
        f"SELECT unique_id AS id, cluster_id FROM {clusters.physical_name}"  # noqa: S608
        " ORDER BY id"
    ).to_arrow_table()
    seconds["cluster"] = time.perf_counter() - started
    trained = linker.misc.save_model_to_json()
    con.close()
    return Result(pairs=pairs, clusters=everyone, model=trained, seconds=seconds)


def deduplicate(table: pa.Table, *, threshold: float = 0.9, model: dict | None = None) -> Result:
    """The likely duplicates among `table`'s records (trained on them unless `model`)."""
    return _run([table], "dedupe_only", threshold, model)


def link(
    left: pa.Table, right: pa.Table, *, threshold: float = 0.9, model: dict | None = None
) -> Result:
    """The records of `right` that are likely people of `left` (no pairs within one side)."""
    return _run([left, right], "link_only", threshold, model)


# --- one person against a few: the registration screen's duplicate check --------------------


def _weight(m: float | None, u: float | None) -> float:
    if not m or not u:
        return 0.0
    return math.log2(m / u)


@dataclass(frozen=True)
class _Comparison:
    name: str
    tests: list[Callable[[levels.Row, levels.Row], bool]]  # each level, in the model's order
    weights: list[float]  # its match weight (the null level's is 0)
    gammas: list[int]  # its comparison vector value, as Splink counts (null -1, else 0)


_compiled: dict[str, list[_Comparison]] = {}


def _comparisons_of(model: dict) -> list[_Comparison]:
    """The model's comparisons as Python tests (`levels`), compiled once per model."""
    key = hashlib.sha256(json.dumps(model["comparisons"], sort_keys=True).encode()).hexdigest()
    if key not in _compiled:
        columns = frozenset(prepared_rows(pa.table({"id": ["-"]}))[0])  # what a row holds
        made = []
        for comparison in model["comparisons"]:
            steps = comparison["comparison_levels"]
            count = len(steps) - 1 - sum(bool(step.get("is_null_level")) for step in steps)
            weights, gammas = [], []
            for step in steps:
                if step.get("is_null_level"):
                    weights.append(0.0)
                    gammas.append(-1)
                    continue
                weights.append(_weight(step.get("m_probability"), step.get("u_probability")))
                gammas.append(count)
                count -= 1
            made.append(
                _Comparison(
                    comparison["output_column_name"],
                    levels.comparison(steps, columns),
                    weights,
                    gammas,
                )
            )
        _compiled[key] = made
    return _compiled[key]


def score(model: dict, record: pa.Table, candidates: pa.Table) -> dict[str, tuple[float, dict]]:
    """Each candidate's match probability with `record` (one row) and the per-field weights,
    by the stored model's own level conditions evaluated in Python (`levels`; without term
    frequencies, which are the registry's and not the model's): about a millisecond for a
    few dozen candidates. Raises `levels.Unsupported` for a model whose SQL it cannot read."""
    comparisons = _comparisons_of(model)
    new, *others = prepared_rows(
        pa.concat_tables([record.select(candidates.column_names), candidates])
    )
    prior = model.get("probability_two_random_records_match", 1e-5)
    base = math.log2(prior / (1 - prior))
    scored = {}
    for other in others:
        weights: dict[str, float] = {}
        gammas: dict[str, int | None] = {}
        for comparison in comparisons:
            for test, weight, gamma in zip(
                comparison.tests, comparison.weights, comparison.gammas, strict=True
            ):
                if test(new, other):
                    weights[comparison.name], gammas[comparison.name] = weight, gamma
                    break
            else:  # no ELSE level: as SQL's CASE, nothing
                weights[comparison.name], gammas[comparison.name] = 0.0, None
        probability = 1 / (1 + 2 ** (-(base + sum(weights.values()))))
        family = gammas.get("given") in (0, 1) or gammas.get("dob") == 0
        if family and (gammas.get("doc") or 0) < 2:
            probability = 0.0  # as `_guarded`: siblings are not one person
        scored[other["unique_id"]] = (probability, {k: round(v, 2) for k, v in weights.items()})
    return scored
