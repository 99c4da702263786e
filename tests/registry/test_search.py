import pytest

from amparo.core.models import Area
from amparo.registry import actions
from amparo.registry.search import name_score, search_individuals
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def people(officer, quito):
    def register(**fields):
        household = actions.register_household(
            actor=officer, office=quito, members=[member(**fields)]
        )
        return household.members.get()

    return {
        "maria": register(),
        "jose": register(
            given_names="José Luis",
            first_surname="Núñez",
            second_surname="Peña",
            sex="M",
            phone="0987654321",
            documents=[{"type": "passport", "number": "AB 123-456", "issuing_country": "CO"}],
        ),
        "carmen": register(
            given_names="Carmen",
            first_surname="Rodríguez",
            second_surname="Salazar",
            phone="",
            documents=[],
        ),
    }


def names(hits):
    return [h.individual.given_names for h in hits]


def test_search_accentless_query_finds_accented_name(officer, people):
    assert names(search_individuals(officer, "jose luis nunez")) == ["José Luis"]


def test_search_swapped_surnames_find_the_person(officer, people):
    assert names(search_individuals(officer, "Peña Núñez José"))[0] == "José Luis"


def test_search_tolerates_one_typo(officer, people):
    assert names(search_individuals(officer, "Carmen Rodrigez")) == ["Carmen"]


def test_search_compound_given_name(officer, people):
    assert names(search_individuals(officer, "María José Pérez"))[0] == "María José"


def test_search_partial_document_number_with_separators(officer, people):
    hits = search_individuals(officer, "345.678")

    assert names(hits) == ["María José"]
    assert hits[0].matched == "document"
    assert names(search_individuals(officer, "ab123456")) == ["José Luis"]


def test_search_phone_in_local_and_international_form(officer, people):
    assert names(search_individuals(officer, "098 765 4321")) == ["José Luis"]
    assert names(search_individuals(officer, "+593 98 765 4321")) == ["José Luis"]


def test_search_household_reference(officer, people):
    reference = people["carmen"].household.reference

    assert names(search_individuals(officer, reference.lower())) == ["Carmen"]


def test_search_does_not_leak_other_organizations_people(people, make_user, office_b1):
    outsider = make_user("registration_officer", office=office_b1)

    assert search_individuals(outsider, "Carmen Rodríguez") == []
    assert search_individuals(outsider, "0987654321") == []


def test_search_unrelated_name_finds_nothing(officer, people):
    assert search_individuals(officer, "Wilmer Quiñónez") == []


def test_name_score_ranks_exact_above_typo():
    assert name_score(["carmen"], ["carmen", "rodriguez"]) == 1.0
    assert 0.75 <= name_score(["carmen", "rodrigez"], ["carmen", "rodriguez", "salazar"]) < 1.0
    assert name_score(["pedro"], ["carmen"]) == 0.0
