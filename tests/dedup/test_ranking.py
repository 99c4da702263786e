"""The registration check ranked by the organization's trained model: the same candidates,
the most probable first, each with the model's reasons in words; nothing changes without a
model."""

import pyarrow as pa
import pytest

from amparo.dedup import linkage
from amparo.dedup.models import LinkageModel
from amparo.registry import actions as registry_actions
from amparo.registry.duplicates import find_duplicates
from tests.case_fixtures import quito  # noqa: F401
from tests.factories import member


@pytest.fixture
def officer(make_user, quito):  # noqa: F811
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def registered(officer, quito):  # noqa: F811
    def register(**fields):
        household = registry_actions.register_household(
            actor=officer, office=quito, members=[member(**fields)]
        )
        return household.members.get()

    return {
        "maria": register(date_of_birth="1990-03-04"),
        # her sister: same surnames, phone and birthday, another given name and document
        "sister": register(
            given_names="María Gabriela",
            date_of_birth="1990-03-04",
            documents=[{"type": "national_id", "number": "V-19.876.543", "issuing_country": "VE"}],
        ),
    }


def model() -> dict:
    """A model as a run stores it (the starting values: too few records to learn from)."""
    table = pa.table({"id": ["1", "2"], "given_names": ["Ana", "Luis"]})
    return linkage.deduplicate(table).model


ARRIVING = member(
    given_names="Majo",
    second_surname="",
    date_of_birth="1990-04-03",
    documents=[{"type": "national_id", "number": "V12345678", "issuing_country": "VE"}],
)


@pytest.mark.django_db
def test_without_a_model_the_check_is_the_registry_s(officer, registered):
    candidates = find_duplicates(officer, ARRIVING, region="EC").candidates
    assert candidates and all(c.probability is None and not c.model_reasons for c in candidates)


@pytest.mark.django_db
def test_the_model_ranks_the_candidates_and_says_why(officer, registered, org_a):
    LinkageModel.objects.create(organization=org_a, version=1, parameters=model(), records=2)
    candidates = find_duplicates(officer, ARRIVING, region="EC").candidates
    first = candidates[0]
    assert first.individual == registered["maria"]
    assert first.probability > 0.99
    assert any("documento" in r or "document" in r for r in first.explanation)
    sister = next(c for c in candidates if c.individual == registered["sister"])
    assert sister.probability < 0.5  # siblings are not one person
