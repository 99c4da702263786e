"""Every write to referrals. One transaction each; the audit event in the same function.

A referral carries only what the sender chose to share, copied when it is sent, and only with
the person's consent for that recipient and purpose. The recipient moves it through its states;
for an agency without accounts in Amparo the sender records the answer on its behalf. While it
is open the sender may withdraw it; when the person withdraws consent, so does her caseworker
for the whole onward chain.
"""

from __future__ import annotations

import json
from datetime import date

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amparo.cases import actions as case_actions
from amparo.cases import queries as case_queries
from amparo.cases.consent import GBV_CONSENT_FOR, giver_problem, is_child
from amparo.cases.models import (
    Case,
    CaseType,
    ConsentPurpose,
    ConsentWithdrawal,
    ConsentWithdrawer,
    GBVService,
    ServiceOutcome,
    ServiceType,
)
from amparo.cases.queries import cases_visible_to, survivor_age, survivor_name, survivor_of
from amparo.core import access, audit, names, references
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.referrals import queries
from amparo.referrals.models import (
    OPEN_STATES,
    RESPONSE_SLA,
    SENDER,
    SHAREABLE_FIELDS,
    STATE_RULES,
    Referral,
    ReferralState,
    Service,
    StateRule,
    Urgency,
    WithdrawReason,
)
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

# Only a restricted case's referral may carry these (the case code, the safe-contact
# instructions); its default shares the case code alone, not her name.
CASE_FIELDS = ("case_code", "safe_contact")
MINIMUM_GBV_FIELDS = ["case_code"]
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


def _about_case(case: Case, fields: list[str]) -> dict:
    """The case code and, when chosen, the safe-contact instructions."""
    values: dict[str, object] = {"case_code": case.reference}
    safety = case_queries.safety_of(case) if "safe_contact" in fields else None
    if safety is not None:
        lines = []
        if safety.may_call is not None:
            lines.append(_("May be called") if safety.may_call else _("Do not call"))
        if safety.may_leave_message is not None:
            lines.append(
                _("A message may be left") if safety.may_leave_message else _("Leave no message")
            )
        if safety.safe_contact:
            lines.append(safety.safe_contact)
        values["safe_contact"] = ". ".join(str(line) for line in lines)
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


def _sender_country(actor: User) -> str:
    """The country code the referring office (or, without one, the organization) works in."""
    area = actor.office.area if actor.office is not None else None
    if area is not None:
        return area.country_code
    country = actor.organization.country if actor.organization is not None else None
    return country.code if country is not None else ""


def _check_cross_border(actor: User, service: Service, consent: bool) -> bool:
    """Whether the referral leaves the sender's country (a provider abroad, such as the
    Colombian Red Cross across the border); then the person's explicit consent to her
    information going to another country is required."""
    country = service.provider.country
    home = _sender_country(actor)
    if country is None or not home or country.code.upper() == home.upper():
        return False
    if not consent:
        raise ActionError.on(
            "cross_border_consent",
            _(
                "%(provider)s works in %(country)s: record that the person agrees that their "
                "information goes to another country. The referral was not sent."
            )
            % {"provider": service.provider.name, "country": names.country_name(country.code)},
        )
    return True


def _refused(message: str) -> ActionError:
    return ActionError.on("consent", message + " " + _("The referral was not sent."))


def _withdrawn_message(withdrawal, service_type: str) -> str:
    return _(
        "%(who)s withdrew consent to referrals for “%(kind)s” on %(date)s. Record that "
        "consent was given again on the case before referring."
    ) % {
        "who": ConsentWithdrawer(withdrawal.withdrawn_by).label,
        "kind": withdrawal.scope_display
        if withdrawal.service
        else GBVService(GBV_CONSENT_FOR[service_type]).label,
        "date": date_format(withdrawal.withdrawn_on),
    }


