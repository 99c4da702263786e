"""/api/v1/services/, /providers/ and /care-routes/: read-only, scoped, in the schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.core.models import Area
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Service
from tests.factories import OrganizationFactory, api_token


def api(client, user):
    token = api_token(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client


@pytest.fixture
def caseworker_client(client, make_user, office_a1):
    return api(client, make_user("caseworker", office=office_a1, language="en"))


@pytest.fixture
def hospital_org(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


def add_service(org, provider="Hospital", name="Atención", type="health", areas=(), **fields):
    provider, _ = Provider.objects.get_or_create(
        organization=org, name=provider, defaults={"kind": fields.pop("kind", "health")}
    )
    service = Service.objects.create(provider=provider, name=name, type=type, **fields)
    service.areas.set(Area.objects.filter(code__in=areas))
    return service


def listed(response):
    return sorted(s["name"] for s in response.json()["results"])


def test_services_list_has_the_stable_fields(caseworker_client, org_a, hospital_org):
    service = add_service(
        org_a,
        areas=["EC-U", "EC-P"],
        hours="24 horas",
        eligibility="Todas",
        languages=["es", "en"],
    )
    Provider.objects.filter(pk=service.provider_id).update(agency=hospital_org)

    response = caseworker_client.get("/api/v1/services/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": str(service.uuid),
            "type": "health",
            "name": "Atención",
            "provider": {
                "id": str(service.provider.uuid),
                "name": "Hospital",
                "kind": "health",
                "agency": "hospital",
            },
            "areas": ["EC-P", "EC-U"],
            "hours": "24 horas",
            "eligibility": "Todas",
            "languages": ["es", "en"],
            "is_active": True,
        }
    ]


def test_other_organizations_directory_is_not_listed_and_answers_404(
    caseworker_client, org_a, org_b
):
    add_service(org_a, name="Nuestro")
    theirs = add_service(org_b, name="Ajeno")
    their_route = CareRoute.objects.create(
        organization=org_b, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta B"
    )

    services = caseworker_client.get("/api/v1/services/")
    providers = caseworker_client.get("/api/v1/providers/")
    routes = caseworker_client.get("/api/v1/care-routes/")
    detail = caseworker_client.get(f"/api/v1/services/{theirs.uuid}/")
    provider = caseworker_client.get(f"/api/v1/providers/{theirs.provider.uuid}/")
    route = caseworker_client.get(f"/api/v1/care-routes/{their_route.uuid}/")

    assert listed(services) == ["Nuestro"]
    assert [p["name"] for p in providers.json()["results"]] == ["Hospital"]
    assert routes.json()["results"] == []
    assert (detail.status_code, provider.status_code, route.status_code) == (404, 404, 404)


def test_area_filter_includes_services_of_parent_areas(caseworker_client, org_a):
    pichincha = Area.objects.get(code="EC-P")
    Area.objects.create(code="EC1701", name="Quito", level=2, parent=pichincha, country_code="EC")
    add_service(org_a, name="En Pichincha", areas=["EC-P"])
    add_service(org_a, name="En Ecuador", areas=["EC"])
    add_service(org_a, name="En todas partes")
    add_service(org_a, name="En Sucumbíos", areas=["EC-U"])
    add_service(org_a, name="En Quito", areas=["EC1701"])

    canton = caseworker_client.get("/api/v1/services/", {"area": "EC1701"})
    province = caseworker_client.get("/api/v1/services/", {"area": "ec-p"})

    assert listed(canton) == ["En Ecuador", "En Pichincha", "En Quito", "En todas partes"]
    assert listed(province) == ["En Ecuador", "En Pichincha", "En todas partes"]


def test_type_provider_and_active_filters(caseworker_client, org_a):
    add_service(org_a, "Hospital", "Atención", "health")
    legal = add_service(org_a, "Unidad legal", "Asesoría", "legal", kind="internal")
    add_service(org_a, "Unidad legal", "Antigua", "legal", is_active=False)

    by_type = caseworker_client.get("/api/v1/services/", {"type": "legal"})
    by_provider = caseworker_client.get("/api/v1/services/", {"provider": legal.provider.uuid})
    active = caseworker_client.get("/api/v1/services/", {"type": "legal", "is_active": "true"})

    assert listed(by_type) == ["Antigua", "Asesoría"]
    assert listed(by_provider) == ["Antigua", "Asesoría"]
    assert listed(active) == ["Asesoría"]


def test_bad_filters_get_clear_messages(caseworker_client):
    area = caseworker_client.get("/api/v1/services/", {"area": "XX-1"})
    kind = caseworker_client.get("/api/v1/services/", {"type": "magic"})

    assert (area.status_code, area.json()) == (400, {"area": ["No area has the code “XX-1”."]})
    assert kind.status_code == 400
    assert list(kind.json()) == ["type"]


def test_providers_list_with_contact_and_service_ids(caseworker_client, org_a, office_a1):
    service = add_service(org_a, "Unidad legal", "Asesoría", "legal", kind="internal")
    Provider.objects.filter(pk=service.provider_id).update(
        agency=org_a, office=office_a1, phone="+593 2 000", email="legal@a.example"
    )

    response = caseworker_client.get("/api/v1/providers/", {"kind": "internal"})

    assert response.json()["results"] == [
        {
            "id": str(service.provider.uuid),
            "name": "Unidad legal",
            "kind": "internal",
            "agency": "org-a",
            "office": "a1",
            "contact_name": "",
            "phone": "+593 2 000",
            "email": "legal@a.example",
            "address": "",
            "is_active": True,
            "services": [str(service.uuid)],
            "network": None,  # the organization's own, shared by no network
            "country": None,
        }
    ]


def test_care_routes_list_ordered_steps_and_filter_by_area(caseworker_client, org_a):
    first = add_service(org_a, "Hospital", "Atención")
    second = add_service(org_a, "Fiscalía", "Denuncia", "justice", kind="prosecutor")
    sucumbios = Area.objects.get(code="EC-U")
    Area.objects.create(
        code="EC2101", name="Lago Agrio", level=2, parent=sucumbios, country_code="EC"
    )
    route = CareRoute.objects.create(organization=org_a, area=sucumbios, need="gbv", name="VBG")
    CareRouteStep.objects.create(route=route, position=2, service=second)
    CareRouteStep.objects.create(route=route, position=1, service=first, note="72 h")
    CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-P"), need="gbv", name="VBG Quito"
    )

    response = caseworker_client.get("/api/v1/care-routes/", {"area": "EC2101", "need": "gbv"})

    assert response.json()["results"] == [
        {
            "id": str(route.uuid),
            "name": "VBG",
            "area": "EC-U",
            "need": "gbv",
            "steps": [
                {
                    "position": 1,
                    "service": str(first.uuid),
                    "service_name": "Atención",
                    "provider_name": "Hospital",
                    "note": "72 h",
                },
                {
                    "position": 2,
                    "service": str(second.uuid),
                    "service_name": "Denuncia",
                    "provider_name": "Fiscalía",
                    "note": "",
                },
            ],
            "network": None,
        }
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("caseworker", 200),
        ("case_supervisor", 200),
        ("gbv_specialist", 200),
        ("partner_focal_point", 200),
        ("administrator", 200),
        ("registration_officer", 404),
        ("me_officer", 404),
    ],
)
def test_directory_endpoints_role_matrix(client, make_user, office_a1, org_a, role, status):
    service = add_service(org_a)
    office = (
        office_a1 if role not in ("administrator", "me_officer", "partner_focal_point") else None
    )
    api(client, make_user(role, office=office, organization=org_a))

    answers = [
        client.get(url).status_code
        for url in (
            "/api/v1/services/",
            f"/api/v1/services/{service.uuid}/",
            "/api/v1/providers/",
            "/api/v1/care-routes/",
        )
    ]

    assert answers == [status] * 4


def test_directory_endpoints_are_read_only(caseworker_client, org_a):
    service = add_service(org_a)

    post = caseworker_client.post("/api/v1/services/", {}, content_type="application/json")
    patch = caseworker_client.patch(
        f"/api/v1/services/{service.uuid}/", {"name": "X"}, content_type="application/json"
    )

    assert (post.status_code, patch.status_code) == (405, 405)
    service.refresh_from_db()
    assert service.name == "Atención"


@pytest.mark.parametrize("url", ["/api/v1/services/", "/api/v1/providers/", "/api/v1/care-routes/"])
def test_list_query_count_does_not_grow_with_rows(caseworker_client, org_a, url):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert caseworker_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(i):
        service = add_service(org_a, f"Proveedor {i}", f"Servicio {i}", areas=["EC-U", "EC-P"])
        route = CareRoute.objects.create(
            organization=org_a, area=Area.objects.all()[i], need="gbv", name=f"Ruta {i}"
        )
        CareRouteStep.objects.create(route=route, position=1, service=service)

    add(1)
    one = count_queries()
    add(2)
    add(3)

    assert count_queries() == one


def test_schema_documents_the_directory(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert {"/api/v1/services/", "/api/v1/services/{id}/", "/api/v1/providers/"} <= set(
        schema["paths"]
    )
    assert "/api/v1/care-routes/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert {"type", "area", "provider", "is_active"} <= parameters
    service = schema["components"]["schemas"]["Service"]["properties"]
    assert list(service) == [
        "id",
        "type",
        "name",
        "provider",
        "areas",
        "hours",
        "eligibility",
        "languages",
        "is_active",
    ]
