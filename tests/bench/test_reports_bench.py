"""`bench/reports.py` runs end to end at a tiny size on PostgreSQL (it writes with COPY), so it
cannot rot unnoticed: it loads people, generates services and deliveries once, reuses them on a
second run, times every figure in process and over HTTP, and its naive counts agree with ours."""

import re
import subprocess
import sys
import uuid

import pytest

from tests.bench.test_registry_http import ROOT, bench_env
from tests.databases import postgresql_only

TINY = ["--people", "400", "--events", "4000", "--reps", "1", "--reps-5w", "1"]
TINY += ["--reps-http", "1", "--explain", "--before"]
FIGURE = re.compile(r"^  (.+?)\s+(\d+)\s+(\d+)\s+(\d+)", re.M)


@pytest.fixture
def bench_postgres_url():
    """A PostgreSQL database of its own for the bench (created by it), dropped afterwards."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    name = f"amparo_bench_reports_{uuid.uuid4().hex[:10]}"
    user, host, port = params.get("user", "postgres"), params["host"], params.get("port", 5432)
    yield f"postgres://{user}@{host}:{port}/{name}"
    kept = {k: v for k, v in params.items() if k not in {"dbname", "cursor_factory", "context"}}
    with psycopg.connect(dbname="postgres", autocommit=True, **kept) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_bench(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "bench/reports.py", *TINY],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@postgresql_only
def test_reports_bench_times_the_dashboard_and_the_5w_and_reuses_its_data(
    tmp_path, bench_postgres_url
):
    env = {**bench_env(tmp_path), "DATABASE_URL": bench_postgres_url}

    first = run_bench(env)
    second = run_bench(env)

    assert "generate: 4,000 services and deliveries of seed 2026" in first
    assert "generate: reused" in second
    for out in (first, second):
        labels = [label.strip() for label, *_n in FIGURE.findall(out)]
        assert labels.count("people, households: this year") == 2  # before, and over HTTP
        assert "all of the above (sum)" in labels  # before: one figure at a time
        assert "the home counted (the worker's recount)" in labels
        assert "the home served from its snapshot (view, page)" in labels  # in process
        assert "the home served from its snapshot" in labels  # over HTTP
        assert "exports.rows (disclosure control, LP audit)" in labels
        assert "5W month (JSON, disclosure control)" in labels
        assert "the 5W itself (XLSX, /api/v1/reports/5w/)" in labels  # over HTTP
        assert "the 5W prepared by the worker (ask to XLSX)" in labels  # its job, polled
        assert "the report (view, page)" in labels  # a project's, in process
        assert "its workbook (XLSX)" in labels
        assert "this year, women" in labels  # the list behind a figure
        assert "a project's report for its donor (page)" in labels  # over HTTP
        assert "refused" not in out
        assert "DIFFERS" not in out
        assert out.count("same counts as ours") == 2
        assert "EXPLAIN ANALYZE of the 5W's slowest statement" in out
        assert re.search(r"people, households: this year\s+1\s+\d+\s+\d+\s+\d+\s+people [1-9]", out)
        assert out.rstrip().splitlines()[-1] == (
            f"reproduce: DATABASE_URL={bench_postgres_url} .venv/bin/python bench/reports.py "
            "--people 400 --events 4000 --seed 2026 --today 2026-11-30 --reps 1 --reps-5w 1 "
            "--reps-home 20 --reps-http 1 --naive-reps 1 --naive-timeout 120 --explain --before"
        )
