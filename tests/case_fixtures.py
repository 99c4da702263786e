"""Cases and the people in them, shared by the cases and referrals tests."""

import pytest

from amparo.cases import actions
from amparo.cases.models import GBVTeamMember
from amparo.core.models import Area
from amparo.registry import actions as registry_actions
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def caseworker(make_user, quito):
    return make_user("caseworker", office=quito, username="caso", first_name="Daniela")


@pytest.fixture
def colleague(make_user, quito):
    """A caseworker of the same office who is not on the case's team."""
    return make_user("caseworker", office=quito, username="colega")


@pytest.fixture
def supervisor(make_user, quito):
    return make_user("case_supervisor", office=quito, username="supervisora")


@pytest.fixture
def gbv_specialist(make_user, quito):
    user = make_user("gbv_specialist", office=quito, username="vbg")
    GBVTeamMember.objects.create(office=quito, user=user)
    return user


@pytest.fixture
def coordinator(make_user, quito):
    """The GBV coordinator: a case supervisor on the office's GBV team."""
    user = make_user("case_supervisor", office=quito, username="coordinadora")
    GBVTeamMember.objects.create(office=quito, user=user)
    return user


@pytest.fixture
def household(caseworker, quito):
    return registry_actions.register_household(
        actor=caseworker,
        office=quito,
        members=[
            member(),
            member(
                given_names="Luis",
                sex="M",
                relationship="spouse",
                date_of_birth="1987-05-05",
                phone="",
                documents=[],
            ),
        ],
        area=Area.objects.get(code="EC-P"),
    )


@pytest.fixture
def person(household):
    return household.members.get(is_head=True)


@pytest.fixture
def case(caseworker, person):
    return actions.open_case(
        actor=caseworker,
        individuals=[person],
        type="protection",
        risk_level="medium",
        summary="Amenazas del ex-compañero; teme por sus hijos.",
    )


@pytest.fixture
def gbv_case(gbv_specialist, person):
    return actions.open_case(
        actor=gbv_specialist,
        individuals=[person],
        type="gbv",
        risk_level="high",
        summary="Relato confidencial de la sobreviviente.",
    )


SURVIVOR = {
    "given_names": "Yohana",
    "first_surname": "Mendoza",
    "other_names": "Yoyi",
    "sex": "F",
    "age": 27,
    "nationality": "VE",
    "phone": "0987654321",
    "languages": "es",
}


@pytest.fixture
def walk_in_case(gbv_specialist):
    """A GBV case for a survivor who is not in the registry (identity kept in the case)."""
    return actions.open_walk_in_case(
        actor=gbv_specialist,
        identity=SURVIVOR,
        risk_level="high",
        summary="Llegó sola al espacio seguro.",
    )
