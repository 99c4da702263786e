"""Every write to registry records. One transaction each; the audit event in the same function."""

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.models import Area, AuditEvent, Office, User
from amparo.registry import normalize
from amparo.registry.duplicates import find_duplicates
from amparo.registry.models import (
    SPECIFIC_NEEDS,
    WG_FIELDS,
    Difficulty,
    Document,
    Household,
    Individual,
    ReferenceCounter,
)
from amparo.registry.regions import office_region

MAX_AGE = 120
# Choice sets as frozensets: `Choices.values` builds a new list at every call (bulk imports).
_SEXES = frozenset(Individual.Sex.values)
_GROUPS = frozenset(Individual.PopulationGroup.values)
_RELATIONSHIPS = frozenset(Individual.Relationship.values)
_DIFFICULTIES = frozenset(Difficulty.values)
_DOCUMENT_TYPES = frozenset(Document.Type.values)


class DuplicatesSuspected(Exception):
    """Possible duplicates exist; registering needs a reason. `reports[i]` is member i's."""

    def __init__(self, reports: list):
        super().__init__("possible duplicates")
        self.reports = reports


class RegistrationError(Exception):
    """Bad input: `errors` maps a field path ('members.0.date_of_birth') to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class _Errors:
    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, message: str) -> None:
        self.by_field.setdefault(path, []).append(message)


def _country(code: Any) -> str | None:
    code = str(code or "").strip().upper()
    return code if len(code) == 2 and pycountry.countries.get(alpha_2=code) else None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _text(data: Mapping, key: str, limit: int) -> str:
    return " ".join(str(data.get(key) or "").split())[:limit]


def clean_member(
    data: Mapping, *, index: int, region: str, today: datetime.date, errors: _Errors
) -> dict:
    """Validate and normalize one member; problems go to `errors` under members.<index>.*."""
    path = f"members.{index}."
    out: dict[str, Any] = {}
    for key, label_limit in (("given_names", 100), ("first_surname", 100)):
        out[key] = _text(data, key, label_limit)
        if not out[key]:
            errors.add(path + key, _("This field is required."))
    out["second_surname"] = _text(data, "second_surname", 100)
    out["other_names"] = _text(data, "other_names", 200)

    sex = str(data.get("sex") or "").upper()
    if sex not in _SEXES:
        errors.add(path + "sex", _("Choose F, M or X."))
    out["sex"] = sex

    dob = _date(data.get("date_of_birth")) if data.get("date_of_birth") else None
    estimated = bool(data.get("dob_estimated"))
    age = data.get("age")
    if dob is None and data.get("date_of_birth"):
        errors.add(path + "date_of_birth", _("Enter a date as YYYY-MM-DD."))
    elif dob is None and age not in (None, ""):
        try:
            years = int(age)
        except (TypeError, ValueError):
            years = -1
        if not 0 <= years <= MAX_AGE:
            errors.add(path + "age", _("Enter an age between 0 and %(max)d.") % {"max": MAX_AGE})
        else:
            dob, estimated = datetime.date(today.year - years, 7, 1), True
            if dob > today:
                dob = datetime.date(today.year - years - 1, 7, 1)
    elif dob is None:
        errors.add(path + "date_of_birth", _("Enter the date of birth or the age."))
    if dob is not None:
        if dob > today:
            errors.add(path + "date_of_birth", _("The date of birth is in the future."))
        elif today.year - dob.year > MAX_AGE:
            errors.add(
                path + "date_of_birth",
                _("This would make the person older than %(max)d.") % {"max": MAX_AGE},
            )
    out["date_of_birth"], out["dob_estimated"] = dob, estimated

    nationality = _country(data.get("nationality"))
    if nationality is None:
        errors.add(path + "nationality", _("Choose a country (ISO 3166-1 code such as VE)."))
    out["nationality"] = nationality or ""

    group = str(data.get("population_group") or "")
    if group not in _GROUPS:
        errors.add(path + "population_group", _("Choose a population group."))
    out["population_group"] = group

    relationship = str(data.get("relationship") or "")
    if relationship not in _RELATIONSHIPS:
        errors.add(path + "relationship", _("Choose the relationship to the head."))
    out["relationship"] = relationship

    phone = str(data.get("phone") or "").strip()
    out["phone"] = ""
    if phone:
        try:
            out["phone"] = normalize.phone_e164(phone, region)
        except normalize.InvalidPhone:
            errors.add(
                path + "phone",
                _("This is not a valid phone number for %(country)s.") % {"country": region},
            )

    needs = data.get("specific_needs") or []
    if isinstance(needs, str):
        needs = [n.strip() for n in needs.replace(";", ",").split(",") if n.strip()]
    unknown = [n for n in needs if n not in SPECIFIC_NEEDS]
    if unknown:
        errors.add(
            path + "specific_needs",
            _("Unknown specific needs: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    out["specific_needs"] = sorted(set(needs) - set(unknown))

    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = [x.strip() for x in languages.replace(";", ",").split(",") if x.strip()]
    bad_languages = [
        x
        for x in languages
        if not pycountry.languages.get(alpha_2=str(x).lower())
        and not pycountry.languages.get(alpha_3=str(x).lower())
    ]
    if bad_languages:
        errors.add(
            path + "languages",
            _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(map(str, bad_languages))},
        )
    out["languages"] = [str(x).lower() for x in languages if x not in bad_languages]
    for wg in WG_FIELDS:
        answer = str(data.get(wg) or "")
        if answer and answer not in _DIFFICULTIES:
            errors.add(path + wg, _("Choose none, some, a_lot or cannot."))
        out[wg] = answer if answer in _DIFFICULTIES else ""
    if "disability" not in out["specific_needs"] and any(
        out[wg] in (Difficulty.A_LOT, Difficulty.CANNOT) for wg in WG_FIELDS
    ):
        out["specific_needs"] = sorted([*out["specific_needs"], "disability"])

    out["contact_consent"] = bool(data.get("contact_consent"))
    out["data_sharing_consent"] = bool(data.get("data_sharing_consent"))
    out["consent_purpose"] = _text(data, "consent_purpose", 200)

    out["documents"] = []
    for d_index, doc in enumerate(data.get("documents") or []):
        d_path = f"{path}documents.{d_index}."
        doc_type = str(doc.get("type") or "")
        if doc_type not in _DOCUMENT_TYPES:
            errors.add(d_path + "type", _("Choose a document type."))
        number = " ".join(str(doc.get("number") or "").split())[:40]
        if not normalize.document_key(number):
            errors.add(d_path + "number", _("Enter the document number."))
        country = _country(doc.get("issuing_country"))
        if country is None:
            errors.add(d_path + "issuing_country", _("Choose the issuing country."))
        expiry = _date(doc.get("expiry_date")) if doc.get("expiry_date") else None
        if doc.get("expiry_date") and expiry is None:
            errors.add(d_path + "expiry_date", _("Enter a date as YYYY-MM-DD."))
        out["documents"].append(
            {
                "type": doc_type,
                "number": number,
                "issuing_country": country or "",
                "expiry_date": expiry,
            }
        )
    return out


def _check_heads(members: Sequence[dict], errors: _Errors) -> None:
    heads = [m for m in members if m["relationship"] == Individual.Relationship.HEAD]
    if not members:
        errors.add("members", _("Add at least one member."))
    elif not heads:
        errors.add("members", _("One member must be the head of household."))
    elif len(heads) > 1:
        errors.add("members", _("Only one member can be the head of household."))


def _next_reference(office: Office, year: int) -> str:
    country = office_region(office)
    prefix = f"{country}-{office.code.replace('-', '')[:3].upper()}-{year}"
    counter, _created = ReferenceCounter.objects.get_or_create(
        organization_id=office.organization_id, prefix=prefix
    )
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:06d}"


def _create_member(*, actor: User, household: Household, data: dict, today) -> Individual:
    documents = data.pop("documents")
    consent = data["contact_consent"] or data["data_sharing_consent"]
    person = Individual.objects.create(
        organization_id=household.organization_id,
        household=household,
        is_head=data["relationship"] == Individual.Relationship.HEAD,
        name_key=normalize.name_key(
            data["given_names"], data["first_surname"], data["second_surname"]
        ),
        consent_date=today if consent else None,
        consent_recorded_by=actor if consent else None,
        **data,
    )
    Document.objects.bulk_create(
        Document(individual=person, number_key=normalize.document_key(d["number"]), **d)
        for d in documents
    )
    return person


@transaction.atomic
def register_household(
    *,
    actor: User,
    office: Office,
    members: Sequence[Mapping],
    address: str = "",
    area: Area | None = None,
    phone: str = "",
    check_duplicates: bool = False,
    duplicate_reason: str = "",
    request=None,
) -> Household:
    """Register a household with all its members in one transaction.

    Requires `registry.register` and an office the actor may work in. Raises RegistrationError
    with every problem (nothing is written). With `check_duplicates`, raises
    DuplicatesSuspected when any member may already be registered, unless a
    `duplicate_reason` is given (kept on the household). Side effects: audit
    `registry.household.registered` and one `registry.individual.registered` per member.
    """
    access.require(actor, "registry.register")
    if office.organization_id != actor.organization_id and not actor.is_superuser:
        raise RegistrationError({"office": [_("Choose one of your organization's offices.")]})
    if actor.office_bound and office.pk != actor.office_id:
        raise RegistrationError({"office": [_("You can only register in your own office.")]})
    today = timezone.localdate()
    region = office_region(office)
    errors = _Errors()
    cleaned = [
        clean_member(m, index=i, region=region, today=today, errors=errors)
        for i, m in enumerate(members)
    ]
    _check_heads(cleaned, errors)
    household_phone = ""
    if phone and str(phone).strip():
        try:
            household_phone = normalize.phone_e164(str(phone), region)
        except normalize.InvalidPhone:
            errors.add(
                "phone",
                _("This is not a valid phone number for %(country)s.") % {"country": region},
            )
    if errors.by_field:
        raise RegistrationError(errors.by_field)
    duplicate_reason = " ".join((duplicate_reason or "").split())[:300]
    if check_duplicates and not duplicate_reason:
        reports = [find_duplicates(actor, m, region=region) for m in cleaned]
        if any(r.candidates or r.hidden for r in reports):
            raise DuplicatesSuspected(reports)

    household = Household.objects.create(
        duplicate_reason=duplicate_reason,
        organization_id=office.organization_id,
        office=office,
        reference=_next_reference(office, today.year),
        address=" ".join(address.split())[:300],
        area=area,
        phone=household_phone,
        registered_on=today,
        registered_by=actor,
    )
    people = [
        _create_member(actor=actor, household=household, data=m, today=today) for m in cleaned
    ]
    audit.record(
        actor=actor,
        action="registry.household.registered",
        target=household,
        request=request,
        fields=["reference", "office", "address", "area", "phone"],
        details={"members": len(people)},
    )
    for person in people:
        audit.record(
            actor=actor,
            action="registry.individual.registered",
            target=person,
            request=request,
            details={"household": str(household.uuid)},
        )
    return household


@transaction.atomic
def add_member(*, actor: User, household: Household, data: Mapping, request=None) -> Individual:
    """Add one person to an existing household (the caller has already scoped `household`).

    Raises RegistrationError (nothing written) on bad input or a second head.
    Side effects: audit `registry.individual.registered`.
    """
    access.require(actor, "registry.register")
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("office__area")
        .get(pk=household.pk)
    )
    errors = _Errors()
    cleaned = clean_member(
        data,
        index=0,
        region=office_region(household.office),
        today=timezone.localdate(),
        errors=errors,
    )
    if (
        cleaned["relationship"] == Individual.Relationship.HEAD
        and household.members.filter(is_head=True).exists()
    ):
        errors.add("members.0.relationship", _("This household already has a head."))
    if errors.by_field:
        raise RegistrationError(
            {key.removeprefix("members.0."): value for key, value in errors.by_field.items()}
        )
    person = _create_member(
        actor=actor, household=household, data=cleaned, today=timezone.localdate()
    )
    audit.record(
        actor=actor,
        action="registry.individual.registered",
        target=person,
        request=request,
        details={"household": str(household.uuid)},
    )
    return person


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


def _reserve_references(office: Office, year: int, count: int) -> list[str]:
    country = office_region(office)
    prefix = f"{country}-{office.code.replace('-', '')[:3].upper()}-{year}"
    counter, _created = ReferenceCounter.objects.get_or_create(
        organization_id=office.organization_id, prefix=prefix
    )
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{prefix}-{n:06d}" for n in range(first, first + count)]


@transaction.atomic
def load_households(
    *, actor: User | None, households: Sequence[PreparedHousehold], source: str
) -> dict[str, int]:
    """Bulk-create validated households (imports, demo, benchmarks). All or nothing.

    Households whose `source_ref` already exists in the organization are skipped, so loading
    the same source twice adds nothing. Side effects: one audit event
    `registry.household.loaded` with counts (no personal data).
    """
    if actor is not None:
        access.require(actor, "registry.import")
    by_org: dict[int, set[str]] = {}
    for prepared in households:
        by_org.setdefault(prepared.office.organization_id, set()).add(prepared.source_ref)
    existing = set()
    for org_id, refs in by_org.items():
        refs = [r for r in refs if r]
        for start in range(0, len(refs), 5000):
            existing.update(
                (org_id, ref)
                for ref in Household.objects.filter(
                    organization_id=org_id, source_ref__in=refs[start : start + 5000]
                ).values_list("source_ref", flat=True)
            )
    todo = [
        h
        for h in households
        if not h.source_ref or (h.office.organization_id, h.source_ref) not in existing
    ]
    references: dict[tuple[int, int], list[str]] = {}
    for prepared in todo:
        key = (prepared.office.pk, prepared.registered_on.year)
        references.setdefault(key, []).append("")
    for (office_id, year), slots in references.items():
        office = next(h.office for h in todo if h.office.pk == office_id)
        references[(office_id, year)] = _reserve_references(office, year, len(slots))[::-1]
    rows = [
        Household(
            organization_id=p.office.organization_id,
            office=p.office,
            reference=references[(p.office.pk, p.registered_on.year)].pop(),
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
                reference__in=[h.reference for h in rows], organization_id__in=by_org
            ).values_list("reference", "pk")
        )
        for row in rows:
            row.pk = saved[row.reference]
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
    counts = {
        "households": len(rows),
        "individuals": len(people),
        "skipped": len(households) - len(todo),
    }
    # Each household's own history starts with its import (ids and counts only).
    events = [
        AuditEvent(
            actor=actor,
            actor_username=actor.get_username() if actor else "",
            organization_id=h.organization_id,
            action="registry.household.imported",
            target_type="registry.household",
            target_id=str(h.uuid),
            details={"members": size},
        )
        for h, size in zip(rows, (len(p.members) for p in todo), strict=True)
    ]
    if connection.vendor == "postgresql":
        _copy_insert(AuditEvent, events)
    else:
        AuditEvent.objects.bulk_create(events, batch_size=2000)
    audit.record(
        actor=actor,
        action="registry.household.loaded",
        organization_id=next(iter(by_org), None),
        details={"source": source[:200], **counts},
    )
    return counts


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
    convert = []
    for f in fields:
        if isinstance(f, models.JSONField):
            convert.append((f.attname, json.dumps))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            convert.append((f.attname, lambda _value, now=now: now))
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


def remember_mapping(*, actor: User, columns: dict[str, str]) -> None:
    """Keep the actor's organization's column mapping for the next import."""
    from amparo.registry.models import ImportMapping

    if actor.organization_id is None:
        return
    mapping, _created = ImportMapping.objects.update_or_create(
        organization_id=actor.organization_id, defaults={"columns": columns}
    )
    audit.record(
        actor=actor, action="registry.importmapping.updated", target=mapping, fields=sorted(columns)
    )


MEMBER_FIELDS = (
    "given_names",
    "first_surname",
    "second_surname",
    "other_names",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "nationality",
    "population_group",
    "relationship",
    "phone",
    "languages",
    *WG_FIELDS,
    "specific_needs",
    "contact_consent",
    "data_sharing_consent",
    "consent_purpose",
)


def member_data(person: Individual) -> dict:
    """A person as the registry's input dict (to edit with the same validation)."""
    data = {f: getattr(person, f) for f in MEMBER_FIELDS}
    data["documents"] = [
        {
            "type": d.type,
            "number": d.number,
            "issuing_country": d.issuing_country,
            "expiry_date": d.expiry_date,
        }
        for d in person.documents.all()
    ]
    return data


