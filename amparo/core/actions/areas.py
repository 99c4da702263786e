"""Administrative areas below the first level, imported from a table (all or nothing)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from amparo.core import access, audit, tabular
from amparo.core.errors import Errors
from amparo.core.models import Area, User

AREA_COLUMNS = ("pcode", "name", "parent_pcode", "level")


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_areas(*, actor: User | None, data: bytes, filename: str = "") -> AreaImportResult:
    """Add or rename second-level (and deeper) areas from a P-code CSV or XLSX file.

    All or nothing: any bad row rejects the whole file with every problem listed (row numbers
    as a spreadsheet shows them, the header is row 1); raises ActionError. Re-importing the
    same file changes nothing. Side effects: audit `core.area.imported` with the counts.
    """
    if actor is not None:
        access.require(actor, "core.manage_areas")
    rows = _read_area_rows(data, filename)
    result = AreaImportResult()
    with transaction.atomic():
        by_code: dict[str, Area] = {}
        for row in _plan_area_rows(rows):
            parent = by_code.get(row["parent_pcode"]) or Area.objects.get(code=row["parent_pcode"])
            area = _save_area(row, parent, result)
            by_code[area.code] = area
        audit.record(
            actor=actor,
            action="core.area.imported",
            details={
                "file": filename[:200],
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _read_area_rows(data: bytes, filename: str) -> list[tabular.Row]:
    table = tabular.read_table(data, filename)
    missing = [c for c in AREA_COLUMNS if c not in table.columns]
    if missing:
        raise tabular.refuse(
            _("Missing columns: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(AREA_COLUMNS)}
        )
    return table.rows


def _plan_area_rows(rows: list[tabular.Row]) -> list[dict]:
    """Validate every row against the database and the rows before it; raise every problem."""
    codes = [r.values["pcode"] for r in rows] + [r.values["parent_pcode"] for r in rows]
    known = {a.code: a for a in Area.objects.select_related("parent").filter(code__in=codes)}
    in_file: dict[str, tuple[int, int | None]] = {}  # pcode → (row, level) of good rows
    errors = Errors()
    planned = []
    for number, values in rows:
        row = {c: values[c] for c in AREA_COLUMNS}
        try:
            level = int(row["level"])
        except ValueError:
            level = None
        problems = _area_row_problems(row, level, known, in_file)
        for problem in problems:
            errors.add(
                f"rows.{number}",
                _("Row %(row)d: %(message)s") % {"row": number, "message": problem},
            )
        if not problems:
            in_file[row["pcode"]] = (number, level)
            planned.append({**row, "level": level, "existing": known.get(row["pcode"])})
    errors.raise_if_any()
    return planned


def _area_row_problems(
    row: dict, level: int | None, known: dict[str, Area], in_file: dict[str, tuple[int, int | None]]
) -> list[str]:
    problems = []
    pcode, name, parent_code = row["pcode"], row["name"], row["parent_pcode"]
    if not pcode:
        problems.append(_("pcode is empty."))
    elif len(pcode) > 32:
        problems.append(_("pcode is longer than 32 characters."))
    elif pcode in in_file:
        problems.append(
            _("pcode %(code)s already appears in row %(other)d.")
            % {"code": pcode, "other": in_file[pcode][0]}
        )
    if not name:
        problems.append(_("name is empty."))
    elif len(name) > 200:
        problems.append(_("name is longer than 200 characters."))
    if level is None or not 2 <= level <= 3:
        problems.append(_("level must be 2 or 3 (first-level areas come from ISO 3166-2)."))
    parent_level = None
    if parent_code in in_file:
        parent_level = in_file[parent_code][1]
    elif parent_code in known:
        parent_level = known[parent_code].level
    else:
        problems.append(_("unknown parent_pcode “%(code)s”.") % {"code": parent_code})
    if parent_level is not None and level is not None and parent_level != level - 1:
        problems.append(
            _(
                "a level-%(level)d area needs a level-%(parent)d parent; "
                "“%(code)s” is level %(actual)d."
            )
            % {"level": level, "parent": level - 1, "code": parent_code, "actual": parent_level}
        )
    existing = known.get(pcode)
    if existing is not None and (existing.level != level or existing.parent is None):
        problems.append(
            _("pcode %(code)s is already a level-%(level)d area and cannot be replaced.")
            % {"code": pcode, "level": existing.level}
        )
    elif existing is not None and existing.parent and existing.parent.code != parent_code:
        problems.append(
            _("pcode %(code)s already exists under another parent (%(parent)s).")
            % {"code": pcode, "parent": existing.parent.code}
        )
    return problems


def _save_area(row: dict, parent: Area, result: AreaImportResult) -> Area:
    existing = row["existing"]
    if existing is None:
        result.created += 1
        return Area.objects.create(
            code=row["pcode"],
            name=row["name"],
            level=row["level"],
            parent=parent,
            country_code=parent.country_code,
        )
    if existing.name != row["name"]:
        existing.name = row["name"]
        existing.save(update_fields=["name"])
        result.updated += 1
    else:
        result.unchanged += 1
    return existing
