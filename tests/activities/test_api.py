import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from amparo.activities.models import Activity
from amparo.core.models import AuditEvent
from tests.activities.helpers import es, record
from tests.factories import api_token

URL = "/api/v1/activities/"


def api(client, user):
    token = api_token(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def individual_service(**fields) -> dict:
    return {
        "type": "rsd_support",
        "date": timezone.localdate().isoformat(),
        "sector": "legal",
        "programme": "ACNUR 2026",
        **fields,
    }


def test_post_individual_service_answers_201_with_ids_only(client, caseworker, head):
    response = post(api(client, caseworker), individual_service(participants=[str(head.uuid)]))

    body = response.json()
    activity = Activity.objects.get()
    assert response.status_code == 201
    assert body["id"] == str(activity.uuid)
    assert body["office"] == "a1"
    assert body["staff"] == [str(caseworker.uuid)]
    assert body["participants"] == [str(head.uuid)]
    assert (body["registered"], body["counted"], body["counts"]) == (1, 0, [])
    assert body["case"] is None
    assert "given_names" not in str(body)
    assert AuditEvent.objects.filter(action="activities.activity.recorded").count() == 1


def test_post_group_activity_with_counts(client, caseworker, make_user, office_a1):
    colleague = make_user("case_supervisor", office=office_a1)

    response = post(
        api(client, caseworker),
        {
            "type": "training_community",
            "date": timezone.localdate().isoformat(),
            "office": "a1",
            "sector": "integration",
            "staff": [str(caseworker.uuid), str(colleague.uuid)],
            "counts": [
                {"sex": "F", "age_band": "18-59", "count": 11},
                {"sex": "M", "age_band": "60+", "count": 2},
            ],
        },
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["registered"], body["counted"]) == (0, 13)
    assert sorted(body["counts"], key=lambda c: c["sex"]) == [
        {"sex": "F", "age_band": "18-59", "count": 11},
        {"sex": "M", "age_band": "60+", "count": 2},
    ]
    assert set(body["staff"]) == {str(caseworker.uuid), str(colleague.uuid)}


def test_post_with_bad_input_answers_400_with_field_messages_nothing_written(
    client, caseworker, head
):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = api(client, caseworker)

    future = post(client, individual_service(date=tomorrow, participants=[str(head.uuid)]))
    nobody = post(client, individual_service())
    empty_group = post(client, individual_service(type="literacy", sector="education"))
    negative = post(
        client,
        individual_service(
            type="literacy",
            sector="education",
            counts=[{"sex": "F", "age_band": "18-59", "count": -2}],
        ),
    )
    twice = post(
        client,
        individual_service(
            type="literacy",
            sector="education",
            counts=[
                {"sex": "F", "age_band": "18-59", "count": 2},
                {"sex": "F", "age_band": "18-59", "count": 3},
            ],
        ),
    )

    assert future.status_code == 400
    assert future.json() == {"date": [es("The date is in the future.")]}
    assert nobody.json() == {"participants": [es("Choose at least one registered participant.")]}
    assert empty_group.json() == {
        "participants": [es("Add at least one participant, registered or counted.")]
    }
    assert negative.status_code == 400
    assert negative.json() == {
        "counts": {"0": {"count": [es("The number of people cannot be negative.")]}}
    }
    assert list(twice.json()) == ["counts"]
    assert not Activity.objects.exists()


def test_post_refuses_what_the_user_cannot_name(
    client, caseworker, head, make_user, office_b1, gbv_case
):
    stranger = make_user("caseworker", office=office_b1)
    client = api(client, caseworker)

    staff = post(
        client,
        individual_service(participants=[str(head.uuid)], staff=[str(stranger.uuid)]),
    )
    office = post(client, individual_service(participants=[str(head.uuid)], office="b1"))
    case = post(client, individual_service(participants=[str(head.uuid)], case=str(gbv_case.uuid)))
    person = post(client, individual_service(participants=["00000000-0000-0000-0000-000000000000"]))

    assert staff.status_code == 400
    assert list(staff.json()) == ["staff"]
    assert list(office.json()) == ["office"]
    assert case.json() == {"case": [es("Choose a case you work on.")]}
    assert person.json() == {"participants": [es("Choose people registered in your registry.")]}
    assert not Activity.objects.exists()


def test_validation_messages_follow_the_users_language(client, make_user, office_a1):
    english = make_user("caseworker", office=office_a1, language="en")
    spanish = make_user("caseworker", office=office_a1, language="es")
    bad = individual_service(type="massage")

    in_english = post(api(client, english), bad).json()["type"][0]
    in_spanish = post(api(client, spanish), bad).json()["type"][0]

    assert in_english == '"massage" is not a valid choice.'
    with translation.override("es"):
        assert in_spanish == translation.gettext('"{input}" is not a valid choice.').format(
            input="massage"
        )
    assert in_spanish != in_english


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("caseworker", True),
        ("case_supervisor", True),
        ("gbv_specialist", True),
        ("administrator", False),
        ("registration_officer", False),
        ("distribution_officer", False),
        ("me_officer", False),
        ("ethics_focal_point", False),
        ("partner_focal_point", False),
    ],
)
def test_role_matrix_list_and_create(client, make_user, office_a1, caseworker, head, role, allowed):
    record(caseworker, participants=[head])
    user = make_user(role, office=office_a1)
    client = api(client, user)

    listed = client.get(URL)
    created = post(client, individual_service(participants=[str(head.uuid)]))

    if allowed:
        assert (listed.status_code, listed.json()["count"]) == (200, 1)
        assert created.status_code == 201
        assert Activity.objects.count() == 2
    else:
        assert (listed.status_code, created.status_code) == (404, 404)
        assert Activity.objects.count() == 1