@transaction.atomic
def update_individual(
    *, actor: User, individual: Individual, changes: Mapping, request=None
) -> Individual:
    """Change a person with the same validation as registration (the caller scoped it).

    `changes` may hold any member field and `documents` (which replaces the list). Raises
    RegistrationError (nothing written). Side effects: audit `registry.individual.updated`
    with the changed field names.
    """
    access.require(actor, "registry.change")
    person = (
        Individual.objects.select_for_update(of=("self",))
        .select_related("household__office__area")
        .get(pk=individual.pk)
    )
    data = {**member_data(person), **changes}
    if changes.get("age") not in (None, "") and not changes.get("date_of_birth"):
        data.pop("date_of_birth")  # a new age replaces the stored date of birth
    errors = _Errors()
    cleaned = clean_member(
        data,
        index=0,
        region=office_region(person.household.office),
        today=timezone.localdate(),
        errors=errors,
    )
    becomes_head = cleaned["relationship"] == Individual.Relationship.HEAD
    if (
        becomes_head
        and not person.is_head
        and person.household.members.filter(is_head=True).exists()
    ):
        errors.add("members.0.relationship", _("This household already has a head."))
    if person.is_head and not becomes_head:
        errors.add(
            "members.0.relationship", _("The head stays head until another member is made head.")
        )
    if errors.by_field:
        raise RegistrationError(
            {key.removeprefix("members.0."): value for key, value in errors.by_field.items()}
        )
    documents = cleaned.pop("documents")
    changed = [f for f in MEMBER_FIELDS if getattr(person, f) != cleaned[f]]
    old_documents = member_data(person)["documents"]
    if [
        (d["type"], d["number"], d["issuing_country"], d["expiry_date"]) for d in old_documents
    ] != [(d["type"], d["number"], d["issuing_country"], d["expiry_date"]) for d in documents]:
        changed.append("documents")
        person.documents.all().delete()
        Document.objects.bulk_create(
            Document(individual=person, number_key=normalize.document_key(d["number"]), **d)
            for d in documents
        )
    for f in MEMBER_FIELDS:
        setattr(person, f, cleaned[f])
    person.name_key = normalize.name_key(
        person.given_names, person.first_surname, person.second_surname
    )
    if {"contact_consent", "data_sharing_consent", "consent_purpose"} & set(changed):
        person.consent_date = timezone.localdate()
        person.consent_recorded_by = actor
    person.save()
    if changed:
        audit.record(
            actor=actor,
            action="registry.individual.updated",
            target=person,
            fields=changed,
            request=request,
        )
    return person


