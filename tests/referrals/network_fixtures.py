"""The San Lorenzo coordination network of the referrals tests: its members (a hospital and a
prosecutor with accounts, beside organizations A and B), their focal points, and the shared
route (hospital, then prosecutor) in Esmeraldas."""

import pytest

from amparo.core.models import Area
from amparo.referrals import actions
from amparo.referrals.actions import RouteStep
from tests.factories import OrganizationFactory


@pytest.fixture
def hospital_org(db):
    return OrganizationFactory(code="hospital-sl", name="Hospital", is_care_route_partner=True)


@pytest.fixture
def fiscalia_org(db):
    return OrganizationFactory(code="fiscalia-sl", name="Fiscalía", is_care_route_partner=True)


@pytest.fixture
def outsider_org(db):
    return OrganizationFactory(code="outsider", name="Fuera de la red")


@pytest.fixture
def superuser(make_user):
    return make_user("administrator", username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def hospital_focal(make_user, hospital_org):
    return make_user("partner_focal_point", organization=hospital_org, username="enlace.hosp")


@pytest.fixture
def hospital_keeper(make_user, hospital_org):
    """The hospital's administrator, named a focal point of the network."""
    return make_user("administrator", organization=hospital_org, username="admin.hosp")


@pytest.fixture
def org_a_admin(make_user, org_a):
    """Member organization A's administrator: keeps A's directory, not the network's."""
    return make_user("administrator", organization=org_a, username="admin.a")


@pytest.fixture
def fiscalia_focal(make_user, fiscalia_org):
    return make_user("partner_focal_point", organization=fiscalia_org, username="enlace.fis")


@pytest.fixture
def network(superuser, org_a, org_b, hospital_org, fiscalia_org, hospital_keeper):
    return actions.save_network(
        actor=superuser,
        name="Red de San Lorenzo",
        area=Area.objects.get(code="EC-E"),
        convener=org_a,
        members=[org_b, hospital_org, fiscalia_org],
        focal_points=[hospital_keeper],
    )


@pytest.fixture
def shared(network, hospital_keeper, hospital_org, fiscalia_org):
    """The network's providers (hospital, prosecutor) and its GBV route in Esmeraldas."""
    hospital = actions.save_provider(
        actor=hospital_keeper, network=network, name="Hospital", kind="health", agency=hospital_org
    )
    fiscalia = actions.save_provider(
        actor=hospital_keeper,
        network=network,
        name="Fiscalía",
        kind="prosecutor",
        agency=fiscalia_org,
    )
    health = actions.save_service(
        actor=hospital_keeper, provider=hospital, type="health", name="Atención VBG"
    )
    justice = actions.save_service(
        actor=hospital_keeper, provider=fiscalia, type="justice", name="Denuncia"
    )
    route = actions.save_care_route(
        actor=hospital_keeper,
        network=network,
        area=Area.objects.get(code="EC-E"),
        need="gbv",
        name="Ruta VBG San Lorenzo",
        steps=[RouteStep(1, health), RouteStep(2, justice)],
    )
    return {"health": health, "justice": justice, "route": route}
