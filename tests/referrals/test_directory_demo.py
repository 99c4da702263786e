"""The demo directories load once, and give caseworkers the care routes they need."""

from pathlib import Path

import pytest

from amparo.core.models import Area, AuditEvent, User
from amparo.demo import directory
from amparo.referrals import imports, queries
from amparo.referrals.models import CareRoute, Provider, Service


@pytest.fixture
def loaded(db):
    return directory.load()


def route_steps(organization_code, area, need):
    route = CareRoute.objects.get(organization__code=organization_code, area__code=area, need=need)
    return [(s.service.provider.name, s.service.type) for s in route.steps.all()]


def test_demo_load_creates_directories_and_is_idempotent(loaded):
    before = Service.objects.count()

    again = directory.load()

    assert loaded == {"providers": 18, "services": 21, "care_routes": 5}
    assert again == {"providers": 0, "services": 0, "care_routes": 0}
    assert Service.objects.count() == before
    assert AuditEvent.objects.filter(action="referrals.directory.loaded").count() == 2


def test_demo_directory_is_written_by_each_administrator_through_the_actions(loaded):
    events = AuditEvent.objects.filter(action__startswith="referrals.")
    written = sorted(set(events.values_list("actor_username", "action")))
    count = events.count()

    directory.load()

    assert written == [
        ("admin.hias", "referrals.careroute.created"),
        ("admin.hias", "referrals.careroute.steps_changed"),
        ("admin.hias", "referrals.directory.loaded"),
        ("admin.hias", "referrals.provider.created"),
        ("admin.hias", "referrals.service.created"),
        ("admin.oim", "referrals.careroute.created"),
        ("admin.oim", "referrals.careroute.steps_changed"),
        ("admin.oim", "referrals.directory.loaded"),
        ("admin.oim", "referrals.provider.created"),
        ("admin.oim", "referrals.service.created"),
    ]
    assert events.filter(action="referrals.provider.created").count() == 18
    assert events.count() == count


def test_demo_care_routes_follow_the_agreed_order(loaded):
    assert route_steps("hias-ec", "EC-U", "gbv")[:3] == [
        ("Hospital Marco Vinicio Iza", "health"),
        ("HIAS – Unidad psicosocial Lago Agrio", "psychosocial"),
        ("Fiscalía Provincial de Sucumbíos", "justice"),
    ]
    assert route_steps("iom-ec", "EC-E", "gbv")[:2] == [
        ("Centro de Salud San Lorenzo", "health"),
        ("DINAPEN Esmeraldas", "police"),
    ]
    assert {(r.organization.code, r.area.code, r.need) for r in CareRoute.objects.all()} == {
        ("hias-ec", "EC-U", "gbv"),
        ("hias-ec", "EC-P", "gbv"),
        ("hias-ec", "EC-P", "child_protection"),
        ("hias-ec", "EC-U", "child_protection"),
        ("iom-ec", "EC-E", "gbv"),
    }


def test_demo_agencies_and_internal_units(loaded):
    hospital = Provider.objects.get(organization__code="hias-ec", name="Hospital Marco Vinicio Iza")
    dinapen = Provider.objects.get(organization__code="iom-ec", name="DINAPEN Esmeraldas")
    fiscalia = Provider.objects.get(name="Fiscalía Provincial de Sucumbíos")
    unit = Provider.objects.get(name="HIAS – Unidad psicosocial Lago Agrio")

    assert hospital.agency.code == "hospital-lago-agrio"
    assert dinapen.agency.code == "dinapen-esmeraldas"
    assert fiscalia.agency.code == "fiscalia-sucumbios"
    assert (unit.kind, unit.agency.code, unit.office.code) == ("internal", "hias-ec", "lago-agrio")
    assert Provider.objects.filter(agency__isnull=True, organization__code="hias-ec").exists()


