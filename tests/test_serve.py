"""`amparo serve` is the real server (gunicorn + whitenoise, DEBUG off), started as users do."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.spreadsheets import inline_string_bomb


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AMPARO_DEBUG"}
    }
    env["AMPARO_HOME"] = str(tmp_path)
    amparo = Path(sys.executable).parent / "amparo"
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stop the server
    proc = subprocess.Popen(
        [str(amparo), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("amparo serve did not answer: " + log.read_text()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_serve_answers_health_pages_and_static_files_without_debug(served, tmp_path):
    health = get(f"{served}/healthz")
    login = get(f"{served}/login/")
    missing = get(f"{served}/no-such-page/")
    intake = get(f"{served}/intake/SecretOfACarePost0123456789/")
    css_path = login[2].decode().split('href="')[1].split('"')[0]
    css = get(f"{served}{css_path}")

    assert health[0] == 200
    assert login[0] == 200
    assert "Iniciar sesión" in login[2].decode()
    assert login[1]["X-Frame-Options"] == "DENY"
    assert missing[0] == 404
    assert b"Traceback" not in missing[2] and b"URLconf" not in missing[2]
    assert css_path.startswith("/static/amparo/amparo.") and css_path != "/static/amparo/amparo.css"
    assert css[0] == 200
    assert b"--accent" in css[2]
    assert "no-store" in login[1]["Cache-Control"]  # pages are never kept by the browser
    assert "no-store" not in css[1]["Cache-Control"]  # static files are
    assert (tmp_path / "gunicorn.ctl").exists()  # the control socket stays in the instance
    assert intake[0] == 404
    assert intake[1]["Referrer-Policy"] == "no-referrer"
    log = (tmp_path / "serve.log").read_text()
    assert "GET /intake/…/ HTTP" in log  # the access log keeps the request, not the secret
    assert "SecretOfACarePost" not in log


# --- the background worker beside the server -----------------------------------------------

SETUP = """
from amparo.core.models import Area, Office, Organization, Role, User
org = Organization.objects.create(code="org-w", name="Organización W")
office = Office.objects.create(organization=org, code="w1", name="Oficina W1",
                               area=Area.objects.get(code="EC-P"))
user = User(username="registro", organization=org, office=office, language="es",
            role=Role.objects.get(organization=None, code="registration_officer"))
user.set_password("correct-horse-battery-staple")
user.save()
"""
HEADER = (
    "household_ref,relationship,given_names,first_surname,sex,date_of_birth,nationality,"
    "population_group\n"
)


def registry_csv(households: int) -> bytes:
    """One head per household, names built from letters (the registry refuses digits)."""
    rows = []
    for n in range(households):
        name = "".join(chr(ord("a") + int(d)) for d in str(n)).capitalize()
        rows.append(f"H{n},head,{name},Mora,F,1990-01-01,VE,refugee\n")
    return (HEADER + "".join(rows)).encode()


class Browser:
    """Just enough of a browser: cookies, the CSRF token, forms and file uploads."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def open(self, path: str, data: bytes | None = None, content_type: str = ""):
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310 - local
        if data is not None:
            request.add_header("Content-Type", content_type)
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def post(self, path: str, fields: dict, files: dict | None = None):
        boundary = "----amparo-test-boundary"
        parts = []
        for name, value in {**fields, "csrfmiddlewaretoken": self.csrf()}.items():
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.open(path, body, f"multipart/form-data; boundary={boundary}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # redirects come back as answers, to read their Location


def test_serve_runs_a_worker_imports_go_through_it_and_bombs_are_refused(served, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "AMPARO_DEBUG"}}
    env["AMPARO_HOME"] = str(tmp_path)
    amparo = Path(sys.executable).parent / "amparo"
    subprocess.run([str(amparo), "shell", "-c", SETUP], env=env, check=True)
    browser = Browser(served)
    browser.open("/login/")
    signed_in = browser.post(
        "/login/", {"username": "registro", "password": "correct-horse-battery-staple"}
    )

    bomb = browser.post(
        "/registry/import/", {"office": "w1"}, {"file": ("b.xlsx", inline_string_bomb())}
    )
    uploaded = browser.post(
        "/registry/import/", {"office": "w1"}, {"file": ("r.csv", registry_csv(4000))}
    )
    check_url = uploaded[1]["Location"]
    form = browser.open(check_url)
    mapping = {c: c for c in HEADER.strip().split(",")}
    mapping["household"] = mapping.pop("household_ref")
    started = browser.post(check_url, {**mapping, "action": "import"})
    job_url = started[1]["Location"]
    seen_running, health = False, []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        health.append(get(f"{served}/healthz")[0])
        page = browser.open(job_url)
        if "Se importaron" in page[2]:
            break
        seen_running = seen_running or "Importando el archivo" in page[2]
        time.sleep(0.2)
    else:
        pytest.fail("the import did not finish: " + page[2][-2000:])

    assert signed_in[0] == 302
    assert bomb[0] == 400
    assert "El archivo tiene más de 50000 filas" in bomb[2]
    assert uploaded[0] == 302
    assert form[0] == 200
    assert started[0] == 302
    assert seen_running  # the progress page, which refreshes itself
    assert '<meta http-equiv="refresh"' not in page[2]
    assert "Se importaron 4000 hogares y 4000 personas" in page[2]
    assert set(health) == {200}  # the web worker answered throughout
