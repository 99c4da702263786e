"""Privacy-preserving record linkage: two agencies find the people they both serve without
showing each other a name, a document or a date.

    encoded = pprl.encode(records, secret)         # each agency, on its own records
    overlaps = pprl.link(encoded_a, encoded_b, threshold=0.9)   # id_a, id_b, score, reasons

Each agency encodes its records (the columns of `linkage.COLUMNS`) with a secret agreed with
the other out of band; the encoded file holds, per record, the agency's own id and:

- `clk`: a Bloom filter of 1,024 bits (Schnell, Bachteler and Reiher 2009), base64, in four
  field segments: given names (384 bits), surnames (384), date of birth (128), document (128).
  Each segment holds keyed-HMAC bigrams (or date parts) of the field as `normalize` reads it:
  nicknames as the names they stand for, accents and case folded, surnames as a set (either
  order, the particles dropped), so that a typo, a dropped second surname or a nickname moves a
  few bits, not all of them. Segments, rather than one mixed filter, let `link` weigh each
  field and refuse siblings and namesakes; the cost is in docs/pprl.md.
- `document`, `birth_date`, `phone`: keyed HMAC-SHA256 tokens of the exact values (an
  estimated date has none), for evidence and blocking;
- `blocks`: coarse keyed tokens (birth year with sex; the sound of the first given name with
  each surname), so that `link` compares only records that share one.

Every field has its own key, derived from the secret (HMAC of the secret and the field's
name), so the same bigram in two fields sets different bits, and nothing can be computed
without the secret. `version` and `check` (a keyed value of the secret) travel on every row:
`link` refuses two files encoded with different secrets or by different versions.

`link` joins the records that share a token (in DuckDB, the bits counted there as 16 words of
64), puts each field of a pair at a level by its segment's Dice coefficient and the exact tokens
(`LEVELS`: the same, nearly, one name dropped, different…), adds the levels' weights as a
Fellegi–Sunter model does, and gives the match probability; siblings are kept apart as
`linkage` keeps them (`FAMILY_LIKE`).
"""

from __future__ import annotations

import base64
import csv
import hmac
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.lib
from django.utils.translation import gettext as _

from amparo.core import tabular
from amparo.core.errors import ActionError
from amparo.dedup import normalize

VERSION = "amparo-pprl-1"
MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT = 12  # "aaaa…" or "1234…" repeated is not a secret
BITS = 1024
WORDS = BITS // 64
# Bits set per gram (k; one HMAC-SHA256 gives up to eight 32-bit positions): few enough that
# a segment stays about a quarter full, so that strangers share few bits by chance.
HASHES = {"given": 5, "surnames": 5, "birth": 8, "document": 6}
TOKEN_HEX = 32  # 128 bits of each exact token
# Field → (first bit, bits). Word-aligned, so `link` counts each field's bits apart.
SEGMENTS = {"given": (0, 320), "surnames": (320, 320), "birth": (640, 256), "document": (896, 128)}
ENCODED_COLUMNS = (
    "version",
    "check",
    "id",
    "clk",
    "document",
    "birth_date",
    "phone",
    "blocks",
)
OUTPUT_COLUMNS = ("id_a", "id_b", "score")


# --- keys -------------------------------------------------------------------------------------


def check_secret(secret: bytes) -> None:
    """Refuse a secret too short or too plain to resist guessing."""
    if len(secret) < MIN_SECRET_BYTES or len(set(secret)) < MIN_SECRET_DISTINCT:
        raise ActionError.general(
            _(
                "The secret is too short or too plain: use at least %(bytes)d random "
                "characters (for example, the output of “openssl rand -base64 32”)."
            )
            % {"bytes": MIN_SECRET_BYTES}
        )


def read_secret(path: Path) -> bytes:
    """The secret in a file (surrounding blank space and the final line break dropped)."""
    try:
        secret = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ActionError.general(
            _("The secret file %(path)s cannot be read.") % {"path": path}
        ) from exc
    check_secret(secret)
    return secret


def _key(secret: bytes, purpose: str) -> bytes:
    return hmac.digest(secret, f"{VERSION}/{purpose}".encode(), "sha256")


def check_value(secret: bytes) -> str:
    """A value that says which secret encoded a file without revealing it."""
    return _key(secret, "check").hex()[:16]


