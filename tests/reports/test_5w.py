"""The monthly 5W: the R4V's columns, people once per row, new beneficiaries of the year, the
place where the service was given, each row protected; the command and the API."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from amparo.assistance import actions as assistance
from amparo.assistance.models import Delivery
from amparo.core.models import Area, AuditEvent
from amparo.registry.actions import register_household
from amparo.reports import exports, queries_5w
from tests.activities.helpers import record
from tests.factories import api_token, member

pytestmark = pytest.mark.django_db

KEYS = [key for key, _label in queries_5w.COLUMNS]


@pytest.fixture
def quito(office_a1):
    pichincha = Area.objects.get(code="EC-P")
    area = Area.objects.create(
        code="EC-P-Q", name="Quito", level=2, country_code="EC", parent=pichincha
    )
    office_a1.area = area
    office_a1.save()
    return area


@pytest.fixture
def lead(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="lead.a1")


def person(registrar, office, n, **overrides):
    household = register_household(
        actor=registrar,
        office=office,
        members=[member(documents=[], phone="", given_names=f"Persona {n}", **overrides)],
    )
    return household.members.get()


@pytest.fixture
def workshop(registrar, lead, office_a1, quito):
    """Legal counselling in March: 12 adult women (2 already seen in February), 3 boys."""
    women = [person(registrar, office_a1, n, sex="F") for n in range(12)]
    boys = [
        person(registrar, office_a1, 20 + n, sex="M", date_of_birth="2015-01-01") for n in range(3)
    ]
    record(lead, participants=women[:2], date=datetime.date(2026, 2, 10))
    record(lead, participants=women + boys, date=datetime.date(2026, 3, 12))
    record(lead, participants=women[:5], date=datetime.date(2026, 3, 19))  # again: once
    return women, boys


def the_row(result, **match):
    found = [r for r in result.rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, result.rows
    return found[0]


def test_a_row_counts_each_person_once_with_new_ones_and_the_breakdown(manager, org_a, workshop):
    result = queries_5w.five_w(manager, org_a, "2026-03", smallest=5)

    row = the_row(result, activity="Sesión de asesoría legal")
    assert list(row) == KEYS
    assert (row["country"], row["admin1"], row["admin1_code"]) == ("Ecuador", "Pichincha", "EC-P")
    assert (row["admin2"], row["admin2_code"]) == ("Quito", "EC-P-Q")
    assert row["month"] == "2026-03"
    assert row["sector"] == "Protección"
    assert row["population_type"] == "Refugiados y migrantes en destino"
    assert row["total"] == 15
    assert row["new"] == 13  # two women were reached in February
    # 3 boys hidden; the women too, or 15 - 12 would give them away. Zeros shown.
    assert (row["women"], row["boys"], row["men"], row["girls"]) == (None, None, 0, 0)
    assert row["hidden"] == "x"


def test_a_delivery_is_a_row_of_its_own_where_it_was_given(manager, officer, org_a, cycle, quito):
    entitlement = cycle.entitlements.order_by("pk").first()
    delivery, _done = assistance.deliver(
        actor=officer, entitlement=entitlement, collected_by="Vecina"
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        delivered_at=datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)
    )

    result = queries_5w.five_w(manager, org_a, "2026-03", smallest=1)

    row = the_row(result, activity="Efectivo multipropósito")
    assert row["sector"] == "Transferencias monetarias multipropósito (MPC)"
    assert row["admin2"] == "Quito"  # the cycle has no area: its office's
    assert row["total"] == row["new"] == entitlement.household.members.count()


def test_the_command_writes_csv_and_xlsx_and_audits(manager, workshop, tmp_path):
    csv_file, book_file = tmp_path / "5w.csv", tmp_path / "5w.xlsx"

    call_command("export", "5w", "--month", "2026-03", "--output", str(csv_file))
    call_command(
        "export", "5w", "--month", "2026-03", "--format", "xlsx", "--output", str(book_file)
    )

    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2  # the header and one row
    sheet = openpyxl.load_workbook(book_file).active
    values = list(sheet.values)
    assert len(values[0]) == len(KEYS)
    assert values[1][KEYS.index("total")] == 15
    assert AuditEvent.objects.filter(action="reports.five_w.exported").count() == 2


@pytest.mark.parametrize("month", ["2026-13", "marzo", "2026-03-01"])
def test_the_command_refuses_a_bad_month_and_writes_nothing(manager, month, tmp_path):
    output = tmp_path / "5w.csv"

    with pytest.raises(CommandError):
        call_command("export", "5w", "--month", month, "--output", str(output))

    assert not output.exists()
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def test_the_api_gives_the_5w_to_an_m_and_e_officer(client, manager, workshop):
    answer = api(client, manager).get("/api/v1/reports/5w/", {"month": "2026-03"})
    book = api(client, manager).get("/api/v1/reports/5w/", {"month": "2026-03", "output": "xlsx"})

    assert answer.status_code == 200
    body = answer.json()
    assert [c["key"] for c in body["columns"]] == KEYS
    assert body["rows"][0][KEYS.index("total")] == 15
    assert book.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(book.content)).active.max_row == 2


def test_the_api_refuses_others_and_bad_months(client, lead, manager):
    assert api(client, lead).get("/api/v1/reports/5w/", {"month": "2026-03"}).status_code == 404
    for query in ({"month": "2026-3x"}, {}, {"month": "2026-03", "output": "pdf"}):
        response = api(client, manager).get("/api/v1/reports/5w/", query)
        assert response.status_code == 400, query
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()


def test_the_csv_writer_keeps_the_columns_in_order(manager, org_a, workshop):
    text = exports.five_w_csv(queries_5w.five_w(manager, org_a, "2026-03", smallest=5))

    header = next(csv.reader(io.StringIO(text)))
    assert len(header) == len(KEYS)


def test_gbv_services_are_never_placed_below_admin_1(manager, org_a, lead, workshop, quito):
    women, _boys = workshop
    record(lead, participants=women, date=datetime.date(2026, 3, 20), type="pfa", sector="gbv")

    result = queries_5w.five_w(manager, org_a, "2026-03", smallest=5)

    gbv = the_row(result, sector="Violencia basada en género (VBG)")
    assert (gbv["admin1"], gbv["admin1_code"]) == ("Pichincha", "EC-P")
    assert (gbv["admin2"], gbv["admin2_code"]) == ("", "")
    legal = the_row(result, activity="Sesión de asesoría legal")
    assert legal["admin2"] == "Quito"  # other sectors keep their canton


def _delivered(officer, entitlement, when):
    delivery, _done = assistance.deliver(
        actor=officer, entitlement=entitlement, collected_by="Vecina"
    )
    Delivery.objects.filter(pk=delivery.pk).update(delivered_at=when)


def test_new_means_nothing_of_that_sector_and_activity_earlier_in_the_year(
    manager, officer, org_a, cycle, lead, quito
):
    """A household's cash in February makes its members not new in March; cash of the year
    before does not; a service of another activity leaves them new in it; January's are all
    new."""
    later = assistance.open_cycle(
        actor=manager,
        project=cycle.project,
        office=cycle.office,
        name="Efectivo, segundo pago",
        assistance_type="mpc",
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        amount=cycle.amount,
        currency="usd",
        place="Centro comunal",
    )
    first, second = cycle.entitlements.order_by("pk")[:2]
    utc = datetime.UTC
    _delivered(officer, first, datetime.datetime(2026, 2, 10, 15, tzinfo=utc))
    _delivered(officer, second, datetime.datetime(2025, 12, 20, 15, tzinfo=utc))
    for entitlement, day in ((first, 10), (second, 11)):
        paid_again = later.entitlements.get(household=entitlement.household)
        _delivered(officer, paid_again, datetime.datetime(2026, 3, day, 15, tzinfo=utc))
    members = list(first.household.members.all())
    record(lead, participants=members, date=datetime.date(2026, 3, 12))

    march = queries_5w.five_w(manager, org_a, "2026-03", smallest=1)
    february = queries_5w.five_w(manager, org_a, "2026-02", smallest=1)
    january = queries_5w.five_w(manager, org_a, "2026-01", smallest=1)

    cash = the_row(march, activity="Efectivo multipropósito")
    in_second = second.household.members.count()
    assert cash["total"] == len(members) + in_second
    assert cash["new"] == in_second  # the first household had cash in February
    legal = the_row(march, activity="Sesión de asesoría legal")
    assert legal["total"] == legal["new"] == len(members)
    assert the_row(february, activity="Efectivo multipropósito")["new"] == len(members)
    assert january.rows == []


def prepare(client, capture, month="2026-03"):
    with capture(execute=True):
        return client.post("/reports/5w/", {"month": month})


def test_the_5w_is_prepared_off_the_request_then_downloaded(
    client, manager, workshop, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    started = prepare(client, django_capture_on_commit_callbacks)
    page = client.get(started["Location"])
    book = client.get(started["Location"], {"output": "xlsx"})
    table = client.get(started["Location"], {"output": "csv"})

    assert started.status_code == 302
    assert page.status_code == 200
    assert b'id="prepared-ready"' in page.content
    assert "1 de ellas tiene cifras ocultas (menores que 5)" in page.content.decode()
    values = list(openpyxl.load_workbook(io.BytesIO(book.content)).active.values)
    assert values[1][KEYS.index("total")] == 15
    assert book["Cache-Control"] == "no-store"
    assert len(table.content.decode("utf-8").splitlines()) == 2
    events = AuditEvent.objects.filter(action="reports.five_w.exported")
    assert [e.details["month"] for e in events] == ["2026-03", "2026-03"]  # each download
    assert client.get(started["Location"], {"output": "pdf"}).status_code == 400
    assert events.count() == 2


def test_the_5w_page_refuses_others_bad_months_and_other_peoples_jobs(
    client, lead, manager, make_user, org_a, workshop, django_capture_on_commit_callbacks
):
    from amparo.core.models import Job

    client.force_login(lead)
    assert prepare(client, django_capture_on_commit_callbacks).status_code == 404
    client.force_login(manager)
    for month in ("2026-13", "marzo", ""):
        refused = prepare(client, django_capture_on_commit_callbacks, month)
        assert refused.status_code == 400, month
        assert "error-summary" in refused.content.decode()
    assert not Job.objects.exists()
    assert client.get("/reports/5w/").status_code == 404  # prepared by a POST only

    mine = prepare(client, django_capture_on_commit_callbacks)["Location"]
    client.force_login(make_user("me_officer", organization=org_a, username="otra.mye"))
    assert client.get(mine).status_code == 404
    assert client.get(mine, {"output": "xlsx"}).status_code == 404
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()


def test_the_dashboard_offers_the_5w_to_exporters_only(client, manager, org_a):
    from amparo.core.models import Role
    from tests.factories import UserFactory

    viewer = Role.objects.create(
        organization=org_a, code="viewer", name="Lectura", permissions=["reports.view"]
    )
    client.force_login(manager)
    assert b'action="/reports/5w/"' in client.get("/reports/").content
    client.force_login(UserFactory(organization=org_a, role=viewer, username="lectura"))
    page = client.get("/reports/")
    assert page.status_code == 200
    assert b'action="/reports/5w/"' not in page.content
    assert client.post("/reports/5w/", {"month": "2026-03"}).status_code == 404


def test_a_5w_the_worker_refused_says_why(client, manager):
    from amparo.core import jobs
    from amparo.core.models import Job
    from amparo.reports import tasks

    job = Job.objects.create(
        owner=manager,
        handler=jobs.path_of(tasks.five_w),
        params={"month": "2026-03"},
        state=Job.State.REFUSED,
        result={"refused": ["Usted ya no puede exportar los informes de esta organización."]},
    )
    client.force_login(manager)

    page = client.get(f"/reports/5w/{job.uuid}/")

    assert page.status_code == 200
    assert "error-summary" in page.content.decode()
    assert "ya no puede exportar" in page.content.decode()
    no_file = client.get(f"/reports/5w/{job.uuid}/", {"output": "xlsx"})
    assert no_file.status_code == 200
    assert no_file["Content-Type"].startswith("text/html")  # the page again, not a workbook
    assert not AuditEvent.objects.filter(action="reports.five_w.exported").exists()
