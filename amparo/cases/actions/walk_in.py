"""A survivor who walks into a safe space: a GBV case for someone who is not in the registry,
and their registry record once they agree to one.

Until then who they are lives only in the case (`SurvivorIdentity`, encrypted), so registry
search, the duplicate check, lists, exports and statistics never meet them: those read the
registry. The GBV team of the case's office reads it on the case page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.actions._checks import _check_team
from amparo.cases.actions.lifecycle import _new_case
from amparo.cases.models import (
    AdolescentIncapacity,
    Case,
    CaseType,
    ChildConsent,
    RegistryConsentMethod,
    RiskLevel,
    SurvivorIdentity,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.registry import actions as registry_actions
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to
from amparo.registry.regions import office_region


@transaction.atomic
def open_walk_in_case(
    *,
    actor: User,
    identity: Mapping,
    risk_level: str,
    type: str = CaseType.GBV,
    summary: str = "",
    psea_related: bool = False,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a GBV (or PSEA-related) case for a survivor who is not in the registry.

    Requires `cases.manage` and `cases.gbv` (404 otherwise) and a place on the GBV team of the
    actor's office. `identity` has the registry's identity fields (`IDENTITY_KEYS`, or `age`
    for the date of birth): only a given name is required, the rest is checked when given.
    Raises ActionError with every problem; nothing is written then. Side effects: audit
    `cases.case.opened` (walk_in: true; no identity in the event).
    """
    access.require(actor, "cases.manage")
    access.require(actor, "cases.gbv")
    errors = Errors()
    if type not in CaseType.values:
        errors.add("type", _("Choose a case type."))
    elif type != CaseType.GBV and not psea_related:
        errors.add(
            "type",
            _(
                "A case for someone who is not in the registry is a GBV case or related to "
                "sexual exploitation or abuse."
            ),
        )
    if risk_level not in RiskLevel.values:
        errors.add("risk_level", _("Choose a risk level."))
    office = actor.office
    if office is None:
        raise ActionError.general(_("Your account has no office: ask an administrator."))
    cleaned = registry_actions.clean_identity(
        identity, region=office_region(office), today=timezone.localdate(), errors=errors
    )
    errors.raise_if_any()
    case = _new_case(
        actor=actor,
        type=type,
        risk_level=risk_level,
        summary=summary,
        psea_related=psea_related,
        opened_on=opened_on,
        household_id=None,
    )
    SurvivorIdentity.objects.create(case=case, details=json.dumps(cleaned, ensure_ascii=False))
    audit.record(
        actor=actor,
        action="cases.case.opened",
        target=case,
        request=request,
        details={"type": type, "risk_level": risk_level, "people": 0, "walk_in": True},
    )
    return case


def _walk_in_record(actor: User, case: Case) -> tuple[Case, SurvivorIdentity]:
    case = _check_team(actor, case, "cases.gbv")
    if not case.is_walk_in:
        raise ActionError.general(_("The people of this case are already in the registry."))
    return case, SurvivorIdentity.objects.select_for_update().get(case=case)


@transaction.atomic
def change_survivor_identity(
    *, actor: User, case: Case, identity: Mapping, request: HttpRequest | None = None
) -> dict:
    """Correct what the case knows of a walk-in survivor (the GBV team of the case only).
    Side effects: audit `cases.survivor.changed` with the names of the fields changed."""
    case, record = _walk_in_record(actor, case)
    errors = Errors()
    cleaned = registry_actions.clean_identity(
        identity, region=office_region(case.office), today=timezone.localdate(), errors=errors
    )
    errors.raise_if_any()
    before = json.loads(record.details or "{}")
    changed = sorted(k for k in cleaned if before.get(k) != cleaned[k])
    record.details = json.dumps(cleaned, ensure_ascii=False)
    record.save(update_fields=["details", "updated_at"])
    audit.record(
        actor=actor, action="cases.survivor.changed", target=case, fields=changed, request=request
    )
    return cleaned


def _check_consent(method: str, consent_date: date | None) -> None:
    errors = Errors()
    if method not in RegistryConsentMethod.values:
        errors.add("consent_method", _("Say how the survivor agreed to be registered."))
    if not isinstance(consent_date, date):
        errors.add("consent_date", _("Enter the date the survivor agreed."))
    elif consent_date > timezone.localdate():
        errors.add("consent_date", _("This date is in the future."))
    errors.raise_if_any()


def _link(
    actor: User,
    case: Case,
    record: SurvivorIdentity,
    person: Individual,
    method: str,
    consent_date: date,
) -> None:
    case.household_id = person.household_id
    case.save(update_fields=["household", "updated_at"])
    case.individuals.set([person])
    # A child's consent (and why an adolescent could not give it) recorded while the child was
    # a walk-in is theirs: it follows their record.
    ChildConsent.objects.filter(case=case, individual__isnull=True).update(individual=person)
    AdolescentIncapacity.objects.filter(case=case, individual__isnull=True).update(
        individual=person
    )
    record.details = ""  # the registry holds who they are now
    record.registry_consent_method, record.registry_consent_date = method, consent_date
    record.registered_by, record.registered_at = actor, timezone.now()
    record.save()


@transaction.atomic
def register_survivor(
    *,
    actor: User,
    case: Case,
    data: Mapping,
    consent_method: str,
    consent_date: date | None,
    duplicate_reason: str = "",
    request: HttpRequest | None = None,
) -> Individual:
    """The survivor agreed to a registry record: register them (head of a household of their
    own, at the case's office) and link the case to the record; the case's copy of their
    identity is emptied.

    The GBV team of the case only (404 otherwise; `cases.gbv` stands in for
    `registry.register`, which GBV specialists do not hold). Runs the registry's duplicate
    check: raises `registry.actions.DuplicatesSuspected` unless `duplicate_reason` is given
    (or link the case to the person found with `link_survivor`). Raises ActionError with the
    registry's messages otherwise; nothing is written then. Side effects: the registry's audit
    events, and `cases.survivor.registered`.
    """
    case, record = _walk_in_record(actor, case)
    _check_consent(consent_method, consent_date)
    assert consent_date is not None  # noqa: S101 - checked just above, for the type checker
    person = registry_actions.register_individual(
        actor=actor,
        office=case.office,
        data=data,
        permission="cases.gbv",
        check_duplicates=True,
        duplicate_reason=duplicate_reason,
        request=request,
    )
    _link(actor, case, record, person, consent_method, consent_date)
    audit.record(
        actor=actor,
        action="cases.survivor.registered",
        target=case,
        fields=["household", "individuals"],
        request=request,
        details={"individual": str(person.uuid), "consent_method": consent_method},
    )
    return person


@transaction.atomic
def link_survivor(
    *,
    actor: User,
    case: Case,
    individual: Individual,
    consent_method: str,
    consent_date: date | None,
    request: HttpRequest | None = None,
) -> Individual:
    """The survivor agreed, and the duplicate check found them already registered: link the
    case to that record (one the actor may see) instead of registering them twice.
    Side effects: audit `cases.survivor.linked`."""
    case, record = _walk_in_record(actor, case)
    _check_consent(consent_method, consent_date)
    assert consent_date is not None  # noqa: S101 - checked just above, for the type checker
    if not individuals_visible_to(actor).filter(pk=individual.pk).exists():
        raise ActionError.on("individual", _("Choose a person of your registry."))
    _link(actor, case, record, individual, consent_method, consent_date)
    audit.record(
        actor=actor,
        action="cases.survivor.linked",
        target=case,
        fields=["household", "individuals"],
        request=request,
        details={"individual": str(individual.uuid), "consent_method": consent_method},
    )
    return individual
