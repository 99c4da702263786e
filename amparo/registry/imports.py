"""Bulk import of households and individuals from CSV or XLSX (e.g. a KoboToolbox export).

One row per person; rows with the same household key form one household. Every row is
checked with the registry's own rules and reported with row number, column and reason.
By default the import is all or nothing; `valid_rows_only` imports the households whose rows
are all valid. Re-importing the same file adds nothing (households keyed by their file key).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, tabular
from amparo.core.errors import ActionError, Errors
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
logger = logging.getLogger(__name__)


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


@dataclass
class _Households:
    """What the checking pass keeps per household key: little, so a million rows fit."""

    office: dict[str, Office] = field(default_factory=dict)
    heads: dict[str, list[int]] = field(default_factory=dict)  # key → rows of its heads
    first_row: dict[str, int] = field(default_factory=dict)
    last_row: dict[str, int] = field(default_factory=dict)  # a household is whole there
    bad: set[str] = field(default_factory=set)
    documents: dict[int, int] = field(default_factory=dict)  # hash(type, country, number) → row
    # Uploads (at most AMPARO_IMPORT_MAX_ROWS) keep the checked members: the file is parsed once.
    members: dict[str, list[dict]] | None = None


BATCH_HOUSEHOLDS = 2000  # households per bulk load when writing in one transaction
# When each batch commits on its own (SQLite), the write lock is held for one batch only: a
# couple of hundred households take well under the 5 s other writers wait (docs/benchmarks.md).
SEPARATE_BATCH_HOUSEHOLDS = 200
PROGRESS_EVERY = 1000  # rows between two progress reports


def check_columns(columns: list[str], mapping: dict[str, str]) -> None:
    """Refuse the file when a required column is missing (named ours and theirs)."""
    missing = [
        f"{ours} ({mapping.get(ours, ours)})"
        for ours in REQUIRED
        if mapping.get(ours, ours) not in columns
    ]
    if missing:
        raise tabular.refuse(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})


def import_registry(
    *,
    actor: User | None,
    data: tabular.Source,
    filename: str = "",
    office: Office | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    limits: tabular.Limits | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportReport:
    """Check (and unless `dry_run`, load) a registry file: bytes, or a path to stream.

    Raises ActionError for a file that cannot be read (see `core.tabular`, whose upload
    `limits` apply unless `tabular.NO_LIMITS` is given) or lacks required columns; row
    problems are in the report. Nothing is written when any row is bad, unless
    `valid_rows_only`. A first pass checks every row; the second writes, in batches: inside one
    transaction, or on SQLite (`batches_commit_separately`) one short transaction per batch,
    so the database's single write lock is free between batches for other users, and if a
    batch fails the households already written are removed again (other users may glimpse a
    partly imported file meanwhile). A failed save raises ActionError naming the rows.
    Within upload limits the checked rows are kept from the first pass; without
    limits (the command line) the file is read again, so memory does not grow with it.
    `progress(done, total, phase=)` hears about the checking and the saving.
    Side effects: those of `actions.load_households`.
    """
    if actor is not None:
        access.require(actor, "registry.import")
    mapping = {
        ours: str(theirs or "").strip().lower()
        for ours, theirs in {**DEFAULT_MAPPING, **(mapping or {})}.items()
    }
    limits = limits or tabular.Limits.web()
    table = tabular.open_table(data, filename, limits)
    check_columns(table.columns, mapping)
    report = ImportReport(dry_run=dry_run)
    today = timezone.localdate()
    households = _Households(members={} if limits.rows is not None else None)
    offices = _offices(actor)
    notify = progress or (lambda *args, **kwargs: None)
    notify(0, None, phase="checking")
    for row in table:
        _check_row(row, mapping, offices, office, today, households, report)
        report.rows += 1
        if report.rows % PROGRESS_EVERY == 0:
            notify(report.rows)
    notify(report.rows, report.rows)
    _check_heads(households, mapping, report)
    report.households = len(households.office)
    report.errors.sort(key=lambda e: e.row)
    report.skipped_invalid = len(households.bad)
    if dry_run or (report.errors and not valid_rows_only):
        return report

    good = [key for key in households.office if key not in households.bad]
    if not good:
        return report
    registrar = actor or _registrar(households.office[good[0]])
    notify(0, len(good), phase="saving")
    separately = batches_commit_separately()
    created: list[int] = []
    done = 0
    rows: tuple[int, int] = (0, 0)
    try:
        with nullcontext() if separately else transaction.atomic():
            for batch_rows, batch in _batches(
                table, households, mapping, office, offices, today, registrar, separately
            ):
                rows = batch_rows  # named if the batch fails
                counts = actions.load_households(
                    actor=actor, households=batch, source="import", created=created
                )
                report.imported_households += counts["households"]
                report.imported_individuals += counts["individuals"]
                report.skipped_existing += counts["skipped"]
                done += len(batch)
                if separately:  # committed: the job's page may show it
                    notify(done, len(good))
    except Exception as exc:
        logger.exception("import of %s failed while saving rows %s–%s", filename, *rows)
        if separately and created:
            actions.undo_loaded_households(
                actor=actor,
                ids=created,
                organization_id=households.office[good[0]].organization_id,
                source="import",
            )
        raise ActionError.general(
            _(
                "Saving the households of rows %(first)d to %(last)d failed; nothing of this "
                "file was kept. Try again, or ask the administrators (the log says why)."
            )
            % {"first": rows[0], "last": rows[1]}
        ) from exc
    notify(len(good), len(good))
    return report


def _batches(
    table: tabular.StreamTable,
    households: _Households,
    mapping: dict[str, str],
    default_office: Office | None,
    offices: dict[str, Office],
    today,
    registrar: User,
    small: bool = False,
) -> Iterator[tuple[tuple[int, int], list[actions.PreparedHousehold]]]:
    """The good households in batches, each complete at its last row in the file, with the
    first and last file row of the batch's households. `small`: batches for short
    transactions."""
    size = SEPARATE_BATCH_HOUSEHOLDS if small else BATCH_HOUSEHOLDS
    if households.members is not None:  # kept from the checking pass
        members = (
            (key, member)
            for key, people in households.members.items()
            for member in people
            if key not in households.bad
        )
    else:  # read the file again: only households still open are held
        members = _members_again(table, households, mapping, default_office, offices, today)
    batch: list[actions.PreparedHousehold] = []
    first, last = 0, 0
    current: dict[str, list[dict]] = {}
    for key, member in members:
        current.setdefault(key, []).append(member)
        if households.members is not None and len(current[key]) < len(households.members[key]):
            continue
        if households.members is None and member["_row"] != households.last_row[key]:
            continue
        people = current.pop(key)
        batch.append(_prepared(key, people, households.office[key], registrar, today))
        first = min(first or households.first_row[key], households.first_row[key])
        last = max(last, households.last_row[key])
        if len(batch) >= size:
            yield (first, last), batch
            batch, first, last = [], 0, 0
    if batch:
        yield (first, last), batch


def batches_commit_separately() -> bool:
    """Whether an import commits batch by batch (and undoes itself on failure) rather than
    in one transaction: on SQLite, where a writing transaction locks out every other writer
    (signed-in pages save the session). PostgreSQL's transactions block nobody."""
    return connection.vendor == "sqlite"


