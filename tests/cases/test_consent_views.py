"""The consent and safety pages of a restricted case: its GBV team uses them; anyone else gets
404, as for the case itself."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.cases import actions, queries
from amparo.cases.models import (
    ChildConsent,
    GBVTeamMember,
    ServiceDecision,
    SurvivorIdentity,
    SurvivorSafety,
)
from amparo.core.models import AuditEvent
from tests.cases.test_access import _incident

PAGES = [
    "cases:child-consent",
    "cases:best-interests",
    "cases:adolescent-unable",
    "cases:consent-withdraw",
    "cases:service-decision",
    "cases:mandatory-reporting",
    "cases:safe-contact",
    "cases:safety-plan",
]
TODAY = timezone.localdate


@pytest.fixture
def gbv_supervisor(make_user, quito):
    user = make_user("case_supervisor", office=quito, username="supervisora-vbg")
    GBVTeamMember.objects.create(office=quito, user=user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_only_the_gbv_team_opens_the_consent_and_safety_pages(
    client, page, gbv_case, case, gbv_supervisor, caseworker, supervisor, make_user, office_b1
):
    outsiders = [caseworker, supervisor, make_user("case_supervisor", office=office_b1)]

    answers = {}
    for user in outsiders:
        client.force_login(user)
        answers[user.username] = client.get(reverse(page, args=[gbv_case.uuid])).status_code
    client.force_login(gbv_supervisor)
    mine = client.get(reverse(page, args=[gbv_case.uuid]))
    ordinary = client.get(reverse(page, args=[case.uuid]))  # not a restricted case

    assert set(answers.values()) == {404}
    assert mine.status_code == 200
    assert ordinary.status_code == 404


@pytest.mark.django_db
def test_a_caseworker_cannot_open_the_best_interests_page(client, gbv_case, gbv_specialist):
    client.force_login(gbv_specialist)

    assert client.get(reverse("cases:best-interests", args=[gbv_case.uuid])).status_code == 404


@pytest.mark.django_db
def test_the_team_records_decisions_and_safety_and_the_case_page_shows_them(
    client, gbv_case, gbv_specialist, quito
):
    client.force_login(gbv_specialist)
    today = TODAY().isoformat()

    posts = [
        client.post(
            reverse("cases:service-decision", args=[gbv_case.uuid]),
            {
                "service_type": "police",
                "outcome": "referral_declined_by_survivor",
                "decided_on": today,
            },
        ),
        client.post(
            reverse("cases:mandatory-reporting", args=[gbv_case.uuid]),
            {
                "confidentiality_explained_on": today,
                "mandatory_report": "made",
                "report_authority": "Junta Cantonal de Protección de Derechos",
                "report_date": today,
            },
        ),
        client.post(
            reverse("cases:safe-contact", args=[gbv_case.uuid]),
            {"may_call": "true", "may_leave_message": "false", "safe_contact": "Tardes"},
        ),
        client.post(
            reverse("cases:safety-plan", args=[gbv_case.uuid]),
            {
                "safety_plan": "Salir a casa de la hermana si vuelve.",
                "safety_plan_review_on": today,
            },
        ),
    ]
    page = client.get(reverse("cases:detail", args=[gbv_case.uuid])).content.decode()

    assert [p.status_code for p in posts] == [302] * 4
    assert ServiceDecision.objects.get().outcome == "referral_declined_by_survivor"
    safety = SurvivorSafety.objects.get()
    assert (safety.may_call, safety.may_leave_message) == (True, False)
    assert "Derivación rechazada por la persona sobreviviente" in page
    assert "Junta Cantonal de Protección de Derechos" in page
    assert "Salir a casa de la hermana si vuelve." in page
    events = AuditEvent.objects.filter(action__startswith="cases.safety.")
    assert sorted(e.action for e in events) == [
        "cases.safety.mandatory_reporting",
        "cases.safety.safe_contact",
        "cases.safety.safety_plan",
    ]
    assert {e.restricted_office_id for e in events} == {quito.pk}


@pytest.mark.django_db
def test_a_report_made_needs_its_authority_and_date(client, gbv_case, gbv_specialist):
    client.force_login(gbv_specialist)

    answer = client.post(
        reverse("cases:mandatory-reporting", args=[gbv_case.uuid]),
        {"confidentiality_explained_on": TODAY().isoformat(), "mandatory_report": "made"},
    )

    assert answer.status_code == 400
    assert "a qué autoridad" in answer.content.decode()
    assert not SurvivorSafety.objects.exists()


@pytest.mark.django_db
def test_an_adult_survivor_needs_no_child_consent(client, gbv_case, gbv_specialist):
    client.force_login(gbv_specialist)

    answer = client.post(
        reverse("cases:child-consent", args=[gbv_case.uuid]),
        {
            "individual": gbv_case.individuals.get().pk,
            "given_by": "survivor",
            "method": "verbal",
            "given_on": TODAY().isoformat(),
            "purposes": ["case_work"],
        },
    )

    assert answer.status_code == 400
    assert "es adulta" in answer.content.decode()
    assert not ChildConsent.objects.exists()


@pytest.mark.django_db
def test_the_incident_records_consent_to_child_protection_and_other_services(
    gbv_case, gbv_specialist
):
    incident = _incident(gbv_case, gbv_specialist)

    actions.record_incident(
        actor=gbv_specialist,
        case=gbv_case,
        incident=incident,
        data={
            **{f: getattr(incident, f) for f in ("incident_date", "report_date", "area", "type")},
            **{
                f: getattr(incident, f)
                for f in (
                    "context",
                    "perpetrator_count",
                    "perpetrator_sex",
                    "perpetrator_age_group",
                    "perpetrator_relationship",
                )
            },
            "referral_consent": ["child_protection", "other"],
        },
    )

    incident.refresh_from_db()
    assert incident.referral_consent == ["child_protection", "other"]


def _make_a_child_of(case, years):
    record = SurvivorIdentity.objects.get(case=case)
    details = json.loads(record.details)
    details["date_of_birth"] = (TODAY() - datetime.timedelta(days=365 * years + 5)).isoformat()
    record.details = json.dumps(details)
    record.save()


def api_for(user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.django_db
def test_the_api_records_decisions_and_consents_for_the_gbv_team_only(
    walk_in_case, gbv_specialist, gbv_supervisor, caseworker, supervisor, case
):
    base = f"/api/v1/cases/{walk_in_case.uuid}"
    _make_a_child_of(walk_in_case, years=10)
    _incident(walk_in_case, gbv_specialist)

    declined = api_for(gbv_specialist).post(
        f"{base}/service-decisions/",
        {
            "service_type": "police",
            "outcome": "referral_declined_by_survivor",
            "decided_on": TODAY(),
        },
        format="json",
    )
    consent = {
        "given_by": "caregiver",
        "caregiver_relationship": "mother",
        "child_assent": True,
        "method": "verbal",
        "given_on": TODAY(),
        "purposes": ["referrals"],
    }
    by_caregiver = api_for(gbv_specialist).post(f"{base}/child-consents/", consent, format="json")
    best_interests = consent | {
        "given_by": "best_interests",
        "caregiver_unsuitable": "absent",
        "reason": "La madre no está en el país.",
    }
    not_a_supervisor = api_for(gbv_specialist).post(
        f"{base}/child-consents/", best_interests, format="json"
    )
    decided = api_for(gbv_supervisor).post(f"{base}/child-consents/", best_interests, format="json")
    listed = api_for(gbv_specialist).get(f"{base}/child-consents/").json()
    outsiders = [
        api_for(user).get(f"{base}/{path}/").status_code
        for user in (caseworker, supervisor)
        for path in ("child-consents", "service-decisions")
    ]
    ordinary = api_for(supervisor).get(f"/api/v1/cases/{case.uuid}/service-decisions/")

    assert declined.status_code == 201, declined.json()
    assert by_caregiver.status_code == 201, by_caregiver.json()
    assert not_a_supervisor.status_code == 404
    assert decided.status_code == 201, decided.json()
    assert [c["given_by"] for c in listed] == ["best_interests", "caregiver"]
    assert outsiders == [404] * 4
    assert ordinary.status_code == 404  # an ordinary case has none


@pytest.mark.django_db
def test_a_walk_in_childs_consent_follows_her_into_the_registry(walk_in_case, gbv_specialist):
    from tests.cases.test_walk_in import registry_data

    born = TODAY() - datetime.timedelta(days=365 * 10 + 5)
    _make_a_child_of(walk_in_case, years=10)
    consent = actions.record_child_consent(
        actor=gbv_specialist,
        case=walk_in_case,
        data={
            "given_by": "caregiver",
            "caregiver_relationship": "mother",
            "child_assent": True,
            "method": "verbal",
            "given_on": TODAY(),
            "purposes": ["referrals"],
        },
    )

    person = actions.register_survivor(
        actor=gbv_specialist,
        case=walk_in_case,
        data=registry_data(date_of_birth=born.isoformat()),
        consent_method="written",
        consent_date=TODAY(),
    )

    consent.refresh_from_db()
    assert consent.individual == person
    assert queries.child_consent_for(walk_in_case, person) == consent


@pytest.mark.django_db
def test_why_a_walk_in_adolescent_could_not_consent_follows_them_into_the_registry(
    walk_in_case, gbv_specialist
):
    from tests.cases.test_walk_in import registry_data

    born = TODAY() - datetime.timedelta(days=365 * 16 + 5)
    _make_a_child_of(walk_in_case, years=16)
    record = actions.record_adolescent_incapacity(
        actor=gbv_specialist,
        case=walk_in_case,
        data={"why": "no_capacity", "details": "En shock.", "noted_on": TODAY()},
    )

    person = actions.register_survivor(
        actor=gbv_specialist,
        case=walk_in_case,
        data=registry_data(date_of_birth=born.isoformat()),
        consent_method="written",
        consent_date=TODAY(),
    )

    assert queries.adolescent_incapacity_for(walk_in_case, person) == record


@pytest.mark.django_db
def test_the_team_records_that_an_adolescent_cannot_consent_and_the_case_page_says_so(
    client, walk_in_case, gbv_specialist, caseworker
):
    _make_a_child_of(walk_in_case, years=16)
    url = reverse("cases:adolescent-unable", args=[walk_in_case.uuid])
    post = {
        "why": "immediate_danger",
        "details": "Llegó huyendo; no puede decidir ahora.",
        "noted_on": TODAY().isoformat(),
    }
    client.force_login(caseworker)

    outsider = client.post(url, post).status_code
    client.force_login(gbv_specialist)
    missing = client.post(url, post | {"details": ""})
    saved = client.post(url, post)
    page = client.get(reverse("cases:detail", args=[walk_in_case.uuid])).content.decode()

    assert outsider == 404
    assert missing.status_code == 400
    assert saved.status_code == 302
    record = walk_in_case.adolescent_incapacities.get()
    assert (record.age, record.why, record.individual) == (16, "immediate_danger", None)
    assert "La persona adolescente no puede consentir" in page
    assert "Está en peligro inmediato" in page
    assert "Llegó huyendo" not in page  # what was observed stays in the record


@pytest.mark.django_db
def test_the_api_records_an_adolescents_incapacity_and_withdrawals_for_the_gbv_team_only(
    client, walk_in_case, gbv_specialist, caseworker, supervisor
):
    base = f"/api/v1/cases/{walk_in_case.uuid}"
    _make_a_child_of(walk_in_case, years=16)
    _incident(walk_in_case, gbv_specialist)
    consent = {
        "given_by": "caregiver",
        "caregiver_relationship": "mother",
        "caregiver_in_interest": True,
        "method": "verbal",
        "given_on": TODAY(),
        "purposes": ["referrals"],
    }

    too_soon = api_for(gbv_specialist).post(f"{base}/child-consents/", consent, format="json")
    unable = api_for(gbv_specialist).post(
        f"{base}/adolescent-incapacities/",
        {"why": "no_capacity", "details": "Bajo sedación.", "noted_on": TODAY()},
        format="json",
    )
    by_caregiver = api_for(gbv_specialist).post(f"{base}/child-consents/", consent, format="json")
    withdrawn = api_for(gbv_specialist).post(
        f"{base}/consent-withdrawals/",
        {"service": "health", "withdrawn_by": "caregiver", "withdrawn_on": TODAY()},
        format="json",
    )
    listed = api_for(gbv_specialist).get(f"{base}/consent-withdrawals/").json()
    outsiders = [
        api_for(user).get(f"{base}/{path}/").status_code
        for user in (caseworker, supervisor)
        for path in ("adolescent-incapacities", "consent-withdrawals")
    ]

    assert too_soon.status_code == 400 and "given_by" in too_soon.json()
    assert unable.status_code == 201, unable.json()
    assert by_caregiver.status_code == 201, by_caregiver.json()
    assert by_caregiver.json()["incapacity"] == unable.json()["id"]
    client.force_login(gbv_specialist)
    page = client.get(reverse("cases:detail", args=[walk_in_case.uuid])).content.decode()
    assert "el cuidador no es el presunto agresor y actúa en interés" in page  # on the page
    assert withdrawn.status_code == 201, withdrawn.json()
    assert [(w["service"], w["withdrawn_by"]) for w in listed] == [("health", "caregiver")]
    assert outsiders == [404] * 4