class _Tokens:
    """Keyed exact tokens: `token("document", "12345678")` → 32 hex digits."""

    def __init__(self, secret: bytes):
        self._keys = {
            name: _key(secret, f"token/{name}")
            for name in ("document", "birth_date", "phone", "block")
        }

    def __call__(self, name: str, value: str | None) -> str | None:
        if not value:
            return None
        return hmac.digest(self._keys[name], value.encode(), "sha256").hex()[:TOKEN_HEX]


class _Filter:
    """The bits of each field's grams, cached: names and dates repeat."""

    def __init__(self, secret: bytes):
        self._keys = {field: _key(secret, f"clk/{field}") for field in SEGMENTS}
        self._cache: dict[tuple[str, str], int] = {}

    def bits(self, field: str, grams: Iterable[str]) -> int:
        mask = 0
        for gram in grams:
            mask |= self._gram(field, gram)
        return mask

    def _gram(self, field: str, gram: str) -> int:
        cached = self._cache.get((field, gram))
        if cached is None:
            start, size = SEGMENTS[field]
            digest = hmac.digest(self._keys[field], gram.encode(), "sha256")
            cached = 0
            for i in range(HASHES[field]):
                cached |= 1 << (start + int.from_bytes(digest[4 * i : 4 * i + 4], "big") % size)
            self._cache[(field, gram)] = cached
        return cached


# --- encoding ---------------------------------------------------------------------------------


def _bigrams(word: str) -> list[str]:
    padded = f"_{word}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def _given_grams(names: normalize.GivenNames) -> list[str]:
    """The bigrams of every given name, and those of the first once more, marked: José and
    Alexander José (brothers) share few bits; María José and María (one dropped) share all of
    María's; José Luis and Luis José (swapped) most."""
    if not names.full:
        return []
    first = [f"1{gram}" for gram in _bigrams(names.first or "")]
    return first + [gram for word in names.full.split() for gram in _bigrams(word)]


def _date_parts(iso: str | None, estimated: bool) -> list[str]:
    """A date as parts that survive its commonest errors: the year off by one keeps its decade,
    month and day; a digit off in the day keeps year, decade and month; an estimated date is
    only its year and decade. A namesake born in the same year shares two parts of five."""
    if not iso:
        return []
    year, month, day = iso.split("-")
    if estimated:
        return [f"y{year}", f"c{year[:3]}"]
    return [f"y{year}", f"c{year[:3]}", f"m{month}", f"d{day}", f"f{iso}"]


def _column(table: pa.Table, name: str) -> list:
    if name not in table.column_names:
        return [None] * table.num_rows
    return table.column(name).to_pylist()


def _distinct(fn: Callable) -> Callable:
    cache: dict = {}

    def cached(value):
        if value not in cache:
            cache[value] = fn(value)
        return cache[value]

    return cached


