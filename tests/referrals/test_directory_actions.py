"""The directory's actions: what they write, what they refuse, who may, and what they audit."""

import pytest
from django.http import Http404
from django.utils import translation

from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.referrals import actions
from amparo.referrals.actions import RouteStep
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Service
from tests.factories import OrganizationFactory


@pytest.fixture(autouse=True)
def _english():
    # The messages asserted here are the source strings, whatever the catalog says.
    with translation.override("en"):
        yield


@pytest.fixture
def supervisor_a(make_user, office_a1):
    return make_user("case_supervisor", office=office_a1)


@pytest.fixture
def caseworker_a(make_user, office_a1):
    return make_user("caseworker", office=office_a1)


@pytest.fixture
def operator(make_user):
    return make_user("administrator", is_superuser=True)


@pytest.fixture
def partner(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


@pytest.fixture
def lago_agrio(db):
    return Area.objects.get(code="EC-U")


def add_provider(org, name="Fiscalía", kind="prosecutor", **fields):
    return Provider.objects.create(organization=org, name=name, kind=kind, **fields)


def add_service(provider, name="Denuncia", type="justice"):
    return Service.objects.create(provider=provider, name=name, type=type)


def add_route(org, area, need="gbv", services=()):
    route = CareRoute.objects.create(organization=org, area=area, need=need, name="Ruta")
    for position, service in enumerate(services, start=1):
        CareRouteStep.objects.create(route=route, position=position, service=service)
    return route


def events():
    return [
        (e.action, e.actor_id, e.target_id, e.organization_id, e.fields, e.details)
        for e in AuditEvent.objects.filter(action__startswith="referrals.").order_by("id")
    ]


def directory_rows():
    """Everything the directory holds, and its audit trail: to show that nothing changed."""
    models = (Provider, Service, Service.areas.through, CareRoute, CareRouteStep)
    return [list(m.objects.order_by("pk").values()) for m in models] + [events()]


def refused(action, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ActionError) as caught:
        action(**kwargs)
    return caught.value.errors


# --- providers ----------------------------------------------------------------------------------


def test_save_provider_adds_to_the_actor_directory_and_audits(supervisor_a, org_a, office_a1):
    provider = actions.save_provider(
        actor=supervisor_a,
        name=" Unidad legal ",
        kind="internal",
        office=office_a1,
        phone="+593 2 000 0001",
    )

    stored = Provider.objects.get()
    assert stored == provider
    assert (stored.organization, stored.name, stored.kind) == (org_a, "Unidad legal", "internal")
    assert (stored.agency, stored.office, stored.phone) == (org_a, office_a1, "+593 2 000 0001")
    assert stored.is_active
    assert events() == [
        (
            "referrals.provider.created",
            supervisor_a.pk,
            str(provider.uuid),
            org_a.pk,
            ["agency", "kind", "name", "office", "phone"],
            {},
        )
    ]


def test_save_provider_changes_and_deactivates_with_field_names_audited(
    supervisor_a, org_a, partner
):
    provider = add_provider(org_a, phone="111", agency=partner)

    changed = actions.save_provider(
        actor=supervisor_a,
        provider=provider,
        name="Fiscalía",
        kind="prosecutor",
        agency=partner,
        phone="222",
        is_active=False,
    )

    provider.refresh_from_db()
    assert (changed, provider.phone, provider.is_active) == (provider, "222", False)
    assert events() == [
        (
            "referrals.provider.updated",
            supervisor_a.pk,
            str(provider.uuid),
            org_a.pk,
            ["is_active", "phone"],
            {},
        )
    ]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"name": "fiscalía"},
            {"__all__": ["The directory already lists a provider called “fiscalía”."]},
        ),
        (
            {"agency": "org_b"},
            {
                "agency": [
                    "Choose a Care Route partner or your own organization: only they receive "
                    "referrals in Amparo."
                ]
            },
        ),
        (
            {"kind": "internal", "agency": "partner"},
            {
                "agency": [
                    "A unit of your organization receives its referrals in your organization: "
                    "choose it or leave the field empty."
                ]
            },
        ),
        (
            {"kind": "police", "office": "office_a1"},
            {
                "office": [
                    "Only a unit of your organization has an office: leave it empty, or set "
                    "the kind to “Unit of our organization”."
                ]
            },
        ),
        (
            {"kind": "internal", "office": "office_b1"},
            {"office": ["Choose one of your organization's offices."]},
        ),
        ({"name": "  "}, {"name": ["This field cannot be blank."]}),
        ({"kind": "spaceship"}, {"kind": ["Value 'spaceship' is not a valid choice."]}),
        ({"email": "not an address"}, {"email": ["Enter a valid email address."]}),
    ],
)
def test_save_provider_refuses_bad_input_and_writes_nothing(
    request, supervisor_a, org_a, fields, errors
):
    add_provider(org_a)
    fixtures = ("org_b", "partner", "office_a1", "office_b1")
    fields = {k: request.getfixturevalue(v) if v in fixtures else v for k, v in fields.items()}
    before = directory_rows()

    got = refused(
        actions.save_provider,
        actor=supervisor_a,
        **{"name": "Hospital", "kind": "health", **fields},
    )

    assert got == errors
    assert directory_rows() == before


