"""The reports' API prepares its exports off the request too: a POST answers 202 with the job's
address; the job answers 202 while it counts, then what the GET answers, each time audited;
only its owner sees it."""

import io
import json

import hxl
import openpyxl
import pytest

from amparo.core import jobs
from amparo.core.models import AuditEvent, Job
from amparo.reports import tasks
from tests.factories import api_token

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31", "by": "admin1,sex"}


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def post(client, capture, path, data):
    with capture(execute=True):
        return client.post(path, json.dumps(data), content_type="application/json")


def test_a_5w_prepared_through_the_api_answers_what_the_get_answers(
    client, manager, reached_people, django_capture_on_commit_callbacks
):
    api(client, manager)
    direct = client.get("/api/v1/reports/5w/", {"month": "2026-03"}).json()

    started = post(client, django_capture_on_commit_callbacks, "/api/v1/reports/5w/",
                   {"month": "2026-03"})  # fmt: skip
    ready = client.get(started["Location"])
    book = client.get(started["Location"], {"output": "xlsx"})

    assert started.status_code == 202
    assert started.json()["url"] == started["Location"]
    assert started["Location"].startswith("/api/v1/reports/prepared/")
    assert ready.status_code == 200
    assert ready.json() == direct
    assert ready.json()["rows"]
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert len(list(sheet.values)) == len(direct["rows"]) + 1
    events = AuditEvent.objects.filter(action="reports.five_w.exported")
    assert events.count() == 3  # the GET, then each answer of the prepared one
    assert client.get(started["Location"], {"output": "pdf"}).status_code == 400
    assert events.count() == 3


def test_people_reached_prepared_through_the_api_answers_json_and_hxl(
    client, manager, reached_people, django_capture_on_commit_callbacks
):
    api(client, manager)
    direct = client.get("/api/v1/reports/people-reached/", MARCH).json()

    started = post(
        client, django_capture_on_commit_callbacks, "/api/v1/reports/people-reached/", MARCH
    )
    ready = client.get(started["Location"])
    table = client.get(started["Location"], {"output": "csv", "hxl": "1"})

    assert started.status_code == 202
    assert ready.json() == direct
    assert ready.json()["people"] == 17
    tags = [c.display_tag for c in hxl.data(io.BytesIO(table.content)).columns]
    assert tags[:3] == ["#adm1+code", "#adm1+name", "#beneficiary+sex"]
    book = client.get(started["Location"], {"output": "xlsx", "hxl": "1"})
    assert [c.display_tag for c in hxl.data(io.BytesIO(book.content)).columns] == tags
    assert Job.objects.get().params["by"] == ["admin1", "sex"]
    assert AuditEvent.objects.filter(action="reports.people_reached.exported").count() == 4


def test_a_job_still_counting_answers_202_with_its_progress(client, manager):
    job = jobs.start(owner=manager, handler=tasks.five_w, params={"month": "2026-03"})

    answer = api(client, manager).get(f"/api/v1/reports/prepared/{job.uuid}/")

    assert answer.status_code == 202
    assert answer.json()["state"] == "queued"
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()


@pytest.mark.parametrize(("state", "status"), [(Job.State.REFUSED, 400), (Job.State.FAILED, 500)])
def test_a_job_that_ended_without_a_table_says_why_and_gives_no_file(
    client, manager, state, status
):
    job = Job.objects.create(
        owner=manager,
        handler=jobs.path_of(tasks.reached_table),
        params={"from": "2026-03-01", "to": "2026-03-31", "by": ["sex"], "office": None},
        state=state,
        result={"refused": ["Usted ya no puede exportar los informes de esta organización."]},
    )

    answer = api(client, manager).get(f"/api/v1/reports/prepared/{job.uuid}/", {"output": "csv"})

    assert answer.status_code == status
    assert answer.json()["non_field_errors"] == [
        "Usted ya no puede exportar los informes de esta organización."
    ]
    assert not AuditEvent.objects.filter(action="reports.people_reached.exported").exists()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/reports/5w/", {"month": "2026-13"}),
        ("/api/v1/reports/5w/", {}),
        ("/api/v1/reports/people-reached/", {**MARCH, "to": "2026-02-01"}),
        ("/api/v1/reports/people-reached/", {**MARCH, "by": "sex,religion"}),
        ("/api/v1/reports/people-reached/", {"from": "ayer", "to": "2026-03-31"}),
        ("/api/v1/reports/people-reached/", {**MARCH, "from": "1900-01-01"}),  # over ten years
        ("/api/v1/reports/people-reached/", [MARCH]),  # JSON, but not one object
        ("/api/v1/reports/5w/", "2026-03"),
    ],
)
def test_bad_parameters_answer_400_and_start_nothing(
    client, manager, path, body, django_capture_on_commit_callbacks
):
    answer = post(api(client, manager), django_capture_on_commit_callbacks, path, body)

    assert answer.status_code == 400
    assert answer.json()
    assert not Job.objects.exists()


def test_a_malformed_body_answers_400(client, manager):
    answer = api(client, manager).post(
        "/api/v1/reports/5w/", "{month: ", content_type="application/json"
    )

    assert answer.status_code == 400
    assert not Job.objects.exists()


def test_others_get_404_and_no_job(
    client, lead, manager, make_user, org_a, reached_people, django_capture_on_commit_callbacks
):
    for path, body in [("/api/v1/reports/5w/", {"month": "2026-03"}),
                       ("/api/v1/reports/people-reached/", MARCH)]:  # fmt: skip
        refused = post(api(client, lead), django_capture_on_commit_callbacks, path, body)
        assert refused.status_code == 404
    assert not Job.objects.exists()
    mine = post(api(client, manager), django_capture_on_commit_callbacks, "/api/v1/reports/5w/",
                {"month": "2026-03"})["Location"]  # fmt: skip

    other = make_user("me_officer", organization=org_a, username="otra.mye")
    assert api(client, other).get(mine).status_code == 404
    assert api(client, other).get(mine, {"output": "csv"}).status_code == 404
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()


def test_asking_again_while_it_counts_gives_the_same_job(client, manager):
    api(client, manager)  # the worker does not run: the job stays queued

    first = client.post(
        "/api/v1/reports/5w/", {"month": "2026-03"}, content_type="application/json"
    )
    again = client.post(
        "/api/v1/reports/5w/", {"month": "2026-03"}, content_type="application/json"
    )

    assert first.status_code == again.status_code == 202
    assert again.json()["job"] == first.json()["job"]
    assert Job.objects.count() == 1
