import datetime

import pytest
from django.utils import timezone

from amparo.core.models import Area, Role
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


@pytest.fixture
def places():
    pichincha = Area.objects.get(code="EC-P")
    quito = Area.objects.create(
        code="EC-P-Q", name="Quito", level=2, country_code="EC", parent=pichincha
    )
    return pichincha, quito, Area.objects.get(code="EC-G")


@pytest.fixture
def reached_people(registrar, lead, office_a1, places):  # noqa: F811 (the fixture above)
    """12 women and 3 men in Quito, 2 women in Guayas: all at one workshop in March."""
    _pichincha, quito, guayas = places
    people = []
    for n, (sex, area) in enumerate([("F", quito)] * 12 + [("M", quito)] * 3 + [("F", guayas)] * 2):
        household = register_household(
            actor=registrar,
            office=office_a1,
            area=area,
            members=[member(documents=[], phone="", given_names=f"Persona {n}", sex=sex)],
        )
        people += list(household.members.all())
    record(lead, participants=people, date=datetime.date(2026, 3, 12))
    return people
