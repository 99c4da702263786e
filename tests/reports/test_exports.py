"""People reached leaving the organization: HXL that libhxl reads and validates, counts below
the threshold hidden with what would give them away, the command and the API, audited."""

import csv
import datetime
import io

import hxl
import pytest
from django.core.management import CommandError, call_command

from amparo.core.models import AuditEvent
from amparo.reports import exports, queries
from amparo.reports.queries import Period
from tests.activities.helpers import record
from tests.factories import api_token

pytestmark = pytest.mark.django_db

MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def read_hxl(text: str):
    return hxl.data(io.BytesIO(text.encode("utf-8")))


def test_the_hxl_export_is_read_and_validated_by_libhxl(manager, reached_people):
    reached = queries.people_reached(manager, MARCH, ("admin1", "sex"))
    text = exports.to_csv(reached, smallest=5, hxl=True)

    source = read_hxl(text)
    tags = [column.display_tag for column in source.columns]
    assert tags == [
        "#adm1+code", "#adm1+name", "#beneficiary+sex",
        "#reached+ind", "#reached+hh", "#meta+suppressed",
    ]  # fmt: skip
    rows = [row.values for row in read_hxl(text)]
    assert ["EC-G", "Guayas", "Femenino", "", "", "x"] in rows
    assert ["Total", "", "Total", "17", "", ""] in rows
    errors = []
    schema = hxl.schema(callback=errors.append)
    assert schema.validate(read_hxl(text))
    assert errors == []
    by_month = queries.people_reached(manager, MARCH, ("month", "sector"))
    assert hxl.schema(callback=errors.append).validate(
        read_hxl(exports.to_csv(by_month, smallest=5, hxl=True))
    )
    assert errors == []


def test_small_counts_are_hidden_with_what_would_reveal_them(manager, reached_people):
    """3 men in Pichincha and 2 women in Guayas are hidden, and enough else that no line
    (margins included) lets them be worked out; shown values are the true ones."""
    reached = queries.people_reached(manager, MARCH, ("admin1", "sex"))
    rows = exports.rows(reached, smallest=5)

    cells = {(r[0], r[2]): (r[3], r[5]) for r in rows}  # (adm1 code, sex label) -> value, mark
    assert cells[("EC-P", "Masculino")] == (None, "x")
    assert cells[("EC-G", "Femenino")] == (None, "x")
    assert cells[("EC-P", "Femenino")] == (None, "x")  # else 15 - 12 gives the 3 men away
    total = next(r for r in rows if r[0] == "Total" and r[2] == "Total")
    assert total[3] == 17  # the grand total may show: 17 is not small
    shown = [r for r in rows if r[3] is not None]
    assert all(r[5] == "" for r in shown)
    # No line is left with one hidden value: each Pichincha/Guayas row has two, or none.
    for code in ("EC-P", "EC-G"):
        line = [r for r in rows if r[0] == code]
        assert sum(r[3] is None for r in line) != 1


def test_three_dimensions_are_published_as_protected_two_way_slices(manager, reached_people):
    reached = queries.people_reached(manager, MARCH, ("sex", "age_band", "admin1"))
    rows = exports.rows(reached, smallest=5)

    slices = {r[-4] for r in rows}  # the admin 1 name of each row
    assert slices == {"Pichincha", "Guayas"}
    for name in slices:
        grand = [r for r in rows if r[-4] == name and r[0] == "Total" and r[1] == "Total"]
        assert len(grand) == 1  # each slice with its own margins


def test_the_command_writes_the_file_and_audits_it(manager, reached_people, tmp_path):
    output = tmp_path / "reached.csv"

    call_command(
        "export", "people-reached", "--from", "2026-03-01", "--to", "2026-03-31",
        "--by", "sex,admin1", "--hxl", "--organization", "org-a", "--output", str(output),
    )  # fmt: skip

    rows = [row.values for row in read_hxl(output.read_text(encoding="utf-8"))]
    assert len(rows) > 4
    event = AuditEvent.objects.get(action="reports.people_reached.exported")
    assert event.details["by"] == ["sex", "admin1"]
    assert event.details["disclosure_control"] is True


