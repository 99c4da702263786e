"""A child survivor's referral follows the child protection route first, then the GBV route
(Caring for Child Survivors); an adult survivor's follows the GBV route only."""

import pytest
from django.urls import reverse

from amparo.cases import actions as case_actions
from amparo.referrals import queries
from tests.referrals.test_directory_queries import add_route, add_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def routes(org_a):
    hospital = add_service(org_a, "Hospital", "Atención en 72 horas")
    institute = add_service(org_a, "MIES", "Protección especial")
    psychosocial = add_service(org_a, "Unidad psicosocial", "Acompañamiento")
    add_service(org_a, "Clínica", "Consulta")  # on no route
    child = add_route(org_a, "EC-P", "child_protection", hospital, institute)
    gbv = add_route(org_a, "EC-P", "gbv", hospital, psychosocial)
    return {"child": child, "gbv": gbv}


def _walk_in(actor, age):
    return case_actions.open_walk_in_case(
        actor=actor,
        identity={"given_names": "Ana", "sex": "F", "age": age, "nationality": "VE"},
        risk_level="critical",
        summary="Acompañada.",
    )


def test_a_child_survivors_case_follows_the_child_route_then_the_gbv_route(
    routes, gbv_specialist, client
):
    girl, woman = _walk_in(gbv_specialist, 10), _walk_in(gbv_specialist, 30)
    client.force_login(gbv_specialist)

    for_girl = client.get(reverse("referrals:new"), {"case": girl.uuid})
    for_woman = client.get(reverse("referrals:new"), {"case": woman.uuid})

    assert queries.care_routes_for_case(gbv_specialist, girl) == [routes["child"], routes["gbv"]]
    assert queries.care_routes_for_case(gbv_specialist, woman) == [routes["gbv"]]
    girl_groups = [
        (str(label), [name for _, name in options])
        for label, options in for_girl.context["form"].fields["service"].choices[1:]
    ]
    assert girl_groups == [
        (
            "Ruta de atención: EC-P",
            ["Atención en 72 horas · Hospital", "Protección especial · MIES"],
        ),
        ("Ruta de atención: EC-P", ["Acompañamiento · Unidad psicosocial"]),
        ("Otros servicios", ["Consulta · Clínica"]),
    ]
    choices = for_woman.context["form"].fields["service"].choices[1:]
    woman_labels = [str(label) for label, _ in choices]
    assert woman_labels == ["Ruta de atención: EC-P", "Otros servicios"]


def test_a_registered_child_survivor_follows_the_child_route(
    routes, gbv_specialist, quito, household, caseworker
):
    from amparo.registry import actions as registry_actions
    from tests.factories import member

    girl = registry_actions.add_member(
        actor=caseworker,
        household=household,
        data=member(
            given_names="Ana",
            sex="F",
            relationship="child",
            date_of_birth="2016-03-03",
            phone="",
            documents=[],
        ),
    )
    case = case_actions.open_case(
        actor=gbv_specialist, individuals=[girl], type="gbv", risk_level="high", summary="."
    )
    ordinary = case_actions.open_case(
        actor=caseworker, individuals=[girl], type="protection", risk_level="low", summary="."
    )

    assert queries.care_routes_for_case(gbv_specialist, case) == [routes["child"], routes["gbv"]]
    assert queries.care_routes_for_case(caseworker, ordinary) == []  # no protection route