def test_list_filters_by_date_type_and_office_code(client, caseworker, head):
    today = timezone.localdate()
    old = record(caseworker, participants=[head], date=today - datetime.timedelta(days=90))
    recent = record(caseworker, type="pfa", sector="mhpss", participants=[head])
    client = api(client, caseworker)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids() == {str(old.uuid), str(recent.uuid)}
    assert ids(since=(today - datetime.timedelta(days=30)).isoformat()) == {str(recent.uuid)}
    assert ids(until=(today - datetime.timedelta(days=30)).isoformat()) == {str(old.uuid)}
    assert ids(type="pfa") == {str(recent.uuid)}
    assert ids(office="a1") == {str(old.uuid), str(recent.uuid)}
    assert ids(office="a2") == set()
    assert client.get(URL, {"type": "massage"}).status_code == 400


def test_list_rows_carry_numbers_not_people(client, caseworker, head):
    record(caseworker, participants=[head])

    row = api(client, caseworker).get(URL).json()["results"][0]

    assert "participants" not in row
    assert (row["registered"], row["counted"]) == (1, 0)


def test_retrieve_is_audited_and_scoped(client, caseworker, head, make_user, office_a2, office_b1):
    activity = record(caseworker, participants=[head])
    url = f"{URL}{activity.uuid}/"

    own = api(client, caseworker).get(url)
    other_office = api(client, make_user("caseworker", office=office_a2)).get(url)
    other_org = api(client, make_user("caseworker", office=office_b1)).get(url)
    other_org_list = client.get(URL).json()

    assert own.status_code == 200
    assert own.json()["participants"] == [str(head.uuid)]
    assert (other_office.status_code, other_org.status_code) == (404, 404)
    assert other_org_list["count"] == 0
    events = AuditEvent.objects.filter(action="activities.activity.viewed")
    assert [(e.actor, e.target_id, e.details) for e in events] == [
        (caseworker, str(activity.uuid), {})
    ]


def test_retrieve_of_a_service_on_a_gbv_case_is_404_outside_the_team(
    client, gbv_specialist, gbv_case, caseworker, admin_a
):
    activity = record(gbv_specialist, type="pfa", sector="gbv", case=gbv_case)
    url = f"{URL}{activity.uuid}/"

    own = api(client, gbv_specialist).get(url)
    colleague = api(client, caseworker).get(url)
    colleague_list = client.get(URL).json()
    admin = api(client, admin_a).get(url)

    assert own.status_code == 200
    assert own.json()["case"] == str(gbv_case.uuid)
    assert (colleague.status_code, admin.status_code) == (404, 404)
    assert colleague_list["count"] == 0


def test_list_query_count_does_not_grow_with_rows(client, caseworker, head, make_user):
    client = api(client, caseworker)
    record(caseworker, participants=[head], counts={})
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for _ in range(2):
        record(
            caseworker,
            type="literacy",
            sector="education",
            staff=[caseworker, make_user("caseworker", office=caseworker.office)],
            counts={("F", "18-59"): 3},
        )

    with CaptureQueriesContext(connection) as three:
        response = client.get(URL)

    assert response.json()["count"] == 3
    assert len(three) == len(one)


def test_schema_documents_the_activity_endpoints(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert {"/api/v1/activities/", "/api/v1/activities/{id}/"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/activities/"]) == {"get", "post"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/activities/"]["get"]["parameters"]}
    assert {"since", "until", "type", "office", "page"} <= parameters
    assert "ActivityTypeEnum" in schema["components"]["schemas"]
