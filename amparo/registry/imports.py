"""Bulk import of households and individuals from CSV or XLSX (e.g. a KoboToolbox export).

One row per person; rows with the same household key form one household. Every row is
checked with the registry's own rules and reported with row number, column and reason.
By default the import is all or nothing; `valid_rows_only` imports the households whose rows
are all valid. Re-importing the same file adds nothing (households keyed by their file key).
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access
from amparo.core.models import Office, User
from amparo.registry import actions, normalize
from amparo.registry.fields import PERSON, field_names
from amparo.registry.regions import office_region

# Our column → what the file calls it (the default is our own export/demo format): the file's
# household key and office, then the person's fields declared as imported (registry/fields.py).
DEFAULT_MAPPING = {
    "household": "household_ref",
    "office": "office",
    **{name: name for name in field_names(PERSON, imported=True)},
}
REQUIRED = ("household", *field_names(PERSON, required=True))
TRUE = {"1", "true", "yes", "si", "sí", "y", "x"}


class ImportRejected(Exception):
    """The file cannot be read at all (size, format, encoding, macros, columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }


@dataclass
class ImportReport:
    rows: int = 0
    households: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported_households: int = 0
    imported_individuals: int = 0
    skipped_existing: int = 0
    skipped_invalid: int = 0
    dry_run: bool = False


