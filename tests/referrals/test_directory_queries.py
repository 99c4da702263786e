"""Directory queries the referral form uses: the care route for an area and a need."""

import pytest

from amparo.core.models import Area
from amparo.referrals import queries
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Service


@pytest.fixture
def caseworker_a(make_user, office_a1):
    return make_user("caseworker", office=office_a1)


@pytest.fixture
def lago_agrio(db):
    return Area.objects.create(
        code="EC2101",
        name="Lago Agrio",
        level=2,
        parent=Area.objects.get(code="EC-U"),
        country_code="EC",
    )


def add_service(org, provider, name, **fields):
    provider, _ = Provider.objects.get_or_create(
        organization=org, name=provider, defaults={"kind": "health"}
    )
    return Service.objects.create(provider=provider, name=name, type="health", **fields)


def add_route(org, area_code, need, *services):
    route = CareRoute.objects.create(
        organization=org, area=Area.objects.get(code=area_code), need=need, name=area_code
    )
    for position, service in enumerate(services, start=1):
        CareRouteStep.objects.create(route=route, position=position, service=service)
    return route


def test_care_route_for_uses_the_nearest_area_with_a_route(caseworker_a, org_a, lago_agrio):
    province = add_route(org_a, "EC-U", "gbv")
    country = add_route(org_a, "EC", "gbv")
    add_route(org_a, "EC", "legal")

    assert queries.care_route_for(caseworker_a, area=lago_agrio, need="gbv") == province
    assert queries.care_route_for(caseworker_a, area=lago_agrio, need="legal").area.code == "EC"
    assert queries.care_route_for(caseworker_a, area=lago_agrio, need="mhpss") is None
    assert queries.care_route_for(caseworker_a, area=None, need="gbv") is None
    assert country.area.code == "EC"


def test_care_route_for_ignores_other_organizations(caseworker_a, org_b, lago_agrio):
    add_route(org_b, "EC-U", "gbv")

    assert queries.care_route_for(caseworker_a, area=lago_agrio, need="gbv") is None


def test_suggested_services_follow_the_route_and_skip_inactive(caseworker_a, org_a, lago_agrio):
    hospital = add_service(org_a, "Hospital", "Atención")
    closed = add_service(org_a, "Hospital", "Cerrado", is_active=False)
    psy = add_service(org_a, "Unidad psicosocial", "Escucha")
    add_route(org_a, "EC-U", "gbv", hospital, closed, psy)

    suggested = queries.suggested_services(caseworker_a, area=lago_agrio, need="gbv")

    assert suggested == [hospital, psy]


def test_services_serving_with_and_without_inner_areas(caseworker_a, org_a, lago_agrio):
    canton = add_service(org_a, "A", "Cantón")
    canton.areas.set([lago_agrio])
    province = add_service(org_a, "A", "Provincia")
    province.areas.set([Area.objects.get(code="EC-U")])
    elsewhere = add_service(org_a, "A", "Otra provincia")
    elsewhere.areas.set([Area.objects.get(code="EC-P")])
    everywhere = add_service(org_a, "A", "En todas partes")
    sucumbios = Area.objects.get(code="EC-U")

    plain = set(queries.services_serving(caseworker_a, sucumbios))
    inside = set(queries.services_serving(caseworker_a, sucumbios, inside=True))

    assert plain == {province, everywhere}
    assert inside == {canton, province, everywhere}


def test_agencies_are_partners_or_the_organization_itself(org_a, org_b):
    org_b.is_care_route_partner = True
    org_b.save()
    other = org_b.__class__.objects.create(code="otra", name="Otra")

    agencies = set(queries.agencies_for(org_a))

    assert agencies == {org_a, org_b}
    assert other not in agencies