@transaction.atomic
def move_individual(
    *, actor: User, individual: Individual, to: Household, relationship: str, request=None
) -> Individual:
    """Move a person to another household the actor can see (the caller scoped both).

    The head cannot leave a household that keeps other members; the target keeps one head.
    Side effects: audit `registry.individual.moved` with both households' ids.
    """
    access.require(actor, "registry.change")
    person = (
        Individual.objects.select_for_update(of=("self",))
        .select_related("household")
        .get(pk=individual.pk)
    )
    source = person.household
    errors: dict[str, list[str]] = {}
    if to.pk == source.pk:
        errors["household"] = [_("The person is already in this household.")]
    if to.organization_id != person.organization_id or (
        actor.office_bound and to.office_id != actor.office_id
    ):
        errors["household"] = [_("You can only move people within your own office's households.")]
    if relationship not in _RELATIONSHIPS:
        errors["relationship"] = [_("Choose the relationship to the head.")]
    if person.is_head and source.members.exclude(pk=person.pk).exists():
        errors.setdefault("household", []).append(
            _("Make another member head of this household before moving its head.")
        )
    if relationship == Individual.Relationship.HEAD and to.members.filter(is_head=True).exists():
        errors.setdefault("relationship", []).append(_("This household already has a head."))
    if errors:
        raise RegistrationError(errors)
    person.household = to
    person.relationship = relationship
    person.is_head = relationship == Individual.Relationship.HEAD
    person.save(update_fields=["household", "relationship", "is_head", "updated_at"])
    details = {"from": str(source.uuid), "to": str(to.uuid)}
    for target in (person, source, to):
        audit.record(
            actor=actor,
            action="registry.individual.moved",
            target=target,
            fields=["household", "relationship"],
            request=request,
            details=details,
        )
    return person


