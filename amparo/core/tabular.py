"""The one reader of uploaded tables (CSV and XLSX) that every import uses.

    table = tabular.read_table(data, filename)
    table.columns            # ["household_ref", "given_names", ...]: stripped, lower case
    for row in table.rows:   # blank rows left out
        row.number           # the row number a spreadsheet shows (the header's row is 1)
        row.values["given_names"]   # stripped text, "" for an empty cell

Everything refused raises `ActionError` on the field `file` (the name of every upload field),
in the user's language, before any row reaches the import:

- files over `AMPARO_IMPORT_MAX_BYTES` (20 MB unless set);
- text that cannot be decoded. Accepted: UTF-8 with or without a byte-order mark, UTF-16 with
  a byte-order mark (Excel's "Unicode text"), and, when the bytes are not UTF-8, Windows-1252
  (Excel's "CSV" on Windows in Spanish or English; it covers Latin-1 text). Refused with a
  message naming the byte: bytes Windows-1252 does not define, a file that is mostly UTF-8
  with a few stray bytes (two encodings mixed: guessing would garble names), NUL bytes (a
  binary file, or UTF-16 without a byte-order mark);
- formulas: a cell whose text starts with `=` (a formula in an XLSX, or text that becomes one
  when the data is exported and opened in a spreadsheet). Only `=`: a phone such as
  `+593 99…` or a negative number is data;
- macros: `.xlsm`, `.xls`, `.xlsb` and friends, old binary workbooks, and any workbook carrying
  `vbaProject.bin` or macro sheets;
- an XLSX that unpacks to more than `AMPARO_IMPORT_MAX_UNPACKED_BYTES` (200 MB unless set): the
  sizes are read from the zip's directory, before anything is decompressed or parsed (and
  Python's zip reader never inflates a member past its declared size);
- a header naming a column twice, and a file without data rows.

The CSV delimiter is the one among `,` `;` and tab that splits the header into the most
columns (spreadsheets in Spanish save with `;`), so a `;` inside a cell of the data rows is
never mistaken for one. XLSX files are read with openpyxl in read-only mode, first sheet only.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.utils.translation import gettext as _

from amparo.core.errors import ActionError

FIELD = "file"
DELIMITERS = (",", ";", "\t")
MACRO_EXTENSIONS = (".xlsm", ".xls", ".xlsb", ".xltm", ".xlam", ".xla", ".xlt")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary workbooks (.xls)
_ZIP_SIGNATURE = b"PK\x03\x04"
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_FORMULA = "="  # what a formula cell of an XLSX reads as: refused like typed `=` text


class Row(NamedTuple):
    number: int
    values: dict[str, str]


class Table(NamedTuple):
    columns: list[str]
    rows: list[Row]
    encoding: str  # "utf-8", "utf-16", "cp1252", or "xlsx"


def max_bytes() -> int:
    return int(getattr(settings, "AMPARO_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "AMPARO_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))


def refuse(*messages: str) -> ActionError:
    """The error for a refused file (imports use it for their own column checks too)."""
    return ActionError({FIELD: list(messages)})


def check_size(size: int) -> None:
    """Refuse a file over the limit (upload screens call it before storing the file)."""
    if size > max_bytes():
        raise refuse(_("The file is larger than %(mb)d MB.") % {"mb": _megabytes(max_bytes())})


def read_table(data: bytes, filename: str = "") -> Table:
    """The rows of a CSV or XLSX file; see the module's docstring for what is refused."""
    check_size(len(data))
    name = filename.lower()
    if name.endswith(MACRO_EXTENSIONS) or data.startswith(_OLE_SIGNATURE):
        raise refuse(_("Save the spreadsheet as .xlsx (without macros) or CSV."))
    if name.endswith(".xlsx") or data.startswith(_ZIP_SIGNATURE):
        cells, encoding = _read_xlsx(data), "xlsx"
    else:
        text, encoding = _decode(data)
        cells = _read_csv(text)
    return _table(cells, encoding)


# --- CSV --------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file; see the module's docstring for the rules."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _not_text(exc.start) from exc
    elif b"\x00" in data:
        raise refuse(
            _(
                "The file contains NUL bytes: it is not a text file, or it was saved as "
                "UTF-16 without a byte-order mark. Save it as “CSV UTF-8” and try again."
            )
        )
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError as exc:
            text, encoding = _decode_windows_1252(data, exc), "cp1252"
    if "\x00" in text:
        raise refuse(_("The file contains NUL characters: it is not a text file."))
    return text, encoding


