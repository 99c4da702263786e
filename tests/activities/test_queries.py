import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from amparo.activities import queries
from amparo.core.models import Role
from amparo.registry.actions import register_household
from tests.activities.helpers import make_case, record
from tests.factories import UserFactory, member


@pytest.fixture
def legal_session(caseworker, head):
    return record(caseworker, participants=[head])


@pytest.fixture
def session_on_gbv_case(gbv_specialist, gbv_case):
    return record(gbv_specialist, type="pfa", sector="gbv", case=gbv_case)


@pytest.fixture
def org_admin_reading_everything(org_a):
    """An administrator whose organization's own role also grants services given, cases and
    GBV work, but who is not on any GBV team."""
    role = Role.objects.create(
        organization=org_a,
        code="admin-plus",
        name="Administración ampliada",
        permissions=["activities.view", "cases.view", "cases.gbv", "registry.view"],
        office_bound=False,
    )
    return UserFactory(organization=org_a, role=role, username="admin.plus")


def test_activities_visible_to_the_office_not_to_other_offices_or_organizations(
    legal_session, caseworker, make_user, office_a1, office_a2, office_b1
):
    supervisor = make_user("case_supervisor", office=office_a1)
    other_office = make_user("caseworker", office=office_a2)
    other_org = make_user("caseworker", office=office_b1)

    assert list(queries.activities_visible_to(caseworker)) == [legal_session]
    assert list(queries.activities_visible_to(supervisor)) == [legal_session]
    assert list(queries.activities_visible_to(other_office)) == []
    assert list(queries.activities_visible_to(other_org)) == []
    with pytest.raises(Http404):
        queries.get_activity_for(other_office, legal_session.uuid)
    with pytest.raises(Http404):
        queries.get_activity_for(other_org, legal_session.uuid)


@pytest.mark.parametrize(
    "role", ["administrator", "registration_officer", "me_officer", "partner_focal_point"]
)
def test_activities_hidden_from_roles_without_the_permission(
    legal_session, make_user, office_a1, role
):
    user = make_user(role, office=office_a1)

    assert list(queries.activities_visible_to(user)) == []
    with pytest.raises(Http404):
        queries.get_activity_for(user, legal_session.uuid)


def test_activity_on_a_gbv_case_is_seen_by_the_gbv_team_only(
    session_on_gbv_case,
    legal_session,
    gbv_specialist,
    caseworker,
    admin_a,
    make_user,
    office_a1,
    org_admin_reading_everything,
):
    other_specialist = make_user("gbv_specialist", office=office_a1)  # not on the team
    supervisor = make_user("case_supervisor", office=office_a1)
    operator = UserFactory(is_superuser=True, username="root")

    assert queries.get_activity_for(gbv_specialist, session_on_gbv_case.uuid)
    for user in (
        caseworker,
        other_specialist,
        supervisor,
        admin_a,
        org_admin_reading_everything,
        operator,
    ):
        assert session_on_gbv_case not in queries.activities_visible_to(user)
        with pytest.raises(Http404):
            queries.get_activity_for(user, session_on_gbv_case.uuid)
    assert list(queries.activities_visible_to(org_admin_reading_everything)) == [legal_session]


def test_activity_on_an_ordinary_case_follows_the_case_team(
    caseworker, family, head, make_user, office_a1
):
    colleague = make_user("caseworker", office=office_a1)
    supervisor = make_user("case_supervisor", office=office_a1)
    case = make_case(office=office_a1, owner=caseworker, household=family)
    activity = record(caseworker, case=case, participants=[head])

    assert list(queries.activities_visible_to(caseworker)) == [activity]
    assert list(queries.activities_visible_to(supervisor)) == [activity]
    assert list(queries.activities_visible_to(colleague)) == []


def test_participants_shown_only_where_the_viewer_sees_the_registry(
    org_a, office_a1, office_a2, head, make_user
):
    role = Role.objects.create(
        organization=org_a,
        code="coordinacion",
        name="Coordinación",
        permissions=["activities.view", "activities.record", "registry.view"],
        office_bound=False,
    )
    coordinator = UserFactory(organization=org_a, office=office_a1, role=role)
    registrar = make_user("registration_officer", office=office_a2)
    elsewhere = register_household(actor=registrar, office=office_a2, members=[member()])
    visitor = elsewhere.members.get()
    activity = record(coordinator, participants=[head, visitor])
    local = make_user("caseworker", office=office_a1)

    shown = queries.participants_shown_to(local, queries.get_activity_for(local, activity.uuid))

    assert list(shown) == [head]
    assert queries.get_activity_for(local, activity.uuid).registered == 2


def test_people_reached_counts_each_registered_person_once_and_adds_counts(
    caseworker, head, spouse, make_user, office_b1
):
    today = timezone.localdate()
    record(caseworker, participants=[head], date=today - datetime.timedelta(days=40))
    record(caseworker, participants=[head, spouse], type="family_therapy", sector="mhpss")
    record(caseworker, participants=[head], type="pfa", sector="mhpss")
    record(
        caseworker,
        type="literacy",
        sector="education",
        participants=[spouse],
        counts={("F", "18-59"): 7, ("M", "12-17"): 2},
    )
    record(
        caseworker,
        type="child_recreation",
        sector="child_protection",
        counts={("F", "6-11"): 10},
        date=today - datetime.timedelta(days=40),
    )
    stranger = make_user("caseworker", office=office_b1)

    everything = queries.people_reached(caseworker)
    last_month = queries.people_reached(caseworker, today - datetime.timedelta(days=30), today)
    before = queries.people_reached(caseworker, until=today - datetime.timedelta(days=31))

    assert (everything.registered, everything.counted, everything.total) == (2, 19, 21)
    assert (last_month.registered, last_month.counted) == (2, 9)
    assert (before.registered, before.counted) == (1, 10)
    assert queries.people_reached(stranger) == queries.PeopleReached(0, 0)


def test_people_reached_leaves_out_what_the_user_may_not_see(
    session_on_gbv_case, legal_session, gbv_specialist, caseworker
):
    assert queries.people_reached(gbv_specialist).registered == 2
    assert queries.people_reached(caseworker).registered == 1


def test_staff_choices_are_active_colleagues_and_oneself(
    caseworker, make_user, office_a1, office_a2, office_b1
):
    colleague = make_user("case_supervisor", office=office_a1)
    make_user("caseworker", office=office_a1, is_active=False)
    make_user("caseworker", office=office_a2)
    make_user("caseworker", office=office_b1)

    assert set(queries.staff_choices_for(caseworker)) == {caseworker, colleague}


def test_offices_for_recording_are_the_users_own_for_office_bound_roles(
    caseworker, office_a1, office_a2
):
    assert list(queries.offices_for_recording(caseworker)) == [office_a1]
