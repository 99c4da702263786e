"""`bench/distribution.py` runs end to end at a tiny size, on SQLite (what `make demo` serves)
and, when the suite runs on PostgreSQL, on PostgreSQL too: many officers deliver at once
through the served app, duplicates mixed in, and no entitlement is delivered twice."""

import re
import sqlite3
import subprocess
import sys
import uuid

import pytest

from tests.bench.test_registry_http import ROOT, SERVED, assert_server_gone, bench_env
from tests.databases import postgresql_only

ENTITLEMENTS, SPLIT = 200, 3
TINY = [
    "--entitlements",
    str(ENTITLEMENTS),
    "--clients",
    "5",
    "--workers",
    "2",
    "--duplicates",
    "0.2",
    "--list-requests",
    "3",
    "--split",
    str(SPLIT),
]
ANSWERS = re.compile(
    r"^answers: 201 created (\d+) \(expected (\d+)\), 200 replayed (\d+) \(expected (\d+)\), "
    r"409 already delivered (\d+) \(expected (\d+)\), errors (\d+)$",
    re.M,
)
PLAN = re.compile(
    r"([\d,]+) deliver calls: ([\d,]+) first scans, ([\d,]+) second scans by another officer, "
    r"([\d,]+) retries with the same key"
)
LATENCY = re.compile(r"^deliver latency: p50 ([\d.]+) ms, p95 ([\d.]+) ms, p99 ([\d.]+) ms", re.M)


def number(text: str) -> int:
    return int(text.replace(",", ""))


def run_bench(env: dict[str, str], database: str) -> str:
    result = subprocess.run(
        [sys.executable, "bench/distribution.py", "--database", database, *TINY],
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


def assert_exactly_once(out: str) -> None:
    calls, first, scans, retries = map(number, PLAN.search(out).groups())
    assert first == ENTITLEMENTS and calls == first + scans + retries and scans + retries > 0
    created, want_created, replayed, want_replayed, refused, want_refused, errors = map(
        int, ANSWERS.search(out).groups()
    )
    assert (created, replayed, refused, errors) == (first, retries, scans, 0)
    assert (want_created, want_replayed, want_refused) == (first, retries, scans)
    assert created + replayed + refused == calls
    assert (
        f"check (database): deliveries {first}, entitlements answered 201 {first}, 201 answers "
        f"{first}, entitlements delivered {first} of {first}; audit events {first}; answers "
        "naming another delivery 0"
    ) in out
    assert "doubles: 0 (entitlements with two deliveries 0, answered 201 twice 0)" in out
    assert "checks passed" in out
    p50, p95, p99 = map(float, LATENCY.search(out).groups())
    assert 0 < p50 <= p95 <= p99
    assert re.search(r"first page of 50 of \d+; one officer, 3 requests\): p50 [\d.]+ ms", out)
    assert f"deliver view in this process (no queue; median of {SPLIT})" in out
    assert "server stopped (exit 0)" in out
    port, group = map(int, SERVED.search(out).groups())
    assert_server_gone(port, group)


def test_distribution_bench_delivers_each_entitlement_once_on_sqlite(tmp_path):
    env = bench_env(tmp_path)

    out = run_bench(env, "sqlite")

    assert_exactly_once(out)
    assert "database: SQLite" in out
    with sqlite3.connect(tmp_path / "amparo.sqlite3") as db:
        (deliveries,) = db.execute("SELECT count(*) FROM assistance_delivery").fetchone()
        (doubles,) = db.execute(
            "SELECT count(*) FROM (SELECT entitlement_id FROM assistance_delivery "
            "GROUP BY entitlement_id HAVING count(*) > 1)"
        ).fetchone()
    assert (deliveries, doubles) == (ENTITLEMENTS + SPLIT, 0)
    assert out.rstrip().splitlines()[-1] == (
        f"reproduce: AMPARO_HOME={tmp_path} .venv/bin/python bench/distribution.py --database "
        "sqlite --entitlements 200 --clients 5 --duplicates 0.2 --think 0 --list-requests 3 "
        "--split 3 --seed 2026 --workers 2"
    )


@pytest.fixture
def bench_postgres_url():
    """A PostgreSQL database of its own for the bench (created by it), dropped afterwards."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    name = f"amparo_bench_dist_{uuid.uuid4().hex[:10]}"
    user, host, port = params.get("user", "postgres"), params["host"], params.get("port", 5432)
    yield f"postgres://{user}@{host}:{port}/{name}"
    kept = {k: v for k, v in params.items() if k not in {"dbname", "cursor_factory", "context"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **kept) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@postgresql_only
def test_distribution_bench_delivers_each_entitlement_once_on_postgresql(
    tmp_path, bench_postgres_url
):
    env = {**bench_env(tmp_path), "DATABASE_URL": bench_postgres_url}

    out = run_bench(env, "postgres")

    assert_exactly_once(out)
    assert "database: PostgreSQL" in out
    import psycopg

    with psycopg.connect(bench_postgres_url) as db:
        deliveries = db.execute("SELECT count(*) FROM assistance_delivery").fetchone()[0]
    assert deliveries == ENTITLEMENTS + SPLIT
