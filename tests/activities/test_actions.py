import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from amparo.activities import actions
from amparo.activities.models import Activity, Attendance
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.registry.actions import register_household
from tests.activities.helpers import es, make_case, record
from tests.factories import member


def nothing_written() -> bool:
    return (
        not Activity.objects.exists()
        and not Attendance.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="activities.").exists()
    )


def test_record_individual_service_saves_participants_staff_and_audit(
    caseworker, office_a1, head, make_user
):
    colleague = make_user("case_supervisor", office=office_a1)

    activity = record(
        caseworker,
        staff=[caseworker, colleague],
        participants=[head],
        programme="  PRM   2026 ",
    )

    activity.refresh_from_db()
    assert (activity.type, activity.sector, activity.office) == (
        "legal_counselling",
        "legal",
        office_a1,
    )
    assert activity.organization_id == office_a1.organization_id
    assert activity.programme == "PRM 2026"
    assert activity.recorded_by == caseworker
    assert set(activity.staff.all()) == {caseworker, colleague}
    assert list(activity.participants.all()) == [head]
    assert not activity.attendance.exists()
    event = AuditEvent.objects.get(action="activities.activity.recorded")
    assert event.target_id == str(activity.uuid)
    assert event.actor == caseworker
    assert event.details == {"participants": 1, "counted": 0}
    assert event.fields == sorted(
        ["type", "date", "office", "sector", "staff", "programme", "participants"]
    )


def test_record_group_activity_with_counts_and_registered_people(caseworker, head):
    activity = record(
        caseworker,
        type="parenting",
        sector="child_protection",
        participants=[head],
        counts={("F", "18-59"): 12, ("M", "18-59"): 3, ("X", "60+"): 0, ("F", "0-5"): "2"},
    )

    cells = {(a.sex, a.age_band): a.count for a in activity.attendance.all()}
    assert cells == {("F", "18-59"): 12, ("M", "18-59"): 3, ("F", "0-5"): 2}
    assert list(activity.participants.all()) == [head]
    assert AuditEvent.objects.get(action="activities.activity.recorded").details == {
        "participants": 1,
        "counted": 17,
    }


def test_record_group_activity_of_people_not_registered(caseworker):
    activity = record(
        caseworker,
        type="training_officials",
        sector="protection",
        counts={("F", "18-59"): 8, ("M", "18-59"): 11},
    )

    assert activity.is_group
    assert not activity.participants.exists()
    assert sum(a.count for a in activity.attendance.all()) == 19


def test_record_activity_in_the_future_is_refused_and_nothing_written(caseworker, head):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(ActionError) as exc:
        record(caseworker, date=tomorrow, participants=[head])

    assert exc.value.errors == {"date": [es("The date is in the future.")]}
    assert nothing_written()


def test_record_activity_with_a_mistyped_year_is_refused(caseworker, head):
    with pytest.raises(ActionError) as exc:
        record(caseworker, date=datetime.date(202, 5, 1), participants=[head])

    assert list(exc.value.errors) == ["date"]
    assert nothing_written()


def test_record_individual_service_without_participant_is_refused(caseworker):
    with pytest.raises(ActionError) as exc:
        record(caseworker, participants=[])

    assert list(exc.value.errors) == ["participants"]
    assert nothing_written()


def test_record_individual_service_with_people_counted_is_refused(caseworker, head):
    with pytest.raises(ActionError) as exc:
        record(caseworker, participants=[head], counts={("F", "18-59"): 2})

    assert list(exc.value.errors) == ["counts"]
    assert nothing_written()


def test_record_group_activity_with_nobody_is_refused(caseworker):
    with pytest.raises(ActionError) as exc:
        record(caseworker, type="support_group", sector="mhpss", counts={("F", "18-59"): 0})

    assert list(exc.value.errors) == ["participants"]
    assert nothing_written()


@pytest.mark.parametrize("bad", [-1, "tres", 2.5, True, actions.MAX_COUNT + 1])
def test_record_group_activity_with_a_bad_count_names_the_cell(caseworker, bad):
    with pytest.raises(ActionError) as exc:
        record(
            caseworker,
            type="literacy",
            sector="education",
            counts={("F", "18-59"): 4, ("M", "60+"): bad},
        )

    assert list(exc.value.errors) == ["counts.M.60+"]
    assert nothing_written()


def test_record_group_activity_with_unknown_cell_is_refused(caseworker):
    with pytest.raises(ActionError) as exc:
        record(caseworker, type="literacy", sector="education", counts={("W", "18-59"): 4})

    assert list(exc.value.errors) == ["counts"]


