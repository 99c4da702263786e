import os
import subprocess
import sys

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.core.middleware import IdleSessionMiddleware


def test_pages_send_security_headers(client):
    response = client.get(reverse("login"))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2(make_user, office_a1):
    user = make_user("caseworker", office=office_a1)

    assert user.password.startswith("argon2$")


def test_session_expires_after_idle_time_and_slides_on_activity(
    client, make_user, office_a1, settings
):
    user = make_user("caseworker", office=office_a1)
    client.force_login(user)

    client.get(reverse("home"))

    session = Session.objects.get()
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_save_the_session_once_a_minute_not_on_every_request(
    client, make_user, office_a1, settings, monkeypatch
):
    user = make_user("caseworker", office=office_a1)
    client.force_login(user)
    client.get(reverse("home"))
    soon = timezone.now() + timezone.timedelta(minutes=10)
    Session.objects.update(expire_date=soon)

    client.get(reverse("home"))  # within the minute: no write
    unchanged = Session.objects.get().expire_date
    monkeypatch.setattr(IdleSessionMiddleware, "REFRESH_SECONDS", 0)  # as if a minute passed
    client.get(reverse("home"))
    remaining = (Session.objects.get().expire_date - timezone.now()).total_seconds()

    assert unchanged == soon
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE


def test_signing_out_leaves_no_session_behind(client, make_user, office_a1):
    user = make_user("caseworker", office=office_a1)
    client.force_login(user)
    client.get(reverse("home"))

    client.post(reverse("logout"))
    client.get(reverse("login"))

    assert not Session.objects.exists()


def test_post_without_csrf_token_is_refused(make_user, office_a1):
    user = make_user("caseworker", office=office_a1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en"})

    user.refresh_from_db()
    assert response.status_code == 403
    assert user.language == "es"


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def served_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "AMPARO_DEBUG": "0", **overrides}


def test_check_deploy_passes_behind_https(tmp_path):
    env = served_env(AMPARO_HTTPS="1", AMPARO_HOME=str(tmp_path))

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings",
            "amparo.settings",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "field_keys").stat().st_mode & 0o777 == 0o600


def test_check_deploy_over_plain_http_warns_only_about_accepted_items(tmp_path):
    env = served_env(AMPARO_HTTPS="0", AMPARO_HOME=str(tmp_path))

    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--settings", "amparo.settings"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    warnings = sorted(set(part.split(")")[0] for part in result.stderr.split("(security.")[1:]))
    # Documented in docs/operations.md: only the TLS-dependent settings, which AMPARO_HTTPS=1 sets.
    assert warnings == ["W004", "W008", "W012", "W016"]


def test_api_schema_is_openapi_3_and_docs_are_served_locally(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema.json()["paths"]
    page = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def _no_store(response) -> bool:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    return {"no-store", "private"} <= directives


def test_pages_and_api_answers_behind_login_are_never_stored(client, make_user, office_a1):
    user = make_user("caseworker", office=office_a1)
    client.force_login(user)

    page = client.get(reverse("home"))
    answer = client.get(f"/api/v1/users/{user.uuid}/")

    assert page.status_code == 200
    assert _no_store(page)
    assert answer.status_code == 200
    assert _no_store(answer)
    assert _no_store(client.get(reverse("login")))
