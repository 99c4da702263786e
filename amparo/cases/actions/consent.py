"""Consent of child survivors, the survivor's decision on each service, mandatory reporting,
safe contact and the safety plan: records of a restricted case, written by its GBV team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from amparo.cases import queries
from amparo.cases.actions._checks import _check_not_future, _check_open, _check_team, _check_text
from amparo.cases.consent import giver_problem, is_child, may_be_unable
from amparo.cases.models import (
    AdolescentIncapacity,
    AdolescentUnable,
    CaregiverRelationship,
    CaregiverUnsuitable,
    Case,
    ChildConsent,
    ConsentGiver,
    ConsentManner,
    ConsentPurpose,
    ConsentWithdrawal,
    ConsentWithdrawer,
    GBVService,
    MandatoryReport,
    ServiceDecision,
    ServiceOutcome,
    ServiceType,
    SurvivorSafety,
)
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.registry.models import Individual

__all__ = [
    "record_adolescent_incapacity",
    "record_best_interests_decision",
    "record_child_consent",
    "record_mandatory_reporting",
    "record_safe_contact",
    "record_safety_plan",
    "record_service_decision",
    "renew_consent",
    "withdraw_consent",
    "withdraw_referrals_with",
]

# The referrals app sits above cases (which may not import it): it names, from its
# `AppConfig.ready`, the action that withdraws the referrals a withdrawal of consent covers
# (`referrals.actions.withdraw_for_consent`), so that both happen in one transaction.
_referrals_withdrawer: list[Callable[..., list]] = []


def withdraw_referrals_with(withdrawer: Callable[..., list]) -> None:
    """Register `withdrawer(actor=, case=, withdrawal=, request=)`: withdraws the open
    referrals of the case that the withdrawal covers, and returns them."""
    _referrals_withdrawer[:] = [withdrawer]


def _restricted_case(actor: User, case: Case) -> Case:
    case = _check_team(actor, case, "cases.gbv")
    if not case.restricted:
        raise ActionError.general(_("This is recorded on GBV cases."))
    _check_open(case)
    return case


def _child_of(case: Case, individual: Individual | None) -> int:
    """The child's age today; refuses a person outside the case, or an unknown age."""
    if case.is_walk_in:
        individual = None
    elif individual is None or not case.individuals.filter(pk=individual.pk).exists():
        raise ActionError.on("individual", _("Choose a person of this case."))
    age = queries.survivor_age_in(case, individual)
    if age is None:
        raise ActionError.on(
            "individual", _("Record the survivor's date of birth first: consent follows age.")
        )
    if not is_child(age):
        raise ActionError.on(
            "individual", _("The survivor is an adult and consents for themselves.")
        )
    return age


def _consent_values(data: dict, errors: Errors) -> dict:
    purposes = sorted(set(data.get("purposes") or []))
    if not purposes or set(purposes) - set(ConsentPurpose.values):
        errors.add("purposes", _("Choose what consent was given for."))
    if data.get("method") not in ConsentManner.values:
        errors.add("method", _("Say how consent was given."))
    given_on = data.get("given_on")
    if not isinstance(given_on, date):
        errors.add("given_on", _("Enter the date consent was given (not in the future)."))
    else:
        try:
            _check_not_future("given_on", given_on)
        except ActionError as exc:
            errors.add("given_on", exc.errors["given_on"][0])
    return {
        "purposes": purposes,
        "method": data.get("method"),
        "given_on": given_on,
        "child_assent": bool(data.get("child_assent")),
    }


def _incapacity(
    case: Case, individual: Individual | None, age: int, given_by: str
) -> AdolescentIncapacity | None:
    """The caseworker's newest record that this adolescent cannot consent, when someone other
    than the adolescent consents at an age where they normally would (else None)."""
    if given_by == ConsentGiver.SURVIVOR or not may_be_unable(age):
        return None
    return queries.adolescent_incapacity_for(case, None if case.is_walk_in else individual)