def _check_gbv_consent(
    case: Case, individual: Individual | None, service: Service, consent_method: str
) -> None:
    """What a restricted case's survivor agreed to: the service's consent in every incident
    (a later withdrawal wins, and so does an earlier refusal nobody asked again about), no
    recorded decline of that kind of service, and for a child a valid consent for referrals."""
    needed = GBV_CONSENT_FOR[service.type]
    incidents = list(case.incidents.order_by("incident_date", "id"))
    if case.type == CaseType.GBV and not incidents:
        raise _refused(
            _("Record the incident first, with the services the survivor agrees to be referred to.")
        )
    if any(needed not in incident.referral_consent for incident in incidents):
        raise _refused(
            _(
                "The survivor did not consent to referrals for “%(kind)s” in every incident of "
                "this case (see the incident records)."
            )
            % {"kind": GBVService(needed).label}
        )
    withdrawal = case_queries.withdrawal_covering(case, service.type)
    if withdrawal is not None:
        raise _refused(_withdrawn_message(withdrawal, service.type))
    decision = case_queries.service_decisions_of(case).filter(service_type=service.type).first()
    if decision is not None and decision.outcome == ServiceOutcome.DECLINED:
        raise _refused(
            _("The survivor declined referrals for “%(kind)s” on %(date)s.")
            % {
                "kind": decision.get_service_type_display(),
                "date": date_format(decision.decided_on),
            }
        )
    caregiver_perpetrator = case_queries.perpetrator_is_caregiver(case)
    if consent_method == Referral.ConsentMethod.GUARDIAN and caregiver_perpetrator:
        raise _refused(
            _(
                "The alleged perpetrator is the survivor's primary caregiver: consent given by a "
                "parent or guardian is not valid."
            )
        )
    age = case_queries.survivor_age_in(case, individual)
    if not is_child(age):
        return
    record = case_queries.child_consent_for(case, None if case.is_walk_in else individual)
    if record is None or ConsentPurpose.REFERRALS not in record.purposes:
        raise _refused(
            _(
                "The survivor is a child: record the child's consent to referrals first (the "
                "caregiver's with the child's assent, the adolescent's own, or a supervisor's "
                "best-interests decision)."
            )
        )
    problem = giver_problem(
        age=age,  # type: ignore[arg-type]
        given_by=record.given_by,
        child_assent=record.child_assent,
        perpetrator_is_caregiver=caregiver_perpetrator,
        unable=record.incapacity_id is not None,
        caregiver_in_interest=record.caregiver_in_interest,
    )
    if problem:
        raise _refused(problem)


def _consented_types(case: Case | None, service: Service) -> list[str]:
    """The service types the person agreed to be referred to, as this referral records them
    (what an onward referral may go to without asking her again): for a restricted case, every
    type whose GBVIMS consent she gave in every incident and did not decline since; otherwise
    the type of the service she is referred to now (her consent was for this referral)."""
    if case is None or not case.restricted:
        return [service.type]
    incidents = list(case.incidents.all())
    declined = set(
        case_queries.service_decisions_of(case)
        .filter(outcome=ServiceOutcome.DECLINED)
        .values_list("service_type", flat=True)
    )
    return sorted(
        kind
        for kind, needed in GBV_CONSENT_FOR.items()
        if kind not in declined
        and case_queries.withdrawal_covering(case, kind) is None
        and (kind == service.type or all(needed in i.referral_consent for i in incidents))
    )


def _check_no_restricted_case(actor: User, individual: Individual) -> None:
    """A person with an open restricted case that `actor` works on is referred from that case,
    where her consent is recorded. For anyone else nothing is said (so nothing leaks): their
    referral carries only the registry fields the person agreed to share with them, and
    nothing from the case."""
    restricted = case_queries.open_restricted_cases_of(actor, individual).first()
    if restricted is not None:
        raise ActionError.on(
            "individual",
            _(
                "This person has a restricted case (%(reference)s): refer them from that case, "
                "where their consent is recorded."
            )
            % {"reference": restricted.reference},
        )


