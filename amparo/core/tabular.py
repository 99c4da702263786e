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
- an XLSX that unpacks to more than `AMPARO_IMPORT_MAX_UNPACKED_BYTES` (200 MB unless set), or
  with one member over `AMPARO_IMPORT_MAX_MEMBER_BYTES` (100 MB): the sizes are read from the
  zip's directory, before anything is decompressed or parsed (and Python's zip reader never
  inflates a member past its declared size);
- more than `AMPARO_IMPORT_MAX_ROWS` data rows (50,000) or `AMPARO_IMPORT_MAX_CELLS` cells
  (1,500,000): for an XLSX counted on the first sheet's XML as it streams out of the zip,
  before openpyxl parses anything (a 172 KB "bomb" unpacking to 42 MB is refused in a fraction
  of a second); for CSV as the rows are read;
- a header naming a column twice, and a file without data rows.

Those limits are for uploads (`Limits.web()`, the default). The command line passes
`NO_LIMITS` and streams: `open_table(path)` reads the header, and each pass over it reads the
file again row by row (CSV through an incremental decoder, XLSX with openpyxl's read-only
reader), so a file of a million rows never sits in memory. `inspect(data, filename)` runs the
cheap checks alone (size, macros, the zip's directory, the row and cell counts) for an upload
screen that wants to refuse a file before storing it.

The CSV delimiter is the one among `,` `;` and tab that splits the header into the most
columns (spreadsheets in Spanish save with `;`), so a `;` inside a cell of the data rows is
never mistaken for one. XLSX files are read with openpyxl in read-only mode, first sheet only.

The write side has one rule too: every cell an export writes from what people typed goes
through `safe_cell`, so that a spreadsheet opening the file shows it and never runs it.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from operator import itemgetter
from pathlib import Path
from typing import IO, NamedTuple

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
_MB = 1024 * 1024
_CHUNK = _MB
_CODECS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "cp1252": "cp1252"}
_WORKSHEET_TAG = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")
_XML_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')

Source = bytes | Path  # an upload in memory, or a file the command line streams


class Row(NamedTuple):
    number: int
    values: dict[str, str]


class Table(NamedTuple):
    columns: list[str]
    rows: list[Row]
    encoding: str  # "utf-8", "utf-16", "cp1252", or "xlsx"


def max_bytes() -> int:
    return int(getattr(settings, "AMPARO_IMPORT_MAX_BYTES", 20 * _MB))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "AMPARO_IMPORT_MAX_UNPACKED_BYTES", 200 * _MB))


class Limits(NamedTuple):
    """What a file may hold; None is no limit. `web()` for uploads, `NO_LIMITS` for the CLI."""

    bytes: int | None  # the file as stored
    unpacked_bytes: int | None  # every member of an XLSX together, decompressed
    member_bytes: int | None  # any one member of an XLSX, decompressed
    rows: int | None  # data rows (the header not counted)
    cells: int | None  # cells, empty ones included

    @classmethod
    def web(cls) -> Limits:
        """The settings' limits (docs/operations.md), for files uploaded through the site."""
        return cls(
            bytes=max_bytes(),
            unpacked_bytes=max_unpacked_bytes(),
            member_bytes=int(getattr(settings, "AMPARO_IMPORT_MAX_MEMBER_BYTES", 100 * _MB)),
            rows=int(getattr(settings, "AMPARO_IMPORT_MAX_ROWS", 50_000)),
            cells=int(getattr(settings, "AMPARO_IMPORT_MAX_CELLS", 1_500_000)),
        )


# The command line streams files of any size: no limit but the formats' own rules.
NO_LIMITS = Limits(bytes=None, unpacked_bytes=None, member_bytes=None, rows=None, cells=None)


def refuse(*messages: str) -> ActionError:
    """The error for a refused file (imports use it for their own column checks too)."""
    return ActionError({FIELD: list(messages)})


def check_size(size: int, limit: int | None = None) -> None:
    """Refuse a file over the limit (upload screens call it before storing the file)."""
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise refuse(_("The file is larger than %(mb)d MB.") % {"mb": _megabytes(limit)})


