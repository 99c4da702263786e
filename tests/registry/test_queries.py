"""Registry reads: what the history shows a viewer."""

import pytest

from amparo.core import events
from amparo.core import queries as core_queries
from amparo.core.models import Area
from amparo.registry import actions
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


def test_history_hides_names_of_staff_the_viewer_cannot_see(make_user, quito, office_a2, admin_a):
    officer = make_user(
        "registration_officer",
        office=quito,
        username="a1_officer",
        first_name="Ana",
        last_name="Torres",
    )
    household = actions.register_household(actor=officer, office=quito, members=[member()])
    other = make_user("registration_officer", office=office_a2)

    seen_by_admin = core_queries.history_for(admin_a, [str(household.uuid)])
    seen_by_other = core_queries.history_for(other, [str(household.uuid)])

    assert [e.actor_username for e in seen_by_admin] == ["a1_officer"]
    assert [e.actor_username for e in seen_by_other] == [""]
    assert [events.sentence(e) for e in seen_by_admin] == [
        "Ana Torres registró el hogar (dirección, área, oficina, teléfono, referencia)"
    ]
    assert [events.sentence(e) for e in seen_by_other] == [
        "Alguien registró el hogar (dirección, área, oficina, teléfono, referencia)"
    ]
