"""The case life cycle: supervisor approvals, plans, follow-ups, transfers; bad steps change
nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.cases import actions, queries
from amparo.cases.models import Approval, CaseState
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent


def _plan(case, actor):
    return actions.save_plan(
        actor=actor,
        case=case,
        needs="Vivienda segura",
        goals="Traslado",
        services_planned=["legal"],
    )


@pytest.mark.django_db
def test_the_case_moves_forward_and_closes_only_with_a_supervisor(case, caseworker, supervisor):
    case = actions.advance(actor=caseworker, case=case)
    case = actions.advance(actor=caseworker, case=case)
    assert case.state == CaseState.CASE_PLAN
    with pytest.raises(ActionError) as exc:
        actions.advance(actor=caseworker, case=case)  # no plan yet
    assert "objetivos" in str(exc.value.errors["__all__"][0])
    _plan(case, caseworker)
    case = actions.advance(actor=caseworker, case=case)
    approval = actions.request_closure(actor=caseworker, case=case, reason="goals_met")
    case.refresh_from_db()
    assert case.state == CaseState.IMPLEMENTATION  # still open: waiting for the supervisor
    with pytest.raises(ActionError):
        actions.request_closure(actor=caseworker, case=case, reason="goals_met")
    actions.decide(actor=supervisor, approval=approval, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closure_reason == "goals_met"
    with pytest.raises(ActionError):
        actions.add_follow_up(actor=caseworker, case=case, date=case.opened_on, kind="call")
    actions.reopen(actor=caseworker, case=case, reason="Nuevas amenazas")
    case.refresh_from_db()
    assert case.state == CaseState.ASSESSMENT and case.closed_on is None


@pytest.mark.django_db
def test_a_caseworker_cannot_approve_and_nobody_approves_their_own_request(
    case, caseworker, supervisor
):
    approval = actions.request_closure(actor=supervisor, case=case, reason="moved")
    with pytest.raises(Exception) as exc:
        actions.decide(actor=caseworker, approval=approval, approve=True)
    assert exc.type.__name__ == "Http404"
    with pytest.raises(ActionError):
        actions.decide(actor=supervisor, approval=approval, approve=True)
    approval.refresh_from_db()
    case.refresh_from_db()
    assert approval.decision == "pending" and case.state == CaseState.INTAKE


@pytest.mark.django_db
def test_closure_through_the_screens(client, case, caseworker, supervisor):
    client.force_login(caseworker)
    response = client.post(reverse("cases:closure", args=[case.uuid]), {"reason": "goals_met"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state != CaseState.CLOSED
    approval = Approval.objects.get(case=case)
    # A caseworker may not open the decision page at all.
    assert client.get(reverse("cases:decide", args=[case.uuid, approval.pk])).status_code == 404
    client.force_login(supervisor)
    url = reverse("cases:decide", args=[case.uuid, approval.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 400
    assert "obligatorio" in response.content.decode()
    approval.refresh_from_db()
    assert approval.decision == "pending"
    assert client.post(url, {"decision": "approve", "comment": ""}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


@pytest.mark.django_db
def test_a_high_risk_plan_waits_for_approval(case, caseworker, supervisor):
    actions.update_case(actor=caseworker, case=case, risk_level="critical", summary=case.summary)
    for _ in range(2):
        case = actions.advance(actor=caseworker, case=case)
    _plan(case, caseworker)
    with pytest.raises(ActionError) as exc:
        case = actions.advance(actor=caseworker, case=case)
    assert "supervisor" in exc.value.errors["__all__"][0]
    approval = Approval.objects.get(case=case, kind="plan", decision="pending")
    actions.decide(actor=supervisor, approval=approval, approve=True)
    case = actions.advance(actor=caseworker, case=case)
    assert case.state == CaseState.IMPLEMENTATION


@pytest.mark.django_db
def test_follow_ups_and_late_actions_make_overdue_lists(case, caseworker, supervisor):
    today = timezone.localdate()
    actions.add_follow_up(
        actor=caseworker,
        case=case,
        date=today - datetime.timedelta(days=10),
        kind="visit",
        notes="Visita domiciliaria",
        next_date=today - datetime.timedelta(days=3),
    )
    assert list(queries.overdue_for_caseworker(caseworker)) == [case]
    assert list(queries.overdue_for_supervisor(supervisor)) == [case]
    actions.add_follow_up(
        actor=caseworker,
        case=case,
        date=today,
        kind="call",
        next_date=today + datetime.timedelta(7),
    )
    assert not queries.overdue_for_caseworker(caseworker).exists()
    _plan(case, caseworker)
    actions.add_plan_action(
        actor=caseworker,
        case=case,
        description="Acompañar a la Fiscalía",
        responsible=caseworker,
        due_date=today - datetime.timedelta(days=1),
    )
    assert list(queries.overdue_for_caseworker(caseworker)) == [case]


@pytest.mark.django_db
def test_bad_follow_ups_are_refused_with_a_message(client, case, caseworker):
    client.force_login(caseworker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("cases:follow-up", args=[case.uuid]),
        {"date": tomorrow.isoformat(), "kind": "visit", "notes": "", "next_date": ""},
    )
    assert response.status_code == 400
    assert "futuro" in response.content.decode()
    assert not case.follow_ups.exists()


@pytest.mark.django_db
def test_transfer_keeps_the_trail(case, caseworker, make_user, office_a2):
    other = make_user("caseworker", office=office_a2, username="caso2")
    with pytest.raises(ActionError):
        actions.transfer(actor=caseworker, case=case, to_owner=other, reason="")
    actions.transfer(actor=caseworker, case=case, to_owner=other, reason="Se mudó a Cuenca")
    case.refresh_from_db()
    assert case.owner == other and case.office == office_a2
    trail = case.transfers.get()
    assert trail.from_owner == caseworker and trail.reason == "Se mudó a Cuenca"
    assert not queries.cases_visible_to(caseworker).filter(pk=case.pk).exists()


@pytest.mark.django_db
def test_a_gbv_case_goes_only_to_a_gbv_team_member(gbv_case, gbv_specialist, caseworker):
    with pytest.raises(ActionError) as exc:
        actions.transfer(actor=gbv_specialist, case=gbv_case, to_owner=caseworker, reason="x")
    assert "to_owner" in exc.value.errors
    with pytest.raises(ActionError):
        actions.add_member(actor=gbv_specialist, case=gbv_case, user=caseworker)
    assert not gbv_case.members.exists()


@pytest.mark.django_db
def test_open_a_case_from_the_person_page(client, caseworker, person, household):
    client.force_login(caseworker)
    page = client.get(reverse("registry:individual", args=[person.uuid])).content.decode()
    assert reverse("cases:open") in page
    spouse = household.members.get(is_head=False)
    response = client.post(
        f"{reverse('cases:open')}?individual={person.uuid}",
        {
            "type": "legal",
            "risk_level": "low",
            "individuals": [person.pk, spouse.pk],
            "summary": "",
        },
    )
    assert response.status_code == 302
    case = queries.cases_visible_to(caseworker).get()
    assert set(case.individuals.all()) == {person, spouse}
    assert case.reference.startswith("C-A1-")


def test_a_change_of_state_is_confirmed_apart_from_the_everyday_actions(client, case, caseworker):
    client.force_login(caseworker)
    url = reverse("cases:advance", args=[case.uuid])

    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()

    # The state button only opens a confirmation; the form's button names the step it takes.
    start = page.index('<details class="confirm')
    confirm = page[start : page.index("</details>", start)]
    assert f'action="{url}"' in confirm
    assert 'name="to" value="assessment"' in confirm
    assert "cases/" + str(case.uuid) + "/follow-ups/" not in confirm
    assert page.count(f'action="{url}"') == 1


def test_a_change_of_state_moves_only_the_step_the_user_confirmed(client, case, caseworker):
    client.force_login(caseworker)
    url = reverse("cases:advance", args=[case.uuid])

    unconfirmed = client.post(url, {})
    confirmed = client.post(url, {"to": "assessment"})
    second_tap = client.post(url, {"to": "assessment"}, follow=True)

    assert unconfirmed.status_code == confirmed.status_code == 302
    case.refresh_from_db()
    assert case.state == "assessment"  # not "case_plan": the second tap moved nothing
    assert "no se cambió nada" in second_tap.content.decode()
    events = AuditEvent.objects.filter(action="cases.case.advanced", target_id=str(case.uuid))
    assert events.count() == 1


def test_only_the_case_team_changes_its_state(client, case, colleague, make_user, office_b1):
    url = reverse("cases:advance", args=[case.uuid])
    outsider = make_user("caseworker", office=office_b1, username="fuera")

    for user in (colleague, outsider):
        client.force_login(user)
        assert client.post(url, {"to": "assessment"}).status_code == 404

    case.refresh_from_db()
    assert case.state == "intake"
