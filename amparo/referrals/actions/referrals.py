"""Every write to referrals. One transaction each; the audit event in the same function.

A referral carries only what the sender chose to share, copied when it is sent, and only with
the person's consent for that recipient and purpose. The recipient moves it through its states;
for an agency without accounts in Amparo the sender records the answer on its behalf.
"""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases.models import Case, GBVService, ServiceType
from amparo.cases.queries import cases_visible_to, survivor_age, survivor_name, survivor_of
from amparo.core import access, audit, references
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.referrals import queries
from amparo.referrals.models import (
    RESPONSE_SLA,
    SHAREABLE_FIELDS,
    STATE_RULES,
    Referral,
    ReferralState,
    Service,
    Urgency,
)
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

# Which GBVIMS referral consent a service type needs, for survivors of a recorded incident.
# Keyed by the stored service type, a plain str.
GBV_CONSENT_FOR: dict[str, GBVService] = {
    ServiceType.HEALTH: GBVService.HEALTH,
    ServiceType.PSYCHOSOCIAL: GBVService.PSYCHOSOCIAL,
    ServiceType.SHELTER: GBVService.SAFE_HOUSE,
    ServiceType.LEGAL: GBVService.LEGAL,
    ServiceType.JUSTICE: GBVService.LEGAL,
    ServiceType.POLICE: GBVService.POLICE,
    ServiceType.LIVELIHOODS: GBVService.LIVELIHOODS,
}
PERSON_FIELDS = ("name", "sex", "age", "nationality", "phone", "document", "languages")


def shared_data(referral: Referral) -> dict:
    """What the recipient may see about the person (decrypted)."""
    return json.loads(referral.shared_data or "{}")


def _about(person: Individual, fields: list[str]) -> dict:
    today = timezone.localdate()
    born = person.date_of_birth
    values = {
        "name": person.full_name,
        "sex": person.sex,
        "age": today.year - born.year - ((today.month, today.day) < (born.month, born.day)),
        "nationality": person.nationality,
        "phone": person.phone,
        "document": " ".join(
            f"{d.get_type_display()} {d.number}" for d in person.documents.order_by("id")[:1]
        ),
        "languages": ", ".join(person.languages or []),
    }
    return {f: values[f] for f in fields if values.get(f) not in ("", None)}


def _about_survivor(case: Case, fields: list[str]) -> dict:
    """The chosen fields of a walk-in case's survivor, from the identity the case keeps."""
    identity = survivor_of(case) or {}
    values = {
        "name": survivor_name(identity),
        "sex": identity.get("sex", ""),
        "age": survivor_age(identity),
        "nationality": identity.get("nationality", ""),
        "phone": identity.get("phone", ""),
        "document": "",  # a walk-in survivor's case records no document
        "languages": ", ".join(identity.get("languages") or []),
    }
    return {f: values[f] for f in fields if values.get(f) not in ("", None)}


def _check_consent(consent: bool, method: str, consent_date, service: Service) -> None:
    if not consent:
        raise ActionError.on(
            "consent",
            _(
                "There is no recorded consent to share this person's information with "
                "%(provider)s for “%(service)s”. The referral was not sent."
            )
            % {"provider": service.provider.name, "service": service.name},
        )
    if method not in Referral.ConsentMethod.values:
        raise ActionError.on("consent_method", _("Say how the person gave consent."))
    if not isinstance(consent_date, date) or consent_date > timezone.localdate():
        raise ActionError.on(
            "consent_date", _("Enter the date consent was given (not in the future).")
        )


def _check_gbv_consent(case: Case, service: Service) -> None:
    incident = case.incidents.order_by("-report_date", "-id").first()
    needed = GBV_CONSENT_FOR.get(service.type)
    if incident is not None and needed and needed not in incident.referral_consent:
        raise ActionError.on(
            "consent",
            _(
                "The survivor did not consent to referrals for “%(kind)s” (see the incident "
                "record). The referral was not sent."
            )
            % {"kind": GBVService(needed).label},
        )


