from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amparo.core.models import Area
from amparo.registry.models import Household, ImportMapping

SPANISH = (
    "Hogar,Parentesco,Nombres,Apellido1,Apellido2,Sexo,Nacimiento,Nacionalidad,Grupo\n"
    "K1,head,María José,Pérez,Gómez,F,1990-03-14,VE,asylum_seeker\n"
    "K1,child,Ana,Pérez,Rojas,F,2015-06-01,VE,asylum_seeker\n"
).encode()
MAPPING = {
    "household": "hogar",
    "relationship": "parentesco",
    "given_names": "nombres",
    "first_surname": "apellido1",
    "second_surname": "apellido2",
    "sex": "sexo",
    "date_of_birth": "nacimiento",
    "nationality": "nacionalidad",
    "population_group": "grupo",
}


def upload(client, content: bytes, name: str = "kobo.csv", **extra):
    return client.post(
        reverse("registry:import"),
        {"file": SimpleUploadedFile(name, content), "office": "a1", **extra},
    )


def test_import_screen_maps_columns_checks_then_imports_and_remembers(client, make_user, office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)

    uploaded = upload(client, SPANISH)
    check_url = uploaded["Location"]
    unmapped = client.get(check_url)
    checked = client.post(check_url, {**MAPPING, "action": "check"})
    imported = client.post(check_url, {**MAPPING, "action": "import"})

    assert uploaded.status_code == 302
    assert unmapped.status_code == 400  # our default column names are not in this file
    assert "Faltan columnas" in unmapped.content.decode()
    assert "2 filas, 1 hogares, 0 problemas." in checked.content.decode()
    assert Household.objects.count() == 1
    assert "Se importaron 1 hogares y 2 personas" in imported.content.decode()
    assert ImportMapping.objects.get().columns["given_names"] == "nombres"
    assert client.get(check_url).status_code == 404  # the pending file is gone

    again = client.get(upload(client, SPANISH)["Location"])
    assert "2 filas, 1 hogares, 0 problemas." in again.content.decode()  # mapping remembered


def test_import_screen_lists_bad_rows_and_imports_nothing(client, make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    check_url = upload(client, SPANISH.replace(b"1990-03-14", b"2999-03-14"))["Location"]

    response = client.post(check_url, {**MAPPING, "action": "import"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Fila 2, columna nacimiento: La fecha de nacimiento está en el futuro." in page
    assert Household.objects.count() == 0


def test_import_screen_pending_file_belongs_to_its_session(client, make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)
    other = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    check_url = upload(client, SPANISH)["Location"]

    client.force_login(other)

    assert client.post(check_url, {**MAPPING, "action": "import"}).status_code == 404
    assert Household.objects.count() == 0


def test_import_screen_rejects_macro_workbooks(client, make_user, office_a1):
    client.force_login(make_user("registration_officer", office=office_a1))

    response = client.get(upload(client, SPANISH, name="lista.xlsm")["Location"])

    assert response.status_code == 400
    assert "macros" in response.content.decode()


def test_import_screen_answers_404_without_import_permission(client, make_user, office_a1):
    client.force_login(make_user("caseworker", office=office_a1))

    assert client.get(reverse("registry:import")).status_code == 404


def test_abandoned_uploads_are_removed_after_a_day(client, make_user, office_a1, settings):
    import os
    import time
    from pathlib import Path

    folder = Path(settings.AMPARO_HOME) / "pending-imports"
    folder.mkdir(exist_ok=True)
    old = folder / "abandoned-token"
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 25 * 3600,) * 2)
    client.force_login(make_user("registration_officer", office=office_a1))

    upload(client, SPANISH)

    assert not old.exists()


def test_import_screen_refuses_a_file_over_the_limit_and_keeps_nothing(
    client, make_user, office_a1, settings
):
    settings.AMPARO_IMPORT_MAX_BYTES = 100
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    pending = settings.AMPARO_HOME / "pending-imports"
    before = sorted(pending.iterdir()) if pending.exists() else []

    response = upload(client, SPANISH)

    assert response.status_code == 400
    assert "El archivo pesa más de 0 MB." in response.content.decode()
    assert (sorted(pending.iterdir()) if pending.exists() else []) == before
    assert client.session.get("registry_imports", {}) == {}
