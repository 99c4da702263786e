"""Bulk loading of validated households (imports, demo, benchmarks)."""

import datetime
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from amparo.core import access, audit, references
from amparo.core.models import AuditEvent, Office, User
from amparo.registry import normalize
from amparo.registry.actions.notices import notify_restricted_needs
from amparo.registry.models import RESTRICTED_NEEDS, Document, Household, Individual
from amparo.registry.regions import office_region


@dataclass
class PreparedHousehold:
    """A household already validated by `clean_member`, ready for a bulk load."""

    office: Office
    source_ref: str
    members: list[dict]
    registered_on: datetime.date
    registered_by: User
    phone: str = ""
    address: str = ""


def household_references(office: Office, year: int, count: int = 1) -> list[str]:
    """The next `count` household references of an office and year: `EC-QUI-2026-000123`."""
    return references.office_year(
        organization_id=office.organization_id,
        lead=office_region(office),
        office_code=office.code,
        year=year,
        digits=6,
        count=count,
    )


@transaction.atomic
def load_households(
    *,
    actor: User | None,
    households: Sequence[PreparedHousehold],
    source: str,
    created: list[int] | None = None,
) -> dict[str, int]:
    """Bulk-create validated households (imports, demo, benchmarks). All or nothing.

    Households whose `source_ref` already exists in the organization are skipped, so loading
    the same source twice adds nothing. The ids of the households created are appended to
    `created` when given (what `undo_loaded_households` removes). Side effects: one audit event
    `registry.household.loaded` with counts (no personal data), and one
    `registry.household.imported` per household created.
    """
    if actor is not None:
        access.require(actor, "registry.import")
    todo = _not_loaded_yet(households)
    rows = _create_households(todo)
    people = _create_members(rows, todo)
    _record_imported(actor, rows, todo)
    if actor is not None:
        flagged = [p for p in people if RESTRICTED_NEEDS & set(p.specific_needs or [])]
        notify_restricted_needs(actor=actor, people=flagged)
    if created is not None:
        created.extend(h.pk for h in rows)
    counts = {
        "households": len(rows),
        "individuals": len(people),
        "skipped": len(households) - len(todo),
    }
    audit.record(
        actor=actor,
        action="registry.household.loaded",
        organization_id=households[0].office.organization_id if households else None,
        details={"source": source[:200], **counts},
    )
    return counts


UNDO_CHUNK = 200  # households removed per transaction when a load is undone


def undo_loaded_households(
    *, actor: User | None, ids: Sequence[int], organization_id: int | None, source: str
) -> int:
    """Remove households that an unfinished load created (documents, members, household).

    The compensation for loads committed batch by batch (imports on SQLite): short
    transactions, so other users keep working meanwhile. Their audit events stay (the log is
    append-only); one `registry.household.load_undone` event (counts only) says they were
    removed. Returns how many households were removed.
    """
    removed = 0
    for start in range(0, len(ids), UNDO_CHUNK):
        chunk = list(ids[start : start + UNDO_CHUNK])
        with transaction.atomic():
            Document.objects.filter(individual__household_id__in=chunk).delete()
            Individual.objects.filter(household_id__in=chunk).delete()
            removed += (
                Household.objects.filter(pk__in=chunk).delete()[1].get(Household._meta.label, 0)
            )
    audit.record(
        actor=actor,
        action="registry.household.load_undone",
        organization_id=organization_id,
        details={"source": source[:200], "households": removed},
    )
    return removed


def _not_loaded_yet(households: Sequence[PreparedHousehold]) -> list[PreparedHousehold]:
    """The households without a `source_ref`, or whose `source_ref` is new in their organization."""
    by_org: dict[int, set[str]] = {}
    for prepared in households:
        if prepared.source_ref:
            by_org.setdefault(prepared.office.organization_id, set()).add(prepared.source_ref)
    existing: set[tuple[int, str]] = set()
    for org_id, ref_set in by_org.items():
        refs = sorted(ref_set)
        for start in range(0, len(refs), 5000):
            existing.update(
                (org_id, ref)
                for ref in Household.objects.filter(
                    organization_id=org_id, source_ref__in=refs[start : start + 5000]
                ).values_list("source_ref", flat=True)
            )
    return [
        h
        for h in households
        if not h.source_ref or (h.office.organization_id, h.source_ref) not in existing
    ]


