"""`bench/messaging.py` runs end to end at a tiny size, on SQLite and, when the suite runs on
PostgreSQL, on PostgreSQL too: a campaign goes out through the served app's workers to a fake
provider on 127.0.0.1 (with its refusals retried), nobody gets it twice, nobody is left out,
and the pages are timed before and during it."""

import re
import sqlite3
import subprocess
import sys
import uuid

import pytest

from tests.bench.test_registry_http import ROOT, SERVED, assert_server_gone, bench_env
from tests.databases import postgresql_only

PEOPLE = 300
TINY = ["--people", str(PEOPLE), "--workers", "2", "--threads", "4", "--idle-rounds", "2"]
# 20 % of the provider's answers are 500 here, so retries surely happen in so small a run.
FAILURE_RATE = ["--failure-rate", "0.2", "--latency", "0.01", "--retry-seconds", "0.5"]
MESSAGES = re.compile(r"^  messages: ([\d,]+) \((.*)\)$", re.M)
REQUESTS = re.compile(
    r"^  provider requests: ([\d,]+) \(([\d,]+) answered 500, ([\d,]+) accepted\)$", re.M
)
RETRIES = re.compile(r"^  retries made \(attempts beyond the first\): ([\d,]+)$", re.M)
RATE = re.compile(r"^  messages/s: ([\d.]+)$", re.M)
PAGES = re.compile(r"^all pages\s+(\d+)\s+\d+\s+\d+\s+\d+\s+(\d+)\s+\d+\s+\d+\s+\d+$", re.M)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def run_bench(env: dict[str, str], database: str) -> str:
    result = subprocess.run(
        [sys.executable, "bench/messaging.py", "--database", database, *TINY, *FAILURE_RATE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    return out


def assert_campaign_complete(out: str) -> None:
    assert f"scheduled: {PEOPLE} recipients" in out
    assert "addresses accepted twice: 0\n" in out
    assert "recipients without a sent or failed message: 0\n" in out
    total, states = MESSAGES.search(out).groups()
    assert number(total) == PEOPLE
    by_state = {name: number(n) for name, n in (s.split(" ") for s in states.split(", "))}
    assert set(by_state) <= {"sent", "failed"} and sum(by_state.values()) == PEOPLE
    requests, refused, accepted = map(number, REQUESTS.search(out).groups())
    assert accepted == by_state["sent"] and requests == accepted + refused and refused > 0
    # Each refusal is retried unless it was the message's last attempt (then it failed).
    retries = number(RETRIES.search(out).group(1))
    assert retries == requests - PEOPLE and retries > 0
    assert float(RATE.search(out).group(1)) > 0
    idle, busy = map(int, PAGES.search(out).groups())
    assert idle == 4 * 2 and busy >= 1
    assert "refused:" not in out
    port, group = map(int, SERVED.search(out).groups())
    assert_server_gone(port, group)


def test_messaging_bench_sends_each_message_once_on_sqlite(tmp_path):
    out = run_bench(bench_env(tmp_path), "sqlite")

    assert_campaign_complete(out)
    assert "database: SQLite" in out
    with sqlite3.connect(tmp_path / "amparo.sqlite3") as db:
        (doubles,) = db.execute(
            "SELECT count(*) FROM (SELECT individual_id FROM messaging_message "
            "GROUP BY individual_id HAVING count(*) > 1)"
        ).fetchone()
    assert doubles == 0
    assert out.rstrip().splitlines()[-1] == (
        f"reproduce: AMPARO_HOME={tmp_path} .venv/bin/python bench/messaging.py --database "
        "sqlite --people 300 --workers 2 --threads 4 --web-workers 2 --rate 1000 "
        "--retry-seconds 0.5 --latency 0.01 --failure-rate 0.2"
    )


@pytest.fixture
def bench_postgres_url():
    """A PostgreSQL database of its own for the bench (created by it), dropped afterwards."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    name = f"amparo_benchmsg_{uuid.uuid4().hex[:10]}"
    user, host, port = params.get("user", "postgres"), params["host"], params.get("port", 5432)
    yield f"postgres://{user}@{host}:{port}/{name}"
    kept = {k: v for k, v in params.items() if k not in {"dbname", "cursor_factory", "context"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **kept) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@postgresql_only
def test_messaging_bench_sends_each_message_once_on_postgresql(tmp_path, bench_postgres_url):
    env = {**bench_env(tmp_path), "DATABASE_URL": bench_postgres_url}

    out = run_bench(env, "postgres")

    assert_campaign_complete(out)
    assert "database: PostgreSQL" in out