def test_the_command_writes_an_hxl_workbook_that_libhxl_reads(manager, reached_people, tmp_path):
    output = tmp_path / "reached.xlsx"

    call_command(
        "export", "people-reached", "--from", "2026-03-01", "--to", "2026-03-31",
        "--by", "admin1,sex", "--hxl", "--format", "xlsx", "--organization", "org-a",
        "--output", str(output),
    )  # fmt: skip

    data = hxl.data(io.BytesIO(output.read_bytes()))
    tags = [c.display_tag for c in data.columns]
    assert tags[:3] == ["#adm1+code", "#adm1+name", "#beneficiary+sex"]
    total = [r for r in data if r.get("#adm1+code") == r.get("#beneficiary+sex") == "Total"]
    assert [float(r.get("#reached+ind")) for r in total] == [17]
    event = AuditEvent.objects.get(action="reports.people_reached.exported")
    assert event.details["rows"] == 9  # 2 provinces and their total, by 2 sexes and total


@pytest.mark.parametrize(
    "change",
    [
        {"--from": "2026-31-03"},
        {"--to": "2026-02-01"},
        {"--by": "sex,religion"},
        {"--organization": "nobody"},
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(manager, change, tmp_path):
    output = tmp_path / "reached.csv"
    options = {
        "--from": "2026-03-01",
        "--to": "2026-03-31",
        "--by": "sex",
        "--organization": "org-a",
        **change,
    }
    arguments = [part for pair in options.items() for part in pair]

    with pytest.raises(CommandError):
        call_command("export", "people-reached", *arguments, "--output", str(output))

    assert not output.exists()
    assert not AuditEvent.objects.filter(action="reports.people_reached.exported").exists()


def api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def test_the_api_answers_an_m_and_e_officer_with_protected_counts(client, manager, reached_people):
    response = api(client, manager).get(
        "/api/v1/reports/people-reached/", {"from": "2026-03-01", "to": "2026-03-31", "by": "sex"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["people"] == 17
    assert [c["hxl"] for c in body["columns"]][:1] == ["#beneficiary+sex"]
    # 3 men hidden; then the 14 women too, or 17 - 14 would give the men away.
    assert {tuple(r[:2]) for r in body["rows"]} == {
        ("Femenino", None),
        ("Masculino", None),
        ("Total", 17),
    }
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action="reports.people_reached.exported", actor=manager
    ).exists()


def test_the_api_gives_csv_with_hxl(client, manager, reached_people):
    response = api(client, manager).get(
        "/api/v1/reports/people-reached/",
        {"from": "2026-03-01", "to": "2026-03-31", "by": "admin1", "output": "csv", "hxl": "1"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    columns = read_hxl(response.content.decode()).columns
    assert [c.display_tag for c in columns].count("#reached+ind") == 1


def test_a_role_without_the_export_permission_gets_404(client, lead, reached_people):
    response = api(client, lead).get(
        "/api/v1/reports/people-reached/", {"from": "2026-03-01", "to": "2026-03-31"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"from": "yesterday", "to": "2026-03-31"},
        {"from": "2026-03-01"},
        {"from": "2026-03-31", "to": "2026-03-01"},
        {"from": "2026-03-01", "to": "2026-03-31", "by": "sex,sex"},
        {"from": "2026-03-01", "to": "2026-03-31", "output": "pdf"},
    ],
)
def test_the_api_answers_400_to_bad_parameters_and_audits_nothing(client, manager, query):
    response = api(client, manager).get("/api/v1/reports/people-reached/", query)

    assert response.status_code == 400
    assert response.json()
    assert not AuditEvent.objects.filter(action="reports.people_reached.exported").exists()


def test_gbv_figures_leave_without_office_or_admin_2(manager, lead, reached_people, tmp_path):
    record(lead, participants=reached_people[:6], date=datetime.date(2026, 3, 14),
           type="pfa", sector="gbv")  # fmt: skip
    output = tmp_path / "reached.csv"

    call_command(
        "export", "people-reached", "--from", "2026-03-01", "--to", "2026-03-31",
        "--by", "sector,admin2,office", "--organization", "org-a", "--output", str(output),
    )  # fmt: skip

    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8"))))[1:]
    gbv = [r for r in rows if r[0] == "gbv"]
    # No admin 2 (its P-code column says "sin dato", or the slice's total) and no office.
    assert gbv and all(r[2] in ("sin dato", "Total") and r[3] == "" for r in gbv)
    assert all(r[4] == "sin dato" for r in gbv)
    inside = queries.people_reached(manager, MARCH, ("sector", "admin2"))
    assert any(r["sector"] == "gbv" and r["admin2"] == "EC-P-Q" for r in inside.rows)