def read_table(data: Source, filename: str = "", limits: Limits | None = None) -> Table:
    """Every row of a CSV or XLSX file, in memory (for files known to be small)."""
    table = open_table(data, filename, limits)
    return Table(table.columns, list(table), table.encoding)


def open_table(source: Source, filename: str = "", limits: Limits | None = None) -> StreamTable:
    """The file's header, checked; iterate it (as often as needed) for its rows, streamed."""
    return StreamTable(source, filename or getattr(source, "name", ""), limits or Limits.web())


def inspect(source: Source, filename: str = "", limits: Limits | None = None) -> str:
    """The checks that need no parsing: size, macros, the zip's directory, row and cell counts.

    Returns "xlsx" or "csv". Cheap (a bomb is refused in a fraction of a second), so an upload
    screen runs it before storing a file; `open_table` runs it too.
    """
    limits = limits or Limits.web()
    if limits.bytes is not None:
        check_size(_size(source), limits.bytes)
    with _open_binary(source) as binary:
        head = binary.read(len(_OLE_SIGNATURE))
    name = filename.lower()
    if name.endswith(MACRO_EXTENSIONS) or head.startswith(_OLE_SIGNATURE):
        raise refuse(_("Save the spreadsheet as .xlsx (without macros) or CSV."))
    if name.endswith(".xlsx") or head.startswith(_ZIP_SIGNATURE):
        _check_archive(source, limits)
        return "xlsx"
    return "csv"