@transaction.atomic
def send_referral(
    *,
    actor: User,
    service: Service,
    urgency: str,
    reason: str,
    shared_fields: list[str],
    consent: bool,
    consent_method: str,
    consent_date: date,
    case: Case | None = None,
    individual: Individual | None = None,
    person: dict | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer a person (registered, the walk-in survivor of `case` — whose identity the case
    keeps — or described in `person` by a partner without a registry) to a service of the
    directory."""
    access.require(actor, "referrals.manage")
    organization = actor.organization
    if organization is None:
        raise ActionError.general(_("Your account belongs to no organization."))
    if not queries.services_visible_to(actor).filter(pk=service.pk, is_active=True).exists():
        raise ActionError.on("service", _("Choose a service from your directory."))
    if urgency not in Urgency.values:
        raise ActionError.on("urgency", _("Choose how urgent it is."))
    reason = (reason or "").strip()
    if not reason:
        raise ActionError.on("reason", _("Say why you refer the person."))
    if len(reason) > 5000:
        raise ActionError.on("reason", _("Keep this under %(max)d characters.") % {"max": 5000})
    unknown = set(shared_fields) - SHAREABLE_FIELDS.keys()
    if unknown:
        raise ActionError.on("shared_fields", _("Choose the information to share from the list."))
    if case is not None:
        if not cases_visible_to(actor).filter(pk=case.pk).exists():
            raise Http404
        if case.is_closed:
            raise ActionError.general(_("This case is closed. Reopen it first."))
        if case.is_walk_in:
            if individual is not None:
                raise ActionError.on("individual", _("Choose a person of this case."))
        elif individual is None or not case.individuals.filter(pk=individual.pk).exists():
            raise ActionError.on("individual", _("Choose a person of this case."))
    if case is not None and case.is_walk_in:
        data = _about_survivor(case, list(shared_fields))
    elif individual is not None:
        if case is None and not individuals_visible_to(actor).filter(pk=individual.pk).exists():
            raise Http404
        data = _about(individual, list(shared_fields))
    else:
        if not person or not (person.get("name") or "").strip():
            raise ActionError.on("individual", _("Choose the person you refer."))
        data = {f: str(person[f]).strip()[:200] for f in PERSON_FIELDS if person.get(f)}
        shared_fields = sorted(data)
    _check_consent(consent, consent_method, consent_date, service)
    if case is not None and case.restricted:
        _check_gbv_consent(case, service)
    now = timezone.now()
    code = actor.office.code if actor.office else organization.code
    referral = Referral.objects.create(
        reference=references.office_year(
            organization_id=organization.pk,
            lead="R",
            office_code=code,
            year=timezone.localdate().year,
            digits=5,
        )[0],
        from_organization=organization,
        from_office=actor.office,
        sent_by=actor,
        case=case,
        individual=individual,
        service=service,
        to_organization_id=service.provider.agency_id,
        urgency=urgency,
        reason=reason,
        shared_fields=sorted(shared_fields),
        shared_data=json.dumps(data, ensure_ascii=False),
        consent_method=consent_method,
        consent_date=consent_date,
        sent_at=now,
        respond_by=now + RESPONSE_SLA[Urgency(urgency)],
    )
    audit.record(
        actor=actor,
        action="referrals.referral.sent",
        target=referral,
        request=request,
        details={
            "urgency": urgency,
            "service_type": service.type,
            "shared_fields": sorted(shared_fields),
            "to": service.provider.agency.code if service.provider.agency else "",
        },
    )
    return referral


def can_answer(actor: User, referral: Referral) -> bool:
    """The recipient agency answers; for an agency without accounts, the sender records it."""
    if referral.to_organization_id is None:
        return access.can(actor, "referrals.manage") and (
            queries.outgoing_for(actor).filter(pk=referral.pk).exists()
        )
    return queries.incoming_for(actor).filter(pk=referral.pk).exists()


@transaction.atomic
def move(
    *,
    actor: User,
    referral: Referral,
    to_state: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Record receipt, acceptance or refusal (with a reason), or the outcome: what the target
    state's row in `STATE_RULES` says, nothing else."""
    if not queries.referrals_visible_to(actor).filter(pk=referral.pk).exists():
        raise Http404
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not can_answer(actor, referral):
        raise ActionError.general(_("Only the receiving agency can answer this referral."))
    if to_state not in ReferralState.values:
        raise ActionError.on("state", _("Choose a state from the list."))
    current, target = ReferralState(referral.state), ReferralState(to_state)
    if target not in STATE_RULES[current].follows:
        raise ActionError.on(
            "state",
            _("A referral that is “%(current)s” cannot become “%(target)s”.")
            % {"current": current.label, "target": target.label},
        )
    rule = STATE_RULES[target]
    note = (note or "").strip()[:2000]
    if rule.missing_note and not note:
        raise ActionError.on("note", str(rule.missing_note))
    writes = rule.writes(by=actor, note=note, now=timezone.now())
    for field, value in writes.items():
        setattr(referral, field, value)
    referral.state = target
    referral.save(update_fields=["state", *writes])
    # The sender's trail, and the recipient's organization keeps its own too.
    for organization_id in dict.fromkeys([referral.from_organization_id, actor.organization_id]):
        audit.record(
            actor=actor,
            action=f"referrals.referral.{target}",
            target=referral,
            fields=["state"],
            request=request,
            organization_id=organization_id,
            details={"from": current.value},
        )
    return referral
