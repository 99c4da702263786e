"""A survivor who walks into a safe space: a GBV case for someone not in the registry, whose
identity stays inside the case (GBV team only) until they agree to a registry record."""

import datetime
import json

import pytest
from django.contrib.admin import site as admin_site
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from amparo.activities import actions as activity_actions
from amparo.cases import actions, queries, statistics
from amparo.cases.models import Case, SurvivorIdentity
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.referrals import actions as referral_actions
from amparo.referrals.models import Provider, Service
from amparo.registry import actions as registry_actions
from amparo.registry.duplicates import find_duplicates
from amparo.registry.models import Household, Individual
from amparo.registry.search import search_individuals
from tests.case_fixtures import SURVIVOR
from tests.cases.test_access import _incident
from tests.factories import member

TODAY = timezone.localdate


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def registry_data(**overrides) -> dict:
    """What the registry still needs beyond the case's identity, with it."""
    return {
        "given_names": "Yohana",
        "first_surname": "Mendoza",
        "sex": "F",
        "age": 27,
        "nationality": "VE",
        "population_group": "migrant_irregular",
        "phone": "0987654321",
        **overrides,
    }


@pytest.mark.django_db
def test_the_gbv_team_opens_a_case_for_a_walk_in_survivor(walk_in_case, gbv_specialist, quito):
    case = Case.objects.get(pk=walk_in_case.pk)

    assert (case.household_id, case.restricted, case.type, case.office) == (
        None,
        True,
        "gbv",
        quito,
    )
    assert not case.individuals.exists()
    identity = queries.survivor_of(case)
    assert identity == {
        "given_names": "Yohana",
        "first_surname": "Mendoza",
        "second_surname": "",
        "other_names": "Yoyi",
        "sex": "F",
        "date_of_birth": identity["date_of_birth"],
        "dob_estimated": True,
        "nationality": "VE",
        "phone": "+593987654321",
        "languages": ["es"],
    }
    assert queries.survivor_age(identity) == 27
    event = AuditEvent.objects.get(action="cases.case.opened", target_id=str(case.uuid))
    assert event.details == {"type": "gbv", "risk_level": "high", "people": 0, "walk_in": True}
    assert "Yohana" not in json.dumps(event.details)


@pytest.mark.django_db
def test_the_identity_is_encrypted_at_rest(walk_in_case):
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM cases_survivoridentity")
        (stored,) = cursor.fetchone()

    assert stored.startswith("fernet:")
    assert "Yohana" not in stored and "Mendoza" not in stored


@pytest.mark.django_db
def test_only_the_gbv_team_opens_a_walk_in_case(caseworker, supervisor, make_user, quito):
    outsider = make_user("gbv_specialist", office=quito, username="vbg-fuera")  # not on the team

    with pytest.raises(Http404):
        actions.open_walk_in_case(actor=caseworker, identity=SURVIVOR, risk_level="low")
    with pytest.raises(ActionError) as exc:
        actions.open_walk_in_case(actor=outsider, identity=SURVIVOR, risk_level="low")

    assert list(exc.value.errors) == ["type"]
    assert not Case.objects.exists() and not SurvivorIdentity.objects.exists()


@pytest.mark.django_db
def test_bad_walk_in_input_is_explained_and_writes_nothing(gbv_specialist):
    with pytest.raises(ActionError) as exc:
        actions.open_walk_in_case(
            actor=gbv_specialist,
            identity={
                "given_names": " ",
                "sex": "Q",
                "date_of_birth": "2999-01-01",
                "nationality": "ZZ",
                "phone": "12",
                "languages": "xx1",
            },
            type="legal",
            risk_level="extreme",
        )

    assert sorted(exc.value.errors) == [
        "date_of_birth",
        "given_names",
        "languages",
        "nationality",
        "phone",
        "risk_level",
        "sex",
        "type",
    ]
    assert exc.value.errors["type"] == [
        "Un caso para alguien que no está en el registro es un caso de VBG o relacionado con "
        "explotación o abuso sexual."
    ]
    assert not Case.objects.exists() and not SurvivorIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.case.opened").exists()


@pytest.mark.django_db
def test_a_psea_related_case_may_be_a_walk_in(gbv_specialist):
    case = actions.open_walk_in_case(
        actor=gbv_specialist,
        identity={"given_names": "Ana"},
        type="protection",
        psea_related=True,
        risk_level="medium",
    )

    assert (case.type, case.restricted, queries.survivor_of(case)["given_names"]) == (
        "protection",
        True,
        "Ana",
    )


@pytest.mark.django_db
def test_the_database_keeps_a_case_without_registry_people_restricted(walk_in_case):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=walk_in_case.pk).update(type="legal", restricted=False)


