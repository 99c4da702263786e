"""Exactly once on SQLite, for real: a database FILE (as `make demo` serves), two gunicorn
workers or two processes, each with its own connection. pytest-django's SQLite test database
lives in memory and cannot show this (see tests/databases.py), so these tests build their own
in a temporary AMPARO_HOME, on any database the suite runs on.

What makes it safe is the settings' `transaction_mode: IMMEDIATE`: a delivery's transaction
takes SQLite's write lock when it begins, so a second one waits (busy_timeout) and then reads
the first delivery: 409 naming it. Deferred transactions would read first, find nothing, and
fail at their write with "database is locked" (the one-to-one constraint would still prevent
a second delivery, but the officer would get an error instead of "already delivered by X")."""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTITLEMENTS = 12


def env_for(home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AMPARO_DEBUG"}
    }
    env["AMPARO_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def helper(home: Path, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.assistance.sqlite_race", *args],
        cwd=ROOT,
        env=env_for(home),
        stdout=subprocess.PIPE,
        text=True,
        **popen,
    )


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    """A migrated SQLite file with a cycle of ENTITLEMENTS and two officers with tokens."""
    home = tmp_path_factory.mktemp("sqlite-race")
    setup = helper(home, "setup", str(ENTITLEMENTS))
    out, _err = setup.communicate(timeout=300)
    assert setup.returncode == 0, out[-3000:]
    return home, last_json(out)


@pytest.fixture(scope="module")
def served(instance):
    """`amparo serve` with two gunicorn workers on the SQLite file, stopped afterwards."""
    home, data = instance
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    amparo = Path(sys.executable).parent / "amparo"
    command = [str(amparo), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-migrate", "--workers", "2", "--task-workers", "0"]
    with (home / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            command, env=env_for(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (home / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "amparo serve did not answer /healthz"
            with contextlib.suppress(OSError, http.client.HTTPException):
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            time.sleep(0.3)
        yield port, home, data
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


def post_deliver(connection, token: str, entitlement: str, head: str) -> tuple[int, dict]:
    connection.request(
        "POST",
        f"/api/v1/entitlements/{entitlement}/deliver/",
        body=json.dumps({"collected_by": head}),
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Language": "en",
        },
    )
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def deliveries_of(home: Path, entitlement: str) -> list[str]:
    with sqlite3.connect(home / "amparo.sqlite3") as db:
        rows = db.execute(
            "SELECT d.uuid FROM assistance_delivery d JOIN assistance_entitlement e "
            "ON e.id = d.entitlement_id WHERE e.uuid = ?",
            (entitlement.replace("-", ""),),
        ).fetchall()
    return [row[0] for row in rows]


def test_two_officers_delivering_at_once_on_sqlite_record_one_and_the_other_gets_409(served):
    port, home, data = served
    racing = data["entitlements"][:8]
    outcomes: dict[str, list] = {entitlement: [] for entitlement, _head in racing}

    for entitlement, head in racing:
        start = threading.Barrier(2)

        def deliver(token, entitlement=entitlement, head=head, start=start):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.connect()  # both connected before either sends
            start.wait()
            outcomes[entitlement].append(post_deliver(connection, token, entitlement, head))
            connection.close()

        racers = [threading.Thread(target=deliver, args=(token,)) for token in data["tokens"]]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(timeout=60)

    for entitlement, answers in outcomes.items():
        (won,) = [body for status, body in answers if status == 201]
        (lost,) = [body for status, body in answers if status == 409]
        assert deliveries_of(home, entitlement) == [won["id"].replace("-", "")]
        assert lost["delivery"]["id"] == won["id"]
        assert lost["delivery"]["delivered_by"]["name"] == won["delivered_by"]["name"]
        # "Already delivered at HH:MM by X." in the officer's language
        assert re.search(r"\b\d\d:\d\d\b", lost["detail"])
        assert lost["detail"].endswith(f" {won['delivered_by']['name']}.")


def test_a_delivery_on_sqlite_waits_for_one_in_flight_and_then_answers_409_naming_it(served):
    port, home, data = served
    entitlement, head = data["entitlements"][8]
    holder = helper(home, "hold", entitlement, stdin=subprocess.PIPE)
    held = json.loads(holder.stdout.readline())  # delivered, not yet committed
    answer = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    second = threading.Thread(
        target=lambda: answer.append(post_deliver(connection, data["tokens"][1], entitlement, head))
    )

    second.start()
    second.join(timeout=1.5)
    waited = second.is_alive()
    holder.stdin.write("commit\n")
    holder.stdin.flush()
    holder.communicate(timeout=30)
    second.join(timeout=30)

    assert waited, f"the second delivery did not wait for the first: {answer}"
    assert holder.returncode == 0
    ((status, body),) = answer
    assert status == 409
    assert body["delivery"]["id"] == held["delivery"]
    assert body["delivery"]["delivered_by"]["name"] == data["officers"][0]
    assert deliveries_of(home, entitlement) == [held["delivery"].replace("-", "")]


@pytest.mark.parametrize(
    ("mode", "expected"), [("immediate", "refused"), ("deferred", "error")], ids=str
)
def test_immediate_transactions_are_what_turn_the_race_into_already_delivered(
    instance, mode, expected
):
    home, data = instance
    entitlement, _head = data["entitlements"][9 if mode == "immediate" else 10]
    holder = helper(home, "hold", entitlement, stdin=subprocess.PIPE)
    held = json.loads(holder.stdout.readline())
    flags = ["--deferred"] if mode == "deferred" else []
    second = helper(home, "deliver", entitlement, *flags)

    assert json.loads(second.stdout.readline()) == {"ready": True}
    time.sleep(1.5)  # the second delivery has begun and waits on the write lock
    holder.stdin.write("commit\n")
    holder.stdin.flush()
    holder.communicate(timeout=30)
    out, _err = second.communicate(timeout=60)

    outcome = last_json(out)
    assert outcome["outcome"] == expected, outcome
    if expected == "refused":
        assert outcome["delivery"] == held["delivery"]
    else:
        assert outcome["error"] == "database is locked"
    assert deliveries_of(home, entitlement) == [held["delivery"].replace("-", "")]