def test_refused_provider_change_leaves_the_row_and_the_callers_instance(supervisor_a, org_a):
    add_provider(org_a, name="Hospital", kind="health")
    provider = add_provider(org_a)
    before = directory_rows()

    got = refused(
        actions.save_provider,
        actor=supervisor_a,
        provider=provider,
        name="HOSPITAL",
        kind="prosecutor",
        phone="222",
    )

    assert got == {"__all__": ["The directory already lists a provider called “HOSPITAL”."]}
    assert (provider.name, provider.phone) == ("Fiscalía", "")
    assert directory_rows() == before


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("caseworker_a", "new"),  # no referrals.manage_directory
        ("caseworker_a", "ours"),
        ("admin_b", "ours"),  # another organization's row
        ("supervisor_a", "new in org_b"),  # another organization's directory
    ],
)
def test_save_provider_answers_404_outside_permission_or_scope(
    request, org_a, org_b, actor, target
):
    actor = request.getfixturevalue(actor)
    ours = add_provider(org_a)
    before = directory_rows()
    provider, organization = {
        "new": (None, None),
        "ours": (ours, None),
        "new in org_b": (None, org_b),
    }[target]

    with pytest.raises(Http404):
        actions.save_provider(
            actor=actor,
            provider=provider,
            organization=organization,
            name="Otra",
            kind="prosecutor",
        )

    assert directory_rows() == before


def test_platform_operator_names_the_directory(operator, org_b):
    missing = refused(actions.save_provider, actor=operator, name="Fiscalía", kind="prosecutor")

    provider = actions.save_provider(
        actor=operator, organization=org_b, name="Fiscalía", kind="internal"
    )

    assert missing == {"organization": ["This field is required."]}
    assert (provider.organization, provider.agency) == (org_b, org_b)
    assert [(e[0], e[3]) for e in events()] == [("referrals.provider.created", org_b.pk)]


# --- services -----------------------------------------------------------------------------------


def test_save_service_adds_with_areas_and_languages_and_audits(supervisor_a, org_a, lago_agrio):
    provider = add_provider(org_a)

    service = actions.save_service(
        actor=supervisor_a,
        provider=provider,
        type="justice",
        name="Denuncia",
        areas=[lago_agrio],
        hours="24 horas",
        languages=["es", "EN"],
    )

    stored = Service.objects.get()
    assert (stored, stored.provider, stored.type, stored.name) == (
        service,
        provider,
        "justice",
        "Denuncia",
    )
    assert ([a.code for a in stored.areas.all()], stored.languages) == (["EC-U"], ["es", "en"])
    assert events() == [
        (
            "referrals.service.created",
            supervisor_a.pk,
            str(service.uuid),
            org_a.pk,
            ["areas", "hours", "languages", "name", "type"],
            {},
        )
    ]


