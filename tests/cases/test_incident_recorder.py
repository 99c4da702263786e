"""The GBVIMS Incident Recorder export for the GBV coordination group (ISP)."""

import datetime
import io

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from amparo.cases import actions, incident_recorder, queries
from amparo.cases.models import GBVTeamMember
from amparo.core.models import AuditEvent
from tests.case_fixtures import SURVIVOR
from tests.cases.test_incidents import _record


def _sheet(content: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(content))["Incident Data"].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _export(user, office, month="2026-02") -> list[dict]:
    content, _count = actions.export_incident_recorder(actor=user, offices=[office], month=month)
    return _sheet(content)


@pytest.mark.django_db
def test_the_export_has_the_incident_recorders_columns_and_answers(
    gbv_case, gbv_specialist, coordinator, quito
):
    incident = _record(gbv_case, gbv_specialist, context=["transactional", "abduction"])
    actions.record_service_decision(
        actor=gbv_specialist,
        case=gbv_case,
        service_type="health",
        outcome="referral_declined_by_survivor",
        decided_on=datetime.date(2026, 2, 10),
    )

    (row,) = _export(coordinator, quito)

    assert list(row) == incident_recorder.COLUMNS
    assert row["INCIDENT ID"] == incident.uuid.hex[:8].upper()
    assert row["SURVIVOR CODE"] == gbv_case.reference
    assert row["CASE MANAGER CODE"] == f"CM-{gbv_specialist.pk}"
    assert row["DATE OF INTERVIEW"] == "10-Feb-2026"
    assert row["SEX"] == "F"
    assert row["DISPLACEMENT STATUS AT REPORT"] == "Asylum Seeker"
    assert row["CIVIL / MARITAL STATUS"] == "Married / Cohabiting"
    assert row["STAGE OF DISPLACEMENT AT INCIDENT"] == "During Refuge"
    assert row["INCIDENT TIME OF DAY"] == "Evening / night (sunset to sunrise)"
    assert row["INCIDENT COUNTY"] == "Pichincha"
    assert row["GBV TYPE"] == "Physical Assault"
    assert row["MONEY, GOODS, BENEFITS AND / OR SERVICES EXCHANGED ?"] == "Yes"
    assert row["TYPE OF ABDUCTION"] == "Other Abduction / Kidnapping"
    assert row["PREVIOUSLY REPORTED THIS INCIDENT?"] == "No"
    assert row["ALLEGED PERPETRATOR AGE GROUP"] == "Age 26 - 40"
    assert row["ALLEGED PERPETRATOR SEX"] == "M"
    assert row["REFERRED TO YOU FROM?"] == "Health / Medical Services"
    assert row["HEALTH / MEDICAL SERVICES"] == "Referral declined by survivor"
    assert row["WANTS LEGAL ACTION?"] == "Undecided at time of report"
    assert row["CONSENT GIVEN"] == "Yes"
    assert row["REPORTING AGENCY CODE"] == gbv_case.organization.code


@pytest.mark.django_db
def test_the_export_never_holds_her_name_phone_document_or_birth_date(
    gbv_case, walk_in_case, gbv_specialist, coordinator, quito, person
):
    _record(gbv_case, gbv_specialist)
    _record(walk_in_case, gbv_specialist)

    content, count = actions.export_incident_recorder(
        actor=coordinator, offices=[quito], month="2026-02"
    )

    rows = _sheet(content)
    assert count == 2 and {r["SEX"] for r in rows} == {"F"}
    assert {r["DATE OF BIRTH"] for r in rows} == {None}
    text = " ".join(str(v) for r in rows for v in r.values())
    for secret in ("Yohana", "Mendoza", "0987654321", person.given_names, "Relato"):
        assert secret not in text
    assert "Venezuela" in text


