"""Exactly-once delivery under load: a distribution cycle, many officers scanning at once.

    .venv/bin/python bench/distribution.py [--database sqlite|postgres] [--entitlements 20000]
        [--clients 50] [--workers W] [--duplicates 0.10] [--think 0] [--deliveries N]
        [--seed 2026]
    .venv/bin/python bench/distribution.py --database postgres      # DATABASE_URL, or
        # postgres://postgres@127.0.0.1:5432/amparo_bench_distribution when it names none

`--database sqlite` (the default, what `make demo` serves) uses the SQLite file of AMPARO_HOME
(default /tmp/amparo-bench-distribution) and ignores DATABASE_URL; `--database postgres` uses
DATABASE_URL (created when missing). The bench migrates, loads the demo organizations, and
keeps N synthetic households (seeded; loaded once, reused) in an office of its own at HIAS
Ecuador ("bench-distribution"), with a bench project. Each run opens a NEW cycle there through
`open_cycle` (one entitlement per household: N pending entitlements) and gives each client
its own distribution officer (office-bound, the built-in role) with an API token
(`issue_api_token`, revoked at the end).

Then it starts the real server, `amparo serve` (gunicorn, `--workers` or AMPARO_WORKERS or 2,
DEBUG off, its background worker beside it) on a free port of 127.0.0.1 and:

1. times `GET /api/v1/entitlements/?status=pending` (the first page, one officer, one request
   after the other);
2. sends every entitlement's `POST /api/v1/entitlements/{id}/deliver/` (the household's head
   collects; an `Idempotency-Key` per scan) from `--clients` threads at once, each its own
   connection, taking the next request from one shuffled list. About `--duplicates` of the
   entitlements are sent twice, the second request queued right after the first so that
   another client sends it at about the same moment: two thirds as a second officer's scan
   of the same card (its own key: one of the two must answer 409 naming the other's
   delivery), one third as the same officer's retry with the same key (one 201, one 200
   with the same delivery). `--think MS` makes each client wait a random time (exponential,
   mean MS) between its calls, as officers do between two households; with 0 the clients
   send back to back, which measures the server at saturation (the latency is then mostly
   the wait in gunicorn's queue: about clients / throughput).

Every call's latency (from sending to the last byte, connection included: gunicorn's sync
workers close it after each answer) and status are kept. At the end the database is checked:
deliveries of the cycle = entitlements answered 201 = 201 answers, no entitlement with two
deliveries, every 200 and 409 names the delivery the database holds for its entitlement, one
audit event per delivery. Prints deliveries/s, p50/p95/p99/max of the deliver call, the
answers by status, the doubles (must be 0), the deliver view's time and SQL in this process
(`--split` entitlements kept out of the run: what one call costs without the queue), and the
command that reproduces the run. Exit status 1 when a check fails. The server is stopped at
the end, after an error, Ctrl+C or SIGTERM; its log is `distribution.serve.log` in AMPARO_HOME.
It never asserts timings.
"""

import argparse
import contextlib
import datetime
import gzip
import http.client
import itertools
import json
import math
import os
import random
import signal
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

