import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amparo.activities.models import Activity
from amparo.core.models import AuditEvent
from tests.activities.helpers import es, record


def form_data(office, staff, **fields) -> dict:
    data = {
        "type": "legal_counselling",
        "date": timezone.localdate().isoformat(),
        "office": str(office.uuid),
        "sector": "legal",
        "programme": "PRM 2026",
        "staff": [str(u.uuid) for u in staff],
        "save": "1",
        **fields,
    }
    return data


def page_of(response) -> str:
    return response.content.decode()


def test_list_shows_type_date_office_and_numbers_never_names(client, caseworker, head, spouse):
    record(caseworker, participants=[head])
    record(
        caseworker,
        type="parenting",
        sector="child_protection",
        participants=[spouse],
        counts={("F", "18-59"): 9},
    )
    client.force_login(caseworker)

    response = client.get(reverse("activities:list"))

    page = page_of(response)
    assert response.status_code == 200
    assert es("Legal counselling session") in page
    assert es("Parenting workshop") in page
    assert "Oficina A1" in page
    assert head.given_names not in page
    assert spouse.given_names not in page
    assert [(a.registered, a.counted) for a in response.context["page"]] == [(1, 9), (1, 0)]
    assert re.findall(r"<script[^>]*>", page) == [  # our one static script, nothing inline
        '<script src="/static/amparo/amparo.js" defer>'
    ]


def test_list_filters_by_date_type_and_office(client, make_user, org_a, office_a1, head):
    today = timezone.localdate()
    old = record(
        make_user("caseworker", office=office_a1),
        participants=[head],
        date=today - datetime.timedelta(days=60),
    )
    recent = record(make_user("caseworker", office=office_a1), participants=[head])
    group = record(
        make_user("caseworker", office=office_a1),
        type="literacy",
        sector="education",
        counts={("F", "18-59"): 3},
    )
    client.force_login(make_user("caseworker", office=office_a1))

    def listed(**params):
        response = client.get(reverse("activities:list"), params)
        return set(response.context["page"])

    assert listed() == {old, recent, group}
    assert listed(since=(today - datetime.timedelta(days=7)).isoformat()) == {recent, group}
    assert listed(until=(today - datetime.timedelta(days=7)).isoformat()) == {old}
    assert listed(type="literacy") == {group}
    assert listed(office=str(office_a1.uuid)) == {old, recent, group}


def test_list_pages_fifty_at_a_time(client, caseworker):
    for _ in range(51):
        record(caseworker, type="literacy", sector="education", counts={("F", "18-59"): 1})
    client.force_login(caseworker)

    first = client.get(reverse("activities:list"))
    second = client.get(reverse("activities:list"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1


def test_list_query_count_does_not_grow_with_rows(client, caseworker, head):
    record(caseworker, participants=[head], counts={})
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("activities:list"))
    for _ in range(2):
        record(caseworker, type="literacy", sector="education", counts={("F", "6-11"): 4})

    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("activities:list"))

    assert len(response.context["page"]) == 3
    assert len(three) == len(one)


@pytest.mark.parametrize(
    "role", ["administrator", "registration_officer", "me_officer", "distribution_officer"]
)
def test_pages_answer_404_to_roles_without_the_permission(client, make_user, office_a1, role):
    client.force_login(make_user(role, office=office_a1))

    assert client.get(reverse("activities:list")).status_code == 404
    assert client.get(reverse("activities:new")).status_code == 404


def test_detail_shows_participants_and_counts_and_is_audited(client, caseworker, head, spouse):
    activity = record(
        caseworker,
        type="support_group",
        sector="mhpss",
        participants=[head, spouse],
        counts={("F", "18-59"): 4, ("M", "60+"): 1},
    )
    client.force_login(caseworker)

    response = client.get(reverse("activities:detail", args=[activity.uuid]))

    page = page_of(response)
    assert response.status_code == 200
    assert head.full_name in page
    assert spouse.full_name in page
    assert response.context["grid"]["total"] == 5
    event = AuditEvent.objects.get(action="activities.activity.viewed")
    assert (event.actor, event.target_id, event.details) == (caseworker, str(activity.uuid), {})


