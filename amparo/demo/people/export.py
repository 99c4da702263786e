"""The generated people as CSV, one row per person: the format `amparo import-registry` reads."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from typing import IO

from amparo.demo.people.records import Household

CSV_COLUMNS = (
    "household_ref",
    "office",
    "registered_on",
    "person_ref",
    "relationship",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "nationality",
    "population_group",
    "phone",
    "document_type",
    "document_number",
    "document_country",
    "specific_needs",
    "contact_consent",
    "data_sharing_consent",
)


def _rows(households: Iterable[Household]) -> Iterator[tuple]:
    for h in households:
        registered_on = h.registered_on.isoformat()
        for p in h.members:
            yield (
                h.ref,
                h.office,
                registered_on,
                p.ref,
                p.relationship,
                p.given_names,
                p.first_surname,
                p.second_surname,
                p.sex,
                p.date_of_birth.isoformat(),
                "true" if p.dob_estimated else "false",
                p.nationality,
                p.population_group,
                p.phone,
                p.document_type,
                p.document_number,
                p.document_country,
                ";".join(p.specific_needs),
                "true" if p.contact_consent else "false",
                "true" if p.data_sharing_consent else "false",
            )


def write_csv(households: Iterable[Household], path_or_file: str | os.PathLike | IO[str]) -> int:
    """Write one row per person (columns in ``CSV_COLUMNS``); return the number of rows.

    Dates are ISO 8601, booleans ``true``/``false``, specific needs joined with ``;``.
    A path is written as UTF-8; an open text file is written to and left open.
    """
    if hasattr(path_or_file, "write"):
        return _write(households, path_or_file)
    with open(path_or_file, "w", newline="", encoding="utf-8") as fh:
        return _write(households, fh)


def _write(households: Iterable[Household], fh: IO[str]) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for row in _rows(households):
        writer.writerow(row)
        rows += 1
    return rows