def test_record_activity_staff_of_another_organization_is_refused(
    caseworker, head, make_user, office_b1
):
    stranger = make_user("caseworker", office=office_b1)

    with pytest.raises(ActionError) as exc:
        record(caseworker, staff=[caseworker, stranger], participants=[head])

    assert list(exc.value.errors) == ["staff"]
    assert nothing_written()


def test_record_activity_inactive_or_missing_staff_is_refused(
    caseworker, head, make_user, office_a1
):
    gone = make_user("caseworker", office=office_a1, is_active=False)

    with pytest.raises(ActionError) as inactive:
        record(caseworker, staff=[gone], participants=[head])
    with pytest.raises(ActionError) as nobody:
        record(caseworker, staff=[], participants=[head])

    assert list(inactive.value.errors) == ["staff"]
    assert list(nobody.value.errors) == ["staff"]
    assert nothing_written()


def test_record_activity_at_another_office_is_refused_to_office_bound_roles(
    caseworker, head, office_a2, office_b1
):
    with pytest.raises(ActionError) as other_office:
        record(caseworker, office=office_a2, participants=[head])
    with pytest.raises(ActionError) as other_org:
        record(caseworker, office=office_b1, participants=[head])

    assert list(other_office.value.errors) == ["office"]
    assert list(other_org.value.errors) == ["office"]
    assert nothing_written()


def test_record_activity_at_a_closed_office_is_refused(caseworker, head, office_a1):
    office_a1.is_active = False
    office_a1.save()

    with pytest.raises(ActionError) as exc:
        record(caseworker, participants=[head])

    assert list(exc.value.errors) == ["office"]


def test_record_activity_with_a_person_the_actor_cannot_see_is_refused(
    caseworker, make_user, office_a2
):
    other = make_user("registration_officer", office=office_a2)
    elsewhere = register_household(actor=other, office=office_a2, members=[member()])

    with pytest.raises(ActionError) as exc:
        record(caseworker, participants=[elsewhere.members.get()])

    assert list(exc.value.errors) == ["participants"]
    assert nothing_written()


def test_record_activity_reports_every_problem_at_once(caseworker):
    with pytest.raises(ActionError) as exc:
        record(
            caseworker,
            type="massage",
            sector="",
            staff=[],
            date=timezone.localdate() + datetime.timedelta(days=3),
        )

    assert set(exc.value.errors) >= {"type", "sector", "staff", "date"}


@pytest.mark.parametrize("role", ["registration_officer", "distribution_officer", "me_officer"])
def test_record_activity_without_the_permission_answers_404(make_user, office_a1, head, role):
    user = make_user(role, office=office_a1)

    with pytest.raises(Http404):
        record(user, participants=[head])

    assert nothing_written()


def test_record_service_on_a_case_takes_the_case_individuals(
    gbv_specialist, gbv_case, head, spouse
):
    activity = record(gbv_specialist, type="pfa", sector="gbv", case=gbv_case)

    assert activity.case == gbv_case
    assert set(activity.participants.all()) == {head, spouse}
    assert AuditEvent.objects.get(action="activities.activity.recorded").details == {
        "participants": 2,
        "counted": 0,
    }


def test_record_service_on_a_case_with_someone_outside_the_case_is_refused(
    caseworker, gbv_specialist, gbv_case, office_a1
):
    neighbour = register_household(actor=caseworker, office=office_a1, members=[member()])

    with pytest.raises(ActionError) as exc:
        record(
            gbv_specialist,
            type="pfa",
            sector="gbv",
            case=gbv_case,
            participants=[neighbour.members.get()],
        )

    assert list(exc.value.errors) == ["participants"]
    assert nothing_written()


def test_record_service_on_a_case_the_actor_cannot_see_is_refused(caseworker, gbv_case, head):
    with pytest.raises(ActionError) as exc:
        record(caseworker, type="pfa", sector="gbv", case=gbv_case, participants=[head])

    assert list(exc.value.errors) == ["case"]
    assert nothing_written()


def test_record_group_activity_on_a_case_is_refused(gbv_specialist, gbv_case):
    with pytest.raises(ActionError) as exc:
        record(
            gbv_specialist,
            type="support_group",
            sector="gbv",
            case=gbv_case,
            counts={("F", "18-59"): 5},
        )

    assert list(exc.value.errors) == ["case"]
    assert nothing_written()


def test_record_service_on_an_ordinary_case_by_its_caseworker(caseworker, family, head):
    case = make_case(office=caseworker.office, owner=caseworker, household=family)

    activity = record(caseworker, case=case, participants=[head])

    assert activity.case == case
    assert list(activity.participants.all()) == [head]