@transaction.atomic
def record_adolescent_incapacity(
    *,
    actor: User,
    case: Case,
    data: dict,
    individual: Individual | None = None,
    request: HttpRequest | None = None,
) -> AdolescentIncapacity:
    """Record why an adolescent of 15–17, who normally consents for themselves, cannot give
    informed consent now (no capacity at this moment, immediate danger…). Then, and only then,
    a caregiver who is not the alleged perpetrator and acts in their interest may consent for
    them, or a supervisor other than the caseworker takes a best-interests decision.

    Side effects: audit `cases.child_consent.adolescent_unable`."""
    case = _restricted_case(actor, case)
    age = _child_of(case, individual)
    if not may_be_unable(age):
        raise ActionError.on(
            "individual",
            _(
                "At %(age)d a child does not consent alone: record the caregiver's consent or "
                "a best-interests decision."
            )
            % {"age": age},
        )
    errors = Errors()
    why = data.get("why")
    if why not in AdolescentUnable.values:
        errors.add("why", _("Say why the adolescent cannot consent."))
    try:
        details = _check_text("details", data.get("details", ""), required=True)
    except ActionError as exc:
        errors.add("details", exc.errors["details"][0])
    noted_on = data.get("noted_on")
    if not isinstance(noted_on, date):
        errors.add("noted_on", _("Enter a date."))
    errors.raise_if_any()
    assert isinstance(noted_on, date)  # noqa: S101 (checked above; for the type checker)
    _check_not_future("noted_on", noted_on)
    record = AdolescentIncapacity.objects.create(
        case=case,
        individual=None if case.is_walk_in else individual,
        age=age,
        why=str(why),
        details=details,
        noted_on=noted_on,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="cases.child_consent.adolescent_unable",
        target=record,
        fields=["details"],
        request=request,
        organization_id=case.organization_id,
        details={"why": why},
    )
    return record


@transaction.atomic
def record_child_consent(
    *,
    actor: User,
    case: Case,
    data: dict,
    individual: Individual | None = None,
    request: HttpRequest | None = None,
) -> ChildConsent:
    """Record the consent of a child survivor (or their caregiver's, with their assent), checked
    against the age table in `cases.consent`. A caregiver's consent is refused when an incident
    names the primary caregiver as the alleged perpetrator: a supervisor's best-interests
    decision (`record_best_interests_decision`) replaces it.

    Side effects: audit `cases.child_consent.recorded`."""
    case = _restricted_case(actor, case)
    age = _child_of(case, individual)
    errors = Errors()
    values = _consent_values(data, errors)
    given_by = str(data.get("given_by") or "")
    relationship = data.get("caregiver_relationship") or ""
    if given_by not in (ConsentGiver.SURVIVOR, ConsentGiver.CAREGIVER):
        errors.add("given_by", _("Choose who gave consent."))
    elif given_by == ConsentGiver.CAREGIVER and relationship not in CaregiverRelationship.values:
        errors.add("caregiver_relationship", _("Say how the caregiver is related to the child."))
    errors.raise_if_any()
    incapacity = _incapacity(case, individual, age, given_by)
    in_interest = given_by == ConsentGiver.CAREGIVER and bool(data.get("caregiver_in_interest"))
    problem = giver_problem(
        age=age,
        given_by=given_by,
        child_assent=values["child_assent"],
        perpetrator_is_caregiver=queries.perpetrator_is_caregiver(case),
        unable=incapacity is not None,
        caregiver_in_interest=in_interest,
    )
    if problem:
        raise ActionError.on("given_by", problem)
    consent = ChildConsent.objects.create(
        case=case,
        individual=None if case.is_walk_in else individual,
        age=age,
        given_by=given_by,
        caregiver_relationship=relationship if given_by == ConsentGiver.CAREGIVER else "",
        incapacity=incapacity,
        caregiver_in_interest=in_interest,
        recorded_by=actor,
        **values,
    )
    audit.record(
        actor=actor,
        action="cases.child_consent.recorded",
        target=consent,
        request=request,
        organization_id=case.organization_id,
        details={"given_by": given_by, "purposes": values["purposes"]},
    )
    return consent


@transaction.atomic
def record_best_interests_decision(
    *,
    actor: User,
    case: Case,
    data: dict,
    individual: Individual | None = None,
    request: HttpRequest | None = None,
) -> ChildConsent:
    """A case supervisor decides, in the child's best interests, in place of a caregiver who is
    the alleged perpetrator, absent or acting against the child. The supervisor is not the
    case's caseworker; the reasons are required (encrypted).

    Side effects: audit `cases.child_consent.best_interests`."""
    access.require(actor, "cases.supervise")
    case = _restricted_case(actor, case)
    if actor.pk == case.owner_id:
        raise ActionError.general(
            _("A best-interests decision is taken by a supervisor other than the caseworker.")
        )
    age = _child_of(case, individual)
    errors = Errors()
    values = _consent_values(data, errors)
    if data.get("caregiver_unsuitable") not in CaregiverUnsuitable.values:
        errors.add("caregiver_unsuitable", _("Say why the caregiver cannot consent."))
    try:
        reason = _check_text("reason", data.get("reason", ""), required=True)
    except ActionError as exc:
        errors.add("reason", exc.errors["reason"][0])
    errors.raise_if_any()
    incapacity = _incapacity(case, individual, age, ConsentGiver.BEST_INTERESTS)
    problem = giver_problem(
        age=age,
        given_by=ConsentGiver.BEST_INTERESTS,
        child_assent=values["child_assent"],
        perpetrator_is_caregiver=False,
        unable=incapacity is not None,
    )
    if problem:
        raise ActionError.on("individual", problem)
    consent = ChildConsent.objects.create(
        case=case,
        individual=None if case.is_walk_in else individual,
        age=age,
        given_by=ConsentGiver.BEST_INTERESTS,
        caregiver_unsuitable=data["caregiver_unsuitable"],
        reason=reason,
        incapacity=incapacity,
        recorded_by=actor,
        **values,
    )
    audit.record(
        actor=actor,
        action="cases.child_consent.best_interests",
        target=consent,
        fields=["reason"],
        request=request,
        organization_id=case.organization_id,
        details={"caregiver": data["caregiver_unsuitable"], "purposes": values["purposes"]},
    )
    return consent


