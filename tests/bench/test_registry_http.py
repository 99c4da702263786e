"""`bench/registry_http.py` runs end to end at a tiny size, so it cannot rot unnoticed, and
leaves no server behind, whether it finishes or is interrupted."""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--people", "300", "--queries", "2", "--workers", "1"]
SERVED = re.compile(r"served by amparo serve at http://127\.0\.0\.1:(\d+)/ .*process group (\d+)")


def bench_env(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AMPARO_DEBUG"}
    }
    env["AMPARO_HOME"] = str(home)  # its own SQLite database and instance folder
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """One instance folder (SQLite database) for the module: loaded once, then reused."""
    return tmp_path_factory.mktemp("bench-home")


def running_in_group(group: int) -> list[str]:
    """The processes of a process group that still run (exited ones, not yet reaped, do not)."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group and fields[0] not in {"Z", "X"}:
            running.append(stat.parent.name)
    return running


def assert_server_gone(port: int, group: int) -> None:
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens there any more
    assert running_in_group(group) == []  # amparo serve, gunicorn and its workers have ended


def test_registry_http_bench_times_every_kind_over_http_and_stops_the_server(home):
    command = [sys.executable, "bench/registry_http.py", *TINY, "--clients", "2", "--split", "1"]

    result = subprocess.run(
        command,
        cwd=ROOT,
        env=bench_env(home),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "1 sync workers" in out
    rows = re.findall(
        r"^(search|duplicate): .*?\s+(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)%", out, re.M
    )
    assert len(rows) == 2 * 12  # every kind, alone and two users at once
    assert all(int(n) > 0 for _kind, n, _recall in rows)
    assert "refused:" not in out
    assert "all search queries: n" in out and "all duplicate queries: n" in out
    assert re.search(r"^split, median", out, re.M)
    assert "server stopped (exit 0)" in out
    reproduce = (
        f"reproduce: AMPARO_HOME={home} .venv/bin/python bench/registry_http.py --people 300 "
        "--queries 2 --seed 2026 --query-seed 1130 --clients 2 --workers 1 --split 1"
    )
    assert out.rstrip().splitlines()[-1] == reproduce
    port, group = map(int, SERVED.search(out).groups())
    assert_server_gone(port, group)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_registry_http_bench_stops_the_server_when_interrupted(home, stop):
    bench = subprocess.Popen(
        [sys.executable, "bench/registry_http.py", *TINY],
        cwd=ROOT,
        env=bench_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in bench.stdout:
        lines.append(line)
        if served := SERVED.search(line):
            break
    else:
        pytest.fail("the bench never served: " + "".join(lines)[-3000:])

    bench.send_signal(stop)
    rest = bench.communicate(timeout=90)[0]

    log = (home / "registry_http.serve.log").read_text()[-3000:]
    assert bench.returncode != 0, rest + log
    assert "server stopped" not in rest  # interrupted, not finished
    assert "amparo serve stopped in" in rest, rest + log
    assert_server_gone(int(served[1]), int(served[2]))
