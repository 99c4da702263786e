"""A case's life: open, change, step forward, closure (request and decision), reopen, transfer."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import queries
from amparo.cases.actions._checks import (
    _check_not_future,
    _check_open,
    _check_team,
    _check_text,
    _may_hold_case,
)
from amparo.cases.actions.plan import _plan_approval_follows_risk
from amparo.cases.models import (
    HIGH_RISK,
    Approval,
    Case,
    CaseNote,
    CasePlan,
    CaseState,
    CaseType,
    ClosureReason,
    RiskLevel,
    Transfer,
)
from amparo.core import access, audit, references
from amparo.core.errors import ActionError
from amparo.core.models import User
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

# Forward steps a caseworker takes; closing needs a supervisor (`request_closure`, `decide`).
# Keyed by the stored state, a plain str.
FORWARD: dict[str, CaseState] = {
    CaseState.INTAKE: CaseState.ASSESSMENT,
    CaseState.ASSESSMENT: CaseState.CASE_PLAN,
    CaseState.CASE_PLAN: CaseState.IMPLEMENTATION,
}


@transaction.atomic
def open_case(
    *,
    actor: User,
    individuals: list[Individual],
    type: str,
    risk_level: str,
    summary: str = "",
    psea_related: bool = False,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for one or more people of one household, owned by the actor in their office."""
    access.require(actor, "cases.manage")
    if type not in CaseType.values:
        raise ActionError.on("type", _("Choose a case type."))
    if risk_level not in RiskLevel.values:
        raise ActionError.on("risk_level", _("Choose a risk level."))
    if not individuals:
        raise ActionError.on("individuals", _("Choose at least one person."))
    ids = {p.pk for p in individuals}
    people = list(individuals_visible_to(actor).filter(pk__in=ids))
    if len(people) != len(ids):
        raise ActionError.on("individuals", _("One of these people is not in your registry."))
    if len({p.household_id for p in people}) > 1:
        raise ActionError.on("individuals", _("All people of a case must belong to one household."))
    if type == CaseType.GBV and len(people) > 1:
        # GBVIMS: one primary survivor per incident, and a GBV case's incidents are its survivor's.
        raise ActionError.on(
            "individuals", _("A GBV case is for one survivor: open one case for each survivor.")
        )
    case = _new_case(
        actor=actor,
        type=type,
        risk_level=risk_level,
        summary=summary,
        psea_related=psea_related,
        opened_on=opened_on,
        household_id=people[0].household_id,
    )
    case.individuals.set(people)
    audit.record(
        actor=actor,
        action="cases.case.opened",
        target=case,
        request=request,
        details={"type": type, "risk_level": risk_level, "people": len(people)},
    )
    return case


def _new_case(
    *,
    actor: User,
    type: str,
    risk_level: str,
    summary: str,
    psea_related: bool,
    opened_on: date | None,
    household_id: int | None,
) -> Case:
    """The case row, in the actor's office, owned by the actor, checked: what every way of
    opening a case shares (the caller checked the type and risk level are known)."""
    office = actor.office
    if office is None:
        raise ActionError.general(_("Your account has no office: ask an administrator."))
    restricted = type == CaseType.GBV or psea_related
    if restricted and not queries.is_on_gbv_team(actor, office.pk):
        raise ActionError.on(
            "type",
            _("Only the GBV team of your office can open GBV or PSEA-related cases."),
        )
    opened_on = opened_on or timezone.localdate()
    _check_not_future("opened_on", opened_on)
    return Case.objects.create(
        organization_id=office.organization_id,
        office=office,
        reference=references.office_year(
            organization_id=office.organization_id,
            lead="C",
            office_code=office.code,
            year=timezone.localdate().year,
            digits=5,
        )[0],
        type=type,
        restricted=restricted,
        psea_related=psea_related,
        risk_level=risk_level,
        household_id=household_id,
        owner=actor,
        summary=_check_text("summary", summary),
        opened_on=opened_on,
    )


@transaction.atomic
def update_case(
    *, actor: User, case: Case, risk_level: str, summary: str, request: HttpRequest | None = None
) -> Case:
    case = _check_team(actor, case)
    _check_open(case)
    if risk_level not in RiskLevel.values:
        raise ActionError.on("risk_level", _("Choose a risk level."))
    summary = _check_text("summary", summary)
    changed = [
        f for f, v in (("risk_level", risk_level), ("summary", summary)) if getattr(case, f) != v
    ]
    case.risk_level, case.summary = risk_level, summary
    case.save(update_fields=["risk_level", "summary", "updated_at"])
    _plan_approval_follows_risk(actor, case)
    audit.record(
        actor=actor, action="cases.case.changed", target=case, fields=changed, request=request
    )
    return case