def test_hias_caseworker_can_refer_to_the_hospital_in_lago_agrio(loaded):
    caseworker = User.objects.get(username="caso.quito")
    lago_agrio = Area.objects.get(code="EC-U")

    health = queries.services_serving(caseworker, lago_agrio, active_only=True).filter(
        type="health"
    )
    suggested = queries.suggested_services(caseworker, area=lago_agrio, need="gbv")

    assert [s.provider.name for s in health] == ["Hospital Marco Vinicio Iza"]
    assert suggested[0].provider.name == "Hospital Marco Vinicio Iza"


def test_demo_directories_stay_with_their_organization(loaded):
    hias = User.objects.get(username="caso.quito")
    oim = User.objects.get(username="registro.sanlorenzo")

    hias_names = set(queries.providers_visible_to(hias).values_list("name", flat=True))

    assert "DINAPEN Esmeraldas" not in hias_names
    assert queries.care_routes_visible_to(hias).filter(organization__code="iom-ec").count() == 0
    assert not queries.providers_visible_to(oim).exists()  # registration officers do not read it


def test_sample_file_matches_the_demo_directory(loaded):
    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "directory.csv"
    hias = Provider.objects.filter(organization__code="hias-ec").first().organization

    result = imports.import_directory(
        actor=None, organization=hias, data=sample.read_bytes(), filename="directory.csv"
    )

    assert (result.providers_created, result.providers_updated) == (0, 0)
    assert (result.services_created, result.services_updated) == (0, 0)


def test_demo_network_shares_the_san_lorenzo_route_and_an_onward_chain(db):
    from amparo.referrals.models import CoordinationNetwork, Referral

    created = directory.load_network()
    again = directory.load_network()

    network = CoordinationNetwork.objects.get()
    assert created == {
        "networks": 1,
        "providers": 9,
        "services": 10,
        "care_routes": 1,
        "referrals": 3,
    }
    assert set(again.values()) == {0}
    assert network.convener.code == "iom-ec"
    assert network.members.count() == 9  # eight partners and the convener
    # A member that is no focal point reads the route and refers along it.
    hias = User.objects.get(username="caso.quito")
    esmeraldas = Area.objects.get(code="EC-E")
    route = queries.care_route_for(hias, area=esmeraldas, need="gbv")
    assert route is not None and route.network == network
    assert len(route.steps.all()) == 9
    onward = Referral.objects.get(parent__isnull=False)
    assert (onward.parent.service.provider.name, onward.service.provider.name) == (
        directory.DIVINA,
        directory.FISCALIA_SL,
    )
    sender = User.objects.get(username="enlace.mujeres")
    first = queries.get_referral_for(sender, onward.parent.uuid)
    assert queries.onward_chain(sender, first) == [onward]


def test_demo_network_reaches_the_colombian_red_cross_across_the_border(db):
    from amparo.referrals.models import Referral

    directory.load_network()
    member = User.objects.get(username="caso.quito")
    esmeraldas = Area.objects.get(code="EC-E")

    red_cross = Provider.objects.get(name=directory.CRUZ_ROJA)
    in_the_directory = queries.services_serving(member, esmeraldas, active_only=True).filter(
        provider=red_cross
    )
    route = queries.care_route_for(member, area=esmeraldas, need="gbv")
    referral = Referral.objects.get(service__provider=red_cross)

    assert (red_cross.country.code, red_cross.network.name) == ("CO", directory.NETWORK.name)
    assert sorted(in_the_directory.values_list("type", flat=True)) == ["health", "psychosocial"]
    assert [s.service.provider for s in route.steps.all()][-1] == red_cross
    assert referral.cross_border_consent is True
    assert referral.to_organization is None  # no account: the movement prints the form
    assert referral.from_organization.code == "mujeres-afro-san-lorenzo"


def test_the_directory_says_the_red_cross_works_in_colombia(client, db):
    directory.load_network()
    client.force_login(User.objects.get(username="enlace.mujeres"))

    page = client.get("/referrals/directory/", {"area": "EC-E"})

    html = page.content.decode()
    provider = html[html.index(directory.CRUZ_ROJA + "</h3>") :]
    assert page.status_code == 200
    assert "· Colombia" in provider[: provider.index("</p>")]
    assert "(Colombia)" in html[html.index('id="routes"') : html.index('id="services"')]