@pytest.mark.django_db
def test_only_consented_incidents_of_the_month_are_exported(
    gbv_case, gbv_specialist, coordinator, quito
):
    _record(gbv_case, gbv_specialist)
    _record(gbv_case, gbv_specialist, statistics_consent=False)
    march = datetime.date(2026, 3, 1)
    _record(gbv_case, gbv_specialist, incident_date=march, report_date=march)
    _record(
        gbv_case,
        gbv_specialist,
        reported_elsewhere="yes",
        reported_to=["health"],
        reported_to_gbvims_agency=True,
    )

    rows = _export(coordinator, quito)

    # Reported to another GBVIMS agency: written, saying so, for the group to count it once.
    assert [r["PREVIOUSLY REPORTED THIS INCIDENT?"] for r in rows] == [
        "No",
        "Yes-GBVIMS Org / Agency",
    ]
    assert len(_export(coordinator, quito, "2026-03")) == 1


@pytest.mark.django_db
def test_the_export_is_audited_with_counts_for_the_office_gbv_team_only(
    gbv_case, gbv_specialist, coordinator, quito
):
    _record(gbv_case, gbv_specialist)

    _export(coordinator, quito)

    event = AuditEvent.objects.get(action="cases.incidents.exported")
    assert event.details == {"format": "incident_recorder", "month": "2026-02", "incidents": 1}
    assert event.restricted_office_id == quito.pk
    assert event.actor == coordinator


@pytest.mark.django_db
def test_only_the_gbv_coordinator_exports(
    client, gbv_case, gbv_specialist, supervisor, admin_a, coordinator, quito, make_user, office_a2
):
    _record(gbv_case, gbv_specialist)
    elsewhere = make_user("case_supervisor", office=office_a2, username="coord-a2")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere)
    url = reverse("cases:incident-recorder")
    post = {"month": "2026-02", "offices": [str(quito.uuid)]}

    for user in (gbv_specialist, supervisor, admin_a):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
        assert client.post(url, post).status_code == 404, user.username
        with pytest.raises(Http404):
            actions.export_incident_recorder(actor=user, offices=[quito], month="2026-02")
    client.force_login(elsewhere)
    assert client.post(url, post).status_code == 200  # not an office she may choose
    with pytest.raises(Http404):
        actions.export_incident_recorder(actor=elsewhere, offices=[quito], month="2026-02")
    assert not AuditEvent.objects.filter(action="cases.incidents.exported").exists()


@pytest.mark.django_db
def test_the_page_downloads_the_workbook_with_the_caveat(
    client, gbv_case, gbv_specialist, coordinator, quito
):
    _record(gbv_case, gbv_specialist)
    client.force_login(coordinator)
    url = reverse("cases:incident-recorder")

    page = client.get(url).content.decode()
    response = client.post(url, {"month": "2026-02", "offices": [str(quito.uuid)]})

    assert "no la prevalencia de la violencia basada en género" in page
    assert (
        response["Content-Disposition"] == 'attachment; filename="incident-recorder-2026-02.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert len(_sheet(response.content)) == 1
    assert "no la prevalencia" in book.worksheets[1]["A1"].value


def _walk_in_cases_with_an_incident(specialist, count: int) -> None:
    for _ in range(count):
        case = actions.open_walk_in_case(
            actor=specialist, identity=SURVIVOR, risk_level="high", summary="Llegó sola."
        )
        _record(case, specialist)


@pytest.mark.django_db
def test_the_export_reads_walk_in_survivors_in_the_same_queries_however_many(
    gbv_case, gbv_specialist, coordinator, quito, django_assert_max_num_queries
):
    _record(gbv_case, gbv_specialist)
    _walk_in_cases_with_an_incident(gbv_specialist, 1)
    since, until = actions.month_bounds("2026-02")
    with CaptureQueriesContext(connection) as one:
        queries.incident_recorder_rows(coordinator, [quito], since, until)
    _walk_in_cases_with_an_incident(gbv_specialist, 2)

    with django_assert_max_num_queries(len(one)):
        rows = queries.incident_recorder_rows(coordinator, [quito], since, until)

    assert len(one) <= 8  # offices, incidents with case and area, individuals, decisions
    assert [survivor for _incident, survivor, _outcomes, _areas in rows] == [
        {"sex": "F", "nationality": "VE", "population_group": "asylum_seeker"}
    ] + [{"sex": "F", "nationality": "VE", "population_group": ""}] * 3
