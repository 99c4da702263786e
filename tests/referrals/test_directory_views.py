"""The directory page for staff and the import page for those who maintain it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from amparo.core import jobs
from amparo.core.models import Area, AuditEvent, Job
from amparo.referrals import tasks
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, Service
from tests.spreadsheets import inline_string_bomb


@pytest.fixture
def caseworker_a(make_user, office_a1, org_a):
    org_a.country = Area.objects.get(code="EC")
    org_a.save()
    return make_user("caseworker", office=office_a1, language="en")


def add_service(org, provider, name, type="health", areas=(), **fields):
    provider, _ = Provider.objects.get_or_create(
        organization=org, name=provider, defaults={"kind": "health"}
    )
    service = Service.objects.create(provider=provider, name=name, type=type, **fields)
    service.areas.set(Area.objects.filter(code__in=areas))
    return service


def names(response):
    return [s.name for entry in response.context["providers"] for s in entry["services"]]


def test_directory_lists_own_organizations_services_with_details(
    client, caseworker_a, org_a, org_b
):
    add_service(
        org_a,
        "Hospital",
        "Atención VBG",
        areas=["EC-U"],
        hours="24 horas",
        eligibility="Todas las personas",
        languages=["es", "en"],
    )
    add_service(org_b, "Hospital B", "Ajeno")
    client.force_login(caseworker_a)

    response = client.get(reverse("referrals:directory"))

    page = response.content.decode()
    assert response.status_code == 200
    assert names(response) == ["Atención VBG"]
    assert "Ajeno" not in page
    for text in ("Hospital", "24 horas", "Todas las personas", "Spanish, English", "Sucumbíos"):
        assert text in page


def test_directory_hides_inactive_services_and_providers(client, caseworker_a, org_a):
    add_service(org_a, "Hospital", "Activo")
    add_service(org_a, "Hospital", "Cerrado", is_active=False)
    gone = add_service(org_a, "Cerrado", "De un proveedor inactivo")
    Provider.objects.filter(pk=gone.provider_id).update(is_active=False)
    client.force_login(caseworker_a)

    response = client.get(reverse("referrals:directory"))

    assert names(response) == ["Activo"]


def test_area_filter_includes_parent_areas_inner_areas_and_everywhere(client, caseworker_a, org_a):
    pichincha = Area.objects.get(code="EC-P")
    quito = Area.objects.create(
        code="EC1701", name="Quito", level=2, parent=pichincha, country_code="EC"
    )
    add_service(org_a, "A", "En Pichincha", areas=["EC-P"])
    add_service(org_a, "A", "En Quito", areas=[quito.code])
    add_service(org_a, "A", "En Ecuador", areas=["EC"])
    add_service(org_a, "A", "En todas partes")
    add_service(org_a, "A", "En Sucumbíos", areas=["EC-U"])
    add_service(org_a, "A", "Legal en Pichincha", type="legal", areas=["EC-P"])
    client.force_login(caseworker_a)

    by_area = client.get(reverse("referrals:directory"), {"area": "EC-P"})
    by_both = client.get(reverse("referrals:directory"), {"area": "EC-P", "type": "legal"})

    assert sorted(names(by_area)) == [
        "En Ecuador",
        "En Pichincha",
        "En Quito",
        "En todas partes",
        "Legal en Pichincha",
    ]
    assert names(by_both) == ["Legal en Pichincha"]


def test_directory_shows_care_routes_of_the_area_in_order(client, caseworker_a, org_a, org_b):
    health = add_service(org_a, "Hospital", "Atención", areas=["EC-U"])
    justice = add_service(org_a, "Fiscalía", "Denuncia", type="justice", areas=["EC-U"])
    route = CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-U"), need="gbv", name="VBG Lago Agrio"
    )
    CareRouteStep.objects.create(route=route, position=2, service=justice)
    CareRouteStep.objects.create(route=route, position=1, service=health, note="72 horas")
    CareRoute.objects.create(
        organization=org_a, area=Area.objects.get(code="EC-P"), need="gbv", name="VBG Quito"
    )
    CareRoute.objects.create(
        organization=org_b, area=Area.objects.get(code="EC-U"), need="gbv", name="Ruta ajena"
    )
    client.force_login(caseworker_a)

    everything = client.get(reverse("referrals:directory"))
    sucumbios = client.get(reverse("referrals:directory"), {"area": "EC-U"})

    assert [r.name for r in everything.context["routes"]] == ["VBG Quito", "VBG Lago Agrio"]
    assert [r.name for r in sucumbios.context["routes"]] == ["VBG Lago Agrio"]
    steps = [s.service.name for s in sucumbios.context["routes"][0].steps.all()]
    assert steps == ["Atención", "Denuncia"]
    assert "72 horas" in sucumbios.content.decode()


def test_unknown_filter_values_get_a_message(client, caseworker_a):
    client.force_login(caseworker_a)

    response = client.get(reverse("referrals:directory"), {"area": "XX-1", "type": "magic"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "area": ["Choose a province from the list."],
        "type": ["Choose a type of service from the list."],
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("caseworker", 200),
        ("case_supervisor", 200),
        ("partner_focal_point", 200),
        ("registration_officer", 404),
        ("distribution_officer", 404),
    ],
)
def test_directory_page_role_matrix(client, make_user, office_a1, role, status):
    client.force_login(make_user(role, office=office_a1))

    response = client.get(reverse("referrals:directory"))

    assert response.status_code == status


def test_directory_page_shows_maintenance_links_only_to_maintainers(client, make_user, office_a1):
    client.force_login(make_user("case_supervisor", office=office_a1))
    supervisor = client.get(reverse("referrals:directory")).content.decode()
    client.force_login(make_user("caseworker", office=office_a1))
    caseworker = client.get(reverse("referrals:directory")).content.decode()

    admin_link = reverse("admin:referrals_provider_changelist")
    assert admin_link in supervisor
    assert admin_link not in caseworker


def csv_upload(text):
    return SimpleUploadedFile("directorio.csv", text.encode(), content_type="text/csv")


def post_import(client, capture, data):
    """Upload; the job runs (the immediate backend) when the request commits; follow it."""
    with capture(execute=True):
        started = client.post(reverse("referrals:directory-import"), data)
    assert started.status_code == 302
    return client.get(started["Location"])


def test_import_page_imports_a_file(
    client, make_user, office_a1, org_a, django_capture_on_commit_callbacks
):
    supervisor = make_user("case_supervisor", office=office_a1, language="en")
    client.force_login(supervisor)
    text = "provider,provider_kind,service_type,service_name,areas\nCasa,ngo,shelter,Acogida,EC-U\n"
    capture = django_capture_on_commit_callbacks

    checked = post_import(client, capture, {"file": csv_upload(text), "dry_run": "on"})
    unchanged = Service.objects.count()
    imported = post_import(client, capture, {"file": csv_upload(text)})

    assert checked.status_code == 200
    assert checked.context["result"]["dry_run"] is True
    assert unchanged == 0
    assert imported.status_code == 200
    assert imported.context["result"]["services_created"] == 1
    assert Service.objects.get().provider.organization == org_a
    event = AuditEvent.objects.get(action="referrals.directory.imported")
    assert (event.actor, event.details["file"]) == (supervisor, "directorio.csv")


def test_import_page_lists_problems_and_imports_nothing(
    client, make_user, office_a1, django_capture_on_commit_callbacks
):
    client.force_login(make_user("case_supervisor", office=office_a1, language="en"))
    text = (
        "provider,provider_kind,service_type,service_name\nCasa,ngo,magic,Acogida\n,ngo,shelter,X\n"
    )

    response = post_import(client, django_capture_on_commit_callbacks, {"file": csv_upload(text)})

    assert response.context["errors"] == [
        "Line 2: unknown service_type “magic”; use one of: health, psychosocial, police, "
        "justice, legal, shelter, child_protection, documentation, education, livelihoods, "
        "basic_needs, other.",
        "Line 3: provider is empty: give the provider's name.",
    ]
    assert not Provider.objects.exists()


def test_import_page_refuses_the_spreadsheet_bomb_at_upload(client, make_user, office_a1):
    client.force_login(make_user("case_supervisor", office=office_a1))
    bomb = SimpleUploadedFile("directorio.xlsx", inline_string_bomb())

    response = client.post(reverse("referrals:directory-import"), {"file": bomb})

    assert response.status_code == 400
    assert "El archivo tiene más de 50000 filas" in response.content.decode()
    assert not Job.objects.exists()


def test_an_import_job_is_seen_by_its_owner_only(client, make_user, office_a1):
    owner = make_user("case_supervisor", office=office_a1)
    job = jobs.start(
        owner=owner,
        handler=tasks.import_directory_file,
        params={"dry_run": True},
        data=b"provider\n",
        filename="directorio.csv",
    )  # queued: no worker here
    url = reverse("referrals:directory-import-job", args=[job.uuid])

    client.force_login(owner)
    own = client.get(url)
    client.force_login(make_user("case_supervisor", office=office_a1))
    other = client.get(url)

    assert own.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in own.content.decode()
    assert other.status_code == 404


def test_an_import_whose_worker_died_shows_interrupted_and_nothing_saved(
    client, make_user, office_a1
):
    owner = make_user("case_supervisor", office=office_a1)
    job = jobs.start(owner=owner, handler=tasks.import_directory_file, params={"dry_run": False})
    silent = timezone.now() - datetime.timedelta(minutes=11)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, started_at=silent, heartbeat_at=silent
    )
    client.force_login(owner)

    page = client.get(reverse("referrals:directory-import-job", args=[job.uuid])).content.decode()

    assert "El trabajo se interrumpió" in page
    assert "No se guardó nada de este archivo" in page
    assert 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("role", ["caseworker", "partner_focal_point", "registration_officer"])
def test_import_page_is_404_without_directory_permission(client, make_user, office_a1, role):
    client.force_login(make_user(role, office=office_a1))

    response = client.get(reverse("referrals:directory-import"))

    assert response.status_code == 404
