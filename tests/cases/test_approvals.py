"""Supervisor approvals: a changed plan needs a new one, a request nobody needs is withdrawn,
and only the office's supervisors decide, never on a plan they wrote."""

import pytest

from amparo.cases import actions
from amparo.cases.models import Approval, CaseState
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent


def _plan(case, actor, goals="Traslado"):
    return actions.save_plan(
        actor=actor, case=case, needs="Vivienda", goals=goals, services_planned=["legal"]
    )


@pytest.mark.django_db
def test_changing_an_approved_plan_needs_a_new_approval(case, caseworker, supervisor):
    actions.update_case(actor=caseworker, case=case, risk_level="high", summary="")
    _plan(case, caseworker)
    approval = Approval.objects.get(case=case, decision="pending")
    actions.decide(actor=supervisor, approval=approval, approve=True)
    # Lower the risk, rewrite the plan, raise the risk: the new plan is not approved.
    actions.update_case(actor=caseworker, case=case, risk_level="low", summary="")
    _plan(case, caseworker, goals="Otra cosa")
    actions.update_case(actor=caseworker, case=case, risk_level="critical", summary="")
    for _ in range(2):
        case = actions.advance(actor=caseworker, case=case)
    with pytest.raises(ActionError):
        actions.advance(actor=caseworker, case=case)
    assert Approval.objects.filter(case=case, kind="plan", decision="pending").count() == 1


@pytest.mark.django_db
def test_lowering_the_risk_withdraws_the_waiting_plan_request(case, caseworker):
    actions.update_case(actor=caseworker, case=case, risk_level="high", summary="")
    _plan(case, caseworker)
    actions.update_case(actor=caseworker, case=case, risk_level="medium", summary="")
    assert not Approval.objects.filter(case=case, decision="pending").exists()
    assert AuditEvent.objects.filter(action="cases.plan.approval_withdrawn").exists()


@pytest.mark.django_db
def test_a_supervisor_cannot_approve_a_plan_they_rewrote(case, caseworker, supervisor):
    actions.update_case(actor=caseworker, case=case, risk_level="high", summary="")
    _plan(case, caseworker)
    _plan(case, supervisor, goals="Escrito por la supervisora")
    approval = Approval.objects.get(case=case, decision="pending")
    assert approval.requested_by == supervisor
    with pytest.raises(ActionError):
        actions.decide(actor=supervisor, approval=approval, approve=True)


@pytest.mark.django_db
def test_a_supervisor_of_another_office_added_to_the_team_does_not_decide(
    case, caseworker, make_user, office_a2
):
    other = make_user("case_supervisor", office=office_a2)
    case.members.add(other)
    approval = actions.request_closure(actor=caseworker, case=case, reason="moved")
    with pytest.raises(ActionError):
        actions.decide(actor=other, approval=approval, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE
