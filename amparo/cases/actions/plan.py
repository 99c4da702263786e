"""The assessment and case plan, its actions, and the supervisor approval a high risk needs."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import queries
from amparo.cases.actions._checks import _check_open, _check_team, _check_text
from amparo.cases.models import (
    HIGH_RISK,
    PLANNABLE_SERVICES,
    Approval,
    Case,
    CasePlan,
    PlanAction,
)
from amparo.core import audit
from amparo.core.errors import ActionError
from amparo.core.models import User


@transaction.atomic
def save_plan(
    *,
    actor: User,
    case: Case,
    needs: str,
    goals: str,
    services_planned: list[str],
    request: HttpRequest | None = None,
) -> CasePlan:
    """Write the assessment and plan. A high-risk case's plan goes to a supervisor for approval."""
    case = _check_team(actor, case)
    _check_open(case)
    needs = _check_text("needs", needs, required=True)
    goals = _check_text("goals", goals, required=True)
    unknown = set(services_planned) - PLANNABLE_SERVICES.keys()
    if unknown:
        raise ActionError.on("services_planned", _("Choose services from the list."))
    plan, created = CasePlan.objects.get_or_create(case=case)
    plan.needs, plan.goals, plan.services_planned = needs, goals, sorted(set(services_planned))
    # An approval covers the plan as it was: any change needs a new one (for high risk).
    plan.approved_by, plan.approved_at = None, None
    plan.save()
    needs_approval = case.risk_level in HIGH_RISK
    if needs_approval:
        Approval.objects.update_or_create(
            case=case,
            kind=Approval.Kind.PLAN,
            decision=Approval.Decision.PENDING,
            defaults={"requested_by": actor},
        )
    audit.record(
        actor=actor,
        action="cases.plan.written" if created else "cases.plan.changed",
        target=case,
        fields=["needs", "goals", "services_planned"],
        request=request,
        details={"approval_requested": needs_approval},
    )
    return plan


def _plan_approval_follows_risk(actor: User, case: Case) -> None:
    """A plan of a case that became high-risk goes to a supervisor; one that no longer is
    withdraws its waiting request."""
    plan = CasePlan.objects.filter(case=case).first()
    pending = Approval.objects.filter(case=case, kind=Approval.Kind.PLAN, decision="pending")
    if case.risk_level in HIGH_RISK:
        if plan is not None and plan.approved_at is None and not pending.exists():
            Approval.objects.create(case=case, kind=Approval.Kind.PLAN, requested_by=actor)
    elif pending.exists():
        pending.delete()
        audit.record(actor=actor, action="cases.plan.approval_withdrawn", target=case)


@transaction.atomic
def add_plan_action(
    *,
    actor: User,
    case: Case,
    description: str,
    responsible: User,
    due_date: date,
    request: HttpRequest | None = None,
) -> PlanAction:
    case = _check_team(actor, case)
    _check_open(case)
    plan = CasePlan.objects.filter(case=case).first()
    if plan is None:
        raise ActionError.general(_("Write the case plan first."))
    description = _check_text("description", description, required=True)
    if responsible.organization_id != case.organization_id or not responsible.is_active:
        raise ActionError.on("responsible", _("Choose an active colleague of your organization."))
    if case.restricted and not queries.is_on_gbv_team(responsible, case.office_id):
        raise ActionError.on("responsible", _("Choose a member of the office's GBV team."))
    action = PlanAction.objects.create(
        plan=plan, description=description, responsible=responsible, due_date=due_date
    )
    audit.record(actor=actor, action="cases.plan_action.added", target=case, request=request)
    return action


@transaction.atomic
def complete_plan_action(
    *, actor: User, action: PlanAction, request: HttpRequest | None = None
) -> PlanAction:
    case = _check_team(actor, action.plan.case)
    _check_open(case)
    if action.done_on is not None:
        raise ActionError.general(_("This action is already done."))
    action.done_on = timezone.localdate()
    action.save(update_fields=["done_on"])
    audit.record(actor=actor, action="cases.plan_action.done", target=case, request=request)
    return action
