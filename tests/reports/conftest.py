import pytest
from django.utils import timezone

from amparo.core.models import Role
from amparo.registry.actions import register_household
from tests.activities.helpers import record

# The programme, cycle and people of the assistance tests: a report counts what they make.
from tests.assistance.conftest import (  # noqa: F401 (fixtures)
    cycle,
    households,
    manager,
    officer,
    project,
    registrar,
)
from tests.factories import UserFactory, member


@pytest.fixture
def lead(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="lead.a1")


@pytest.fixture
def analyst(org_a):
    """Reads the reports and the registry, organization-wide."""
    role = Role.objects.create(
        organization=org_a, code="analyst", name="Análisis",
        permissions=["reports.view", "reports.export", "registry.view"], office_bound=False,
    )  # fmt: skip
    return UserFactory(organization=org_a, role=role, username="analyst.a")


@pytest.fixture
def reached(registrar, lead, office_a1):  # noqa: F811 (the fixture above)
    """Four women and a boy at a legal session today; one more woman in January."""
    people = []
    for n, (sex, born) in enumerate([("F", "1990-01-01")] * 4 + [("M", "2016-05-05")]):
        household = register_household(
            actor=registrar,
            office=office_a1,
            members=[member(documents=[], phone="", given_names=f"Persona {n}", sex=sex,
                            date_of_birth=born)],
        )  # fmt: skip
        people += list(household.members.all())
    record(lead, participants=people, date=timezone.localdate())
    return people
