import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.core.models import AuditEvent, Office, Organization, User
from amparo.demo import organizations as demo_orgs


def createuser(monkeypatch, password: str, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_createuser_creates_missing_organization_and_office(db, monkeypatch):
    out = createuser(
        monkeypatch,
        "a-long-enough-secret",
        "--username",
        "ana",
        "--password-stdin",
        "--organization",
        "HIAS Ecuador",
        "--office",
        "Lago Agrio",
        "--role",
        "registration_officer",
        "--create-missing",
    )

    user = User.objects.get(username="ana")
    assert out.strip() == "Usuario ana creado (registration_officer, hias-ecuador)."
    assert (user.organization.name, user.office.name, user.role.code) == (
        "HIAS Ecuador",
        "Lago Agrio",
        "registration_officer",
    )
    assert user.check_password("a-long-enough-secret")
    assert AuditEvent.objects.filter(action="core.user.created", target_id=str(user.uuid)).exists()


def test_createuser_unknown_organization_without_flag_creates_nothing(db, monkeypatch):
    with pytest.raises(CommandError, match="Nowhere"):
        createuser(
            monkeypatch,
            "a-long-enough-secret",
            "--username",
            "ana",
            "--password-stdin",
            "--organization",
            "Nowhere",
            "--role",
            "caseworker",
        )

    assert not User.objects.filter(username="ana").exists()
    assert not Organization.objects.filter(name="Nowhere").exists()


def test_createuser_weak_password_rolls_back_created_organization(db, monkeypatch):
    with pytest.raises(CommandError, match="contraseña"):
        createuser(
            monkeypatch,
            "123",
            "--username",
            "ana",
            "--password-stdin",
            "--organization",
            "Nueva",
            "--office",
            "Quito",
            "--role",
            "caseworker",
            "--create-missing",
        )

    assert not User.objects.filter(username="ana").exists()
    assert not Organization.objects.filter(name="Nueva").exists()
    assert not Office.objects.filter(name="Quito").exists()


def test_createuser_office_bound_role_without_office_is_refused(db, monkeypatch, org_a):
    with pytest.raises(CommandError, match="oficina"):
        createuser(
            monkeypatch,
            "a-long-enough-secret",
            "--username",
            "ana",
            "--password-stdin",
            "--organization",
            "org-a",
            "--role",
            "caseworker",
        )

    assert not User.objects.filter(username="ana").exists()


def test_createuser_unknown_role_is_refused(db, monkeypatch, org_a):
    with pytest.raises(CommandError, match="wizard"):
        createuser(
            monkeypatch,
            "a-long-enough-secret",
            "--username",
            "ana",
            "--password-stdin",
            "--organization",
            "org-a",
            "--role",
            "wizard",
        )

    assert not User.objects.filter(username="ana").exists()


def test_createadmin_creates_platform_superuser(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("another-long-secret\n"))

    call_command(
        "createadmin", "--username", "root-admin", "--password-stdin", stdout=io.StringIO()
    )

    user = User.objects.get(username="root-admin")
    assert (user.is_superuser, user.organization) == (True, None)


def test_token_endpoint_returns_token_for_valid_credentials(client, make_user, office_a1):
    make_user("caseworker", office=office_a1, username="cw")

    ok = client.post(
        "/api/v1/auth/token/",
        {"username": "cw", "password": "correct-horse-battery-staple"},
        content_type="application/json",
    )
    bad = client.post(
        "/api/v1/auth/token/",
        {"username": "cw", "password": "nope"},
        content_type="application/json",
    )

    assert ok.status_code == 200
    assert list(ok.json()) == ["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert me.json()["username"] == "cw"
    assert bad.status_code == 400
    assert AuditEvent.objects.filter(action="core.user.login_failed").count() == 1


def test_demo_data_loads_twice_without_duplicates(db):
    first = demo_orgs.load()
    counts = (Organization.objects.count(), Office.objects.count(), User.objects.count())
    second = demo_orgs.load()

    assert first == second
    assert counts == (Organization.objects.count(), Office.objects.count(), User.objects.count())
    assert Office.objects.filter(organization__code="iom-ec").count() == 7
    assert {u.role.code for u in User.objects.all()} >= {
        "administrator",
        "registration_officer",
        "caseworker",
        "case_supervisor",
        "gbv_specialist",
        "distribution_officer",
        "me_officer",
        "ethics_focal_point",
        "partner_focal_point",
    }


def test_amparo_cli_help_lists_commands():
    result = subprocess.run(
        [sys.executable, "-m", "amparo.cli", "--help"], capture_output=True, text=True, check=True
    )

    assert "serve" in result.stdout
    assert "createuser" in result.stdout


def test_worker_lowers_its_cpu_priority_before_its_threads_start():
    script = (
        "import os, threading\n"
        "from amparo import cli\n"
        "before = os.nice(0)\n"
        "cli._lower_priority('3')\n"
        "seen = []\n"
        "t = threading.Thread(target=lambda: seen.append(os.nice(0)))\n"
        "t.start(); t.join()\n"
        "print(os.nice(0) - before, seen[0] - before)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["3", "3"]


def test_worker_refuses_a_nice_value_that_is_not_a_number(capsys):
    from amparo import cli

    with pytest.raises(SystemExit) as stopped:
        cli._lower_priority("lower")
    assert stopped.value.code == 2
    assert "AMPARO_WORKER_NICE" in capsys.readouterr().err
