"""Registering households and members one at a time (forms and the API)."""

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, Office, User
from amparo.registry import normalize
from amparo.registry.actions.loading import household_references
from amparo.registry.actions.notices import notify_restricted_needs
from amparo.registry.actions.validation import DuplicatesSuspected, clean_member
from amparo.registry.duplicates import find_duplicates
from amparo.registry.models import (
    Document,
    Household,
    Individual,
)
from amparo.registry.regions import office_region


def _check_heads(members: Sequence[dict], errors: Errors) -> None:
    heads = [m for m in members if m["relationship"] == Individual.Relationship.HEAD]
    if not members:
        errors.add("members", _("Add at least one member."))
    elif not heads:
        errors.add("members", _("One member must be the head of household."))
    elif len(heads) > 1:
        errors.add("members", _("Only one member can be the head of household."))


def _check_office(actor: User, office: Office) -> None:
    if office.organization_id != actor.organization_id and not actor.is_superuser:
        raise ActionError.on("office", _("Choose one of your organization's offices."))
    if actor.office_bound and office.pk != actor.office_id:
        raise ActionError.on("office", _("You can only register in your own office."))


def _next_reference(office: Office, year: int) -> str:
    return household_references(office, year)[0]


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

    Requires `registry.register` and an office the actor may work in. Raises ActionError
    with every problem, members' under `members.<i>.<field>` (nothing is written). With
    `check_duplicates`, raises DuplicatesSuspected when any member may already be registered,
    unless a `duplicate_reason` is given (kept on the household). Side effects: audit
    `registry.household.registered` and one `registry.individual.registered` per member.
    """
    access.require(actor, "registry.register")
    _check_office(actor, office)
    today = timezone.localdate()
    region = office_region(office)
    errors = Errors()
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
    errors.raise_if_any()
    duplicate_reason = " ".join((duplicate_reason or "").split())[:300]
    if check_duplicates and not duplicate_reason:
        reports = [find_duplicates(actor, m, region=region) for m in cleaned]
        if any(r.candidates or r.hidden for r in reports):
            raise DuplicatesSuspected(reports)
    household, _people = _create_household(
        actor=actor,
        office=office,
        members=cleaned,
        address=address,
        area=area,
        phone=household_phone,
        duplicate_reason=duplicate_reason,
        today=today,
        request=request,
    )
    return household


@transaction.atomic
def register_individual(
    *,
    actor: User,
    office: Office,
    data: Mapping,
    permission: str = "registry.register",
    check_duplicates: bool = False,
    duplicate_reason: str = "",
    request=None,
) -> Individual:
    """Register one person as the head of a new household of their own.

    Requires `permission` (`registry.register`; the cases app passes `cases.gbv` when the GBV
    team registers a walk-in survivor of its own case, with their consent, after checking the
    actor is on that case's team) and an office the actor may work in. Raises ActionError
    (nothing written) with the problems under the person's own field names (`date_of_birth`,
    not `members.0.date_of_birth`). With `check_duplicates`, raises DuplicatesSuspected when
    the person may already be registered, unless a `duplicate_reason` is given (kept on the
    household). Side effects: audit `registry.household.registered` and
    `registry.individual.registered`.
    """
    access.require(actor, permission)
    _check_office(actor, office)
    today = timezone.localdate()
    region = office_region(office)
    errors = Errors()
    cleaned = clean_member(
        {**data, "relationship": Individual.Relationship.HEAD},
        region=region,
        today=today,
        errors=errors,
    )
    errors.raise_if_any()
    duplicate_reason = " ".join((duplicate_reason or "").split())[:300]
    if check_duplicates and not duplicate_reason:
        report = find_duplicates(actor, cleaned, region=region)
        if report.candidates or report.hidden:
            raise DuplicatesSuspected([report])
    _household, (person,) = _create_household(
        actor=actor,
        office=office,
        members=[cleaned],
        today=today,
        duplicate_reason=duplicate_reason,
        request=request,
    )
    return person


def _create_household(
    *,
    actor: User,
    office: Office,
    members: Sequence[dict],
    today: datetime.date,
    address: str = "",
    area: Area | None = None,
    phone: str = "",
    duplicate_reason: str = "",
    request=None,
) -> tuple[Household, list[Individual]]:
    household = Household.objects.create(
        duplicate_reason=duplicate_reason,
        organization_id=office.organization_id,
        office=office,
        reference=_next_reference(office, today.year),
        address=" ".join(address.split())[:300],
        area=area,
        phone=phone,
        registered_on=today,
        registered_by=actor,
    )
    people = [
        _create_member(actor=actor, household=household, data=m, today=today) for m in members
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
    notify_restricted_needs(actor=actor, people=people, request=request)
    return household, people


@transaction.atomic
def add_member(*, actor: User, household: Household, data: Mapping, request=None) -> Individual:
    """Add one person to an existing household (the caller has already scoped `household`).

    Raises ActionError (nothing written) on bad input or a second head, under the person's
    own field names.
    Side effects: audit `registry.individual.registered`.
    """
    access.require(actor, "registry.register")
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("office__area")
        .get(pk=household.pk)
    )
    errors = Errors()
    cleaned = clean_member(
        data, region=office_region(household.office), today=timezone.localdate(), errors=errors
    )
    if (
        cleaned["relationship"] == Individual.Relationship.HEAD
        and household.members.filter(is_head=True).exists()
    ):
        errors.add("relationship", _("This household already has a head."))
    errors.raise_if_any()
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
    notify_restricted_needs(actor=actor, people=[person], request=request)
    return person