def test_detail_answers_404_out_of_scope(
    client, caseworker, head, make_user, office_a2, office_b1, admin_a
):
    activity = record(caseworker, participants=[head])
    url = reverse("activities:detail", args=[activity.uuid])

    for user in (
        make_user("caseworker", office=office_a2),
        make_user("caseworker", office=office_b1),
        admin_a,
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="activities.activity.viewed").exists()


def test_detail_of_a_service_on_a_gbv_case_is_404_outside_the_team(
    client, gbv_specialist, gbv_case, caseworker, admin_a
):
    activity = record(gbv_specialist, type="pfa", sector="gbv", case=gbv_case)
    url = reverse("activities:detail", args=[activity.uuid])

    client.force_login(gbv_specialist)
    own = client.get(url)
    client.force_login(caseworker)
    colleague = client.get(url)
    listed = client.get(reverse("activities:list")).context["page"]
    client.force_login(admin_a)
    admin = client.get(url)

    assert own.status_code == 200
    assert gbv_case.reference in page_of(own)
    assert (colleague.status_code, admin.status_code) == (404, 404)
    assert list(listed) == []


def test_new_page_records_a_service_and_redirects_to_it(client, caseworker, head):
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(caseworker.office, [caseworker], participants=[str(head.uuid)]),
    )

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[activity.uuid])
    assert list(activity.participants.all()) == [head]
    assert activity.programme == "PRM 2026"
    assert AuditEvent.objects.filter(action="activities.activity.recorded").count() == 1


def test_new_page_records_a_group_activity_with_the_count_grid(client, caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(
            caseworker.office,
            [caseworker],
            type="child_recreation",
            sector="child_protection",
            count_F_6_11="8",
            count_M_6_11="6",
            count_X_60plus="",
        ),
    )

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert {(a.sex, a.age_band, a.count) for a in activity.attendance.all()} == {
        ("F", "6-11", 8),
        ("M", "6-11", 6),
    }


def test_new_page_future_date_message_next_to_the_field_nothing_written(client, caseworker, head):
    client.force_login(caseworker)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("activities:new"),
        form_data(caseworker.office, [caseworker], date=tomorrow, participants=[str(head.uuid)]),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["date"] == [es("The date is in the future.")]
    assert es("The date is in the future.") in page_of(response)
    assert not Activity.objects.exists()


def test_new_page_individual_service_without_participant_is_explained(client, caseworker):
    client.force_login(caseworker)

    response = client.post(reverse("activities:new"), form_data(caseworker.office, [caseworker]))

    assert response.status_code == 400
    assert response.context["form"].errors["participants"] == [
        es("Choose at least one registered participant.")
    ]
    assert not Activity.objects.exists()


def test_new_page_group_with_nobody_and_negative_count_are_explained(client, caseworker):
    client.force_login(caseworker)
    group = {"type": "literacy", "sector": "education"}

    nobody = client.post(
        reverse("activities:new"), form_data(caseworker.office, [caseworker], **group)
    )
    negative = client.post(
        reverse("activities:new"),
        form_data(caseworker.office, [caseworker], count_F_18_59="-3", **group),
    )

    assert nobody.status_code == 400
    assert nobody.context["form"].errors["participants"] == [
        es("Add at least one participant, registered or counted.")
    ]
    assert negative.status_code == 400
    assert negative.context["form"].errors["count_F_18_59"] == [
        es("The number of people cannot be negative.")
    ]
    assert es("The number of people cannot be negative.") in page_of(negative)
    assert not Activity.objects.exists()


def test_new_page_refuses_staff_of_another_organization(
    client, caseworker, head, make_user, office_b1
):
    stranger = make_user("caseworker", office=office_b1)
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(caseworker.office, [caseworker, stranger], participants=[str(head.uuid)]),
    )

    assert response.status_code == 400
    assert "staff" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_new_page_refuses_a_person_outside_the_users_registry(
    client, caseworker, make_user, office_a2
):
    from amparo.registry.actions import register_household
    from tests.factories import member

    other = make_user("registration_officer", office=office_a2)
    elsewhere = register_household(actor=other, office=office_a2, members=[member()])
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(
            caseworker.office, [caseworker], participants=[str(elsewhere.members.get().uuid)]
        ),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["participants"] == [
        es("Choose people registered in your registry.")
    ]
    assert elsewhere.members.get().full_name not in page_of(response)
    assert not Activity.objects.exists()


