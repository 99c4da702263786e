import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.core.models import Area, AuditEvent
from amparo.registry import actions
from amparo.registry.models import Household, Individual
from tests.factories import api_token, member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


def api(client, user):
    token = api_token(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


@pytest.fixture
def officer_client(client, make_user, quito):
    return api(client, make_user("registration_officer", office=quito, username="registro"))


def test_post_household_with_members_answers_201_with_stable_ids(officer_client):
    response = officer_client.post(
        "/api/v1/households/",
        {
            "members": [
                member(),
                member(
                    given_names="Luis",
                    sex="M",
                    relationship="spouse",
                    date_of_birth="1988-01-02",
                    phone="",
                    documents=[],
                ),
            ]
        },
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["reference"].startswith("EC-A1-")
    assert [m["relationship"] for m in body["members"]] == ["head", "spouse"]
    assert body["members"][0]["phone"] == "+593991234567"
    assert body["members"][0]["documents"] == [
        {
            "type": "national_id",
            "number": "V-12.345.678",
            "issuing_country": "VE",
            "expiry_date": None,
        }
    ]
    assert "pk" not in body["members"][0]
    assert (
        Individual.objects.get(uuid=body["members"][0]["id"]).household.reference
        == (body["reference"])
    )


def test_post_individual_without_household_creates_one_person_household(officer_client):
    response = officer_client.post(
        "/api/v1/individuals/", member(relationship=""), content_type="application/json"
    )

    assert response.status_code == 201
    assert response.json()["is_head"] is True
    assert Household.objects.count() == 1


def test_post_individual_into_household_and_second_head_refused(officer_client):
    household = officer_client.post(
        "/api/v1/households/", {"members": [member()]}, content_type="application/json"
    ).json()

    child = officer_client.post(
        "/api/v1/individuals/",
        member(
            given_names="Ana",
            relationship="child",
            date_of_birth="2016-01-01",
            household=household["id"],
            phone="",
            documents=[],
        ),
        content_type="application/json",
    )
    head = officer_client.post(
        "/api/v1/individuals/",
        member(household=household["id"]),
        content_type="application/json",
    )

    assert child.status_code == 201
    assert head.status_code == 400
    assert head.json() == {"relationship": ["Este hogar ya tiene jefe o jefa."]}
    assert Individual.objects.count() == 2


def test_post_household_bad_input_answers_400_and_writes_nothing(officer_client):
    response = officer_client.post(
        "/api/v1/households/",
        {"members": [member(date_of_birth="2999-01-01", phone="123")]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"members.0.date_of_birth", "members.0.phone"}
    assert Household.objects.count() == 0


def test_post_individual_without_household_bad_input_names_the_persons_fields(officer_client):
    response = officer_client.post(
        "/api/v1/individuals/",
        member(
            date_of_birth="2999-01-01",
            documents=[{"type": "passport", "number": " - ", "issuing_country": "VE"}],
        ),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "date_of_birth": ["La fecha de nacimiento está en el futuro."],
        "documents.0.number": ["Ingrese el número del documento."],
    }
    assert Household.objects.count() == 0


def test_individuals_other_organization_and_office_answer_404(
    client, make_user, quito, office_a2, office_b1
):
    from amparo.registry import actions

    a1_officer = make_user("registration_officer", office=quito, username="a1")
    a2_officer = make_user("registration_officer", office=office_a2, username="a2")
    b1_officer = make_user("registration_officer", office=office_b1, username="b1")
    ours = actions.register_household(actor=a1_officer, office=quito, members=[member()])
    person = ours.members.get()

    own = api(client, a1_officer).get(f"/api/v1/individuals/{person.uuid}/")
    other_office = api(client, a2_officer).get(f"/api/v1/individuals/{person.uuid}/")
    other_org = api(client, b1_officer).get(f"/api/v1/individuals/{person.uuid}/")
    other_org_household = api(client, b1_officer).get(f"/api/v1/households/{ours.uuid}/")
    other_org_list = api(client, b1_officer).get("/api/v1/individuals/").json()
    into_other = api(client, b1_officer).post(
        "/api/v1/individuals/",
        member(household=str(ours.uuid), relationship="child"),
        content_type="application/json",
    )

    assert own.status_code == 200
    assert (other_office.status_code, other_org.status_code) == (404, 404)
    assert other_org_household.status_code == 404
    assert other_org_list["count"] == 0
    assert into_other.status_code == 404
    assert ours.members.count() == 1


def test_individual_detail_is_audited_once(officer_client, make_user, quito):
    created = officer_client.post(
        "/api/v1/individuals/", member(), content_type="application/json"
    ).json()

    officer_client.get(f"/api/v1/individuals/{created['id']}/")

    events = AuditEvent.objects.filter(action="registry.individual.viewed", target_id=created["id"])
    assert [e.actor.username for e in events] == ["registro"]


def test_roles_without_registry_permission_get_404(client, make_user, quito):
    me = make_user("me_officer", organization=quito.organization)

    listed = api(client, me).get("/api/v1/individuals/")
    created = api(client, me).post(
        "/api/v1/households/", {"members": [member()]}, content_type="application/json"
    )

    assert (listed.status_code, created.status_code) == (404, 404)
    assert Household.objects.count() == 0


def test_schema_documents_registry_endpoints(client, db):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert {"/api/v1/households/", "/api/v1/individuals/", "/api/v1/individuals/{id}/"} <= set(
        paths
    )


@pytest.fixture
def born_the_same_day(make_user, quito, office_a2, office_b1):
    """Two people of the officer's office, one born 1990-03-14; the same name and birth date
    in another office of the organization and in another organization."""
    from amparo.registry import actions

    people = {}
    for name, office, born in [
        ("ours", quito, "1990-03-14"),
        ("ours_other_day", quito, "1991-03-14"),
        ("other_office", office_a2, "1990-03-14"),
        ("other_org", office_b1, "1990-03-14"),
    ]:
        officer = make_user("registration_officer", office=office)
        household = actions.register_household(
            actor=officer, office=office, members=[member(date_of_birth=born, documents=[])]
        )
        people[name] = str(household.members.get().uuid)
    return people


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json()["results"]]


def test_individuals_list_filters_by_birth_date_within_scope(officer_client, born_the_same_day):
    listed = officer_client.get("/api/v1/individuals/", {"born": "1990-03-14"})
    searched = officer_client.get(
        "/api/v1/individuals/", {"born": "1990-03-14", "search": "María José Pérez"}
    )
    unfiltered = officer_client.get("/api/v1/individuals/", {"search": "María José Pérez"})

    assert (listed.status_code, searched.status_code) == (200, 200)
    assert _ids(listed) == [born_the_same_day["ours"]]
    assert _ids(searched) == [born_the_same_day["ours"]]
    assert sorted(_ids(unfiltered)) == sorted(
        [born_the_same_day["ours"], born_the_same_day["ours_other_day"]]
    )


def test_individuals_list_filters_narrow_a_search_too(officer_client, born_the_same_day, quito):
    other_office = officer_client.get(
        "/api/v1/individuals/", {"search": "María José Pérez", "office": "a2"}
    )
    own_office = officer_client.get(
        "/api/v1/individuals/", {"search": "María José Pérez", "office": quito.code, "sex": "F"}
    )

    assert _ids(other_office) == []
    assert len(_ids(own_office)) == 2


@pytest.mark.parametrize("search", ["", "María"])
@pytest.mark.parametrize("born", ["14/03/1990", "1990-02-30", "ayer"])
def test_individuals_list_refuses_a_bad_birth_date_in_words(officer_client, search, born):
    response = officer_client.get(
        "/api/v1/individuals/", {"born": born, "search": search}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert response.status_code == 400
    assert response.json() == {
        "born": [
            "Indique la fecha de nacimiento como año-mes-día (AAAA-MM-DD), por ejemplo 1990-03-14."
        ]
    }
    assert not AuditEvent.objects.filter(action="registry.individual.searched").exists()


def test_schema_documents_the_birth_date_filter(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    parameters = schema["paths"]["/api/v1/individuals/"]["get"]["parameters"]
    born = next(p for p in parameters if p["name"] == "born")
    assert born["in"] == "query"
    assert born["schema"] == {"type": "string", "format": "date"}
    assert "YYYY-MM-DD" in born["description"]


def register_namesakes(officer, office, count: int) -> None:
    """`count` more people of the same name, birth date and phone, each with a document."""
    for _ in range(count):
        number = f"V-{10_000_000 + Individual.objects.count()}"
        document = {"type": "national_id", "number": number, "issuing_country": "VE"}
        actions.register_household(
            actor=officer, office=office, members=[member(documents=[document])]
        )


@pytest.mark.parametrize(
    "ask",
    [
        lambda client: client.get("/api/v1/individuals/", {"search": "0991234567"}),
        lambda client: client.post(
            "/api/v1/individuals/duplicate-check/",
            member(documents=[]),
            content_type="application/json",
        ),
    ],
    ids=["search", "duplicate-check"],
)
def test_search_and_duplicate_check_queries_do_not_grow_with_the_matches(
    client, make_user, quito, ask
):
    officer = make_user("registration_officer", office=quito)
    officer_client = api(client, officer)
    register_namesakes(officer, quito, 1)
    with CaptureQueriesContext(connection) as one:
        first = ask(officer_client)
    register_namesakes(officer, quito, 2)

    with CaptureQueriesContext(connection) as three:
        second = ask(officer_client)

    assert [first.json()["count"], second.json()["count"]] == [1, 3]
    assert len(three) == len(one)