def _create(
    actor: User,
    organization,
    service: Service,
    *,
    urgency: str,
    reason: str,
    data: dict,
    **fields,
) -> Referral:
    """A new referral from the actor's office: its reference, sender, recipient, the shared
    data (encrypted by the field) and the answer due by its urgency. Send and refer onward
    both write through here."""
    now = timezone.now()
    code = actor.office.code if actor.office else organization.code
    return Referral.objects.create(
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
        service=service,
        to_organization_id=service.provider.agency_id,
        urgency=urgency,
        reason=reason,
        shared_data=json.dumps(data, ensure_ascii=False),
        sent_at=now,
        respond_by=now + RESPONSE_SLA[Urgency(urgency)],
        **fields,
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
    cross_border_consent: bool = False,
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
    restricted = case is not None and case.restricted
    if not restricted:
        unknown |= set(shared_fields) & set(CASE_FIELDS)
    if unknown:
        raise ActionError.on("shared_fields", _("Choose the information to share from the list."))
    if restricted and not {"name", "case_code"} & set(shared_fields):
        shared_fields = [*shared_fields, *MINIMUM_GBV_FIELDS]  # she can be told apart
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
        if not restricted:
            _check_no_restricted_case(actor, individual)
        data = _about(individual, list(shared_fields))
    else:
        if not person or not (person.get("name") or "").strip():
            raise ActionError.on("individual", _("Choose the person you refer."))
        data = {f: str(person[f]).strip()[:200] for f in PERSON_FIELDS if person.get(f)}
        shared_fields = sorted(data)
    if restricted:
        data |= _about_case(case, list(shared_fields))  # type: ignore[arg-type]
    _check_consent(consent, consent_method, consent_date, service)
    if restricted:
        _check_gbv_consent(case, individual, service, consent_method)  # type: ignore[arg-type]
    abroad = _check_cross_border(actor, service, cross_border_consent)
    referral = _create(
        actor,
        organization,
        service,
        urgency=urgency,
        reason=reason,
        data=data,
        shared_fields=sorted(shared_fields),
        case=case,
        individual=individual,
        consent_method=consent_method,
        consent_date=consent_date,
        consented_types=_consented_types(case, service),
        cross_border_consent=abroad,
    )
    if restricted:  # the IRF's answer for this service, on the case
        case_actions.record_service_decision(
            actor=actor,
            case=case,  # type: ignore[arg-type]
            service_type=service.type,
            outcome=ServiceOutcome.REFERRED,
            decided_on=timezone.localdate(),
            request=request,
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


# A referral may be sent on once its recipient took it on.
ONWARD_FROM = (ReferralState.ACCEPTED, ReferralState.SERVICE_GIVEN)


def can_refer_onward(actor: User, referral: Referral) -> bool:
    """Whether `actor`'s agency received `referral`, accepted it, and may refer the person on."""
    return (
        access.can(actor, "referrals.manage")
        and referral.state in ONWARD_FROM
        and referral.to_organization_id is not None
        and queries.incoming_for(actor).filter(pk=referral.pk).exists()
    )


def _case_of(referral: Referral) -> Case | None:
    """The case the first referral of a chain was sent from (None for a person referred
    without one)."""
    while referral.case_id is None and referral.parent_id is not None:
        referral = referral.parent  # type: ignore[assignment]
    return referral.case


@transaction.atomic
def refer_onward(
    *,
    actor: User,
    parent: Referral,
    service: Service,
    urgency: str,
    reason: str,
    shared_fields: list[str],
    consent: bool = False,
    consent_method: str = "",
    consent_date: date | None = None,
    cross_border_consent: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the person of a referral the actor's agency received on to another service
    (hospital → prosecutor), linked to it as `parent`, within the consent it carried.

    The onward referral shares only fields `parent` shared, copied from what `parent` shared
    (the partner never reads more). Its service's type must be one the person agreed to when
    `parent` was sent (`consented_types`); otherwise the partner records her new consent
    (`consent`, method and date), which then travels on with it.

    Side effects: audit `referrals.referral.referred_on` on the new referral (the partner's trail)
    and on `parent` (the sender's, who sees the chain on the referral's page).
    """
    access.require(actor, "referrals.manage")
    if not queries.incoming_for(actor).filter(pk=parent.pk).exists():
        raise Http404
    organization = actor.organization
    if organization is None:
        raise ActionError.general(_("Your account belongs to no organization."))
    parent = Referral.objects.select_for_update().get(pk=parent.pk)
    if parent.state not in ONWARD_FROM:
        raise ActionError.general(_("Accept the referral before you refer the person on."))
    if not queries.services_visible_to(actor).filter(pk=service.pk, is_active=True).exists():
        raise ActionError.on("service", _("Choose a service from your directory."))
    if urgency not in Urgency.values:
        raise ActionError.on("urgency", _("Choose how urgent it is."))
    reason = (reason or "").strip()
    if not reason:
        raise ActionError.on("reason", _("Say why you refer the person."))
    if len(reason) > 5000:
        raise ActionError.on("reason", _("Keep this under %(max)d characters.") % {"max": 5000})
    beyond = set(shared_fields) - set(parent.shared_fields)
    if beyond:
        raise ActionError.on(
            "shared_fields",
            _("An onward referral shares only what the first referral shared with you: %(fields)s.")
            % {"fields": ", ".join(str(SHAREABLE_FIELDS[f]) for f in parent.shared_fields)},
        )
    case = _case_of(parent)
    withdrawal = case_queries.withdrawal_covering(case, service.type) if case else None
    if withdrawal is not None:
        raise _refused(_withdrawn_message(withdrawal, service.type))
    consented = list(parent.consented_types)
    if service.type not in consented:
        if not consent:
            raise _refused(
                _(
                    "The person agreed to be referred for “%(kind)s” only when this referral "
                    "was sent. Record their consent to be referred for “%(wanted)s”."
                )
                % {
                    "kind": ", ".join(str(ServiceType(t).label) for t in consented) or "—",
                    "wanted": ServiceType(service.type).label,
                }
            )
        _check_consent(consent, consent_method, consent_date, service)
        consented.append(service.type)
    else:  # her consent travels with the referral
        consent_method, consent_date = parent.consent_method, parent.consent_date
    given_on: date = consent_date  # type: ignore[assignment]  # checked above
    abroad = _check_cross_border(actor, service, cross_border_consent)
    data = {k: v for k, v in shared_data(parent).items() if k in shared_fields}
    referral = _create(
        actor,
        organization,
        service,
        urgency=urgency,
        reason=reason,
        data=data,
        shared_fields=sorted(data),
        parent=parent,
        consent_method=consent_method,
        consent_date=given_on,
        consented_types=sorted(consented),
        cross_border_consent=abroad,
    )
    details = {
        "urgency": urgency,
        "service_type": service.type,
        "shared_fields": sorted(data),
        "new_consent": service.type not in parent.consented_types,
        "to": service.provider.agency.code if service.provider.agency else "",
    }
    audit.record(
        actor=actor,
        action="referrals.referral.referred_on",
        target=referral,
        request=request,
        details=details,
    )
    audit.record(
        actor=actor,
        action="referrals.referral.referred_on",
        target=parent,
        request=request,
        organization_id=parent.from_organization_id,
        details=details,
    )
    return referral


def can_answer(actor: User, referral: Referral) -> bool:
    """The recipient agency answers; for an agency without accounts, the sender records it."""
    if referral.to_organization_id is None:
        return access.can(actor, "referrals.manage") and (
            queries.outgoing_for(actor).filter(pk=referral.pk).exists()
        )
    return queries.incoming_for(actor).filter(pk=referral.pk).exists()


def can_withdraw(actor: User, referral: Referral) -> bool:
    """The sending side withdraws: users of the sender organization who may send referrals
    and see this one as its sender (for a restricted case, the case's GBV team)."""
    return (
        access.can(actor, "referrals.manage")
        and queries.outgoing_for(actor).filter(pk=referral.pk).exists()
    )


def _may_move(actor: User, referral: Referral, rule: StateRule | None) -> None:
    if rule is not None and rule.mover == SENDER:
        if not can_withdraw(actor, referral):
            raise Http404  # the recipient, as anyone out of scope
    elif not can_answer(actor, referral):
        raise ActionError.general(_("Only the receiving agency can answer this referral."))


@transaction.atomic
def move(
    *,
    actor: User,
    referral: Referral,
    to_state: str,
    note: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Record receipt, acceptance or refusal (with a reason), the outcome, or the sender's
    withdrawal (with a reason from `WithdrawReason`): what the target state's row in
    `STATE_RULES` says, nothing else. The row's `mover` says which side may make the move.

    Side effects: audit `referrals.referral.<state>` for the sender's organization, the
    actor's and the recipient's. A move whose reason is in the row's `down_the_chain` (a
    withdrawal because the person withdrew consent) moves the open onward referrals that
    followed too, whoever sent them on: her consent was what they were sent with."""
    if not queries.referrals_visible_to(actor).filter(pk=referral.pk).exists():
        raise Http404
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    target = ReferralState(to_state) if to_state in ReferralState.values else None
    _may_move(actor, referral, STATE_RULES[target] if target else None)
    if target is None:
        raise ActionError.on("state", _("Choose a state from the list."))
    current, rule = ReferralState(referral.state), STATE_RULES[target]
    if target not in STATE_RULES[current].follows:
        raise ActionError.on(
            "state",
            _("A referral that is “%(current)s” cannot become “%(target)s”.")
            % {"current": current.label, "target": target.label},
        )
    note, reason = (note or "").strip()[:2000], reason or ""
    errors = Errors()
    if rule.reasons is not None and reason not in rule.reasons.values:
        errors.add("reason", str(rule.missing_reason))
    elif rule.reasons is None:
        reason = ""
    if rule.needs_note(reason) and not note:
        errors.add("note", str(rule.missing_note))
    errors.raise_if_any()
    referral = _write_move(actor, referral, target, note=note, reason=reason, request=request)
    if reason in rule.down_the_chain:
        for link in queries.onward_links(referral):
            if link.state in OPEN_STATES:
                _write_move(actor, link, target, note="", reason=reason, request=request)
    return referral


def _write_move(
    actor: User,
    referral: Referral,
    target: ReferralState,
    *,
    note: str,
    reason: str,
    request: HttpRequest | None,
) -> Referral:
    """Write one checked move and its audit events (the sender's trail, the actor's
    organization's and the recipient's: each keeps its own)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    current = ReferralState(referral.state)
    writes = STATE_RULES[target].writes(by=actor, note=note, now=timezone.now(), reason=reason)
    for field, value in writes.items():
        setattr(referral, field, value)
    referral.state = target
    referral.save(update_fields=["state", *writes])
    details = {"from": current.value, **({"reason": reason} if reason else {})}
    organizations = [
        referral.from_organization_id,
        actor.organization_id,
        referral.to_organization_id,
    ]
    for organization_id in dict.fromkeys(o for o in organizations if o is not None):
        audit.record(
            actor=actor,
            action=f"referrals.referral.{target}",
            target=referral,
            fields=["state"],
            request=request,
            organization_id=organization_id,
            details=details,
        )
    return referral


@transaction.atomic
def withdraw_referral(
    *,
    actor: User,
    referral: Referral,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """The sending side withdraws a referral that is still open (sent, received or accepted),
    with a reason (`WithdrawReason`; "other" needs the note). Final; the recipient's answer is
    no longer awaited, and it reads "withdrawn by the sender". Only the sending side:
    anyone else, the recipient included, gets 404.

    Side effects: as `move` (audit `referrals.referral.withdrawn`); because the person
    withdrew consent, the open onward referrals that followed are withdrawn too."""
    return move(
        actor=actor,
        referral=referral,
        to_state=ReferralState.WITHDRAWN,
        reason=reason,
        note=note,
        request=request,
    )


def _covered(withdrawal: ConsentWithdrawal, service_type: str) -> bool:
    return not withdrawal.service or GBV_CONSENT_FOR.get(service_type) == withdrawal.service


def withdraw_for_consent(
    *,
    actor: User,
    case: Case,
    withdrawal: ConsentWithdrawal,
    request: HttpRequest | None = None,
) -> list[Referral]:
    """Withdraw, because the person withdrew consent, every open referral of `case` that
    `withdrawal` covers, with the open onward referrals that followed them, and any open
    onward referral of their chains whose own service it covers. Called by
    `cases.actions.withdraw_consent` inside its transaction (registered in `apps.py`).

    The partners that referred her on are the senders of those onward referrals, yet the
    caseworker withdraws them: the consent they were sent with is hers, recorded on the case,
    and she took it back. Each partner sees it in its lists and in its audit trail.

    Returns the referrals withdrawn, each case referral before its onward ones."""
    withdrawn: list[Referral] = []
    for first in queries.sent_from_case(actor, case):
        reached: set[int] = set()  # withdrawn, or followed one that is
        for referral in [first, *getattr(first, "chain", [])]:
            if referral.parent_id in reached:
                reached.add(referral.pk)
            if referral.state in OPEN_STATES and (
                referral.pk in reached or _covered(withdrawal, referral.service.type)
            ):
                done = _write_move(
                    actor,
                    referral,
                    ReferralState.WITHDRAWN,
                    note="",
                    reason=WithdrawReason.CONSENT,
                    request=request,
                )
                reached.add(referral.pk)
                withdrawn.append(done)
    return withdrawn
