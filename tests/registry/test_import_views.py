import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from amparo.core import jobs
from amparo.core.models import Area, Job
from amparo.registry import imports, tasks
from amparo.registry.models import Household, ImportMapping
from tests.spreadsheets import inline_string_bomb

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


def submit(client, url: str, data: dict, capture):
    """POST the columns; the job runs (the immediate backend) when the request commits."""
    with capture(execute=True):
        response = client.post(url, data)
    return response


def test_import_screen_maps_columns_checks_then_imports_and_remembers(
    client, make_user, office_a1, django_capture_on_commit_callbacks
):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)

    uploaded = upload(client, SPANISH)
    check_url = uploaded["Location"]
    unmapped = client.get(check_url)
    checking = submit(
        client, check_url, {**MAPPING, "action": "check"}, django_capture_on_commit_callbacks
    )
    checked = client.get(checking["Location"])
    importing = submit(
        client, check_url, {**MAPPING, "action": "import"}, django_capture_on_commit_callbacks
    )
    imported = client.get(importing["Location"])

    assert uploaded.status_code == 302
    assert unmapped.status_code == 400  # our default column names are not in this file
    assert "Faltan columnas" in unmapped.content.decode()
    assert checking.status_code == 302
    assert "2 filas, 1 hogares, 0 problemas." in checked.content.decode()
    assert Household.objects.count() == 1
    assert "Se importaron 1 hogares y 2 personas" in imported.content.decode()
    assert ImportMapping.objects.get().columns["given_names"] == "nombres"
    assert client.get(check_url).status_code == 404  # the pending file is gone
    assert Job.objects.get(uuid=importing["Location"].split("/")[-2]).data is None

    again = client.get(upload(client, SPANISH)["Location"])
    assert again.status_code == 200  # mapping remembered: the columns are all there
    assert "Faltan columnas" not in again.content.decode()


def test_import_screen_lists_bad_rows_and_imports_nothing(
    client, make_user, office_a1, django_capture_on_commit_callbacks
):
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    check_url = upload(client, SPANISH.replace(b"1990-03-14", b"2999-03-14"))["Location"]

    job_url = submit(
        client, check_url, {**MAPPING, "action": "import"}, django_capture_on_commit_callbacks
    )["Location"]
    response = client.get(job_url)

    page = response.content.decode()
    assert "Fila 2, columna nacimiento: La fecha de nacimiento está en el futuro." in page
    assert "No se importó nada" in page
    assert Household.objects.count() == 0
    assert f'href="{check_url}"' in page  # the file waits: back to the columns
    assert client.get(check_url).status_code != 404


def test_import_screen_pending_file_belongs_to_its_session(client, make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)
    other = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    check_url = upload(client, SPANISH)["Location"]

    client.force_login(other)

    assert client.post(check_url, {**MAPPING, "action": "import"}).status_code == 404
    assert Household.objects.count() == 0
    assert Job.objects.count() == 0


def test_an_import_job_is_seen_by_its_owner_only(client, make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)
    colleague = make_user("registration_officer", office=office_a1)
    admin = make_user("administrator", organization=office_a1.organization)
    client.force_login(officer)
    job = jobs.start(
        owner=officer,
        handler=tasks.import_file,
        params={"mapping": MAPPING, "dry_run": True, "valid_rows_only": False},
        data=SPANISH,
        filename="kobo.csv",
    )  # queued: no worker in this test
    url = reverse("registry:import-job", args=[job.uuid])

    own = client.get(url)
    client.force_login(colleague)
    colleagues = client.get(url)
    client.force_login(admin)
    admins = client.get(url)

    assert own.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in own.content.decode()
    assert "Esperando su turno" in own.content.decode()
    assert (colleagues.status_code, admins.status_code) == (404, 404)


def _silent_import(owner, *, dry_run: bool, **fields) -> Job:
    job = jobs.start(
        owner=owner,
        handler=tasks.import_file,
        params={"mapping": MAPPING, "dry_run": dry_run, "valid_rows_only": False},
        data=SPANISH,
        filename="kobo.csv",
    )
    silent = timezone.now() - datetime.timedelta(minutes=11)
    fields = {"heartbeat_at": silent, **fields}
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=silent, **fields)
    return job


def test_an_import_whose_worker_died_says_what_it_kept(client, make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)
    client.force_login(officer)
    checking = _silent_import(officer, dry_run=False, phase="checking", done=1000)
    saving = _silent_import(officer, dry_run=False, phase="saving", done=400, total=1000)
    check = _silent_import(officer, dry_run=True, phase="checking")
    fresh = _silent_import(officer, dry_run=False, heartbeat_at=timezone.now())

    pages = {
        name: client.get(reverse("registry:import-job", args=[job.uuid])).content.decode()
        for name, job in [("checking", checking), ("saving", saving), ("check", check)]
    }
    running = client.get(reverse("registry:import-job", args=[fresh.uuid])).content.decode()

    nothing_saved = "No se guardó nada de este archivo: vuelva a iniciar la importación."
    assert all("La importación se interrumpió" in pages[n] for n in ("checking", "saving"))
    assert all("<h1>\n  El trabajo se interrumpió" in page for page in pages.values())
    assert all("nada importado:" not in page for page in pages.values())
    assert nothing_saved in pages["checking"]
    assert "La revisión se interrumpió" in pages["check"]
    if imports.batches_commit_separately():  # SQLite: the batches saved before stay
        assert "(al menos 400 de 1000)" in pages["saving"]
        assert "solo los hogares que faltan" in pages["saving"]
    else:  # one transaction, rolled back when the worker's connection died
        assert nothing_saved in pages["saving"]
    assert 'http-equiv="refresh"' in running


def test_the_spreadsheet_bomb_is_refused_at_upload_and_nothing_is_kept(
    client, make_user, office_a1, settings, monkeypatch
):
    client.force_login(make_user("registration_officer", office=office_a1))
    monkeypatch.setattr("openpyxl.load_workbook", pytest.fail)  # refused before any parsing

    response = upload(client, inline_string_bomb(), name="registro.xlsx")

    assert response.status_code == 400
    assert "El archivo tiene más de 50000 filas" in response.content.decode()
    assert client.session.get("registry_imports", {}) == {}
    assert Job.objects.count() == 0


def test_import_screen_rejects_macro_workbooks(client, make_user, office_a1):
    client.force_login(make_user("registration_officer", office=office_a1))

    response = upload(client, SPANISH, name="lista.xlsm")

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