def _members_again(
    table: tabular.StreamTable,
    households: _Households,
    mapping: dict[str, str],
    default_office: Office | None,
    offices: dict[str, Office],
    today,
) -> Iterator[tuple[str, dict]]:
    """The good rows' members, cleaned again as the file is read a second time."""
    for row in table:
        values = {ours: row.values.get(theirs, "") for ours, theirs in mapping.items()}
        key = values["household"]
        if not key or key in households.bad:
            continue
        row_office = households.office[key]
        member = actions.clean_member(
            _member_input(values),
            index=0,
            region=office_region(row_office),
            today=today,
            errors=Errors(),
        )
        member["_row"] = row.number
        yield key, member


def _check_row(
    row: tabular.Row,
    mapping: dict[str, str],
    offices: dict[str, Office],
    default_office: Office | None,
    today,
    households: _Households,
    report: ImportReport,
) -> None:
    """One person's row: its household key and office, the registry's rules, its documents."""
    number = row.number
    values = {ours: row.values.get(theirs, "") for ours, theirs in mapping.items()}
    key = values["household"]
    if not key:
        report.errors.append(RowError(number, mapping["household"], _("empty")))
        return
    households.first_row.setdefault(key, number)
    households.last_row[key] = number
    office_ref = values["office"]
    row_office = offices.get(office_ref) if office_ref else default_office
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
        households.bad.add(key)
        return
    if households.office.get(key) not in (None, row_office):
        report.errors.append(
            RowError(number, mapping["office"], _("the same household appears under two offices."))
        )
        households.bad.add(key)
    if households.office.get(key) is None:
        households.office[key] = row_office
    errors = Errors()
    member = actions.clean_member(
        _member_input(values), index=0, region=office_region(row_office), today=today, errors=errors
    )
    for path, messages in errors.items():
        ours = path.removeprefix("members.0.")
        ours = _COLUMN_OF.get(ours, ours)
        column = mapping.get(ours, ours)
        report.errors.extend(RowError(number, column, m) for m in messages)
    repeated_document = _check_documents(number, member, mapping, households, report)
    if errors or repeated_document:
        households.bad.add(key)
    if member.get("relationship") == "head":
        households.heads.setdefault(key, []).append(number)
    if households.members is not None:
        households.members.setdefault(key, []).append(member)