@pytest.mark.django_db
def test_nobody_else_finds_the_walk_in_survivor(
    client, walk_in_case, caseworker, supervisor, admin_a, make_user, quito, office_b1
):
    other_team = make_user("gbv_specialist", office=office_b1, username="vbg-b")
    operator = make_user("administrator", is_superuser=True, username="root")
    registrar = make_user("registration_officer", office=quito, username="registro")
    # Someone registered under another name, so that the registry is not empty.
    registry_actions.register_household(
        actor=registrar, office=quito, members=[member(phone="", documents=[])]
    )
    identity = queries.survivor_of(walk_in_case)

    for user in (caseworker, supervisor, admin_a, other_team, operator, registrar):
        client.force_login(user)
        assert client.get(reverse("cases:detail", args=[walk_in_case.uuid])).status_code == 404
        for name in ("survivor", "survivor-register"):
            url = reverse(f"cases:{name}", args=[walk_in_case.uuid])
            assert client.get(url).status_code == 404, (user.username, name)
        assert not queries.cases_visible_to(user).filter(pk=walk_in_case.pk).exists()
        api = api_for(user)
        assert api.get(f"/api/v1/cases/{walk_in_case.uuid}/").status_code == 404
        for text in ("Yohana Mendoza", "Yoyi", "0987654321"):
            assert search_individuals(user, text) == []
            page = client.get(reverse("registry:search"), {"q": text})
            assert page.status_code == 404 or page.context["hits"] == []
            listing = api.get("/api/v1/individuals/", {"search": text})
            assert listing.status_code == 404 or listing.json()["results"] == []
        report = find_duplicates(user, {**identity, "documents": []}, region="EC")
        assert (report.candidates, report.hidden) == ([], 0)
    # Not in the admin at all, and no individual or household was created for them.
    assert SurvivorIdentity not in admin_site._registry
    assert Case not in admin_site._registry
    assert not Individual.objects.filter(given_names="Yohana").exists()
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_the_case_page_shows_the_survivor_to_the_team(client, walk_in_case, gbv_specialist):
    client.force_login(gbv_specialist)

    page = client.get(reverse("cases:detail", args=[walk_in_case.uuid]))

    assert page.status_code == 200
    body = page.content.decode()
    assert "Yohana Mendoza" in body and "Yoyi" in body and "+593987654321" in body
    assert "no está en el registro" in body
    assert AuditEvent.objects.filter(
        action="cases.case.viewed", target_id=str(walk_in_case.uuid)
    ).exists()


@pytest.mark.django_db
def test_the_gbv_team_opens_a_walk_in_case_on_screen(client, gbv_specialist, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("cases:walk-in")).status_code == 404
    assert "cases/walk-in/" not in client.get(reverse("cases:list")).content.decode()
    client.force_login(gbv_specialist)
    assert "cases/walk-in/" in client.get(reverse("cases:list")).content.decode()

    bad = client.post(reverse("cases:walk-in"), {"type": "gbv", "risk_level": "high"})
    response = client.post(
        reverse("cases:walk-in"),
        {
            "type": "gbv",
            "risk_level": "high",
            "given_names": "Yohana",
            "age": "27",
            "sex": "F",
            "nationality": "VE",
            "languages": "es, en",
        },
    )

    assert bad.status_code == 400
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.uuid}/")
    assert queries.survivor_of(case)["languages"] == ["es", "en"]


@pytest.mark.django_db
def test_the_team_corrects_the_survivors_identity(client, walk_in_case, gbv_specialist):
    client.force_login(gbv_specialist)
    url = reverse("cases:survivor", args=[walk_in_case.uuid])
    form = client.get(url)

    response = client.post(
        url, {"given_names": "Yohana", "first_surname": "Mendoza", "sex": "F", "age": "28"}
    )

    assert form.status_code == 200 and 'value="27"' in form.content.decode()
    assert response.status_code == 302
    identity = queries.survivor_of(walk_in_case)
    assert (queries.survivor_age(identity), identity["phone"], identity["other_names"]) == (
        28,
        "",
        "",
    )
    event = AuditEvent.objects.get(action="cases.survivor.changed")
    assert event.fields == ["date_of_birth", "languages", "nationality", "other_names", "phone"]


@pytest.mark.django_db
def test_with_consent_the_survivor_gets_a_registry_record(walk_in_case, gbv_specialist, quito):
    person = actions.register_survivor(
        actor=gbv_specialist,
        case=walk_in_case,
        data=registry_data(),
        consent_method="written",
        consent_date=TODAY(),
    )

    case = Case.objects.get(pk=walk_in_case.pk)
    assert (person.household.office, person.is_head, person.full_name) == (
        quito,
        True,
        "Yohana Mendoza",
    )
    assert case.household_id == person.household_id
    assert list(case.individuals.all()) == [person]
    assert queries.survivor_of(case) is None
    record = SurvivorIdentity.objects.get(case=case)
    assert (record.details, record.registry_consent_method, record.registry_consent_date) == (
        "",
        "written",
        TODAY(),
    )
    assert record.registered_by == gbv_specialist
    assert set(
        AuditEvent.objects.filter(action__startswith="registry.").values_list("action", flat=True)
    ) == {"registry.household.registered", "registry.individual.registered"}
    event = AuditEvent.objects.get(action="cases.survivor.registered")
    assert event.details == {"individual": str(person.uuid), "consent_method": "written"}
    # Now in the registry, the case stays the GBV team's.
    assert [h.individual for h in search_individuals(gbv_specialist, "Yohana Mendoza")] == [person]


