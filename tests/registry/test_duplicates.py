import datetime

import pytest

from amparo.core.models import Area, AuditEvent
from amparo.registry import actions
from amparo.registry.duplicates import dob_closeness, find_duplicates
from amparo.registry.models import Individual
from tests.factories import api_token, member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def existing(officer, quito):
    """María José Pérez Gómez, 1990-03-14, V-12.345.678, 099 123 4567."""
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    return household.members.get()


def check(user, **fields):
    data = member(**{"phone": "", "documents": [], **fields})
    return find_duplicates(user, data, region="EC")


def test_same_document_number_and_type_is_flagged(officer, existing):
    report = check(
        officer,
        given_names="Otra",
        first_surname="Persona",
        second_surname="",
        date_of_birth="2001-01-01",
        documents=[{"type": "national_id", "number": "v 12345678", "issuing_country": "VE"}],
    )

    assert [(c.individual, c.reasons) for c in report.candidates] == [(existing, ["same_document"])]


def test_same_phone_in_another_format_is_flagged(officer, existing):
    report = check(
        officer,
        given_names="Otra",
        first_surname="Persona",
        date_of_birth="2001-01-01",
        phone="+593 99 123 4567",
    )

    assert [c.reasons for c in report.candidates] == [["same_phone"]]


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        (
            {"given_names": "Maria Jose", "first_surname": "Perez", "second_surname": "Gomez"},
            ["same_name", "same_birth_date"],
        ),
        (
            {"given_names": "María José", "first_surname": "Gómez", "second_surname": "Pérez"},
            ["same_name", "same_birth_date"],
        ),
        (
            {
                "given_names": "Maria Jose",
                "first_surname": "Peres",
                "second_surname": "Gomez",
                "date_of_birth": "1990-03-20",
            },
            ["similar_name", "close_birth_date"],
        ),
        (
            {
                "given_names": "María José",
                "first_surname": "Pérez",
                "second_surname": "Gómez",
                "date_of_birth": "1990-07-01",
                "dob_estimated": True,
            },
            ["same_name", "close_birth_date"],
        ),
    ],
    ids=["accents", "swapped-surnames", "typo-and-close-date", "estimated-date"],
)
def test_similar_name_with_same_or_close_birth_date_is_flagged(officer, existing, fields, reasons):
    report = check(officer, **{"date_of_birth": "1990-03-14", **fields})

    assert [(c.individual, c.reasons) for c in report.candidates] == [(existing, reasons)]


def test_namesake_born_years_apart_is_not_flagged(officer, existing):
    report = check(officer, date_of_birth="1975-03-14")

    assert report.candidates == []


def test_unrelated_person_is_not_flagged(officer, existing):
    report = check(
        officer,
        given_names="Carlos",
        first_surname="Quiñónez",
        second_surname="Tenorio",
        date_of_birth="1990-03-14",
        sex="M",
    )

    assert report.candidates == []


def test_matches_in_an_office_the_user_cannot_see_are_counted_not_shown(
    existing, make_user, office_a2
):
    other_office = make_user("registration_officer", office=office_a2)

    report = check(
        other_office,
        documents=[{"type": "national_id", "number": "V12345678", "issuing_country": "VE"}],
    )

    assert (report.candidates, report.hidden) == ([], 1)


def test_other_organizations_people_are_neither_shown_nor_counted(existing, make_user, office_b1):
    outsider = make_user("registration_officer", office=office_b1)

    report = check(
        outsider,
        documents=[{"type": "national_id", "number": "V12345678", "issuing_country": "VE"}],
    )

    assert (report.candidates, report.hidden) == ([], 0)


@pytest.mark.parametrize(
    ("a", "b", "estimated", "closeness"),
    [
        ("1990-03-14", "1990-03-14", False, 1.0),
        ("1990-03-04", "1990-04-03", False, 0.9),
        ("1990-03-14", "1990-11-30", False, 0.8),
        ("1990-03-14", "1991-09-30", False, 0.7),
        ("1990-07-01", "1992-03-14", True, 0.8),
        ("1990-03-14", "1995-03-14", False, 0.0),
    ],
)
def test_dob_closeness(a, b, estimated, closeness):
    result = dob_closeness(
        datetime.date.fromisoformat(a), datetime.date.fromisoformat(b), estimated=estimated
    )

    assert result == closeness


def test_api_duplicate_check_returns_candidates_best_first_and_creates_nothing(
    client, officer, existing
):
    token = api_token(officer)

    response = client.post(
        "/api/v1/individuals/duplicate-check/",
        member(first_surname="Peres", phone="0991234567"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    body = response.json()
    assert response.status_code == 200
    assert [r["id"] for r in body["results"]] == [str(existing.uuid)]
    assert body["results"][0]["score"] == 1.0
    assert set(body["results"][0]["reasons"]) == {
        "same_document",
        "same_phone",
        "similar_name",
        "same_birth_date",
    }
    assert Individual.objects.count() == 1


def test_api_search_returns_best_matches_first(client, officer, existing, quito):
    actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(
                given_names="María",
                first_surname="Pereira",
                second_surname="",
                phone="",
                documents=[],
            )
        ],
    )
    token = api_token(officer)

    response = client.get(
        "/api/v1/individuals/",
        {"search": "maria jose perez"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    results = response.json()["results"]
    assert results[0]["id"] == str(existing.uuid)
    assert results[0]["score"] >= results[-1]["score"]


@pytest.mark.parametrize("dob", ["0001-01-01", "9999-12-31"])
def test_duplicate_check_extreme_birth_dates_answer_without_error(client, make_user, quito, dob):
    officer = make_user("registration_officer", office=quito)
    token = api_token(officer)

    response = client.post(
        "/api/v1/individuals/duplicate-check/",
        member(date_of_birth=dob, phone="", documents=[]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="registry.individual.duplicate_checked").count() == 1