def test_save_service_changes_areas_and_deactivates(supervisor_a, org_a, lago_agrio):
    service = add_service(add_provider(org_a))
    other = add_provider(org_a, name="Junta", kind="government")

    actions.save_service(
        actor=supervisor_a,
        service=service,
        provider=other,
        type="justice",
        name="Denuncia",
        areas=[lago_agrio],
        is_active=False,
    )

    service.refresh_from_db()
    assert (service.provider, service.is_active) == (other, False)
    assert [a.code for a in service.areas.all()] == ["EC-U"]
    assert events() == [
        (
            "referrals.service.updated",
            supervisor_a.pk,
            str(service.uuid),
            org_a.pk,
            ["areas", "is_active", "provider"],
            {},
        )
    ]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"name": "DENUNCIA"}, {"name": ["Fiscalía already has a service called “DENUNCIA”."]}),
        (
            {"languages": ["es", "zz", "spa"]},
            {
                "languages": [
                    "Unknown language codes: zz, spa. Use two-letter ISO 639-1 codes (es, en)."
                ]
            },
        ),
        ({"name": ""}, {"name": ["This field cannot be blank."]}),
        ({"type": "magic"}, {"type": ["Value 'magic' is not a valid choice."]}),
    ],
)
def test_save_service_refuses_bad_input_and_writes_nothing(supervisor_a, org_a, fields, errors):
    provider = add_provider(org_a)
    add_service(provider)
    before = directory_rows()

    got = refused(
        actions.save_service,
        actor=supervisor_a,
        provider=provider,
        **{"type": "legal", "name": "Asesoría legal", **fields},
    )

    assert got == errors
    assert directory_rows() == before


def test_the_same_service_name_is_fine_at_another_provider(supervisor_a, org_a):
    add_service(add_provider(org_a))

    service = actions.save_service(
        actor=supervisor_a,
        provider=add_provider(org_a, name="Junta", kind="government"),
        type="justice",
        name="Denuncia",
    )

    assert Service.objects.filter(name="Denuncia").count() == 2
    assert service.provider.name == "Junta"


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("caseworker_a", "new at ours"),
        ("admin_b", "new at ours"),
        ("admin_b", "ours"),
        ("admin_b", "ours moved to theirs"),
    ],
)
def test_save_service_answers_404_outside_permission_or_scope(request, org_a, org_b, actor, target):
    actor = request.getfixturevalue(actor)
    ours = add_service(add_provider(org_a))
    theirs = add_provider(org_b, name="Ajena")
    before = directory_rows()
    service, provider = {
        "new at ours": (None, ours.provider),
        "ours": (ours, ours.provider),
        "ours moved to theirs": (ours, theirs),
    }[target]

    with pytest.raises(Http404):
        actions.save_service(
            actor=actor, service=service, provider=provider, type="justice", name="Otra"
        )

    assert directory_rows() == before


# --- care routes --------------------------------------------------------------------------------


def test_save_care_route_adds_a_route_with_its_steps_in_order(supervisor_a, org_a, lago_agrio):
    hospital = add_service(add_provider(org_a, "Hospital", "health"), "Atención", "health")
    fiscalia = add_service(add_provider(org_a))

    route = actions.save_care_route(
        actor=supervisor_a,
        area=lago_agrio,
        need="gbv",
        name="VBG – Lago Agrio",
        steps=[RouteStep(2, fiscalia), RouteStep(1, hospital, " 72 horas ")],
    )

    stored = CareRoute.objects.get()
    assert (stored, stored.organization, stored.area, stored.need) == (
        route,
        org_a,
        lago_agrio,
        "gbv",
    )
    assert [(s.position, s.service, s.note) for s in stored.steps.all()] == [
        (1, hospital, "72 horas"),
        (2, fiscalia, ""),
    ]
    uuid = str(route.uuid)
    assert events() == [
        (
            "referrals.careroute.created",
            supervisor_a.pk,
            uuid,
            org_a.pk,
            ["area", "name", "need"],
            {},
        ),
        (
            "referrals.careroute.steps_changed",
            supervisor_a.pk,
            uuid,
            org_a.pk,
            [],
            {"added": 2, "changed": 0, "removed": 0},
        ),
    ]


def test_save_care_route_replaces_steps_by_number(supervisor_a, org_a, lago_agrio):
    first, second, third, fourth = (
        add_service(add_provider(org_a, name=f"Proveedor {n}"), f"Servicio {n}")
        for n in range(1, 5)
    )
    route = add_route(org_a, lago_agrio, services=[first, second, third])

    actions.save_care_route(
        actor=supervisor_a,
        route=route,
        area=lago_agrio,
        need="gbv",
        name="Ruta",
        steps=[RouteStep(1, second), RouteStep(2, first), RouteStep(4, fourth)],
    )

    assert [(s.position, s.service) for s in route.steps.all()] == [
        (1, second),
        (2, first),
        (4, fourth),
    ]
    uuid = str(route.uuid)
    assert events() == [
        ("referrals.careroute.updated", supervisor_a.pk, uuid, org_a.pk, [], {}),
        (
            "referrals.careroute.steps_changed",
            supervisor_a.pk,
            uuid,
            org_a.pk,
            [],
            {"added": 1, "changed": 2, "removed": 1},
        ),
    ]


