"""CSV import of the service directory: all or nothing, every bad row listed, idempotent."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.referrals import imports
from amparo.referrals.models import Provider, Service
from tests.factories import OrganizationFactory

HEADER = (
    "provider,provider_kind,service_type,service_name,areas,hours,eligibility,languages,"
    "contact_name,phone,email,address,agency,office\n"
)
GOOD = HEADER + (
    "Hospital Marco Vinicio Iza,health,health,Atención VBG,EC-U,24 horas,Todas,es,"
    "Trabajo social,+593 6 000,ts@hospital.example,Nueva Loja,hospital,\n"
    "Hospital Marco Vinicio Iza,health,psychosocial,Salud mental,EC-U;EC-P,,,es;en,,,,,,\n"
    "Unidad legal,internal,legal,Asesoría legal,,L-V 8-17,Personas refugiadas,es,,,,,,a1\n"
)


@pytest.fixture(autouse=True)
def _english():
    # The messages asserted here are the source strings, whatever the catalog says.
    with translation.override("en"):
        yield


@pytest.fixture
def hospital(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


def run(org, text, **kwargs):
    return imports.import_directory(
        actor=None, organization=org, data=text.encode(), filename="d.csv", **kwargs
    )


def snapshot(org):
    return sorted(
        (
            s.provider.name,
            s.provider.kind,
            s.provider.agency_id,
            s.provider.office_id,
            s.provider.phone,
            s.name,
            s.type,
            s.hours,
            tuple(sorted(a.code for a in s.areas.all())),
            tuple(s.languages),
        )
        for s in Service.objects.filter(provider__organization=org)
    )


def test_import_creates_providers_and_services(org_a, office_a1, hospital):
    result = run(org_a, GOOD)

    assert result.as_dict() == {
        "rows": 3,
        "providers_created": 2,
        "providers_updated": 0,
        "providers_unchanged": 0,
        "services_created": 3,
        "services_updated": 0,
        "services_unchanged": 0,
    }
    assert snapshot(org_a) == [
        (
            "Hospital Marco Vinicio Iza",
            "health",
            hospital.pk,
            None,
            "+593 6 000",
            "Atención VBG",
            "health",
            "24 horas",
            ("EC-U",),
            ("es",),
        ),
        (
            "Hospital Marco Vinicio Iza",
            "health",
            hospital.pk,
            None,
            "+593 6 000",
            "Salud mental",
            "psychosocial",
            "",
            ("EC-P", "EC-U"),
            ("es", "en"),
        ),
        (
            "Unidad legal",
            "internal",
            org_a.pk,
            office_a1.pk,
            "",
            "Asesoría legal",
            "legal",
            "L-V 8-17",
            (),
            ("es",),
        ),
    ]
    event = AuditEvent.objects.get(action="referrals.directory.imported")
    assert (event.organization_id, event.details["file"], event.details["services_created"]) == (
        org_a.pk,
        "d.csv",
        3,
    )


def test_reimport_changes_nothing(org_a, office_a1, hospital):
    run(org_a, GOOD)
    before = snapshot(org_a)

    result = run(org_a, GOOD)

    assert (result.providers_unchanged, result.services_unchanged) == (2, 3)
    assert (result.providers_created, result.services_created) == (0, 0)
    assert (result.providers_updated, result.services_updated) == (0, 0)
    assert snapshot(org_a) == before
    assert Provider.objects.count() == 2
    assert AuditEvent.objects.filter(action="referrals.directory.imported").count() == 2


def test_reimport_updates_by_name_ignoring_case(org_a, office_a1, hospital):
    run(org_a, GOOD)
    changed = GOOD.replace(
        "Hospital Marco Vinicio Iza,health,health,Atención VBG,EC-U,24 horas",
        "HOSPITAL MARCO VINICIO IZA,health,health,atención vbg,EC-U,24 h",
    )
    changed = changed.replace(
        "Hospital Marco Vinicio Iza,health,psychosocial",
        "HOSPITAL MARCO VINICIO IZA,health,psychosocial",
    )

    result = run(org_a, changed)

    assert (result.providers_updated, result.services_updated) == (1, 1)
    assert (result.providers_created, result.services_created) == (0, 0)
    service = Service.objects.get(type="health")
    assert (service.provider.name, service.name, service.hours) == (
        "HOSPITAL MARCO VINICIO IZA",
        "atención vbg",
        "24 h",
    )


def test_bad_rows_are_all_listed_and_nothing_is_written(org_a, org_b, hospital):
    text = HEADER + (
        "Hospital,clinic,health,Atención,EC-U,,,es,,,,,,\n"
        ",health,health,Atención,EC-U,,,es,,,,,,\n"
        "Hospital,health,magic,,EC-U;XX-1,,,es;zz,,,no-at-sign,,,\n"
        "Hospital,health,health,Atención,EC-U,,,es,,,,,org-b,\n"
        "\n"
        "Policía,police,police,Denuncia,,,,,,,,,nadie,a1\n"
        "Casa,ngo,shelter,Acogida,,,,,,,,,,\n"
        "Casa,ngo,shelter,Acogida,,,,,,,,,,\n"
    )

    with pytest.raises(ActionError) as caught:
        run(org_a, text)

    assert caught.value.messages == [
        "Line 2: unknown provider_kind “clinic”; use one of: internal, police, prosecutor, "
        "health, child_institute, government, ngo, un.",
        "Line 3: provider is empty: give the provider's name.",
        "Line 4: service_name is empty: give the service's name.",
        "Line 4: unknown service_type “magic”; use one of: health, psychosocial, police, "
        "justice, legal, shelter, child_protection, documentation, education, livelihoods, "
        "basic_needs, other.",
        "Line 4: unknown area code(s): XX-1 (use ISO 3166-2 codes or P-codes, e.g. EC-P).",
        "Line 4: unknown language code(s): zz (use ISO 639-1 codes, e.g. es; en).",
        "Line 4: “no-at-sign” is not a valid e-mail address.",
        "Line 5: agency “org-b” is not a Care Route partner: only partner organizations or "
        "your own organization can receive referrals in Amparo.",
        "Line 7: unknown agency “nadie”.",
        "Line 7: unknown office “a1” (use the code of one of your offices).",
        "Line 9: service “Acogida” of “Casa” already appears in line 8.",
    ]
    assert not Provider.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="referrals.").exists()


def test_conflicting_provider_details_are_reported(org_a, office_a1):
    text = HEADER + (
        "Hospital,health,health,Atención,,,,,,111,,,,\n"
        "Hospital,ngo,psychosocial,Escucha,,,,,,222,,,,\n"
        "Junta,police,police,Denuncia,,,,,,,,,,a1\n"
    )

    with pytest.raises(ActionError) as caught:
        run(org_a, text)

    assert caught.value.messages == [
        "Line 3: provider “Hospital” has kind health in line 2.",
        "Line 3: phone “222” differs from “111” given for the same provider in line 2.",
        "Line 4: only a unit of your organization (kind internal) has an office.",
    ]


def test_missing_and_unknown_columns_reject_the_file(org_a):
    with pytest.raises(ActionError) as caught:
        run(org_a, "provider,service_name,langauges\nA,B,es\n")

    assert caught.value.messages == [
        "Missing columns: provider_kind, service_type.",
        "Unknown columns: langauges.",
        "Expected columns: " + ", ".join(imports.COLUMNS) + ".",
    ]


def test_semicolon_separated_file_with_labels_is_read(org_a):
    text = (
        "provider;provider_kind;service_type;service_name;areas\n"
        'Casa;NGO;Safe shelter;Acogida;"EC-P;EC-U"\n'
    )

    result = run(org_a, text)

    service = Service.objects.get()
    assert result.services_created == 1
    assert (service.provider.kind, service.type) == ("ngo", "shelter")
    assert sorted(a.code for a in service.areas.all()) == ["EC-P", "EC-U"]


def test_columns_not_in_the_file_are_left_as_they_are(org_a):
    run(
        org_a,
        "provider,provider_kind,service_type,service_name,phone,hours\n"
        "Casa,ngo,shelter,Acogida,111,24 h\n",
    )

    run(org_a, "provider,provider_kind,service_type,service_name\nCasa,ngo,shelter,Acogida\n")

    service = Service.objects.get()
    assert (service.provider.phone, service.hours) == ("111", "24 h")


def test_dry_run_writes_nothing(org_a):
    result = run(
        org_a,
        "provider,provider_kind,service_type,service_name\nCasa,ngo,shelter,Acogida\n",
        dry_run=True,
    )

    assert (result.providers_created, result.services_created, result.dry_run) == (1, 1, True)
    assert not Provider.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="referrals.").exists()


def test_excel_windows_1252_file_is_read(org_a):
    text = (
        "provider;provider_kind;service_type;service_name\nFiscalía;government;justice;Denuncia\n"
    )

    imports.import_directory(actor=None, organization=org_a, data=text.encode("cp1252"))

    assert Provider.objects.get().name == "Fiscalía"


def test_file_mixing_two_encodings_is_rejected(org_a):
    text = "provider,provider_kind,service_type,service_name\nFiscalía,government,justice,Acción\n"
    data = text.encode() + "Policía,police,police,Denuncia\n".encode("latin-1")

    with pytest.raises(ActionError) as caught:
        imports.import_directory(actor=None, organization=org_a, data=data)

    assert caught.value.messages == [
        "The file is not UTF-8 text (error at byte 91). Save it as “CSV UTF-8” and try again."
    ]


def test_user_imports_only_into_own_directory(make_user, office_a1, org_b):
    supervisor = make_user("case_supervisor", office=office_a1)
    text = "provider,provider_kind,service_type,service_name\nCasa,ngo,shelter,Acogida\n"

    with pytest.raises(ActionError) as caught:
        imports.import_directory(actor=supervisor, organization=org_b, data=text.encode())

    assert caught.value.messages == ["You can only manage your own organization."]
    assert not Provider.objects.exists()


def test_command_imports_a_file(tmp_path: Path, org_a, office_a1, hospital, capsys):
    path = tmp_path / "directory.csv"
    path.write_text(GOOD, encoding="utf-8")

    call_command("import_directory", str(path), "--organization", "org-a")

    assert Service.objects.filter(provider__organization=org_a).count() == 3
    assert "providers 2 new" in capsys.readouterr().out


def test_command_lists_problems_and_refuses_unknown_organization(tmp_path: Path, org_a):
    path = tmp_path / "directory.csv"
    path.write_text(HEADER + "Casa,ngo,magic,Acogida,,,,,,,,,,\n", encoding="utf-8")

    with pytest.raises(CommandError) as bad_row:
        call_command("import_directory", str(path), "--organization", "org-a")
    with pytest.raises(CommandError) as no_org:
        call_command("import_directory", str(path), "--organization", "nadie")

    assert str(bad_row.value).splitlines()[1].startswith("Line 2: unknown service_type “magic”")
    assert str(no_org.value) == "No organization has the code “nadie”."
    assert not Provider.objects.exists()


def test_sample_file_is_valid(db):
    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "directory.csv"
    org = OrganizationFactory(code="hias-ec")
    for code in ("hospital-lago-agrio", "fiscalia-sucumbios"):
        OrganizationFactory(code=code, is_care_route_partner=True)
    for office in ("quito", "lago-agrio"):
        org.offices.create(code=office, name=office)

    result = run(org, sample.read_text(encoding="utf-8"), dry_run=True)

    assert (result.rows, result.providers_created, result.services_created) == (9, 8, 9)