def test_new_page_show_members_lists_the_household_to_tick(client, caseworker, family, head):
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(caseworker.office, [caseworker], household=family.reference.lower(), find="1"),
    )

    assert response.status_code == 200
    assert [c["person"] for c in response.context["candidates"]] == [
        head,
        family.members.get(is_head=False),
    ]
    assert not any(c["checked"] for c in response.context["candidates"])
    assert not Activity.objects.exists()


def test_new_page_unknown_household_reference_is_explained(client, caseworker):
    client.force_login(caseworker)

    response = client.get(reverse("activities:new"), {"household": "EC-XXX-2026-000001"})

    assert response.status_code == 200
    assert response.context["household_error"] == es(
        "No household with this reference that you can see."
    )
    assert response.context["household_error"] in page_of(response)


def test_new_page_prefills_a_person_and_defaults(client, caseworker, head):
    client.force_login(caseworker)

    response = client.get(reverse("activities:new"), {"individual": str(head.uuid)})

    form = response.context["form"]
    assert response.status_code == 200
    assert response.context["candidates"] == [{"person": head, "checked": True}]
    assert form.initial["office"] == caseworker.office
    assert form.initial["staff"] == [caseworker]
    assert form.initial["date"] == timezone.localdate()


def test_new_page_prefills_a_case_and_its_people(
    client, gbv_specialist, gbv_case, head, spouse, caseworker
):
    client.force_login(gbv_specialist)

    response = client.get(reverse("activities:new"), {"case": str(gbv_case.uuid)})
    recorded = client.post(
        reverse("activities:new"),
        form_data(
            gbv_specialist.office,
            [gbv_specialist],
            type="pfa",
            sector="gbv",
            case=str(gbv_case.uuid),
            participants=[str(head.uuid)],
        ),
    )
    client.force_login(caseworker)
    hidden = client.get(reverse("activities:new"), {"case": str(gbv_case.uuid)})

    assert response.context["form"].initial["sector"] == "gbv"
    assert {c["person"] for c in response.context["candidates"] if c["checked"]} == {
        head,
        spouse,
    }
    assert recorded.status_code == 302
    assert Activity.objects.get().case == gbv_case
    assert hidden.status_code == 404


def test_new_page_refuses_a_case_the_user_cannot_see(client, caseworker, gbv_case, head):
    client.force_login(caseworker)

    response = client.post(
        reverse("activities:new"),
        form_data(
            caseworker.office,
            [caseworker],
            case=str(gbv_case.uuid),
            participants=[str(head.uuid)],
        ),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["case"] == [es("Choose a case you work on.")]
    assert gbv_case.reference not in page_of(response)
    assert not Activity.objects.exists()


def test_new_page_for_an_unknown_person_answers_404(client, caseworker):
    client.force_login(caseworker)

    response = client.get(
        reverse("activities:new"), {"individual": "00000000-0000-0000-0000-000000000000"}
    )

    assert response.status_code == 404


def test_new_page_explains_every_problem_at_once(client, caseworker):
    client.force_login(caseworker)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    response = client.post(
        reverse("activities:new"),
        form_data(
            caseworker.office,
            [],
            type="literacy",
            sector="education",
            date=tomorrow,
            count_M_60plus="-1",
        ),
    )

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert set(errors) == {"date", "staff", "count_M_60plus"}
    assert not Activity.objects.exists()


def test_new_page_for_an_office_bound_user_without_office_says_why(client, make_user, org_a):
    client.force_login(make_user("caseworker", organization=org_a))

    response = client.get(reverse("activities:new"))

    assert response.status_code == 400
    assert response.context["no_office"] is True
