"""Registering households and members one at a time (forms and the API)."""

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import access, audit
from amparo.core.models import Area, Office, User
from amparo.registry import normalize
from amparo.registry.actions.loading import household_references
from amparo.registry.actions.validation import (
    DuplicatesSuspected,
    RegistrationError,
    _Errors,
    clean_member,
)
from amparo.registry.duplicates import find_duplicates
from amparo.registry.models import (
    Document,
    Household,
    Individual,
)
from amparo.registry.regions import office_region


def _check_heads(members: Sequence[dict], errors: _Errors) -> None:
    heads = [m for m in members if m["relationship"] == Individual.Relationship.HEAD]
    if not members:
        errors.add("members", _("Add at least one member."))
    elif not heads:
        errors.add("members", _("One member must be the head of household."))
    elif len(heads) > 1:
        errors.add("members", _("Only one member can be the head of household."))


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
