"""Files in and out of the linkage: a CSV or XLSX of any agency's columns, and the pairs found.

    records = files.read_records(path, id_column="cod", mapping={"given_names": "nombres", …})
    files.write_pairs(result, output_path)   # id_a,id_b,match_probability,cluster_id

The file is read by the kernel's one reader (`core.tabular`, streamed, no size limit on the
command line) and every refusal names the column or the row, in the user's language.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
from django.utils.translation import gettext as _

from amparo.core import tabular
from amparo.core.errors import ActionError
from amparo.dedup.linkage import COLUMNS, Result

MAPPABLE = tuple(c for c in COLUMNS if c != "id")
OUTPUT_COLUMNS = ("id_a", "id_b", "match_probability", "cluster_id")
_TRUE = frozenset({"1", "true", "yes", "si", "sí", "y", "s", "x"})


def parse_mapping(text: str) -> dict[str, str]:
    """'given_names=nombres,first_surname=apellido1' → {field: column}; refuses unknown
    fields, a field named twice, and pairs without '='."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip().lower()
        if not sep or not field or not column:
            raise ActionError.general(
                _("Write each mapping as field=column, not “%(part)s”.") % {"part": part}
            )
        if field not in MAPPABLE:
            raise ActionError.general(
                _("Unknown field “%(field)s”. Known fields: %(fields)s.")
                % {"field": field, "fields": ", ".join(MAPPABLE)}
            )
        if field in mapping:
            raise ActionError.general(
                _("The field “%(field)s” is mapped twice.") % {"field": field}
            )
        mapping[field] = column
    if not mapping:
        raise ActionError.general(_("Map at least one field to a column of the file."))
    return mapping


def read_records(path: Path, *, id_column: str, mapping: dict[str, str]) -> pa.Table:
    """The file's rows as linkage records. Refuses missing columns and empty or repeated ids."""
    table = tabular.open_table(Path(path), limits=tabular.NO_LIMITS)
    id_column = id_column.strip().lower()
    wanted = {"id": id_column, **mapping}
    missing = sorted({c for c in wanted.values() if c not in table.columns})
    if missing:
        raise tabular.refuse(
            _("The file has no column %(columns)s (its columns: %(found)s).")
            % {"columns": ", ".join(missing), "found": ", ".join(table.columns)}
        )
    values: dict[str, list] = {field: [] for field in wanted}
    seen: set[str] = set()
    for row in table:
        identifier = row.values[id_column]
        if not identifier:
            raise tabular.refuse(_("Row %(row)d has no id.") % {"row": row.number})
        if identifier in seen:
            raise tabular.refuse(
                _("Row %(row)d repeats the id “%(id)s”.") % {"row": row.number, "id": identifier}
            )
        seen.add(identifier)
        for field, column in wanted.items():
            values[field].append(row.values[column] or None)
    columns: dict[str, pa.Array] = {
        field: pa.array(found, pa.string()) for field, found in values.items()
    }
    if "dob_estimated" in columns:
        flags = [(v or "").strip().lower() in _TRUE for v in values["dob_estimated"]]
        columns["dob_estimated"] = pa.array(flags, pa.bool_())
    return pa.table(columns)


def write_pairs(result: Result, path: Path) -> int:
    """The pairs, most likely first, as CSV; returns how many were written."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT_COLUMNS)
        rows = result.pairs.select(list(OUTPUT_COLUMNS)).to_pylist()
        for row in rows:
            writer.writerow(
                [
                    tabular.safe_cell(row["id_a"]),
                    tabular.safe_cell(row["id_b"]),
                    f"{row['match_probability']:.6f}",
                    tabular.safe_cell(row["cluster_id"]),
                ]
            )
    return len(rows)