@transaction.atomic
def update_household(
    *, actor: User, household: Household, changes: Mapping, request=None
) -> Household:
    """Change address, phone, area or status (the caller scoped the household).

    Raises RegistrationError (nothing written). Side effects: audit `registry.household.updated`.
    """
    access.require(actor, "registry.change")
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("office__area")
        .get(pk=household.pk)
    )
    errors: dict[str, list[str]] = {}
    values = {}
    if "address" in changes:
        values["address"] = " ".join(str(changes["address"] or "").split())[:300]
    if "phone" in changes:
        raw = str(changes["phone"] or "").strip()
        region = office_region(household.office)
        try:
            values["phone"] = normalize.phone_e164(raw, region) if raw else ""
        except normalize.InvalidPhone:
            errors["phone"] = [
                _("This is not a valid phone number for %(country)s.") % {"country": region}
            ]
    if "status" in changes:
        if changes["status"] not in Household.Status.values:
            errors["status"] = [_("Choose a status.")]
        values["status"] = changes["status"]
    if "area" in changes:
        area = changes["area"]
        if area is not None and not isinstance(area, Area):
            area = Area.objects.filter(code=str(area)).first()
            if area is None:
                errors["area"] = [_("Unknown area code.")]
        values["area"] = area
    if errors:
        raise RegistrationError(errors)
    changed = [k for k, v in values.items() if getattr(household, k) != v]
    for key, value in values.items():
        setattr(household, key, value)
    if changed:
        household.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            action="registry.household.updated",
            target=household,
            fields=changed,
            request=request,
        )
    return household
