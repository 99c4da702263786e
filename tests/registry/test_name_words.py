"""The name lookup at national scale (PostgreSQL: the name words of migration 0011; SQLite:
its FTS5 index) finds what the person typed, whatever the store: two typos in a long word,
any two given names glued, a name just edited; and a name with a birth date in the box is
not also read as a document or phone number."""

import pytest
from django.db import connection

from amparo.registry import actions
from amparo.registry.duplicates import find_duplicates
from amparo.registry.search import search_individuals
from tests.factories import member
from tests.registry.test_search_errors import register

PEOPLE = [
    {"given_names": "Wladimiro", "first_surname": "Cevallos", "second_surname": "Mora"},
    {"given_names": "Wilson Alfredo", "first_surname": "Mera", "second_surname": "Loor"},
    {"given_names": "Enrique", "first_surname": "Flores", "second_surname": "Vera"},
]


@pytest.fixture
def people(officer, quito):
    found = {}
    for n, person in enumerate(PEOPLE):
        born = f"198{n}-03-07"
        (found[person["given_names"]],) = register(
            officer, quito, [{**person, "date_of_birth": born, "sex": "M"}]
        )
    return found


@pytest.fixture
def quito(office_a1):
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


def found(hits) -> list[str]:
    return [hit.individual.given_names for hit in hits]


def test_two_typos_in_a_long_word(officer, people):
    assert found(search_individuals(officer, "Vladimyro Cevallos Mora")) == ["Wladimiro"]


def test_any_two_given_names_glued(officer, people):
    """Not a compound the nickname table knows: split into two words the registry has."""
    assert found(search_individuals(officer, "WilsonAlfredo Mera")) == ["Wilson Alfredo"]
    report = find_duplicates(
        officer,
        member(
            given_names="Wilsonalfredo",
            first_surname="Mera",
            second_surname="Loor",
            date_of_birth="1981-03-07",
            documents=[],
            phone="",
        ),
        region="EC",
    )
    assert [c.individual.given_names for c in report.candidates] == ["Wilson Alfredo"]


def test_a_word_first_seen_in_an_edit_is_found_with_a_typo(officer, people):
    person = people["Enrique"]
    actions.update_individual(
        actor=officer, individual=person, changes={"second_surname": "Zhunio"}
    )

    assert found(search_individuals(officer, "Enrique Flores Zhunyo")) == ["Enrique"]


def test_a_name_and_a_birth_date_find_the_person_not_a_document(officer, quito, people):
    """Someone whose document number is the date's digits is not a match for the name."""
    document = {"type": "passport", "number": "07031982", "issuing_country": "EC"}
    ana = member(
        given_names="Ana",
        first_surname="Vera",
        second_surname="",
        sex="F",
        date_of_birth="1970-01-01",
        phone="",
        documents=[document],
    )
    actions.register_household(actor=officer, office=quito, members=[ana])

    assert found(search_individuals(officer, "Enrique Flores 07/03/1982")) == ["Enrique"]
    assert found(search_individuals(officer, "07031982")) == ["Ana"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the name words are PostgreSQL's")
def test_name_words_follow_registrations_and_edits(officer, people):
    def stored(*words):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM registry_name_word WHERE word = ANY(%s)", [list(words)]
            )
            return {row[0] for row in cursor.fetchall()}

    assert stored("wladimiro", "cevallos", "mora", "zhunio") == {"wladimiro", "cevallos", "mora"}
    actions.update_individual(
        actor=officer, individual=people["Enrique"], changes={"second_surname": "Zhunio"}
    )
    assert stored("zhunio") == {"zhunio"}


def test_a_document_whose_last_digit_is_typed_apart_is_not_read_as_an_age(officer, quito):
    document = {"type": "passport", "number": "AP687384", "issuing_country": "EC"}
    paola = member(given_names="Paola", first_surname="Buitrago", documents=[document])
    actions.register_household(actor=officer, office=quito, members=[paola])

    assert found(search_individuals(officer, "AP.68738 4")) == ["Paola"]
