"""Regressions from the review of the cases app."""

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

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


@pytest.mark.django_db
def test_plan_put_without_goals_is_a_400_not_a_500(case, caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.put(f"/api/v1/cases/{case.uuid}/plan/", {"needs": "N"}, format="json")
    assert response.status_code == 400 and "goals" in response.json()


@pytest.mark.django_db
def test_reading_follow_ups_through_the_api_is_audited(case, caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    assert api.get(f"/api/v1/cases/{case.uuid}/follow-ups/").status_code == 200
    assert AuditEvent.objects.filter(action="cases.case.viewed", actor=caseworker).exists()


@pytest.mark.django_db
def test_an_administrator_cannot_put_themself_on_the_gbv_team(admin_a, quito):
    from amparo.core.models import Role

    admin_a.role = Role.objects.create(
        organization=admin_a.organization,
        code="admin-gbv",
        name="Admin GBV",
        permissions=["core.manage_users", "cases.view", "cases.gbv"],
        office_bound=False,
    )
    admin_a.save()
    with pytest.raises(ActionError):
        actions.add_to_gbv_team(actor=admin_a, office=quito, user=admin_a)


@pytest.mark.django_db
def test_rotation_reports_values_no_key_opens(case, caseworker, settings):
    note = actions.add_note(actor=caseworker, case=case, text="Nota")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casenote SET text = %s WHERE id = %s", ["fernet:not-a-token", note.pk]
        )
    with pytest.raises(SystemExit) as exc:
        call_command("rotate_keys")
    assert exc.value.code == 1