def test_save_care_route_without_step_changes_records_only_the_route(
    supervisor_a, org_a, lago_agrio
):
    service = add_service(add_provider(org_a))
    route = add_route(org_a, lago_agrio, services=[service])

    actions.save_care_route(
        actor=supervisor_a,
        route=route,
        area=lago_agrio,
        need="gbv",
        name="Ruta renombrada",
        steps=[RouteStep(1, service)],
    )
    actions.save_care_route(
        actor=supervisor_a, route=route, area=lago_agrio, need="gbv", name="Ruta", steps=None
    )

    assert [(s.position, s.service) for s in route.steps.all()] == [(1, service)]
    uuid = str(route.uuid)
    assert events() == [
        ("referrals.careroute.updated", supervisor_a.pk, uuid, org_a.pk, ["name"], {}),
        ("referrals.careroute.updated", supervisor_a.pk, uuid, org_a.pk, ["name"], {}),
    ]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"area": "EC-U", "need": "gbv"},
            {
                "__all__": [
                    "There is already a care route for Gender-based violence in Sucumbíos: "
                    "change that one instead."
                ]
            },
        ),
        ({"need": "weather"}, {"need": ["Value 'weather' is not a valid choice."]}),
        (
            {"steps": [(1, "ours"), (1, "ours")]},
            {
                "steps.1.position": [
                    "Another step already has number 1: give each step its own number."
                ]
            },
        ),
        (
            {"steps": [(0, "ours"), (1000, "ours")]},
            {
                "steps.0.position": ["Ensure this value is greater than or equal to 1."],
                "steps.1.position": ["Ensure this value is less than or equal to 999."],
            },
        ),
        (
            {"steps": [(1, "ours"), (2, "theirs")]},
            {"steps.1.service": ["Choose a service of your organization's directory."]},
        ),
        (
            {"steps": [(1, "ours", "x" * 301)]},
            {"steps.0.note": ["Keep this under 300 characters."]},
        ),
    ],
)
def test_save_care_route_refuses_bad_input_and_writes_nothing(
    supervisor_a, org_a, org_b, lago_agrio, fields, errors
):
    services = {
        "ours": add_service(add_provider(org_a)),
        "theirs": add_service(add_provider(org_b)),
    }
    add_route(org_a, lago_agrio, services=[services["ours"]])
    fields = dict(fields)
    area = Area.objects.get(code=fields.pop("area", "EC-P"))
    steps = [RouteStep(n, services[key], *note) for n, key, *note in fields.pop("steps", [])]
    before = directory_rows()

    got = refused(
        actions.save_care_route,
        actor=supervisor_a,
        area=area,
        name="Nueva",
        steps=steps,
        **{"need": "child_protection", **fields},
    )

    assert got == errors
    assert directory_rows() == before


def test_refused_step_change_leaves_the_stored_steps(supervisor_a, org_a, org_b, lago_agrio):
    ours = add_service(add_provider(org_a))
    theirs = add_service(add_provider(org_b))
    route = add_route(org_a, lago_agrio, services=[ours])
    before = directory_rows()

    got = refused(
        actions.save_care_route,
        actor=supervisor_a,
        route=route,
        area=lago_agrio,
        need="gbv",
        name="Ruta nueva",
        steps=[RouteStep(1, theirs)],
    )

    assert got == {"steps.0.service": ["Choose a service of your organization's directory."]}
    assert directory_rows() == before


@pytest.mark.parametrize(
    ("actor", "target"),
    [
        ("caseworker_a", "new"),
        ("caseworker_a", "ours"),
        ("admin_b", "ours"),
        ("supervisor_a", "new in org_b"),
    ],
)
def test_save_care_route_answers_404_outside_permission_or_scope(
    request, org_a, org_b, lago_agrio, actor, target
):
    actor = request.getfixturevalue(actor)
    ours = add_route(org_a, lago_agrio, services=[add_service(add_provider(org_a))])
    before = directory_rows()
    route, organization = {
        "new": (None, None),
        "ours": (ours, None),
        "new in org_b": (None, org_b),
    }[target]

    with pytest.raises(Http404):
        actions.save_care_route(
            actor=actor,
            route=route,
            organization=organization,
            area=Area.objects.get(code="EC-P"),
            need="gbv",
            name="Otra",
            steps=[],
        )

    assert directory_rows() == before