def _decode_windows_1252(data: bytes, utf8_error: UnicodeDecodeError) -> str:
    """Excel's "CSV" on Windows; refused when the bytes say it is something else."""
    sequences = _UTF8_MULTIBYTE.findall(data)
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    stray = high - sum(len(s) for s in sequences)
    if len(sequences) > stray:
        # Mostly UTF-8 with a few stray bytes (two files pasted together, say): reading it
        # either way would garble names.
        raise _not_text(utf8_error.start)
    undefined = _CP1252_UNDEFINED.search(data)
    if undefined is not None:
        raise _not_text(undefined.start())
    return data.decode("cp1252")


def _not_text(position: int) -> ActionError:
    return refuse(
        _(
            "The file is not UTF-8 text (error at byte %(pos)d). Save it as “CSV UTF-8” "
            "and try again."
        )
        % {"pos": position}
    )


def _read_csv(text: str) -> list[tuple[int, list[str]]]:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise refuse(_("The file is not valid CSV (%(reason)s).") % {"reason": exc}) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line into the most columns (`,` on ties).

    The header decides, not the data rows: a data cell such as `EC-P;EC-U` must not turn a
    comma-separated file into a `;` one.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ",", 0
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([header], delimiter=delimiter), []))
        except csv.Error:
            continue
        if count > most:
            best, most = delimiter, count
    return best


# --- XLSX -------------------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    _check_archive(data)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise _unreadable() from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read what is there
        return [
            (number, [_FORMULA if c.data_type == "f" else _cell_text(c.value) for c in cells])
            for number, cells in enumerate(sheet.iter_rows(), start=1)
        ]
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails part-way through
        raise _unreadable() from exc
    finally:
        workbook.close()


def _check_archive(data: bytes) -> None:
    """Macros and zip bombs are refused from the zip's directory, before parsing anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _unreadable() from exc
    names = [m.filename.lower() for m in members]
    if any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in names):
        raise refuse(_("The spreadsheet contains macros: they are not accepted."))
    limit = max_unpacked_bytes()
    if any(m.file_size > limit for m in members) or sum(m.file_size for m in members) > limit:
        raise refuse(
            _(
                "The spreadsheet unpacks to more than %(mb)d MB: it is damaged or not a "
                "normal export. Save it as CSV, or split it into smaller files."
            )
            % {"mb": _megabytes(limit)}
        )


def _cell_text(value: object) -> str:
    """A spreadsheet value as the text an import reads (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unreadable() -> ActionError:
    return refuse(_("The spreadsheet cannot be read: save it again as .xlsx."))


# --- both -------------------------------------------------------------------------------------


def _table(cells: list[tuple[int, list[str]]], encoding: str) -> Table:
    cells = [(n, stripped) for n, values in cells if any(stripped := list(map(str.strip, values)))]
    if not cells:
        raise refuse(_("The file has no rows."))
    (_header_number, header), data = cells[0], cells[1:]
    columns = [name.lower() for name in header]
    _refuse_formulas(cells, columns)
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise refuse(
            _("These columns appear more than once: %(columns)s.")
            % {"columns": ", ".join(repeated)}
        )
    if not data:
        raise refuse(_("The file has no rows."))
    named = [c for c in columns if c]  # cells under no header are left out
    kept = [i for i, c in enumerate(columns) if c]
    pick = itemgetter(*kept) if len(kept) > 1 else lambda values: (values[kept[0]],)
    padding = [""] * len(columns)  # short rows end in empty cells
    rows = [
        Row(number, dict(zip(named, pick(values + padding), strict=True)))
        for number, values in data
    ]
    return Table(named, rows, encoding)


def _refuse_formulas(cells: list[tuple[int, list[str]]], columns: list[str]) -> None:
    """Refuse the first cell whose text starts with `=`, named as a spreadsheet shows it."""
    for number, values in cells:
        if "\x00=" not in "\x00" + "\x00".join(values):  # NUL never reaches here
            continue
        index = next(i for i, v in enumerate(values) if v.startswith("="))
        column = _column_letter(index)
        if index < len(columns) and columns[index] and not columns[index].startswith("="):
            column = f"{column} ({columns[index]})"
        raise refuse(
            _(
                "Row %(row)d, column %(column)s contains a formula: save the sheet "
                "with values only (Paste special → Values) and try again."
            )
            % {"row": number, "column": column}
        )


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _megabytes(size: int) -> int:
    return size // (1024 * 1024)
