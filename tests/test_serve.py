"""`amparo serve` is the real server (gunicorn + whitenoise, DEBUG off), started as users do."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


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
    proc = subprocess.Popen(
        [str(amparo), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("amparo serve did not answer: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_serve_answers_health_pages_and_static_files_without_debug(served, tmp_path):
    health = get(f"{served}/healthz")
    login = get(f"{served}/login/")
    missing = get(f"{served}/no-such-page/")
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