@transaction.atomic
def advance(
    *,
    actor: User,
    case: Case,
    to_state: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move the case one step on: intake → assessment → case plan → implementation.

    `to_state` is the step the user confirmed: if the case has moved since (a colleague, or a
    second tap on the confirmation), nothing changes, so a case never skips a step unseen."""
    case = _check_team(actor, case)
    _check_open(case)
    target = FORWARD.get(case.state)
    if to_state is not None and to_state != target:
        raise ActionError.general(
            _("This case is now in “%(state)s”: nothing changed. Look at it again first.")
            % {"state": CaseState(case.state).label}
        )
    if target is None:
        raise ActionError.general(_("This case is already in implementation and follow-up."))
    if target == CaseState.IMPLEMENTATION:
        plan = CasePlan.objects.filter(case=case).first()
        if plan is None or not plan.goals:
            raise ActionError.general(_("Write the case plan's goals before implementation."))
        if case.risk_level in HIGH_RISK and plan.approved_at is None:
            raise ActionError.general(
                _("The plan of a high-risk case needs a supervisor's approval first.")
            )
    before = case.state
    case.state = target
    case.save(update_fields=["state", "updated_at"])
    audit.record(
        actor=actor,
        action="cases.case.advanced",
        target=case,
        fields=["state"],
        request=request,
        details={"from": before, "to": target},
    )
    return case


@transaction.atomic
def request_closure(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> Approval:
    """Ask a supervisor to close the case. The case stays open until they approve."""
    case = _check_team(actor, case)
    _check_open(case)
    if reason not in ClosureReason.values:
        raise ActionError.on("reason", _("Choose why the case closes."))
    if Approval.objects.filter(case=case, kind=Approval.Kind.CLOSURE, decision="pending").exists():
        raise ActionError.general(_("A closure request is already waiting for a supervisor."))
    approval = Approval.objects.create(
        case=case, kind=Approval.Kind.CLOSURE, closure_reason=reason, requested_by=actor
    )
    audit.record(
        actor=actor,
        action="cases.closure.requested",
        target=case,
        request=request,
        details={"reason": reason},
    )
    return approval


@transaction.atomic
def decide(
    *,
    actor: User,
    approval: Approval,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Approval:
    """A supervisor approves or returns a closure or a high-risk plan. Nobody decides their own
    request."""
    case = _check_team(actor, approval.case, "cases.supervise")
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if actor.office_id != case.office_id:
        raise ActionError.general(_("A supervisor of the case's office decides."))
    _check_open(case)
    if approval.decision != Approval.Decision.PENDING:
        raise ActionError.general(_("This request has already been decided."))
    if approval.requested_by_id == actor.pk:
        raise ActionError.general(_("Another supervisor must decide on your own request."))
    now = timezone.now()
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
    approval.decided_by, approval.decided_at = actor, now
    approval.comment = _check_text("comment", comment, required=not approve)
    approval.save()
    if approve and approval.kind == Approval.Kind.CLOSURE:
        case.state, case.closed_on = CaseState.CLOSED, timezone.localdate()
        case.closure_reason = approval.closure_reason
        case.save(update_fields=["state", "closed_on", "closure_reason", "updated_at"])
    if approve and approval.kind == Approval.Kind.PLAN:
        CasePlan.objects.filter(case=case).update(approved_by=actor, approved_at=now)
    audit.record(
        actor=actor,
        action=f"cases.{approval.kind}.{approval.decision}",
        target=case,
        request=request,
    )
    return approval


@transaction.atomic
def reopen(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    case = _check_team(actor, case)
    if not case.is_closed:
        raise ActionError.general(_("This case is open."))
    reason = _check_text("reason", reason, required=True)
    case.state, case.closed_on, case.closure_reason = CaseState.ASSESSMENT, None, ""
    case.save(update_fields=["state", "closed_on", "closure_reason", "updated_at"])
    CaseNote.objects.create(
        case=case, text=_("Case reopened: %(reason)s") % {"reason": reason}, author=actor
    )
    audit.record(actor=actor, action="cases.case.reopened", target=case, request=request)
    return case


@transaction.atomic
def transfer(
    *,
    actor: User,
    case: Case,
    to_owner: User,
    reason: str,
    request: HttpRequest | None = None,
) -> Transfer:
    """Give the case to another caseworker (in their office). The caseworker or a supervisor
    may do it; the trail of earlier owners stays."""
    case = _check_team(actor, case)
    _check_open(case)
    if case.owner_id != actor.pk and not access.can(actor, "cases.supervise"):
        raise ActionError.general(_("Only the caseworker or a supervisor can transfer a case."))
    reason = _check_text("reason", reason, required=True)
    if to_owner.pk == case.owner_id:
        raise ActionError.on("to_owner", _("This person already holds the case."))
    to_office = to_owner.office
    if to_office is None or not _may_hold_case(to_owner, to_office, case.restricted):
        message = (
            _("Choose a member of the GBV team of an office.")
            if case.restricted
            else _("Choose a caseworker of your organization with an office.")
        )
        raise ActionError.on("to_owner", message)
    record = Transfer.objects.create(
        case=case,
        from_owner_id=case.owner_id,
        to_owner=to_owner,
        from_office_id=case.office_id,
        to_office=to_office,
        reason=reason,
        by=actor,
    )
    case.owner, case.office = to_owner, to_office
    case.save(update_fields=["owner", "office", "updated_at"])
    audit.record(
        actor=actor,
        action="cases.case.transferred",
        target=case,
        fields=["owner", "office"],
        request=request,
        details={"office_changed": record.from_office_id != record.to_office_id},
    )
    return record
