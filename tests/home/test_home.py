"""The home page is the role's work, read through each app's scoped queries: every role sees its
own lists and nothing outside its scope; the partner's buttons answer through the referral's own
endpoint."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.cases import actions as case_actions
from amparo.core.models import AuditEvent
from amparo.referrals import actions as referral_actions
from amparo.referrals.models import Provider, Referral, Service
from amparo.registry import actions as registry_actions
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db
HOME = "/"


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def _overdue(case, actor):
    today = timezone.localdate()
    case_actions.add_follow_up(
        actor=actor,
        case=case,
        date=today - datetime.timedelta(days=10),
        kind="visit",
        next_date=today - datetime.timedelta(days=3),
    )


def _open(actor, person):
    return case_actions.open_case(
        actor=actor, individuals=[person], type="protection", risk_level="low", summary=""
    )


def _register(actor, office, given_names):
    return registry_actions.register_household(
        actor=actor, office=office, members=[member(given_names=given_names)]
    )


@pytest.fixture
def hospital(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


@pytest.fixture
def focal_point(make_user, hospital):
    return make_user("partner_focal_point", organization=hospital, username="enlace")


def _service(org, agency, name):
    provider = Provider.objects.create(organization=org, name=name, kind="health", agency=agency)
    return Service.objects.create(provider=provider, type="health", name=name)


def _refer(actor, case, service):
    return referral_actions.send_referral(
        actor=actor,
        service=service,
        urgency="urgent",
        reason="Necesita atención médica",
        shared_fields=["name"],
        consent=True,
        consent_method="verbal",
        consent_date=timezone.localdate(),
        case=case,
        individual=case.individuals.first(),
    )


def test_the_home_page_is_for_signed_in_users_only(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_registration_officer_gets_search_register_and_only_their_registrations(
    client, make_user, quito, office_a2, household
):
    officer = make_user("registration_officer", office=quito, username="registro")
    other_office = make_user("registration_officer", office=office_a2, username="registro2")
    mine = _register(officer, quito, "Yusleidy")
    elsewhere = _register(other_office, office_a2, "Genesis")

    page = _home(client, officer)

    assert f'action="{reverse("registry:search")}"' in page and 'name="q"' in page
    assert f'href="{reverse("registry:register")}"' in page
    assert mine.reference in page and "Yusleidy" in page
    assert household.reference not in page  # same office, registered by the caseworker
    assert elsewhere.reference not in page and "Genesis" not in page
    assert "Mis seguimientos atrasados" not in page
    assert "Derivaciones recibidas" not in page


def test_a_caseworker_sees_their_own_overdue_cases_only(
    client, case, caseworker, colleague, person, make_user, office_b1
):
    _overdue(case, caseworker)
    theirs = _open(colleague, person)
    _overdue(theirs, colleague)

    page = _home(client, caseworker)
    other_page = _home(client, colleague)
    outsider_page = _home(client, make_user("caseworker", office=office_b1, username="fuera"))

    assert "Mis seguimientos atrasados" in page
    assert case.reference in page and theirs.reference not in page
    assert theirs.reference in other_page and case.reference not in other_page
    assert case.reference not in outsider_page and theirs.reference not in outsider_page
    assert 'id="h-waiting"' not in page  # that list is a supervisor's


def test_a_supervisor_sees_decisions_waiting_and_the_office_overdue(
    client, case, caseworker, supervisor, make_user, office_a2
):
    _overdue(case, caseworker)
    case_actions.request_closure(actor=caseworker, case=case, reason="goals_met")
    elsewhere = make_user("case_supervisor", office=office_a2, username="supervisora2")

    page = _home(client, supervisor)
    other_page = _home(client, elsewhere)

    waiting = page[page.index('id="h-waiting"') : page.index('id="h-overdue"')]
    assert case.reference in waiting
    office = page[page.index('id="h-overdue-office"') :]
    assert case.reference in office
    assert case.reference not in other_page


def test_restricted_cases_stay_off_the_home_of_who_is_not_on_the_gbv_team(
    client, supervisor, gbv_specialist, person
):
    gbv = case_actions.open_case(
        actor=gbv_specialist, individuals=[person], type="gbv", risk_level="high", summary=""
    )
    _overdue(gbv, gbv_specialist)

    assert gbv.reference in _home(client, gbv_specialist)
    assert gbv.reference not in _home(client, supervisor)


def test_a_partner_answers_incoming_referrals_from_home(
    client, org_a, case, caseworker, hospital, focal_point, make_user
):
    ours = _refer(caseworker, case, _service(org_a, hospital, "Hospital del Lago"))
    clinic = OrganizationFactory(code="clinica", name="Clínica", is_care_route_partner=True)
    theirs = _refer(caseworker, case, _service(org_a, clinic, "Clínica del Sur"))
    other_partner = make_user("partner_focal_point", organization=clinic, username="clinica")

    page = _home(client, focal_point)

    assert ours.reference in page and theirs.reference not in page
    assert "Marcar como recibida" in page
    assert case.reference not in page and case.summary not in page  # never the case file
    answer = reverse("referrals:answer", args=[ours.uuid])
    assert f'action="{answer}"' in page

    response = client.post(answer, {"state": "received"})

    assert response.status_code == 302
    page = _home(client, focal_point)
    assert "Aceptar" in page and "Rechazar" in page and "Marcar como recibida" not in page
    ours.refresh_from_db()
    assert ours.state == "received"
    assert AuditEvent.objects.filter(
        action="referrals.referral.received", target_id=str(ours.uuid)
    ).exists()

    client.force_login(other_partner)
    assert client.post(answer, {"state": "accepted"}).status_code == 404
    ours.refresh_from_db()
    assert ours.state == "received"


def test_declining_from_home_needs_a_reason_and_changes_nothing_without_one(
    client, org_a, case, caseworker, hospital, focal_point
):
    referral = _refer(caseworker, case, _service(org_a, hospital, "Hospital del Lago"))
    client.force_login(focal_point)
    answer = reverse("referrals:answer", args=[referral.uuid])
    client.post(answer, {"state": "received"})
    page = _home(client, focal_point)
    assert f'id="note-{referral.uuid}-declined"' in page
    assert f'for="note-{referral.uuid}-declined"' in page

    response = client.post(answer, {"state": "declined", "note": ""})

    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.state == "received"
    assert Referral.objects.filter(state="declined").count() == 0


def test_a_role_without_work_lists_sees_what_it_may_do(client, admin_a):
    page = _home(client, admin_a)

    assert "Lo que su rol permite" in page
    assert '<details class="profile-more" open>' in page
    assert "Mis seguimientos atrasados" not in page and 'name="q"' not in page


def test_the_home_page_reads_a_fixed_number_of_queries(
    client, org_a, case, caseworker, hospital, focal_point, quito
):
    service = _service(org_a, hospital, "Hospital del Lago")

    def count(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    _register(caseworker, quito, "Uno")
    _refer(caseworker, case, service)
    one_caseworker, one_partner = count(caseworker), count(focal_point)
    for name in ("Dos", "Tres"):
        _register(caseworker, quito, name)
        _refer(caseworker, case, service)

    assert count(caseworker) == one_caseworker
    assert count(focal_point) == one_partner