def encode(records: pa.Table, secret: bytes) -> pa.Table:
    """`records` (the columns of `linkage.COLUMNS`; missing ones count as empty) encoded with
    `secret`: the columns of `ENCODED_COLUMNS`, no plaintext but the agency's own `id`."""
    check_secret(secret)
    if "id" not in records.column_names:
        raise ActionError.general(_("The records need an id column."))
    bloom, token = _Filter(secret), _Tokens(secret)
    given = _distinct(lambda raw: normalize.given_names(raw))
    surname = _distinct(lambda raw: normalize.bare_surname(raw))
    skeleton = _distinct(normalize.skeleton)
    birth = _distinct(normalize.birth_date)
    document = _distinct(normalize.document)
    phone = _distinct(normalize.phone)
    sex = _distinct(normalize.sex)
    estimated_flags = [bool(v) for v in _column(records, "dob_estimated")]
    rows = zip(
        *(_column(records, c) for c in ("given_names", "first_surname", "second_surname")),
        *(_column(records, c) for c in ("date_of_birth", "document_number", "phone", "sex")),
        estimated_flags,
        strict=True,
    )
    clks, documents, births, phones, blocks = [], [], [], [], []
    for raw_given, raw_sn1, raw_sn2, raw_dob, raw_doc, raw_phone, raw_sex, estimated in rows:
        names = given(raw_given)
        surnames = [s for s in (surname(raw_sn1), surname(raw_sn2)) if s]
        iso = birth(raw_dob)
        doc = document(raw_doc)
        clk = (
            bloom.bits("given", _given_grams(names))
            | bloom.bits("surnames", (g for s in surnames for g in _bigrams(s)))
            | bloom.bits("birth", _date_parts(iso, estimated))
            | bloom.bits("document", _bigrams(doc) if doc else ())
        )
        clks.append(base64.b64encode(clk.to_bytes(BITS // 8, "little")).decode())
        documents.append(token("document", doc))
        births.append(None if estimated else token("birth_date", iso))
        phones.append(token("phone", phone(raw_phone)))
        keys = set()
        code = sex(raw_sex)
        if iso and code:
            keys.add(f"year-sex|{iso[:4]}|{code}")
        first = skeleton(names.first)
        if first:
            keys.update(f"name|{first}|{skeleton(s)}" for s in surnames)
        blocks.append(" ".join(sorted(token("block", key) for key in keys)))
    count = records.num_rows
    return pa.table(
        {
            "version": pa.array([VERSION] * count, pa.string()),
            "check": pa.array([check_value(secret)] * count, pa.string()),
            "id": records.column("id").cast(pa.string()),
            "clk": pa.array(clks, pa.string()),
            "document": pa.array(documents, pa.string()),
            "birth_date": pa.array(births, pa.string()),
            "phone": pa.array(phones, pa.string()),
            "blocks": pa.array(blocks, pa.string()),
        }
    )


# --- linking ----------------------------------------------------------------------------------


def _one(table: pa.Table, column: str) -> set[str]:
    return set(table.column(column).unique().to_pylist())


def check_compatible(left: pa.Table, right: pa.Table) -> None:
    """Refuse files that are not ours, or encoded by different versions or secrets."""
    for table in (left, right):
        missing = [c for c in ENCODED_COLUMNS if c not in table.column_names]
        if missing:
            raise ActionError.general(
                _("This is not an encoded file: it has no column %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
    versions = _one(left, "version") | _one(right, "version")
    if len(versions) > 1:
        raise ActionError.general(
            _(
                "The files were encoded by different versions (%(versions)s): both agencies "
                "must encode again with the same version of Amparo."
            )
            % {"versions": ", ".join(sorted(str(v) for v in versions))}
        )
    if versions and versions != {VERSION}:
        raise ActionError.general(
            _("The files were encoded by version %(version)s; this one reads %(ours)s.")
            % {"version": next(iter(versions)), "ours": VERSION}
        )
    checks = _one(left, "check") | _one(right, "check")
    if len(checks) > 1:
        raise ActionError.general(
            _(
                "The files were encoded with different secrets: they cannot be linked. Agree "
                "on one secret and encode both files again."
            )
        )


def _segment_words(field: str) -> range:
    start, size = SEGMENTS[field]
    return range(start // 64, (start + size) // 64)


def _unpacked(table: pa.Table) -> pa.Table:
    """One row per record: its index, the filter as 16 words, each segment's bit count."""
    words: list[list[int]] = [[] for _ in range(WORDS)]
    counts: dict[str, list[int]] = {field: [] for field in SEGMENTS}
    for number, text in enumerate(table.column("clk").to_pylist()):
        try:
            raw = base64.b64decode(text or "", validate=True)
        except ValueError:
            raw = b""
        if len(raw) != BITS // 8:
            raise ActionError.general(
                _("Row %(row)d: the encoded filter is damaged.") % {"row": number + 2}
            )
        row = [int.from_bytes(raw[8 * w : 8 * w + 8], "little") for w in range(WORDS)]
        for w, value in enumerate(row):
            words[w].append(value)
        for field in SEGMENTS:
            counts[field].append(sum(row[w].bit_count() for w in _segment_words(field)))
    return pa.table(
        {
            "i": pa.array(range(table.num_rows), pa.int64()),
            **{f"w{w}": pa.array(words[w], pa.uint64()) for w in range(WORDS)},
            **{f"n_{field}": pa.array(counts[field], pa.int32()) for field in SEGMENTS},
            **{c: table.column(c) for c in ("document", "birth_date", "phone")},
        }
    )


def _blocks(table: pa.Table) -> pa.Table:
    indexes, tokens = [], []
    for number, text in enumerate(table.column("blocks").to_pylist()):
        for block in (text or "").split():
            indexes.append(number)
            tokens.append(block)
    return pa.table({"i": pa.array(indexes, pa.int64()), "token": pa.array(tokens, pa.string())})


def _common(field: str) -> str:
    return " + ".join(f"bit_count(a.w{w} & b.w{w})" for w in _segment_words(field))


def _features(join: str) -> str:
    """Per pair: each segment's Dice coefficient (NULL when a side has none), whether one
    side's name bits are all in the other's (a second given name or surname dropped), and
    which exact tokens agree."""
    columns = []
    for field in SEGMENTS:
        both = f"a.n_{field} > 0 AND b.n_{field} > 0"
        dice = f"2.0 * ({_common(field)}) / (a.n_{field} + b.n_{field})"
        columns.append(f"CASE WHEN {both} THEN {dice} END AS {field}")
    for field in ("given", "surnames"):
        both = f"a.n_{field} > 0 AND b.n_{field} > 0"
        held = f"({_common(field)}) = least(a.n_{field}, b.n_{field})"
        columns.append(f"coalesce({both} AND {held}, false) AS {field}_held")
    for token in ("document", "birth_date", "phone"):
        columns.append(f"coalesce(a.{token} = b.{token}, false) AS same_{token}")
    columns.append("a.phone IS NOT NULL AND b.phone IS NOT NULL AS both_phone")
    return f"SELECT a.i AS i_a, b.i AS i_b, {', '.join(columns)} FROM {join}"  # noqa: S608


# Each field's levels, first match wins: (reason, condition, weight). The weights are the log2
# of m/u of the starting model of `linkage` (its `PRIOR`): what agreeing at that level says
# for the same person against two strangers. The Dice cut-offs are where the encodings of the
# errors in `linkage`'s docstring fall (bench/pprl.py).
LEVELS = {
    "given": [
        ("same", "given >= 0.95", 7.6),
        ("nearly", "given >= 0.8", 4.3),
        ("dropped", "given_held", 3.3),
        ("shared", "given >= 0.5", 0.6),
        ("different", "given IS NOT NULL", -8.9),
    ],
    "surnames": [
        ("same", "surnames >= 0.95", 10.6),
        ("nearly", "surnames >= 0.8", 5.3),
        ("dropped", "surnames_held", 4.0),
        ("shared", "surnames >= 0.5", 1.0),
        ("different", "surnames IS NOT NULL", -6.6),
    ],
    "birth": [
        ("same", "same_birth_date", 13.0),
        ("year", "birth >= 0.99", 1.0),  # two estimated dates of one year
        # The year off by one, a digit of the day or month off, an estimated date.
        ("near", "birth >= 0.5", 4.0),
        ("different", "birth IS NOT NULL", -6.6),
    ],
    "document": [
        ("same", "same_document", 16.4),
        ("typo", "document >= 0.7", 10.0),
        # Weak evidence against: a new document after regularization is common.
        ("different", "document IS NOT NULL", -3.0),
    ],
    "phone": [
        ("same", "same_phone", 5.9),
        ("different", "both_phone", -1.3),
    ],
}
PRIOR = -16.6  # log2 of the odds that two records are one person before comparing them
# Given names that only share a word, or nothing, are siblings or twins (who share surnames,
# phone and sometimes a birthday), never one person, unless a document says so.
FAMILY_LIKE = (
    "level_given IN ('shared', 'different') "
    "AND coalesce(level_document, '') NOT IN ('same', 'typo')"
)


def _level(field: str) -> str:
    cases = " ".join(f"WHEN {condition} THEN '{name}'" for name, condition, _w in LEVELS[field])
    return f"CASE {cases} END AS level_{field}"


def _weight(field: str) -> str:
    cases = " ".join(f"WHEN '{name}' THEN {weight}" for name, _c, weight in LEVELS[field])
    return f"coalesce(CASE level_{field} {cases} END, 0)"


def _scored(join: str) -> str:
    levels = ", ".join(_level(field) for field in LEVELS)
    total = " + ".join([str(PRIOR), *(_weight(field) for field in LEVELS)])
    return f"""
        SELECT *, CASE WHEN {FAMILY_LIKE} THEN 0.0
                       ELSE 1.0 / (1.0 + pow(2.0, -least(greatest(weight, -60), 60))) END AS score
        FROM (
            SELECT *, {total} AS weight FROM (SELECT *, {levels} FROM ({_features(join)}))
        )
    """  # noqa: S608 — our own SQL


def link(left: pa.Table, right: pa.Table, *, threshold: float = 0.9) -> pa.Table:
    """The pairs of a `left` and a `right` record (both from `encode`, with one secret) that
    score at least `threshold`: id_a, id_b, score and the reasons, best first."""
    check_compatible(left, right)
    con = duckdb.connect(":memory:")
    try:
        con.register("a", _unpacked(left))
        con.register("b", _unpacked(right))
        con.register("block_a", _blocks(left))
        con.register("block_b", _blocks(right))
        joins = [
            *(
                f"a JOIN b ON a.{token} = b.{token}"
                for token in ("document", "birth_date", "phone")
            ),
            "(SELECT DISTINCT x.i AS i_a, y.i AS i_b FROM block_a x "
            "JOIN block_b y ON x.token = y.token) p JOIN a ON a.i = p.i_a JOIN b ON b.i = p.i_b",
        ]
        scored = " UNION ALL ".join(_scored(join) for join in joins)
        found = con.sql(
            f"""
            WITH scored AS ({scored})
            SELECT DISTINCT ON (i_a, i_b) *
            FROM scored WHERE score >= {float(threshold)!r}
            """  # noqa: S608 — our own SQL, a float
        ).to_arrow_table()
    finally:
        con.close()
    return _named(found, left, right)


def _reasons(row: dict) -> str:
    """'given:same surnames:dropped birth:near document:typo' (fields compared only)."""
    return " ".join(f"{f}:{row[f'level_{f}']}" for f in LEVELS if row[f"level_{f}"])


def _named(found: pa.Table, left: pa.Table, right: pa.Table) -> pa.Table:
    ids_a, ids_b = left.column("id").to_pylist(), right.column("id").to_pylist()
    rows = sorted(found.to_pylist(), key=lambda r: (-r["score"], ids_a[r["i_a"]], ids_b[r["i_b"]]))
    return pa.table(
        {
            "id_a": pa.array([ids_a[r["i_a"]] for r in rows], pa.string()),
            "id_b": pa.array([ids_b[r["i_b"]] for r in rows], pa.string()),
            "score": pa.array([round(r["score"], 6) for r in rows], pa.float64()),
            "reasons": pa.array([_reasons(r) for r in rows], pa.string()),
        }
    )


# --- files ------------------------------------------------------------------------------------


def write_encoded(table: pa.Table, path: Path) -> None:
    """The encoded records as CSV (`ENCODED_COLUMNS`)."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(ENCODED_COLUMNS)
        writer.writerows(zip(*(table.column(c).to_pylist() for c in ENCODED_COLUMNS), strict=True))


def read_encoded(path: Path) -> pa.Table:
    """An encoded CSV file; refuses one that is not."""
    options = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in ENCODED_COLUMNS},
        strings_can_be_null=True,
    )
    try:
        table = pacsv.read_csv(str(path), convert_options=options)
    except (pyarrow.lib.ArrowInvalid, OSError) as exc:
        raise ActionError.general(
            _("%(path)s is not an encoded file.") % {"path": Path(path).name}
        ) from exc
    missing = [c for c in ENCODED_COLUMNS if c not in table.column_names]
    if missing:
        raise ActionError.general(
            _("%(path)s is not an encoded file: it has no column %(columns)s.")
            % {"path": Path(path).name, "columns": ", ".join(missing)}
        )
    return table.select(list(ENCODED_COLUMNS))


def write_overlaps(overlaps: pa.Table, path: Path) -> int:
    """The pairs found, best first, as CSV (id_a, id_b, score, reasons); how many."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow((*OUTPUT_COLUMNS, "reasons"))
        rows = overlaps.to_pylist()
        for row in rows:
            writer.writerow(
                [
                    tabular.safe_cell(row["id_a"]),
                    tabular.safe_cell(row["id_b"]),
                    f"{row['score']:.6f}",
                    row["reasons"],
                ]
            )
    return len(rows)