@transaction.atomic
def record_service_decision(
    *,
    actor: User,
    case: Case,
    service_type: str,
    outcome: str,
    decided_on: date,
    request: HttpRequest | None = None,
) -> ServiceDecision:
    """Record what became of one kind of service (GBVIMS: referred, declined by the survivor,
    unavailable…). A decline stops referrals to that kind of service.

    Side effects: audit `cases.service_decision.recorded`."""
    case = _restricted_case(actor, case)
    errors = Errors()
    if service_type not in ServiceType.values:
        errors.add("service_type", _("Choose a service from the list."))
    if outcome not in ServiceOutcome.values:
        errors.add("outcome", _("Choose a value from the list."))
    if not isinstance(decided_on, date):
        errors.add("decided_on", _("Enter a date."))
    errors.raise_if_any()
    _check_not_future("decided_on", decided_on)
    decision, _created = ServiceDecision.objects.update_or_create(
        case=case,
        service_type=service_type,
        defaults={"outcome": outcome, "decided_on": decided_on, "recorded_by": actor},
    )
    audit.record(
        actor=actor,
        action="cases.service_decision.recorded",
        target=decision,
        fields=["outcome", "decided_on"],
        request=request,
        organization_id=case.organization_id,
        details={"service_type": service_type, "outcome": outcome},
    )
    return decision


@transaction.atomic
def withdraw_consent(
    *,
    actor: User,
    case: Case,
    service: str,
    withdrawn_by: str,
    withdrawn_on: date,
    withdraw_referrals: bool = True,
    request: HttpRequest | None = None,
) -> ConsentWithdrawal:
    """The survivor (or the caregiver who consented for a child) withdraws consent to be
    referred: to every service (`service` "") or to one kind (a `GBVService`). The incident's
    consent and the child's consent stay as recorded; this new fact refuses every referral it
    covers until consent is given again (`renew_consent`).

    With `withdraw_referrals`, the open referrals it covers (and the onward referrals partners
    made from them) are withdrawn in the same transaction, and the partners see it; without,
    those still awaiting an answer are shown on the case page with a warning, and cannot be
    referred on.

    Side effects: audit `cases.consent.withdrawn`; `referrals.referral.withdrawn` for each
    referral withdrawn."""
    case = _restricted_case(actor, case)
    errors = Errors()
    if service and service not in GBVService.values:
        errors.add("service", _("Choose a service from the list."))
    if withdrawn_by not in ConsentWithdrawer.values:
        errors.add("withdrawn_by", _("Say who withdrew consent."))
    if not isinstance(withdrawn_on, date):
        errors.add("withdrawn_on", _("Enter a date."))
    errors.raise_if_any()
    _check_not_future("withdrawn_on", withdrawn_on)
    withdrawal = ConsentWithdrawal.objects.create(
        case=case,
        service=service,
        withdrawn_by=withdrawn_by,
        withdrawn_on=withdrawn_on,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="cases.consent.withdrawn",
        target=withdrawal,
        request=request,
        organization_id=case.organization_id,
        details={"service": service or "all", "by": withdrawn_by},
    )
    if withdraw_referrals and _referrals_withdrawer:
        _referrals_withdrawer[0](actor=actor, case=case, withdrawal=withdrawal, request=request)
    return withdrawal