@pytest.mark.django_db
def test_without_consent_or_complete_data_nothing_is_registered(walk_in_case, gbv_specialist):
    with pytest.raises(ActionError) as no_consent:
        actions.register_survivor(
            actor=gbv_specialist,
            case=walk_in_case,
            data=registry_data(),
            consent_method="",
            consent_date=TODAY() + datetime.timedelta(days=1),
        )
    with pytest.raises(ActionError) as incomplete:
        actions.register_survivor(
            actor=gbv_specialist,
            case=walk_in_case,
            data=registry_data(population_group="", first_surname=""),
            consent_method="verbal",
            consent_date=TODAY(),
        )

    assert sorted(no_consent.value.errors) == ["consent_date", "consent_method"]
    assert sorted(incomplete.value.errors) == ["first_surname", "population_group"]
    assert not Individual.objects.exists()
    assert queries.survivor_of(Case.objects.get(pk=walk_in_case.pk))["given_names"] == "Yohana"


@pytest.mark.django_db
def test_only_the_team_registers_the_survivor(walk_in_case, caseworker, supervisor):
    for user in (caseworker, supervisor):
        with pytest.raises(Http404):
            actions.register_survivor(
                actor=user,
                case=walk_in_case,
                data=registry_data(),
                consent_method="verbal",
                consent_date=TODAY(),
            )

    assert not Individual.objects.exists()


@pytest.mark.django_db
def test_a_survivor_already_registered_is_found_and_linked(
    client, walk_in_case, gbv_specialist, person
):
    # `person` (María José Pérez Gómez, born 1990-03-14) is in the registry already.
    data = registry_data(
        given_names="Maria Jose", first_surname="Perez", date_of_birth="1990-03-14", age=""
    )
    with pytest.raises(registry_actions.DuplicatesSuspected) as exc:
        actions.register_survivor(
            actor=gbv_specialist,
            case=walk_in_case,
            data=data,
            consent_method="verbal",
            consent_date=TODAY(),
        )
    assert [c.individual for c in exc.value.reports[0].candidates] == [person]

    client.force_login(gbv_specialist)
    url = reverse("cases:survivor-register", args=[walk_in_case.uuid])
    post = {**data, "consent": "on", "consent_method": "verbal", "consent_date": TODAY()}
    shown = client.post(url, post)
    assert shown.status_code == 400
    assert f'value="{person.uuid}"' in shown.content.decode()

    linked = client.post(url, {**post, "link": str(person.uuid)})

    assert linked.status_code == 302
    case = Case.objects.get(pk=walk_in_case.pk)
    assert list(case.individuals.all()) == [person]
    assert case.household_id == person.household_id
    assert Individual.objects.count() == 2  # María José and her spouse; nobody new
    assert AuditEvent.objects.filter(action="cases.survivor.linked").count() == 1


@pytest.mark.django_db
def test_a_reason_registers_despite_possible_duplicates(
    client, walk_in_case, gbv_specialist, person
):
    client.force_login(gbv_specialist)
    url = reverse("cases:survivor-register", args=[walk_in_case.uuid])
    data = registry_data(given_names="Maria Jose", first_surname="Perez", age="34")

    response = client.post(
        url,
        {
            **data,
            "consent": "on",
            "consent_method": "verbal",
            "consent_date": TODAY(),
            "duplicate_reason": "Otra persona: otra madre, otra ciudad de origen.",
        },
    )

    assert response.status_code == 302
    case = Case.objects.get(pk=walk_in_case.pk)
    assert case.individuals.get() != person
    assert case.household.duplicate_reason.startswith("Otra persona")


def _incident_consenting_to_shelter(case, actor):
    incident = _incident(case, actor)
    incident.referral_consent = ["safe_house"]
    incident.save()


@pytest.mark.django_db
def test_a_referral_shares_the_chosen_fields_of_the_case_identity(
    walk_in_case, gbv_specialist, org_a
):
    provider = Provider.objects.create(organization=org_a, name="Casa refugio", kind="shelter")
    service = Service.objects.create(provider=provider, type="shelter", name="Acogida")
    _incident_consenting_to_shelter(walk_in_case, gbv_specialist)

    referral = referral_actions.send_referral(
        actor=gbv_specialist,
        service=service,
        urgency="urgent",
        reason="Necesita un lugar seguro",
        shared_fields=["name", "age", "document"],
        consent=True,
        consent_method="verbal",
        consent_date=TODAY(),
        case=walk_in_case,
    )

    assert referral_actions.shared_data(referral) == {"name": "Yohana Mendoza", "age": 27}
    assert referral.individual is None and referral.case == walk_in_case