API = "/api/v1"
ORG = "hias-ec"
OFFICE = "bench-distribution"
PROJECT = "BENCH-DIST"
MANAGER = "mye.hias"
OFFICER_PREFIX = "bench.dist."
CHUNK = 5_000  # households per load_households call
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/amparo_bench_distribution"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--entitlements", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50, help="officers scanning at once")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: amparo serve's)")
    parser.add_argument("--duplicates", type=float, default=0.10, help="share sent twice")
    parser.add_argument("--think", type=float, default=0.0, help="mean ms between two calls")
    parser.add_argument(
        "--deliveries",
        type=int,
        help="entitlements sent in the run (default: all of the cycle); with a think time, a "
        "run over part of a large cycle ends in minutes",
    )
    parser.add_argument("--list-requests", type=int, default=30, help="timed list requests")
    parser.add_argument("--split", type=int, default=10, help="deliveries timed in-process")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace) -> None:
    """Settings are read from the environment: set it before Django starts (the server started
    later inherits it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-distribution")
    os.environ["AMPARO_DEBUG"] = "0"  # as `amparo serve`: the in-process split must match it
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = DEFAULT_POSTGRES


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


# --- the cycle ---------------------------------------------------------------------------------


def prepare_office(n: int, seed: int):
    """The bench office with exactly `n` active households (loaded once, reused)."""
    from benchdb import timed

    from amparo.core.models import Office, Organization
    from amparo.demo import people
    from amparo.demo import registry as demo_registry
    from amparo.registry.actions import load_households
    from amparo.registry.models import Household

    org = Organization.objects.get(code=ORG)
    quito = Office.objects.get(organization=org, code="quito")
    office, _created = Office.objects.get_or_create(
        organization=org,
        code=OFFICE,
        defaults={"name": "Benchmark distribution point", "area": quito.area},
    )
    active = Household.objects.filter(office=office, status=Household.Status.ACTIVE)
    have = active.count()
    if have > n:
        raise SystemExit(
            f"the bench office holds {have:,} households, more than {n:,}: use a new database "
            "(another AMPARO_HOME, or dropdb/createdb)"
        )
    if have < n:
        generated = people.generate_households(n, seed=seed, offices=(f"{ORG}/{OFFICE}",))
        generated = itertools.islice(generated, have, None)
        with timed(f"households {have:,} → {n:,} (seed {seed})"):
            while chunk := demo_registry.prepare(itertools.islice(generated, CHUNK), seed=seed):
                source = f"bench/distribution.py, seed {seed}"
                load_households(actor=None, households=chunk, source=source)
        have = active.count()
        if have != n:
            raise SystemExit(f"the bench office holds {have:,} households, not {n:,}")
    return office


def open_bench_cycle(office):
    """A new open cycle at the bench office: one pending entitlement per household. The
    cycles earlier runs left open are closed first (`close_cycle`), so that the officers' list
    of pending entitlements holds this cycle's, as at a distribution point."""
    from decimal import Decimal

    from django.utils import timezone

    from amparo.assistance import actions
    from amparo.assistance.models import Cycle, Project
    from amparo.core.models import User

    manager = User.objects.get(username=MANAGER)
    for earlier in Cycle.objects.filter(office=office, state=Cycle.State.OPEN):
        actions.close_cycle(actor=manager, cycle=earlier)
    today = timezone.localdate()
    project = Project.objects.filter(organization_id=office.organization_id, code=PROJECT).first()
    if project is None or project.end_date < today + datetime.timedelta(days=30):
        project = actions.create_project(
            actor=manager,
            code=f"{PROJECT}-{today:%Y%m%d}" if project else PROJECT,
            name="Benchmark: exactly-once delivery",
            sector="basic_needs",
            offices=[office],
            start_date=today - datetime.timedelta(days=30),
            end_date=today + datetime.timedelta(days=365),
        )
    return actions.open_cycle(
        actor=manager,
        project=project,
        office=office,
        name=f"Benchmark {timezone.now():%Y-%m-%d %H:%M:%S}",
        assistance_type="mpc",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=7),
        amount=Decimal("120.00"),
        currency="USD",
        place="Benchmark",
    )


def prepare_officers(office, count: int) -> list[tuple[object, str]]:
    """`count` distribution officers of the bench office, each with a fresh API token."""
    from amparo.core import actions as core_actions
    from amparo.core import twofactor
    from amparo.core.models import Role, User

    role = Role.objects.get(organization__isnull=True, code="distribution_officer")
    officers = []
    for index in range(1, count + 1):
        fields = {
            "organization_id": office.organization_id,
            "office": office,
            "role": role,
            "first_name": "Oficial",
            "last_name": f"{index:03d}",
            "is_active": True,
        }
        username = f"{OFFICER_PREFIX}{index:03d}"
        user = User.objects.filter(username=username).first() or User(username=username)
        for name, value in fields.items():
            setattr(user, name, value)
        if not user.pk:
            user.set_unusable_password()
        user.save()
        if twofactor.required_for(user):
            raise SystemExit(f"{user.username} would need a second factor to sign in")
        key = core_actions.issue_api_token(user=user, label="bench/distribution.py")
        officers.append((user, key))
    return officers


def revoke_tokens(officers) -> None:
    from amparo.core import actions as core_actions
    from amparo.core import queries as core_queries

    for user, key in officers:
        token = core_queries.live_api_token(key)
        if token is not None:
            core_actions.revoke_api_token(actor=user, token=token)


# --- the scans ---------------------------------------------------------------------------------


class Task:
    """One deliver call: which entitlement, which officer, which key, and why it is sent."""

    __slots__ = ("entitlement", "officer", "key", "kind", "head")

    def __init__(self, entitlement: str, officer: int, key: str, kind: str, head: str) -> None:
        self.entitlement, self.officer, self.key, self.kind, self.head = (
            entitlement,
            officer,
            key,
            kind,
            head,
        )