@transaction.atomic
def renew_consent(
    *,
    actor: User,
    case: Case,
    withdrawal: ConsentWithdrawal,
    renewed_on: date,
    request: HttpRequest | None = None,
) -> ConsentWithdrawal:
    """The survivor (or caregiver) gives again the consent they had withdrawn: the withdrawal
    stays on record, marked with the date consent was given again. Referrals still need every
    other consent (the incident's, the child's).

    Side effects: audit `cases.consent.renewed`."""
    case = _restricted_case(actor, case)
    withdrawal = access.get_visible(
        ConsentWithdrawal.objects.select_for_update().filter(case=case), pk=withdrawal.pk
    )
    if withdrawal.renewed_on is not None:
        raise ActionError.general(_("Consent was already given again."))
    if not isinstance(renewed_on, date):
        raise ActionError.on("renewed_on", _("Enter a date."))
    _check_not_future("renewed_on", renewed_on)
    if renewed_on < withdrawal.withdrawn_on:
        raise ActionError.on(
            "renewed_on", _("Consent is given again after it was withdrawn, not before.")
        )
    withdrawal.renewed_on = renewed_on
    withdrawal.renewed_by = actor
    withdrawal.save(update_fields=["renewed_on", "renewed_by"])
    audit.record(
        actor=actor,
        action="cases.consent.renewed",
        target=withdrawal,
        fields=["renewed_on"],
        request=request,
        organization_id=case.organization_id,
        details={"service": withdrawal.service or "all"},
    )
    return withdrawal


def _safety(case: Case) -> SurvivorSafety:
    return SurvivorSafety.objects.select_for_update().get_or_create(case=case)[0]


def _save_safety(
    actor: User, case: Case, safety: SurvivorSafety, values: dict, verb: str, request
) -> SurvivorSafety:
    for field, value in values.items():
        setattr(safety, field, value)
    safety.save(update_fields=[*values, "updated_at"])
    audit.record(
        actor=actor,
        action=f"cases.safety.{verb}",
        target=safety,
        fields=sorted(values),
        request=request,
        organization_id=case.organization_id,
    )
    return safety


@transaction.atomic
def record_mandatory_reporting(
    *,
    actor: User,
    case: Case,
    data: dict,
    request: HttpRequest | None = None,
) -> SurvivorSafety:
    """Record that the survivor (and their caregiver) were told where confidentiality ends, and
    whether and to whom a mandatory report was made.

    Side effects: audit `cases.safety.mandatory_reporting`."""
    case = _restricted_case(actor, case)
    errors = Errors()
    explained = data.get("confidentiality_explained_on")
    if not isinstance(explained, date):
        errors.add(
            "confidentiality_explained_on",
            _("Enter when the limits of confidentiality were explained."),
        )
    report = data.get("mandatory_report")
    if report not in MandatoryReport.values:
        errors.add("mandatory_report", _("Choose a value from the list."))
    authority = (data.get("report_authority") or "").strip()[:200]
    report_date = data.get("report_date")
    if report == MandatoryReport.MADE:
        if not authority:
            errors.add("report_authority", _("Say to which authority the report was made."))
        if not isinstance(report_date, date):
            errors.add("report_date", _("Enter the date of the report."))
    errors.raise_if_any()
    assert isinstance(explained, date)  # noqa: S101 (checked above; for the type checker)
    _check_not_future("confidentiality_explained_on", explained)
    made = report == MandatoryReport.MADE
    if made:
        assert isinstance(report_date, date)  # noqa: S101
        _check_not_future("report_date", report_date)
    values = {
        "confidentiality_explained_on": explained,
        "caregiver_informed": bool(data.get("caregiver_informed")),
        "mandatory_report": report,
        "report_authority": authority if made else "",
        "report_date": report_date if made else None,
    }
    return _save_safety(actor, case, _safety(case), values, "mandatory_reporting", request)


@transaction.atomic
def record_safe_contact(
    *,
    actor: User,
    case: Case,
    data: dict,
    request: HttpRequest | None = None,
) -> SurvivorSafety:
    """How the survivor may be reached safely. Shared with a receiving partner only when the
    caseworker chooses "safe contact" for a referral.

    Side effects: audit `cases.safety.safe_contact`."""
    case = _restricted_case(actor, case)
    values = {
        "may_call": data.get("may_call"),
        "may_leave_message": data.get("may_leave_message"),
        "safe_contact": _check_text("safe_contact", data.get("safe_contact", "")),
    }
    for field in ("may_call", "may_leave_message"):
        if values[field] not in (True, False, None):
            raise ActionError.on(field, _("Choose a value from the list."))
    return _save_safety(actor, case, _safety(case), values, "safe_contact", request)


@transaction.atomic
def record_safety_plan(
    *,
    actor: User,
    case: Case,
    data: dict,
    request: HttpRequest | None = None,
) -> SurvivorSafety:
    """The survivor's safety plan and when to review it; seen by the GBV team only.

    Side effects: audit `cases.safety.safety_plan`."""
    case = _restricted_case(actor, case)
    plan = _check_text("safety_plan", data.get("safety_plan", ""), required=True)
    review_on = data.get("safety_plan_review_on")
    if review_on is not None and not isinstance(review_on, date):
        raise ActionError.on("safety_plan_review_on", _("Enter a date."))
    values = {"safety_plan": plan, "safety_plan_review_on": review_on}
    return _save_safety(actor, case, _safety(case), values, "safety_plan", request)