@pytest.mark.django_db
def test_a_service_given_counts_the_survivor_by_sex_and_age(walk_in_case, gbv_specialist, quito):
    activity = activity_actions.record_activity(
        actor=gbv_specialist,
        office=quito,
        type="pfa",
        date=TODAY(),
        staff=[gbv_specialist],
        sector="gbv",
        case=walk_in_case,
    )

    assert not activity.participants.exists()
    assert list(activity.attendance.values_list("sex", "age_band", "count")) == [("F", "18-59", 1)]


@pytest.mark.django_db
def test_incidents_of_walk_in_cases_count_in_the_statistics(walk_in_case, gbv_specialist):
    _incident(walk_in_case, gbv_specialist)

    assert statistics.incidents_counted_for(gbv_specialist).get().case_id == walk_in_case.pk


@pytest.mark.django_db
def test_the_walk_in_journey_through_the_api(gbv_specialist, caseworker, person):
    api = api_for(gbv_specialist)
    payload = {"given_names": "Yohana", "age": 27, "sex": "F", "risk_level": "high"}

    assert api_for(caseworker).post("/api/v1/cases/walk-in/", payload).status_code == 404
    opened = api.post("/api/v1/cases/walk-in/", payload, format="json")
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["walk_in"], body["household"], body["individuals"]) == (True, None, [])
    assert body["survivor"]["given_names"] == "Yohana" and body["survivor"]["dob_estimated"]
    listing = api.get("/api/v1/cases/").json()["results"]
    assert "survivor" not in listing[0] and listing[0]["walk_in"] is True
    case_url = f"/api/v1/cases/{body['id']}"
    assert api_for(caseworker).get(f"{case_url}/").status_code == 404
    consent = {"consent_method": "verbal", "consent_date": TODAY().isoformat()}
    twin = {"given_names": "María José", "first_surname": "Pérez", "sex": "F"}
    twin |= {"date_of_birth": "1990-03-14", "nationality": "VE"}
    twin |= {"population_group": "asylum_seeker"}

    conflict = api.post(
        f"{case_url}/survivor/register/", {"person": twin, **consent}, format="json"
    )
    assert conflict.status_code == 409
    assert conflict.json()["candidates"] == [str(person.uuid)]
    linked = api.post(f"{case_url}/survivor/link/", {"individual": str(person.uuid), **consent})

    assert linked.status_code == 200, linked.content
    assert linked.json()["individuals"] == [str(person.uuid)]
    assert linked.json()["survivor"] is None and linked.json()["walk_in"] is False
    assert (
        api.post(
            f"{case_url}/survivor/link/", {"individual": str(person.uuid), **consent}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_refer_and_record_a_service_from_the_walk_in_case_page(
    client, walk_in_case, gbv_specialist, org_a, quito
):
    provider = Provider.objects.create(organization=org_a, name="Casa refugio", kind="shelter")
    service = Service.objects.create(provider=provider, type="shelter", name="Acogida")
    _incident_consenting_to_shelter(walk_in_case, gbv_specialist)
    client.force_login(gbv_specialist)
    refer_url = f"{reverse('referrals:new')}?case={walk_in_case.uuid}"
    form = client.get(refer_url)

    sent = client.post(
        refer_url,
        {
            "service": service.pk,
            "urgency": "urgent",
            "reason": "Lugar seguro",
            "shared_fields": ["name", "phone"],
            "consent": "on",
            "consent_method": "verbal",
            "consent_date": TODAY().isoformat(),
        },
    )
    activity_form = client.get(reverse("activities:new"), {"case": str(walk_in_case.uuid)})
    recorded = client.post(
        reverse("activities:new"),
        {
            "type": "pfa",
            "date": TODAY().isoformat(),
            "office": str(quito.uuid),
            "sector": "gbv",
            "staff": [str(gbv_specialist.uuid)],
            "case": str(walk_in_case.uuid),
        },
    )

    assert form.status_code == 200 and "no está en el registro" in form.content.decode()
    assert sent.status_code == 302, sent.content.decode()
    referral = walk_in_case.referrals.get()
    assert referral_actions.shared_data(referral) == {
        "name": "Yohana Mendoza",
        "phone": "+593987654321",
    }
    assert activity_form.status_code == 200
    assert recorded.status_code == 302, recorded.content.decode()
    assert list(walk_in_case.activities.get().attendance.values_list("sex", "count")) == [("F", 1)]