def _create_households(todo: list[PreparedHousehold]) -> list[Household]:
    """The households saved, in order, numbered from one block per office and year."""
    wanted = Counter((p.office.pk, p.registered_on.year) for p in todo)
    offices = {p.office.pk: p.office for p in todo}
    numbers = {
        (office_id, year): iter(household_references(offices[office_id], year, count))
        for (office_id, year), count in wanted.items()
    }
    rows = [
        Household(
            organization_id=p.office.organization_id,
            office=p.office,
            reference=next(numbers[(p.office.pk, p.registered_on.year)]),
            phone=p.phone,
            address=p.address,
            source_ref=p.source_ref,
            registered_on=p.registered_on,
            registered_by=p.registered_by,
        )
        for p in todo
    ]
    Household.objects.bulk_create(rows, batch_size=2000)
    if connection_needs_ids() and rows and rows[0].pk is None:
        saved = dict(
            Household.objects.filter(
                reference__in=[h.reference for h in rows],
                organization_id__in={h.organization_id for h in rows},
            ).values_list("reference", "pk")
        )
        for row in rows:
            row.pk = saved[row.reference]
    return rows


def _create_members(rows: list[Household], todo: list[PreparedHousehold]) -> list[Individual]:
    """Every member and their documents saved (COPY on PostgreSQL)."""
    people, documents = [], []
    for household, prepared in zip(rows, todo, strict=True):
        for data in prepared.members:
            data = dict(data)
            docs = data.pop("documents", [])
            consent = data["contact_consent"] or data["data_sharing_consent"]
            person = Individual(
                organization_id=household.organization_id,
                household=household,
                is_head=data["relationship"] == Individual.Relationship.HEAD,
                name_key=normalize.name_key(
                    data["given_names"], data["first_surname"], data["second_surname"]
                ),
                consent_date=prepared.registered_on if consent else None,
                consent_recorded_by=prepared.registered_by if consent else None,
                **data,
            )
            people.append(person)
            documents.append(docs)
    document_rows = [
        Document(individual=person, number_key=normalize.document_key(d["number"]), **d)
        for person, docs in zip(people, documents, strict=True)
        for d in docs
    ]
    if connection.vendor == "postgresql":
        _copy_insert(Individual, people)
        for document in document_rows:
            document.individual_id = document.individual.pk
        _copy_insert(Document, document_rows)
    else:
        Individual.objects.bulk_create(people, batch_size=2000)
        Document.objects.bulk_create(document_rows, batch_size=5000)
    return people


def _record_imported(
    actor: User | None, rows: list[Household], todo: list[PreparedHousehold]
) -> None:
    """Each household's own history starts with its import (ids and counts only)."""
    events = [
        AuditEvent(
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            organization_id=h.organization_id,
            action="registry.household.imported",
            target_type="registry.household",
            target_id=str(h.uuid),
            details={"members": len(p.members)},
        )
        for h, p in zip(rows, todo, strict=True)
    ]
    if connection.vendor == "postgresql":
        _copy_insert(AuditEvent, events)
    else:
        AuditEvent.objects.bulk_create(events, batch_size=2000)


def _always(value: Any) -> Callable[[Any], Any]:
    return lambda _ignored: value


def _copy_insert(model, objects: list) -> None:
    """PostgreSQL COPY for bulk loads, ids drawn from the table's sequence.

    Values go as Python objects (psycopg adapts them); JSON is serialized here and automatic
    timestamps set, which is all the preparation these models' fields need.
    """
    if not objects:
        return
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    now = timezone.now()
    convert: list[tuple[str, Callable[[Any], Any] | None]] = []
    for f in fields:
        if isinstance(f, models.JSONField):
            convert.append((f.attname, json.dumps))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            convert.append((f.attname, _always(now)))
        else:
            convert.append((f.attname, None))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({columns}) "  # noqa: S608
            "FROM STDIN"
        ) as copy:
            for obj in objects:
                values = obj.__dict__
                copy.write_row(
                    [values[name] if fn is None else fn(values[name]) for name, fn in convert]
                )


def connection_needs_ids() -> bool:
    """bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; older ones need a read."""
    from django.db import connection

    return not connection.features.can_return_rows_from_bulk_insert
