"""/api/v1/cases/: the same access policy as the screens; narratives never in lists."""

import pytest
from rest_framework.test import APIClient

from amparo.cases.models import Case
from amparo.core.models import AuditEvent


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_open_list_and_read_a_case(caseworker, person):
    api = api_for(caseworker)
    response = api.post(
        "/api/v1/cases/",
        {
            "type": "legal",
            "risk_level": "medium",
            "individuals": [str(person.uuid)],
            "summary": "S",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "legal" and body["risk_level"] == "medium"
    assert body["individuals"] == [str(person.uuid)] and body["owner"] == str(caseworker.uuid)
    listing = api.get("/api/v1/cases/").json()["results"]
    assert [c["id"] for c in listing] == [body["id"]]
    assert "summary" not in listing[0]
    detail = api.get(f"/api/v1/cases/{body['id']}/").json()
    assert detail["summary"] == "S"
    assert AuditEvent.objects.filter(action="cases.case.viewed", target_id=body["id"]).exists()


@pytest.mark.django_db
def test_bad_input_is_refused_and_writes_nothing(caseworker, person, make_user, office_b1):
    api = api_for(caseworker)
    response = api.post(
        "/api/v1/cases/",
        {"type": "gbv", "risk_level": "low", "individuals": [str(person.uuid)]},
        format="json",
    )
    assert response.status_code == 400 and "type" in response.json()
    stranger = make_user("caseworker", office=office_b1)
    response = api_for(stranger).post(
        "/api/v1/cases/",
        {"type": "legal", "risk_level": "low", "individuals": [str(person.uuid)]},
        format="json",
    )
    assert response.status_code == 400 and "individuals" in response.json()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_notes_have_a_text_and_are_for_the_team_only(case, caseworker, colleague):
    api = api_for(caseworker)
    created = api.post(f"/api/v1/cases/{case.uuid}/notes/", {"text": "Llamó hoy"}, format="json")
    assert created.status_code == 201 and created.json()["text"] == "Llamó hoy"
    assert [n["text"] for n in api.get(f"/api/v1/cases/{case.uuid}/notes/").json()] == ["Llamó hoy"]
    outsider = api_for(colleague)
    for url in (f"/api/v1/cases/{case.uuid}/", f"/api/v1/cases/{case.uuid}/notes/"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/api/v1/cases/{case.uuid}/notes/", {"text": "x"}).status_code == 404
    assert outsider.get("/api/v1/cases/").json()["results"] == []
    assert case.notes.count() == 1


@pytest.mark.django_db
def test_gbv_case_is_404_for_the_administrator_and_the_supervisor(gbv_case, admin_a, supervisor):
    for user in (admin_a, supervisor):
        api = api_for(user)
        assert api.get(f"/api/v1/cases/{gbv_case.uuid}/").status_code == 404
        assert api.get(f"/api/v1/cases/{gbv_case.uuid}/notes/").status_code == 404


@pytest.mark.django_db
def test_closure_through_the_api_waits_for_a_supervisor(case, caseworker):
    api = api_for(caseworker)
    response = api.post(f"/api/v1/cases/{case.uuid}/closure/", {"reason": "goals_met"})
    assert response.status_code == 202 and response.json()["state"] == "intake"
    again = api.post(f"/api/v1/cases/{case.uuid}/closure/", {"reason": "goals_met"})
    assert again.status_code == 400 and "non_field_errors" in again.json()


@pytest.mark.django_db
def test_incidents_through_the_api_are_for_the_gbv_team_only(gbv_case, gbv_specialist, caseworker):
    payload = {
        "incident_date": str(gbv_case.opened_on),
        "report_date": str(gbv_case.opened_on),
        "area": "EC-P",
        "type": "rape",
        "context": ["none"],
        "account": "Relato",
        "perpetrator_count": 1,
        "perpetrator_sex": "M",
        "perpetrator_age_group": "unknown",
        "perpetrator_relationship": "stranger",
        "referral_consent": ["health"],
    }
    url = f"/api/v1/cases/{gbv_case.uuid}/incidents/"
    bad = api_for(gbv_specialist).post(url, payload | {"report_date": "2000-01-01"}, format="json")
    assert bad.status_code == 400 and "report_date" in bad.json()
    created = api_for(gbv_specialist).post(url, payload, format="json")
    assert created.status_code == 201, created.content
    assert api_for(gbv_specialist).get(url).json()[0]["account"] == "Relato"
    assert api_for(caseworker).get(url).status_code == 404
    assert api_for(caseworker).post(url, payload, format="json").status_code == 404
    assert gbv_case.incidents.count() == 1


@pytest.mark.django_db
def test_the_plan_through_the_api(case, caseworker, colleague):
    url = f"/api/v1/cases/{case.uuid}/plan/"
    assert api_for(caseworker).get(url).status_code == 404  # no plan yet
    saved = api_for(caseworker).put(
        url, {"needs": "N", "goals": "G", "services_planned": ["legal"]}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["goals"] == "G"
    assert api_for(colleague).get(url).status_code == 404
    refused = api_for(caseworker).put(url, {"needs": "", "goals": "G"}, format="json")
    assert refused.status_code == 400
    assert api_for(caseworker).get(url).json()["needs"] == "N"


@pytest.mark.django_db
def test_plan_put_without_goals_is_a_400_not_a_500(case, caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    response = api.put(f"/api/v1/cases/{case.uuid}/plan/", {"needs": "N"}, format="json")
    assert response.status_code == 400 and "goals" in response.json()


@pytest.mark.django_db
def test_reading_follow_ups_through_the_api_is_audited(case, caseworker):
    api = APIClient()
    api.force_authenticate(caseworker)
    assert api.get(f"/api/v1/cases/{case.uuid}/follow-ups/").status_code == 200
    assert AuditEvent.objects.filter(action="cases.case.viewed", actor=caseworker).exists()