class StreamTable:
    """A checked header; each iteration reads the rows again from the source, one at a time."""

    def __init__(self, source: Source, filename: str, limits: Limits) -> None:
        self.source, self.limits = source, limits
        kind = inspect(source, filename, limits)
        self.delimiter = ","
        if kind == "xlsx":
            self.encoding = "xlsx"
        else:
            self.encoding = _sniff_encoding(source)
            self.delimiter = _sniff_delimiter(self._first_line())
        self.header_number, self.width, self.columns = self._header()

    def __iter__(self) -> Iterator[Row]:
        named = self.columns
        kept = [i for i, c in enumerate(self.header_columns) if c]
        pick = itemgetter(*kept) if len(kept) > 1 else lambda values: (values[kept[0]],)
        padding = [""] * self.width  # short rows end in empty cells
        max_rows = self.limits.rows
        max_cells = self.limits.cells
        rows = cells = 0
        for number, raw in self._cells():
            if number <= self.header_number:
                continue
            rows += 1
            cells += len(raw)
            if max_rows is not None and rows > max_rows:
                raise _too_many_rows(max_rows)
            if max_cells is not None and cells > max_cells:
                raise _too_many_cells(max_cells)
            values = list(map(str.strip, raw))
            if not any(values):
                continue
            _refuse_formulas([(number, values)], self.header_columns)
            yield Row(number, dict(zip(named, pick(values + padding), strict=True)))

    def _header(self) -> tuple[int, int, list[str]]:
        """The header's row, width and named columns, read with the first data row (one pass)."""
        cells = ((n, list(map(str.strip, raw))) for n, raw in self._cells())
        try:
            number, values = next(((n, v) for n, v in cells if any(v)), (0, []))
            if not values:
                raise refuse(_("The file has no rows."))
            self.header_columns = [name.lower() for name in values]
            _refuse_formulas([(number, values)], self.header_columns)
            columns = self.header_columns
            repeated = sorted({c for c in columns if c and columns.count(c) > 1})
            if repeated:
                raise refuse(
                    _("These columns appear more than once: %(columns)s.")
                    % {"columns": ", ".join(repeated)}
                )
            if not any(any(v) for _n, v in cells):
                raise refuse(_("The file has no rows."))
        finally:
            cells.close()
        return number, len(columns), [c for c in columns if c]  # cells under no header: left out

    def _cells(self) -> Iterator[tuple[int, list[str]]]:
        if self.encoding == "xlsx":
            yield from _xlsx_cells(self.source)
            return
        with _open_binary(self.source) as binary:
            text = io.TextIOWrapper(binary, encoding=_CODECS[self.encoding], newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as exc:
                raise refuse(
                    _("The file is not valid CSV (%(reason)s).") % {"reason": exc}
                ) from exc

    def _first_line(self) -> str:
        """The first non-blank line: the header, which decides the delimiter."""
        with _open_binary(self.source) as binary:
            text = io.TextIOWrapper(binary, encoding=_CODECS[self.encoding], newline="")
            return next((line for line in text if line.strip()), "")


def _open_binary(source: Source) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else Path(source).open("rb")


def _size(source: Source) -> int:
    return len(source) if isinstance(source, bytes) else Path(source).stat().st_size


def _too_many_rows(limit: int) -> ActionError:
    return refuse(
        _(
            "The file has more than %(rows)d rows: split it into smaller files, or ask an "
            "administrator to import it from the command line."
        )
        % {"rows": limit}
    )


def _too_many_cells(limit: int) -> ActionError:
    return refuse(
        _(
            "The file has more than %(cells)d cells: remove the columns that are not imported, "
            "or split it into smaller files."
        )
        % {"cells": limit}
    )


# --- CSV --------------------------------------------------------------------------------------


def _sniff_encoding(source: Source) -> str:
    """The text's encoding, read in chunks; see the module's docstring for the rules."""
    with _open_binary(source) as binary:
        first = binary.read(_CHUNK)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            _check_utf16(binary, first)
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, chunk = 0, first
        while chunk:
            if b"\x00" in chunk:
                raise refuse(
                    _(
                        "The file contains NUL bytes: it is not a text file, or it was saved as "
                        "UTF-16 without a byte-order mark. Save it as “CSV UTF-8” and try again."
                    )
                )
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return _windows_1252(source, offset - pending + exc.start)
            offset += len(chunk)
            chunk = binary.read(_CHUNK)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return _windows_1252(source, offset - len(decoder.getstate()[0]) + exc.start)
    return "utf-8"


def _check_utf16(binary: IO[bytes], first: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-16")()
    offset, chunk = 0, first
    while True:
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise _not_text(offset + exc.start) from exc
        if "\x00" in text:
            raise refuse(_("The file contains NUL characters: it is not a text file."))
        if not chunk:
            return
        offset += len(chunk)
        chunk = binary.read(_CHUNK)


def _windows_1252(source: Source, utf8_error: int) -> str:
    """Excel's "CSV" on Windows; refused when the bytes say it is something else."""
    sequences = stray = 0
    undefined: int | None = None
    offset = 0
    with _open_binary(source) as binary:
        while chunk := binary.read(_CHUNK):
            if b"\x00" in chunk:
                raise _not_text(offset + chunk.index(b"\x00"))
            found = _UTF8_MULTIBYTE.findall(chunk)
            high = len(chunk) - len(chunk.translate(None, _HIGH_BYTES))
            sequences += len(found)
            stray += high - sum(len(s) for s in found)
            if undefined is None and (match := _CP1252_UNDEFINED.search(chunk)):
                undefined = offset + match.start()
            offset += len(chunk)
    if sequences > stray:
        # Mostly UTF-8 with a few stray bytes (two files pasted together, say): reading it
        # either way would garble names.
        raise _not_text(utf8_error)
    if undefined is not None:
        raise _not_text(undefined)
    return "cp1252"


def _not_text(position: int) -> ActionError:
    return refuse(
        _(
            "The file is not UTF-8 text (error at byte %(pos)d). Save it as “CSV UTF-8” "
            "and try again."
        )
        % {"pos": position}
    )


def _sniff_delimiter(header: str) -> str:
    """The delimiter that splits the header line into the most columns (`,` on ties).

    The header decides, not the data rows: a data cell such as `EC-P;EC-U` must not turn a
    comma-separated file into a `;` one.
    """
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


def _xlsx_cells(source: Source) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    with _open_binary(source) as binary:
        try:
            workbook = load_workbook(binary, read_only=True, data_only=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
            raise _unreadable() from exc
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong size; read what is there
            rows = enumerate(sheet.iter_rows(), start=1)
            while True:
                try:
                    number, cells = next(rows)
                except StopIteration:
                    return
                except Exception as exc:  # noqa: BLE001 - a damaged sheet fails part-way
                    raise _unreadable() from exc
                yield (
                    number,
                    [_FORMULA if c.data_type == "f" else _cell_text(c.value) for c in cells],
                )
        finally:
            workbook.close()


def _check_archive(source: Source, limits: Limits) -> None:
    """Macros and bombs are refused from the zip's directory and a streaming count of the
    first sheet's rows and cells, before openpyxl parses anything."""
    try:
        with _open_binary(source) as binary, zipfile.ZipFile(binary) as archive:
            members = archive.infolist()
            names = [m.filename.lower() for m in members]
            if any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in names):
                raise refuse(_("The spreadsheet contains macros: they are not accepted."))
            total = limits.unpacked_bytes
            if total is not None and (
                any(m.file_size > total for m in members)
                or sum(m.file_size for m in members) > total
            ):
                raise refuse(
                    _(
                        "The spreadsheet unpacks to more than %(mb)d MB: it is damaged or not a "
                        "normal export. Save it as CSV, or split it into smaller files."
                    )
                    % {"mb": _megabytes(total)}
                )
            each = limits.member_bytes
            if each is not None and any(m.file_size > each for m in members):
                raise refuse(
                    _(
                        "A part of the spreadsheet unpacks to more than %(mb)d MB: it is damaged "
                        "or not a normal export. Save it as CSV, or split it into smaller files."
                    )
                    % {"mb": _megabytes(each)}
                )
            if limits.rows is not None or limits.cells is not None:
                _count_sheet(archive, _first_sheet(archive), limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise _unreadable() from exc


def _first_sheet(archive: zipfile.ZipFile) -> list[str]:
    """The first sheet's member (the one openpyxl reads), or every worksheet when the workbook
    does not say (then all of them count towards the limits)."""
    worksheets = [
        n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
    ]
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return worksheets
    sheet = re.search(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>", workbook)
    if sheet is None:
        return worksheets
    ids = [v for k, v in _XML_ATTRIBUTE.findall(sheet.group(1)) if k.endswith(b":id")]
    for relation in re.finditer(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>", relations):
        attributes = dict(_XML_ATTRIBUTE.findall(relation.group(1)))
        if ids and attributes.get(b"Id") == ids[0] and b"Target" in attributes:
            target = attributes[b"Target"].decode("utf-8", "replace")
            name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            name = posixpath.normpath(name)
            return [name] if name in archive.namelist() else worksheets
    return worksheets


def _count_sheet(archive: zipfile.ZipFile, names: list[str], limits: Limits) -> None:
    """Count `<row>` and `<c>` elements as the XML streams out of the zip; stop at the limit.

    Plain byte counts (the worksheet's namespace prefix, if any, read from its root element):
    a regular expression over 40 MB takes seconds. The count is a guard, not the truth: the
    rows are counted again as they are parsed.
    """
    rows = cells = 0
    for name in names:
        with archive.open(name) as member:
            tail, prefix = b"", None
            while True:
                chunk = member.read(_CHUNK)
                buffer = tail + chunk
                if prefix is None:
                    root = _WORKSHEET_TAG.search(buffer)
                    prefix = (root.group(1) or b"") if root else b""
                cut = buffer.rfind(b"<") if chunk else len(buffer)
                if cut < 0:
                    cut = len(buffer)
                part, tail = buffer[:cut], buffer[cut:]
                rows += part.count(b"<" + prefix + b"row")  # (and the rare `<rowBreaks>`)
                cells += part.count(b"<" + prefix + b"c ") + part.count(b"<" + prefix + b"c>")
                if limits.rows is not None and rows - 1 > limits.rows:  # the header is a row
                    raise _too_many_rows(limits.rows)
                if limits.cells is not None and cells > limits.cells:
                    raise _too_many_cells(limits.cells)
                if not chunk:
                    break


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
    return size // _MB


# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list).
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> str:
    """A cell of an export that a spreadsheet shows as text, never runs: a leading `= + - @`,
    tab, carriage return or line feed gets an apostrophe before it (`=HYPERLINK(…)` →
    `'=HYPERLINK(…)`).

    A plain number keeps its sign (`+593991234567`, `-12.50`): a spreadsheet reads it as a
    number, never a formula, and a provider's system must get the phone number as it is."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_LEADS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