def max_bytes() -> int:
    return int(getattr(settings, "AMPARO_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows as dicts (header → text). Refuses oversize files, formulas, macros, bad encoding."""
    if len(data) > max_bytes():
        raise ImportRejected(
            _("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)}
        )
    name = filename.lower()
    if name.endswith((".xlsm", ".xls", ".xlsb")):
        raise ImportRejected(_("Save the spreadsheet as .xlsx (without macros) or CSV."))
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            _(
                "The file is not UTF-8 text (error at byte %(pos)d). Save it as "
                "“CSV UTF-8” and try again."
            )
            % {"pos": exc.start}
        ) from exc
    if "\x00" in text:
        raise ImportRejected(_("The file contains NUL characters: it is not a text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ImportRejected(
            _("The file is not valid CSV (%(reason)s).") % {"reason": exc}
        ) from exc
    return _rows(table)


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if any(n.lower().endswith("vbaproject.bin") for n in archive.namelist()):
                raise ImportRejected(_("The spreadsheet contains macros: they are not accepted."))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        table = _sheet_rows(workbook.worksheets[0])
        workbook.close()
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise ImportRejected(_("The spreadsheet cannot be read: save it again as .xlsx.")) from exc
    return _rows(table)


def _sheet_rows(sheet) -> list[list[str]]:
    table = []
    for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        values = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                raise ImportRejected(
                    _("Row %(row)d contains a formula: paste values only.") % {"row": row_number}
                )
            values.append(_cell_text(value))
        table.append(values)
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(table: list[list[str]]) -> list[dict[str, str]]:
    table = [row for row in table if any(str(c).strip() for c in row)]
    if not table:
        raise ImportRejected(_("The file has no rows."))
    header = [str(h).strip().lower() for h in table[0]]
    return [dict(zip(header, [str(c).strip() for c in row], strict=False)) for row in table[1:]]


def check_columns(rows: list[dict[str, str]], mapping: dict[str, str]) -> None:
    present = set(rows[0]) if rows else set()
    missing = [
        f"{ours} ({mapping.get(ours, ours)})"
        for ours in REQUIRED
        if mapping.get(ours, ours) not in present
    ]
    if missing:
        raise ImportRejected(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})


def import_registry(
    *,
    actor: User | None,
    data: bytes,
    filename: str,
    office: Office | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
) -> ImportReport:
    """Check (and unless `dry_run`, load) a registry file. Raises ImportRejected for files
    that cannot be read; row problems are in the report. Nothing is written when any row is
    bad, unless `valid_rows_only`."""
    if actor is not None:
        access.require(actor, "registry.import")
    mapping = {**DEFAULT_MAPPING, **(mapping or {})}
    rows = read_table(data, filename)
    check_columns(rows, mapping)
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    today = timezone.localdate()
    offices = _offices(actor)
    groups: dict[str, list[tuple[int, dict]]] = {}
    group_office: dict[str, Office] = {}
    bad_groups: set[str] = set()
    seen_documents: dict[tuple[str, str], int] = {}

    def col(row: dict, ours: str) -> str:
        return row.get(mapping.get(ours, ours), "").strip()

    for number, row in enumerate(rows, start=2):
        key = col(row, "household")
        if not key:
            report.errors.append(RowError(number, mapping["household"], _("empty")))
            continue
        office_ref = col(row, "office")
        row_office = offices.get(office_ref) if office_ref else office
        if row_office is None:
            report.errors.append(
                RowError(
                    number,
                    mapping["office"],
                    _("unknown office “%(office)s”.") % {"office": office_ref}
                    if office_ref
                    else _("no office given."),
                )
            )
            bad_groups.add(key)
            continue
        if key in group_office and group_office[key] != row_office:
            report.errors.append(
                RowError(
                    number, mapping["office"], _("the same household appears under two offices.")
                )
            )
            bad_groups.add(key)
        group_office.setdefault(key, row_office)
        errors = actions._Errors()  # noqa: SLF001 - the registry's own validation
        member = actions.clean_member(
            _member_input(row, col),
            index=0,
            region=office_region(row_office),
            today=today,
            errors=errors,
        )
        for path, messages in errors.by_field.items():
            ours = path.removeprefix("members.0.")
            ours = _COLUMN_OF.get(ours, ours)
            column = mapping.get(ours, ours)
            report.errors.extend(RowError(number, column, m) for m in messages)
        for doc in member["documents"]:
            doc_key = (doc["type"], doc["issuing_country"], normalize.document_key(doc["number"]))
            if doc_key in seen_documents:
                report.errors.append(
                    RowError(
                        number,
                        mapping["document_number"],
                        _("the same document is already in row %(other)d.")
                        % {"other": seen_documents[doc_key]},
                    )
                )
                errors.add("documents", "duplicate")
            else:
                seen_documents[doc_key] = number
        if errors.by_field:
            bad_groups.add(key)
        groups.setdefault(key, []).append((number, member))

    for key, members in groups.items():
        heads = [n for n, m in members if m["relationship"] == "head"]
        if len(heads) != 1:
            first_row = members[0][0]
            report.errors.append(
                RowError(
                    first_row,
                    mapping["relationship"],
                    _("household “%(key)s” has no head.") % {"key": key}
                    if not heads
                    else _("household “%(key)s” has %(n)d heads.") % {"key": key, "n": len(heads)},
                )
            )
            bad_groups.add(key)
    report.households = len(groups)
    report.errors.sort(key=lambda e: e.row)
    if dry_run or (report.errors and not valid_rows_only):
        report.skipped_invalid = len(bad_groups)
        return report

    registrar = actor or _registrar(group_office.values())
    prepared = [
        actions.PreparedHousehold(
            office=group_office[key],
            # Keyed per office: two offices' files may both use "1" or "H1".
            source_ref=f"import:{group_office[key].pk}:{key}"[:80],
            members=[m for _n, m in members],
            registered_on=today,
            registered_by=registrar,
            phone=next((m["phone"] for _n, m in members if m["relationship"] == "head"), ""),
        )
        for key, members in groups.items()
        if key not in bad_groups
    ]
    counts = actions.load_households(actor=actor, households=prepared, source="import")
    report.imported_households = counts["households"]
    report.imported_individuals = counts["individuals"]
    report.skipped_existing = counts["skipped"]
    report.skipped_invalid = len(bad_groups)
    return report


_COLUMN_OF = {
    "documents.0.type": "document_type",
    "documents.0.number": "document_number",
    "documents.0.issuing_country": "document_country",
    "age": "date_of_birth",
}


def _member_input(row: dict, col) -> dict:
    doc_type = col(row, "document_type")
    number = col(row, "document_number")
    needs = [
        n.strip() for n in col(row, "specific_needs").replace(",", ";").split(";") if n.strip()
    ]
    return {
        "given_names": col(row, "given_names"),
        "first_surname": col(row, "first_surname"),
        "second_surname": col(row, "second_surname"),
        "sex": col(row, "sex").upper()[:1],
        "date_of_birth": col(row, "date_of_birth"),
        "dob_estimated": col(row, "dob_estimated").lower() in TRUE,
        "nationality": col(row, "nationality"),
        "population_group": col(row, "population_group"),
        "relationship": col(row, "relationship"),
        "phone": col(row, "phone"),
        "specific_needs": needs,
        "contact_consent": col(row, "contact_consent").lower() in TRUE,
        "data_sharing_consent": col(row, "data_sharing_consent").lower() in TRUE,
        "documents": [
            {
                "type": doc_type,
                "number": number,
                "issuing_country": col(row, "document_country") or col(row, "nationality"),
            }
        ]
        if doc_type or number
        else [],
    }


def _offices(actor: User | None) -> dict[str, Office]:
    qs = Office.objects.select_related("organization", "area", "organization__country")
    if actor is not None:
        qs = access.visible(actor, qs, office_field="pk")
    result = {}
    for o in qs:
        result[f"{o.organization.code}/{o.code}"] = o
        if actor is not None:
            result[o.code] = o
    return result


def _registrar(offices) -> User:
    office = next(iter(offices))
    user = User.objects.filter(organization_id=office.organization_id).order_by("pk").first()
    if user is None:
        raise ImportRejected(_("The organization has no user to record as registrar."))
    return user