def build_tasks(entitlements: list[tuple[str, str]], officers: int, share: float, seed: int):
    """The shuffled list of calls: every entitlement once, `share` of them twice in a row
    (2/3 another officer's scan with its own key, 1/3 the same officer's retry)."""
    rng = random.Random(seed)
    order = list(entitlements)
    rng.shuffle(order)
    tasks = []
    for ent, head in order:
        officer = rng.randrange(officers)
        # Keys are fresh on every run: the bench's officers are kept between runs, and a key
        # an officer used before names that earlier delivery (the server answers 400).
        key = str(uuid.uuid4())
        tasks.append(Task(ent, officer, key, "first", head))
        if rng.random() < share:
            if rng.random() < 2 / 3 and officers > 1:
                other = (officer + rng.randrange(1, officers)) % officers
                second_key = str(uuid.uuid4())
                tasks.append(Task(ent, other, second_key, "scan", head))
            else:
                tasks.append(Task(ent, officer, key, "retry", head))
    return tasks


class Connection:
    """One client's HTTP connection (reopened when the server closes it), gzip accepted."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, method: str, path: str, token: str, body=None, key: str | None = None):
        """(status, ms, parsed JSON answer or None)."""
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "Authorization": f"Token {token}",
        }
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if key:
            headers["Idempotency-Key"] = key
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            return 0, (time.perf_counter() - start) * 1000, {"error": repr(exc)}
        ms = (time.perf_counter() - start) * 1000
        data = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = {"error": data[:300].decode(errors="replace")}
        return response.status, ms, parsed

    def close(self) -> None:
        self.connection.close()


def run_scans(port: int, tokens: list[str], tasks: list[Task], clients: int, think_ms: float):
    """Send every task from `clients` threads; answers[i] = (status, ms, body) of tasks[i]."""
    answers: list = [None] * len(tasks)
    position = itertools.count()  # next() on a count is atomic in CPython
    rng_seed = itertools.count(1)

    def client() -> None:
        connection = Connection(port)
        rng = random.Random(next(rng_seed))
        try:
            while (index := next(position)) < len(tasks):
                task = tasks[index]
                body = {"collected_by": task.head}
                path = f"{API}/entitlements/{task.entitlement}/deliver/"
                answers[index] = connection.send("POST", path, tokens[task.officer], body, task.key)
                if think_ms > 0:
                    time.sleep(rng.expovariate(1 / think_ms) / 1000)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def time_pending_list(port: int, token: str, requests: int) -> tuple[list[float], int, int]:
    """(ms of each request, rows on the first page, count) of the pending list."""
    connection = Connection(port)
    path = f"{API}/entitlements/?status=pending"
    times, rows, count = [], 0, 0
    try:
        for run in range(requests + 2):  # two to warm up
            status, ms, body = connection.send("GET", path, token)
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}: {str(body)[:300]}")
            if run >= 2:
                times.append(ms)
            rows, count = len(body["results"]), body["count"]
    finally:
        connection.close()
    return times, rows, count


def split(officer, key: str, held: list[tuple[str, str]]) -> tuple[float, float, int, float]:
    """The deliver view in this process (Django's test client: middleware, token, the action,
    audit, serialization, gzip), on entitlements kept out of the run: (median ms, median CPU
    ms, SQL statements of one call, their ms)."""
    from benchdb import Recorder
    from django.db import connection
    from django.test import Client as DjangoClient

    client = DjangoClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_ENCODING="gzip")
    times, cpu = [], []
    statements, sql_ms = 0, 0.0
    for index, (ent, head) in enumerate(held):
        path = f"{API}/entitlements/{ent}/deliver/"
        body = json.dumps({"collected_by": head})
        recorder = Recorder()
        started, started_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(recorder):
            response = client.post(
                path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"split-{ent}"
            )
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"the deliver view answered {response.status_code} in this process")
        if index == 0:
            statements = len(recorder.statements)
            sql_ms = sum(s for _q, _p, s in recorder.statements) * 1000
    return statistics.median(times), statistics.median(cpu), statements, sql_ms


# --- the checks --------------------------------------------------------------------------------


def check(cycle, tasks: list[Task], answers: list) -> dict:
    """Compare the answers with what the database holds."""
    from django.db.models import Count

    from amparo.assistance.models import Delivery, Entitlement
    from amparo.core.models import AuditEvent

    deliveries = Delivery.objects.filter(entitlement__cycle=cycle)
    held = dict(deliveries.values_list("entitlement__uuid", "uuid"))
    held = {str(ent): str(delivery) for ent, delivery in held.items()}
    twice_in_db = deliveries.values("entitlement").annotate(n=Count("id")).filter(n__gt=1).count()
    statuses: Counter = Counter()
    created_per_entitlement: Counter = Counter()
    expected: Counter = Counter()
    wrong: list[str] = []
    errors: list[str] = []
    for task, (status, _ms, body) in zip(tasks, answers, strict=True):
        statuses[status] += 1
        expected[{"first": 201, "scan": 409, "retry": 200}[task.kind]] += 1
        if status == 201:
            created_per_entitlement[task.entitlement] += 1
        if status in (200, 201):
            named = body.get("id")
        elif status == 409:
            named = (body.get("delivery") or {}).get("id")
        else:
            errors.append(f"{status} {str(body)[:200]}")
            continue
        if named is None or named != held.get(task.entitlement):
            wrong.append(f"{status} for {task.entitlement} names {named}")
    delivered_state = Entitlement.objects.filter(
        cycle=cycle, state=Entitlement.State.DELIVERED
    ).count()
    audited = AuditEvent.objects.filter(
        action="assistance.delivery.recorded", target_id__in=list(held.values())
    ).count()
    return {
        "deliveries": len(held),
        "entitlements_created": len(created_per_entitlement),
        "created_answers": statuses[201],
        "twice_in_db": twice_in_db,
        "created_twice": sum(1 for n in created_per_entitlement.values() if n > 1),
        "wrong": wrong,
        "errors": errors,
        "statuses": statuses,
        "expected": expected,
        "delivered_state": delivered_state,
        "audited": audited,
        "attempted": len({task.entitlement for task in tasks}),
    }


# --- main --------------------------------------------------------------------------------------


def describe_engine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return f"SQLite {connection.Database.sqlite_version} (WAL, IMMEDIATE transactions)"


def reproduce_command(args) -> str:
    command = (
        f".venv/bin/python bench/distribution.py --database {args.database} "
        f"--entitlements {args.entitlements} --clients {args.clients} "
        f"--duplicates {args.duplicates} --think {args.think:g} "
        f"--list-requests {args.list_requests} --split {args.split} --seed {args.seed}"
    )
    if args.workers:
        command += f" --workers {args.workers}"
    if args.deliveries is not None:
        command += f" --deliveries {args.deliveries}"
    if args.database == "postgres":
        return f"DATABASE_URL={os.environ['DATABASE_URL']} {command}"
    return f"AMPARO_HOME={os.environ['AMPARO_HOME']} {command}"


def main(argv=None) -> int:
    args = parse_args(argv)
    configure_environment(args)
    # SIGTERM ends the bench as Ctrl+C does, through the `finally` that stops the server; Ctrl+C
    # is set too, since a background process of a non-interactive shell inherits it ignored.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    import django

    django.setup()
    from benchdb import ensure_postgres_database, timed, vacuum_analyze
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections
    from registry_http import Server

    from amparo.assistance.models import Entitlement
    from amparo.demo import organizations
    from amparo.registry.models import Individual

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    ensure_postgres_database()
    print("load:")
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    with timed("demo organizations"):
        organizations.load()
    office = prepare_office(args.entitlements + args.split, args.seed)
    with timed("close earlier runs' cycles, open a new one (open_cycle)"):
        cycle = open_bench_cycle(office)
    clients = max(1, args.clients)
    with timed(f"{clients} officers with API tokens"):
        officers = prepare_officers(office, clients)
    vacuum_analyze()

    heads = dict(
        Individual.objects.filter(household__office=office, is_head=True).values_list(
            "household_id", "uuid"
        )
    )
    rows = Entitlement.objects.filter(cycle=cycle).order_by("pk")
    pairs = [(str(ent), str(heads[hh])) for ent, hh in rows.values_list("uuid", "household_id")]
    held_back, in_run = pairs[: args.split], pairs[args.split :]
    if args.deliveries is not None:
        in_run = in_run[: max(1, args.deliveries)]
    tasks = build_tasks(in_run, clients, args.duplicates, args.seed)
    kinds = Counter(task.kind for task in tasks)
    print(
        f"\ndatabase: {describe_engine()}; cycle of {len(pairs):,} entitlements "
        f"({len(in_run):,} in the run, {len(held_back)} timed in this process); "
        f"{len(tasks):,} deliver calls: {kinds['first']:,} first scans, {kinds['scan']:,} "
        f"second scans by another officer, {kinds['retry']:,} retries with the same key; "
        f"{clients} clients, think time {args.think:g} ms",
        flush=True,
    )
    close_old_connections()

    failed = False
    server = Server(Path(settings.AMPARO_HOME), args.workers, log_name="distribution.serve.log")
    try:
        started = time.perf_counter()
        server.wait_until_healthy()
        print(
            f"served by amparo serve at http://127.0.0.1:{server.port}/ ({server.workers()}, "
            f"DEBUG off; process group {server.process.pid}), up in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        tokens = [key for _user, key in officers]
        times, page_rows, pending = time_pending_list(server.port, tokens[0], args.list_requests)
        print(
            f"list pending (GET {API}/entitlements/?status=pending, first page of {page_rows} "
            f"of {pending:,}; one officer, {len(times)} requests): p50 "
            f"{statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
            f"max {max(times):.1f} ms",
            flush=True,
        )
        answers, elapsed = run_scans(server.port, tokens, tasks, clients, args.think)
        latencies = [ms for _status, ms, _body in answers]
        result = check(cycle, tasks, answers)
        statuses, expected = result["statuses"], result["expected"]
        print(
            f"deliver calls: {len(tasks):,} in {elapsed:.1f} s = {len(tasks) / elapsed:.1f} "
            f"calls/s; deliveries: {result['deliveries']:,} = "
            f"{result['deliveries'] / elapsed:.1f} deliveries/s"
        )
        p95 = percentile(latencies, 0.95)
        print(
            f"deliver latency: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms"
        )
        for code in (201, 200, 409):
            by_code = [ms for status, ms, _b in answers if status == code]
            if by_code:
                print(
                    f"  {code}: p50 {statistics.median(by_code):.1f} ms, "
                    f"p95 {percentile(by_code, 0.95):.1f} ms"
                )
        errors = len(tasks) - statuses[201] - statuses[200] - statuses[409]
        print(
            f"answers: 201 created {statuses[201]:,} (expected {expected[201]:,}), "
            f"200 replayed {statuses[200]:,} (expected {expected[200]:,}), "
            f"409 already delivered {statuses[409]:,} (expected {expected[409]:,}), "
            f"errors {errors:,}"
        )
        for error in result["errors"][:5]:
            print(f"    error: {error}")
        for wrong in result["wrong"][:5]:
            print(f"    wrong: {wrong}")
        doubles = result["twice_in_db"] + result["created_twice"]
        print(
            f"check (database): deliveries {result['deliveries']:,}, entitlements answered "
            f"201 {result['entitlements_created']:,}, 201 answers {result['created_answers']:,}, "
            f"entitlements delivered {result['delivered_state']:,} of "
            f"{result['attempted']:,}; audit events {result['audited']:,}; answers naming "
            f"another delivery {len(result['wrong'])}"
        )
        print(
            f"doubles: {doubles} (entitlements with two deliveries {result['twice_in_db']}, "
            f"answered 201 twice {result['created_twice']})"
        )
        failed = bool(
            doubles
            or errors
            or result["wrong"]
            or statuses != expected
            or not (
                result["deliveries"]
                == result["entitlements_created"]
                == result["created_answers"]
                == result["delivered_state"]
                == result["audited"]
                == result["attempted"]
            )
        )
        print(
            f"goal (p95 < 100 ms, 0 doubles): p95 {p95:.1f} ms "
            f"{'met' if p95 < 100 else 'NOT met'}, doubles {doubles}; "
            f"checks {'FAILED' if failed else 'passed'}",
            flush=True,
        )
        if held_back:
            median_ms, cpu_ms, statements, sql_ms = split(officers[0][0], tokens[0], held_back)
            print(
                f"deliver view in this process (no queue; median of {len(held_back)}): "
                f"{median_ms:.1f} ms, CPU {cpu_ms:.1f} ms, {statements} SQL statements in "
                f"{sql_ms:.1f} ms"
            )
    finally:
        server.stop()
        with contextlib.suppress(Exception):
            revoke_tokens(officers)
    print(f"server stopped (exit {server.process.returncode})")
    print(f"reproduce: {reproduce_command(args)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