def _check_documents(
    number: int, member: dict, mapping: dict[str, str], households: _Households, report
) -> bool:
    """Report a document already given in an earlier row; True when there was one."""
    repeated = False
    for doc in member["documents"]:
        doc_key = hash((doc["type"], doc["issuing_country"], normalize.document_key(doc["number"])))
        if doc_key in households.documents:
            report.errors.append(
                RowError(
                    number,
                    mapping["document_number"],
                    _("the same document is already in row %(other)d.")
                    % {"other": households.documents[doc_key]},
                )
            )
            repeated = True
        else:
            households.documents[doc_key] = number
    return repeated


def _check_heads(households: _Households, mapping: dict[str, str], report: ImportReport) -> None:
    """Every household needs exactly one head."""
    for key in households.office:
        heads = households.heads.get(key, [])
        if len(heads) != 1:
            report.errors.append(
                RowError(
                    households.first_row[key],
                    mapping["relationship"],
                    _("household “%(key)s” has no head.") % {"key": key}
                    if not heads
                    else _("household “%(key)s” has %(n)d heads.") % {"key": key, "n": len(heads)},
                )
            )
            households.bad.add(key)


def _prepared(
    key: str, members: list[dict], office: Office, registrar: User, today
) -> actions.PreparedHousehold:
    """A valid household, ready for `actions.load_households`."""
    for member in members:
        member.pop("_row", None)
    return actions.PreparedHousehold(
        office=office,
        # Keyed per office: two offices' files may both use "1" or "H1".
        source_ref=f"import:{office.pk}:{key}"[:80],
        members=members,
        registered_on=today,
        registered_by=registrar,
        phone=next((m["phone"] for m in members if m["relationship"] == "head"), ""),
    )


_COLUMN_OF = {
    "documents.0.type": "document_type",
    "documents.0.number": "document_number",
    "documents.0.issuing_country": "document_country",
    "age": "date_of_birth",
}


def _member_input(values: dict[str, str]) -> dict:
    doc_type = values["document_type"]
    number = values["document_number"]
    needs = [n.strip() for n in values["specific_needs"].replace(",", ";").split(";") if n.strip()]
    return {
        "given_names": values["given_names"],
        "first_surname": values["first_surname"],
        "second_surname": values["second_surname"],
        "sex": values["sex"].upper()[:1],
        "date_of_birth": values["date_of_birth"],
        "dob_estimated": values["dob_estimated"].lower() in TRUE,
        "nationality": values["nationality"],
        "population_group": values["population_group"],
        "relationship": values["relationship"],
        "phone": values["phone"],
        "email": values["email"],
        "specific_needs": needs,
        "contact_consent": values["contact_consent"].lower() in TRUE,
        "data_sharing_consent": values["data_sharing_consent"].lower() in TRUE,
        "documents": [
            {
                "type": doc_type,
                "number": number,
                "issuing_country": values["document_country"] or values["nationality"],
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


def _registrar(office: Office) -> User:
    """Who command-line imports record as registrar: the organization's first user."""
    user = User.objects.filter(organization_id=office.organization_id).order_by("pk").first()
    if user is None:
        raise ActionError.general(_("The organization has no user to record as registrar."))
    return user
