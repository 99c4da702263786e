import pytest

from amparo.registry.actions import register_household
from tests.activities.helpers import make_case
from tests.factories import member


@pytest.fixture
def caseworker(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="caso.a1")


@pytest.fixture
def family(caseworker, office_a1):
    """A household of two at office A1: María José (head) and Luis (spouse)."""
    return register_household(
        actor=caseworker,
        office=office_a1,
        members=[
            member(),
            member(
                given_names="Luis",
                sex="M",
                relationship="spouse",
                date_of_birth="1988-01-02",
                phone="",
                documents=[],
            ),
        ],
    )


@pytest.fixture
def head(family):
    return family.members.get(is_head=True)


@pytest.fixture
def spouse(family):
    return family.members.get(is_head=False)


@pytest.fixture
def gbv_specialist(make_user, office_a1):
    return make_user("gbv_specialist", office=office_a1, username="vbg.a1")


@pytest.fixture
def gbv_case(office_a1, gbv_specialist, family):
    return make_case(
        office=office_a1,
        owner=gbv_specialist,
        household=family,
        restricted=True,
        team=[gbv_specialist],
    )
