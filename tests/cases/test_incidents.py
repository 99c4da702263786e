"""The incident record to the GBVIMS Incident Recording Form: where (a country, an area only at
home), the survivor at the incident, reporting elsewhere, consent to statistics, and the counts
that read them."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from amparo.cases import actions, statistics
from amparo.cases.models import AgeGroup, Case, Incident, IncidentType
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from tests.cases.test_api import api_for
from tests.factories import OfficeFactory, UserFactory

DAY = datetime.date(2026, 2, 10)


def _data(**overrides) -> dict:
    data = {
        "incident_date": DAY,
        "report_date": DAY,
        "country": "EC",
        "area": Area.objects.get(code="EC-P"),
        "place_type": "survivor_home",
        "time_of_day": "night",
        "displacement_stage": "during_refuge",
        "type": "physical_assault",
        "context": ["intimate_partner"],
        "account": "Relato.",
        "survivor_marital_status": "married",
        "survivor_ethnicity": "afro_ecuadorian",
        "previous_incidents": "yes",
        "perpetrator_count": 1,
        "perpetrator_sex": "M",
        "perpetrator_age_group": "26-40",
        "perpetrator_relationship": "intimate_partner",
        "perpetrator_occupation": "farmer_fisher",
        "former_perpetrator": "no",
        "referred_by": "health",
        "reported_elsewhere": "no",
        "wants_legal_action": "undecided",
        "statistics_consent": True,
    }
    return data | overrides


def _record(case, actor, **overrides) -> Incident:
    return actions.record_incident(actor=actor, case=case, data=_data(**overrides))


def _refused(case, actor, **overrides) -> dict:
    with pytest.raises(ActionError) as exc:
        _record(case, actor, **overrides)
    return exc.value.errors


@pytest.mark.django_db
def test_incident_abroad_keeps_its_country_and_no_area_of_ours(gbv_case, gbv_specialist):
    abroad = _record(
        gbv_case, gbv_specialist, country="CO", area=None, displacement_stage="during_flight"
    )

    assert (abroad.country, abroad.area_id, abroad.displacement_stage) == (
        "CO",
        None,
        "during_flight",
    )
    assert "area" in _refused(gbv_case, gbv_specialist, country="CO")  # an Ecuadorian province
    assert "area" in _refused(gbv_case, gbv_specialist, area=None)  # at home: where, then
    colombian = Area.objects.filter(country_code="CO").order_by("level").last()
    assert "area" in _refused(gbv_case, gbv_specialist, area=colombian)
    assert "country" in _refused(gbv_case, gbv_specialist, country="XX")
    assert Incident.objects.count() == 1


@pytest.mark.django_db
def test_context_is_a_multiple_choice_and_none_goes_alone(gbv_case, gbv_specialist):
    incident = _record(gbv_case, gbv_specialist, context=["transactional", "abduction"])

    assert incident.context == ["abduction", "transactional"]
    assert "context" in _refused(gbv_case, gbv_specialist, context=["none", "abduction"])
    assert "context" in _refused(gbv_case, gbv_specialist, context=[])
    assert "context" in _refused(gbv_case, gbv_specialist, context=["gossip"])


@pytest.mark.django_db
def test_every_bad_answer_is_refused_and_nothing_is_half_written(gbv_case, gbv_specialist):
    errors = _refused(
        gbv_case,
        gbv_specialist,
        place_type="moon",
        time_of_day="noonish",
        survivor_ethnicity="x",
        perpetrator_occupation="x",
        wants_legal_action="maybe",
        reported_to=["health"],  # while "reported elsewhere" is "no"
    )

    assert set(errors) >= {
        "place_type",
        "time_of_day",
        "survivor_ethnicity",
        "perpetrator_occupation",
        "wants_legal_action",
        "reported_elsewhere",
    }
    assert not Incident.objects.exists()


@pytest.mark.django_db
def test_the_survivors_age_at_the_incident_comes_from_her_birth_date(
    gbv_case, walk_in_case, gbv_specialist
):
    registered = _record(gbv_case, gbv_specialist, survivor_age=70, survivor_age_group="61+")
    walk_in = _record(walk_in_case, gbv_specialist, survivor_age=None, survivor_age_group="")

    # The case's survivor was born on 1990-03-14: 35 on 2026-02-10, whatever was typed.
    assert (registered.survivor_age, registered.survivor_age_group) == (35, AgeGroup.AGE_26_40)
    # A walk-in survivor's identity holds an estimated birth date (age 27 when opened).
    assert walk_in.survivor_age_group == AgeGroup.AGE_26_40


@pytest.mark.django_db
def test_audit_names_the_fields_never_the_answers(gbv_case, gbv_specialist):
    incident = _record(gbv_case, gbv_specialist)

    event = AuditEvent.objects.get(action="cases.incident.recorded", target_id=str(incident.uuid))
    text = str(event.fields) + str(event.details)
    assert "survivor_ethnicity" in text and "statistics_consent" in text
    assert "afro_ecuadorian" not in text and "intimate_partner" not in text


@pytest.mark.django_db
def test_the_form_in_groups_and_the_case_page_in_words(client, gbv_case, gbv_specialist):
    client.force_login(gbv_specialist)
    url = reverse("cases:incident-new", args=[gbv_case.uuid])
    page = client.get(url).content.decode()
    assert (
        page.count("<fieldset") == 6 and "Una persona sobreviviente principal por incidente" in page
    )

    post = {k: v for k, v in _data(country="CO", area="").items() if k != "area"}
    post |= {"displacement_stage": "during_flight", "survivor_age_group": "unknown"}
    post |= {"incident_date": "2026-02-10", "report_date": "2026-02-10"}
    response = client.post(url, post | {"context": ["abduction", "armed_conflict"]})

    assert response.status_code == 302, response.content.decode()[:3000]
    detail = client.get(reverse("cases:detail", args=[gbv_case.uuid])).content.decode()
    assert "Colombia" in detail and "Durante la huida" in detail
    assert "Rapto o secuestro" in detail and "during_flight" not in detail


@pytest.mark.django_db
def test_only_the_office_gbv_team_records_incidents(
    client, gbv_case, caseworker, supervisor, make_user, office_a2
):
    other_office = make_user("gbv_specialist", office=office_a2, username="vbg-a2")
    for user in (caseworker, supervisor, other_office):
        client.force_login(user)

        response = client.get(reverse("cases:incident-new", args=[gbv_case.uuid]))

        assert response.status_code == 404, user.username


@pytest.mark.django_db
def test_the_api_takes_and_gives_the_new_fields(gbv_case, gbv_specialist, caseworker):
    url = f"/api/v1/cases/{gbv_case.uuid}/incidents/"
    payload = {k: v for k, v in _data(country="CO").items() if k != "area"}
    payload |= {"incident_date": "2026-02-10", "report_date": "2026-02-10"}

    created = api_for(gbv_specialist).post(url, payload, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["country"], body["area"], body["context"]) == ("CO", None, ["intimate_partner"])
    assert body["statistics_consent"] is True and body["survivor_age_group"] == "26-40"
    assert api_for(caseworker).get(url).status_code == 404


def _tables(user) -> dict:
    return statistics.gbv_tables(user, DAY.year)


def _total(tables, name="by_quarter"):
    return tables[name]["table"]["total"]


@pytest.mark.django_db
def test_statistics_count_only_incidents_with_the_survivors_consent(
    gbv_case, gbv_specialist, person
):
    for _ in range(5):
        _record(gbv_case, gbv_specialist)
    for _ in range(5):
        _record(gbv_case, gbv_specialist, statistics_consent=False)

    assert statistics.incidents_counted_for(gbv_specialist).count() == 5
    assert _total(_tables(gbv_specialist)) == 5


@pytest.mark.django_db
def test_statistics_leave_out_incidents_reported_to_another_gbvims_agency(gbv_case, gbv_specialist):
    for _ in range(5):
        _record(gbv_case, gbv_specialist)
    for _ in range(5):
        _record(
            gbv_case,
            gbv_specialist,
            reported_elsewhere="yes",
            reported_to=["health"],
            reported_to_gbvims_agency=True,
        )
    for _ in range(5):  # reported to a provider outside the GBVIMS: still ours to count
        _record(gbv_case, gbv_specialist, reported_elsewhere="yes", reported_to=["police"])

    assert _total(_tables(gbv_specialist)) == 10


@pytest.mark.django_db
def test_incidents_abroad_are_counted_under_their_country_not_a_province(gbv_case, gbv_specialist):
    for _ in range(5):
        _record(gbv_case, gbv_specialist)
    for _ in range(5):
        _record(gbv_case, gbv_specialist, country="CO", area=None, type="sexual_assault")

    table = _tables(gbv_specialist)["by_province"]["table"]

    assert table["totals"] == {"Pichincha": 5, "Fuera del país: Colombia": 5}
    row = table["rows"][str(IncidentType.SEXUAL_ASSAULT.label)]["cells"]
    assert row == {"Pichincha": 0, "Fuera del país: Colombia": 5}


@pytest.mark.django_db
def test_the_survivors_table_counts_each_survivor_once(
    gbv_case, walk_in_case, gbv_specialist, make_user, quito
):
    for _ in range(6):
        _record(gbv_case, gbv_specialist)

    tables = _tables(gbv_specialist)

    assert _total(tables) == 6
    survivors = tables["survivors_by_age"]["table"]
    assert survivors["rows"][str(AgeGroup.AGE_26_40.label)]["total"] is None  # one: suppressed
    assert survivors["total"] is None
    assert sum(v or 0 for r in survivors["rows"].values() for v in r["cells"].values()) == 0


BEFORE = [("cases", "0004_child_consent_service_decisions_safety")]
AFTER = [("cases", "0005_incident_record_form_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_incidents_get_their_country_and_a_list_of_contexts():
    # Transactional tests run after others have emptied the tables, areas included: this one
    # makes what it needs.
    ecuador, _ = Area.objects.get_or_create(
        code="EC", defaults={"name": "Ecuador", "level": 0, "country_code": "EC"}
    )
    pichincha, _ = Area.objects.get_or_create(
        code="EC-P",
        defaults={"name": "Pichincha", "level": 1, "parent": ecuador, "country_code": "EC"},
    )
    office = OfficeFactory(code="mig")
    user = UserFactory(organization=office.organization, office=office)
    case = Case.objects.create(
        organization=office.organization,
        office=office,
        reference="C-MIG-2026-00001",
        type="gbv",
        restricted=True,
        risk_level="high",
        owner=user,
        opened_on=DAY,
        household=None,
    )
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        old.get_model("cases", "Incident").objects.create(
            case_id=case.pk,
            incident_date=DAY,
            report_date=DAY,
            area_id=pichincha.pk,
            type="rape",
            context="early_marriage",
            perpetrator_count=1,
            perpetrator_sex="M",
            perpetrator_age_group="unknown",
            perpetrator_relationship="unknown",
            recorded_by_id=user.pk,
        )

        new = _migrate(AFTER)

        migrated = new.get_model("cases", "Incident").objects.get()
        assert (migrated.country, migrated.context) == ("EC", ["early_marriage"])
        assert migrated.statistics_consent is False  # not asked before: not counted
        back = _migrate(BEFORE)
        assert back.get_model("cases", "Incident").objects.get().context == "early_marriage"
    finally:
        _migrate(leaves)


@pytest.mark.django_db
def test_a_gbv_case_and_so_its_incidents_name_one_survivor(gbv_specialist, household):
    people = list(household.members.all())

    with pytest.raises(ActionError) as exc:
        actions.open_case(actor=gbv_specialist, individuals=people, type="gbv", risk_level="high")

    assert "individuals" in exc.value.errors
    protection = actions.open_case(
        actor=gbv_specialist, individuals=people, type="protection", risk_level="high"
    )
    assert protection.individuals.count() == 2
