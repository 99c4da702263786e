"""Changes to registered people and households, and import settings."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.errors import Errors
from amparo.core.models import Area, User
from amparo.registry import normalize
from amparo.registry.actions.notices import notify_restricted_needs
from amparo.registry.actions.validation import _RELATIONSHIPS, clean_member
from amparo.registry.fields import PERSON, field_names
from amparo.registry.models import (
    RESTRICTED_NEEDS,
    Document,
    Household,
    Individual,
    NeedNotice,
)
from amparo.registry.queries import needs_visible_to
from amparo.registry.regions import office_region


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


# What an edit reads, compares and writes: everything a person's input may change.
MEMBER_FIELDS = field_names(PERSON, stored=True, editable=True)


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
        # In the order they were entered (PostgreSQL returns an unordered set in any order);
        # sorted here so a prefetched set is not fetched again.
        for d in sorted(person.documents.all(), key=lambda d: d.pk)
    ]
    return data


@transaction.atomic
def update_individual(
    *, actor: User, individual: Individual, changes: Mapping, request=None
) -> Individual:
    """Change a person with the same validation as registration (the caller scoped it).

    `changes` may hold any member field and `documents` (which replaces the list). Raises
    ActionError (nothing written). Side effects: audit `registry.individual.updated`
    with the changed field names; a notice to the GBV team when a restricted need is added.
    """
    access.require(actor, "registry.change")
    person = (
        Individual.objects.select_for_update(of=("self",))
        .select_related("household__office__area")
        .get(pk=individual.pk)
    )
    recorded = set(person.specific_needs or [])
    data = {**member_data(person), **changes}
    if "specific_needs" in changes and isinstance(changes["specific_needs"], list | tuple):
        # A restricted need the actor cannot read ("survivor of violence", seen by the GBV team
        # only) was not offered to them: they may add it, not remove it unseen.
        unseen = set(person.specific_needs or []) - set(needs_visible_to(actor, person))
        given = list(changes["specific_needs"])
        data["specific_needs"] = [*given, *sorted(unseen - set(given))]
    if changes.get("age") not in (None, "") and not changes.get("date_of_birth"):
        data.pop("date_of_birth")  # a new age replaces the stored date of birth
    errors = Errors()
    cleaned = clean_member(
        data,
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
        errors.add("relationship", _("This household already has a head."))
    if person.is_head and not becomes_head:
        errors.add("relationship", _("The head stays head until another member is made head."))
    errors.raise_if_any()
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
    if RESTRICTED_NEEDS & (set(person.specific_needs or []) - recorded):  # newly recorded
        notify_restricted_needs(actor=actor, people=[person], request=request)
    return person


@transaction.atomic
def move_individual(
    *, actor: User, individual: Individual, to: Household, relationship: str, request=None
) -> Individual:
    """Move a person to another household the actor can see (the caller scoped both).

    The head cannot leave a household that keeps other members; the target keeps one head.
    An open notice to a GBV team about the person (`notices`) moves to the team of their new office.
    Side effects: audit `registry.individual.moved` with both households' ids.
    """
    access.require(actor, "registry.change")
    person = (
        Individual.objects.select_for_update(of=("self",))
        .select_related("household")
        .get(pk=individual.pk)
    )
    source = person.household
    errors = Errors()
    if to.organization_id != person.organization_id or (
        actor.office_bound and to.office_id != actor.office_id
    ):
        errors.add("household", _("You can only move people within your own office's households."))
    elif to.pk == source.pk:
        errors.add("household", _("The person is already in this household."))
    if relationship not in _RELATIONSHIPS:
        errors.add("relationship", _("Choose the relationship to the head."))
    if person.is_head and source.members.exclude(pk=person.pk).exists():
        errors.add(
            "household", _("Make another member head of this household before moving its head.")
        )
    if relationship == Individual.Relationship.HEAD and to.members.filter(is_head=True).exists():
        errors.add("relationship", _("This household already has a head."))
    errors.raise_if_any()
    person.household = to
    person.relationship = relationship
    person.is_head = relationship == Individual.Relationship.HEAD
    person.save(update_fields=["household", "relationship", "is_head", "updated_at"])
    if to.office_id != source.office_id:
        # An open notice to a GBV team follows the person to the team of their new office.
        NeedNotice.objects.filter(individual=person, closed_at__isnull=True).update(
            office_id=to.office_id
        )
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

    Raises ActionError (nothing written). Side effects: audit `registry.household.updated`.
    """
    access.require(actor, "registry.change")
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("office__area")
        .get(pk=household.pk)
    )
    errors = Errors()
    values: dict[str, Any] = {}
    if "address" in changes:
        values["address"] = " ".join(str(changes["address"] or "").split())[:300]
    if "phone" in changes:
        raw = str(changes["phone"] or "").strip()
        region = office_region(household.office)
        try:
            values["phone"] = normalize.phone_e164(raw, region) if raw else ""
        except normalize.InvalidPhone:
            errors.add(
                "phone",
                _("This is not a valid phone number for %(country)s.") % {"country": region},
            )
    if "status" in changes:
        if changes["status"] not in Household.Status.values:
            errors.add("status", _("Choose a status."))
        values["status"] = changes["status"]
    if "area" in changes:
        area = changes["area"]
        if area is not None and not isinstance(area, Area):
            area = Area.objects.filter(code=str(area)).first()
            if area is None:
                errors.add("area", _("Unknown area code."))
        values["area"] = area
    errors.raise_if_any()
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
