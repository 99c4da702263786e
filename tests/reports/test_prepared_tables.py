"""People reached prepared off the request as a protected HXL table (the reports' home offers
this year's by province and sex): the worker counts it, its page offers the file, each download
is audited; others, bad input and other people's tables are refused."""

import io

import hxl
import pytest
from django.utils import timezone

from amparo.core import jobs
from amparo.core.models import AuditEvent, Job, Role
from amparo.reports import tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH = {"since": "2026-03-01", "until": "2026-03-31", "by": "admin1,sex"}


def prepare(client, capture, **data):
    with capture(execute=True):
        return client.post("/reports/tables/", {**MARCH, **data})


def test_a_table_is_prepared_off_the_request_then_downloaded_as_hxl(
    client, manager, reached_people, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    started = prepare(client, django_capture_on_commit_callbacks)
    page = client.get(started["Location"])
    table = client.get(started["Location"], {"output": "csv"})

    assert started.status_code == 302
    assert page.status_code == 200
    assert 'id="prepared-ready"' in page.content.decode()
    assert table.status_code == 200
    assert table["Cache-Control"] == "no-store"
    assert table["Content-Type"].startswith("text/csv")
    data = hxl.data(io.BytesIO(table.content))
    tags = [c.display_tag for c in data.columns]
    assert tags[:3] == ["#adm1+code", "#adm1+name", "#beneficiary+sex"]
    rows = list(data)
    total = [r for r in rows if r.get("#adm1+code") == r.get("#beneficiary+sex") == "Total"]
    assert [r.get("#reached+ind") for r in total] == ["17"]
    event = AuditEvent.objects.get(action="reports.people_reached.exported")
    assert event.details["by"] == ["admin1", "sex"]
    assert event.details["rows"] == len(rows)
    assert (event.details["from"], event.details["to"]) == ("2026-03-01", "2026-03-31")
    book = client.get(started["Location"], {"output": "xlsx"})
    assert [c.display_tag for c in hxl.data(io.BytesIO(book.content)).columns] == tags
    assert book["Cache-Control"] == "no-store"
    assert client.get(started["Location"], {"output": "pdf"}).status_code == 400
    assert AuditEvent.objects.filter(action="reports.people_reached.exported").count() == 2


def test_a_table_of_one_office_counts_that_office_only(
    client, manager, office_a1, office_a2, reached_people, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    tables = {}
    for office in (office_a1, office_a2):
        started = prepare(client, django_capture_on_commit_callbacks, office=str(office.uuid))
        table = client.get(started["Location"], {"output": "csv"})
        tables[office] = list(hxl.data(io.BytesIO(table.content)))

    total = [
        r for r in tables[office_a1] if r.get("#adm1+code") == r.get("#beneficiary+sex") == "Total"
    ]
    assert [r.get("#reached+ind") for r in total] == ["17"]  # the workshop was at office A1
    assert tables[office_a2] == []  # its header alone: nobody reached there
    events = AuditEvent.objects.filter(action="reports.people_reached.exported")
    assert sorted(e.details["office"] for e in events) == sorted([office_a1.pk, office_a2.pk])


@pytest.mark.parametrize(
    "data",
    [
        {"since": "ayer"},
        {"until": ""},
        {"since": "2026-03-31", "until": "2026-03-01"},
        {"since": "2010-01-01", "until": "2026-03-01"},
        {"by": "sex,sex"},
        {"by": "religion"},
        {"office": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_bad_input_answers_400_with_the_reason_and_starts_nothing(
    client, manager, data, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    refused = prepare(client, django_capture_on_commit_callbacks, **data)

    assert refused.status_code == 400
    assert 'id="error-summary"' in refused.content.decode()
    assert not Job.objects.exists()


def test_an_office_of_another_organization_is_refused(
    client, manager, office_b1, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    refused = prepare(client, django_capture_on_commit_callbacks, office=str(office_b1.uuid))

    assert refused.status_code == 400
    assert not Job.objects.exists()


def test_others_and_other_peoples_tables_answer_404(
    client, lead, manager, make_user, org_a, reached_people, django_capture_on_commit_callbacks
):
    client.force_login(lead)  # a caseworker: no reports.export
    assert prepare(client, django_capture_on_commit_callbacks).status_code == 404
    client.force_login(manager)
    assert client.get("/reports/tables/").status_code == 404  # prepared by a POST only
    mine = prepare(client, django_capture_on_commit_callbacks)["Location"]

    client.force_login(make_user("me_officer", organization=org_a, username="otra.mye"))
    assert client.get(mine).status_code == 404
    assert client.get(mine, {"output": "csv"}).status_code == 404
    client.force_login(manager)
    five_w_page = mine.replace("/reports/tables/", "/reports/5w/")
    assert client.get(five_w_page).status_code == 404  # a table is not a 5W
    assert not AuditEvent.objects.filter(action="reports.people_reached.exported").exists()


def test_a_reader_who_lost_the_permission_gets_the_reason_and_no_file(
    client, manager, org_a, reached_people
):
    job = Job.objects.create(
        owner=manager,
        handler=jobs.path_of(tasks.reached_table),
        params={"from": "2026-03-01", "to": "2026-03-31", "by": ["sex"], "office": None},
    )
    manager.role = Role.objects.create(
        organization=org_a, code="viewer", name="Lectura", permissions=["reports.view"]
    )
    manager.save()

    jobs.run_job.call(job.pk)

    job.refresh_from_db()
    assert job.state == Job.State.REFUSED
    assert "ya no puede exportar" in job.result["refused"][0]
    assert "lines" not in job.result


def test_the_dashboard_offers_the_table_to_exporters_only(client, manager, org_a, reached_people):
    viewer = Role.objects.create(
        organization=org_a, code="viewer", name="Lectura", permissions=["reports.view"]
    )
    client.force_login(manager)
    page = client.get("/reports/").content.decode()
    assert 'action="/reports/tables/"' in page
    assert f'name="since" value="{timezone.localdate().year}-01-01"' in page
    client.force_login(UserFactory(organization=org_a, role=viewer, username="lectura"))
    page = client.get("/reports/")
    assert page.status_code == 200
    assert 'action="/reports/tables/"' not in page.content.decode()
    assert client.post("/reports/tables/", MARCH).status_code == 404


def test_asking_again_while_it_counts_gives_the_same_job_and_three_at_once_is_the_most(
    client, manager, reached_people, django_capture_on_commit_callbacks
):
    client.force_login(manager)  # the worker does not run: the jobs stay queued

    first = client.post("/reports/tables/", MARCH)
    again = client.post("/reports/tables/", MARCH)
    for month in ("2026-01", "2026-02"):
        client.post("/reports/5w/", {"month": month})
    fourth = client.post("/reports/5w/", {"month": "2026-03"})

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert fourth.status_code == 400
    assert "Ya tiene 3 exportaciones en preparación" in fourth.content.decode()
    assert Job.objects.count() == 3
    Job.objects.filter(handler=jobs.path_of(tasks.reached_table)).update(
        state=Job.State.FINISHED, result={"refused": []}
    )
    fresh = client.post("/reports/tables/", MARCH)  # the one before is over: counted again
    assert fresh.status_code == 302
    assert fresh["Location"] != first["Location"]
    assert Job.objects.count() == 4
