"""Registry search and the duplicate check as users meet them: through the served app, over HTTP.

    .venv/bin/python bench/registry_http.py [--people 100000] [--queries 50] [--seed 2026]
        [--query-seed 1130] [--clients N] [--workers W] [--split 3] [--show-misses]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench \
        .venv/bin/python bench/registry_http.py --people 1000000 --clients 4

The same database and queries as `bench/registry_search.py`: `--people --seed` load (or reuse)
the same people, `--query-seed` picks the same people and the same errors. Then it starts the
real server, `amparo serve` (gunicorn with the production worker count, `AMPARO_WORKERS` or 2;
`--workers` overrides it; DEBUG off; its background worker beside it) on a free port of
127.0.0.1 against the same database, waits for `/healthz`, signs in as the bench user through
`POST /api/v1/auth/token/` (a fresh password each run; the bench-only role gets
`registry.register` besides `registry.view` for the duplicate check; two-factor sign-in must
not apply to it) and times, per kind, one request after the other (one user):

- `GET /api/v1/individuals/?search=…` with the text of the in-process bench's search kinds;
- `POST /api/v1/individuals/duplicate-check/` with the JSON a registration sends for the person
  (names, sex, birth date and whether it is estimated, nationality, population group,
  relationship): no document and no phone, so that names and dates are what match, as in the
  in-process bench.

Each request carries the token and asks for gzip, as the app's clients do; its time runs from
sending the request to the last byte of the answer (new connection included: gunicorn's sync
workers close it after each answer). With `--clients N` the same queries again from N users at
once (threads), with the throughput. Prints p50 / p95 / max in ms, recall@10 (the intended
person's id, the uuid the API returns, among the first ten results), the mean answer size (on
the wire and as JSON); then, for `--split` queries of a few kinds, the median of three runs of
the search function alone in this process, of the whole Django view in this process (Django's
test client: middleware, token sign-in, serialization, audit write, gzip; with its SQL statements
and the ms spent waiting for them) and over HTTP, so the share of each layer shows; and the
command that reproduces the run. The token is revoked and the server stopped at the end, the
server also after an error, Ctrl+C or SIGTERM; its log is `registry_http.serve.log` in
AMPARO_HOME. Every request writes its audit event, as in use: the bench database keeps them.
"""

import argparse
import contextlib
import gzip
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["AMPARO_DEBUG"] = "0"  # as `amparo serve`: the in-process split must match it

import registry_search  # noqa: E402 - after the path and the environment it reads
from registry_search import DUPLICATE_KINDS, SEARCH_KINDS, percentile  # noqa: E402

API = "/api/v1"
SPLIT_KINDS = ("name", "nickname", "document", "duplicate", "dup_nickname")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`amparo serve` in its own process group, on 127.0.0.1:`port`; `stop` ends it (SIGTERM
    to `amparo serve`, which stops gunicorn and its worker; SIGKILL to the group after 30 s)."""

    def __init__(
        self, home: Path, workers: int | None, log_name: str = "registry_http.serve.log"
    ) -> None:
        self.port = free_port()
        self.log_path = home / log_name
        amparo = Path(sys.executable).parent / "amparo"
        command = [str(amparo), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--no-migrate"]  # the bench has migrated the database already
        if workers:
            command += ["--workers", str(workers)]
        env = {**os.environ, "AMPARO_HOME": str(home)}
        with self.log_path.open("wb") as log:  # a file, not a pipe: a full pipe stops a server
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"amparo serve stopped:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            time.sleep(0.3)
        raise SystemExit(
            f"amparo serve did not answer /healthz in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def workers(self) -> str:
        """What gunicorn says it runs: 'N sync workers'."""
        log = self.log_path.read_text(errors="replace")
        kind = "sync"
        for line in log.splitlines():
            if "Using worker:" in line:
                kind = line.rsplit("Using worker:", 1)[1].strip()
        return f"{log.count('Booting worker with pid')} {kind} workers"

    def stop(self) -> None:
        started = time.perf_counter()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # anything of ours left in the group
        self.process.wait(timeout=10)
        print(
            f"amparo serve stopped in {time.perf_counter() - started:.1f} s "
            f"(exit {self.process.returncode})",
            file=sys.stderr,
            flush=True,
        )


class Client:
    """One user's connection: a token, gzip accepted, keep-alive when the server keeps it."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.closed_by_server = False

    def send(self, method: str, path: str, body: dict | None = None):
        """(status, ms, bytes on the wire, bytes of JSON, parsed answer)."""
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - start) * 1000
        self.closed_by_server = response.will_close  # http.client reconnects on the next one
        data = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, ms, len(raw), len(data), parsed

    def close(self) -> None:
        self.connection.close()


def sign_in(port: int, username: str, password: str) -> str:
    client = Client(port)
    status, _ms, _wire, _size, answer = client.send(
        "POST",
        f"{API}/auth/token/",
        {"username": username, "password": password, "device": "bench/registry_http.py"},
    )
    client.close()
    if status != 200:
        raise SystemExit(f"signing in through the API failed ({status}): {answer}")
    return answer["token"]


def http_requests(queries, uuids, people):
    """Per kind: (method, path, body, intended person's uuid, label)."""
    requests: dict[str, list] = {}
    for kind, items in queries.items():
        if kind == "naive":
            continue  # the baseline has no endpoint
        requests[kind] = []
        for operation, argument, target, label in items:
            if operation == "search":
                path = f"{API}/individuals/?" + urllib.parse.urlencode({"search": argument})
                requests[kind].append(("GET", path, None, uuids[target], label))
            else:
                nationality, group = people[target]
                body = {
                    **argument,
                    "nationality": nationality,
                    "population_group": group,
                    "relationship": "head",
                }
                path = f"{API}/individuals/duplicate-check/"
                requests[kind].append(("POST", path, body, uuids[target], label))
    return requests


class Tally:
    """Latencies, hits, sizes and refusals of one kind's requests (thread-safe)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.hits = 0
        self.wire: list[int] = []
        self.json: list[int] = []
        self.errors: list[str] = []
        self.misses: list[str] = []
        self.lock = threading.Lock()

    def add(self, result, target: str, label: str) -> None:
        status, ms, wire, size, answer = result
        with self.lock:
            self.times.append(ms)
            self.wire.append(wire)
            self.json.append(size)
            if status != 200:
                self.errors.append(f"{status} {str(answer)[:300]}")
                return
            found = [row["id"] for row in answer["results"][:10]]
            self.hits += target in found
            if target not in found:
                self.misses.append(label)


def run_sequential(client: Client, requests) -> Tally:
    for method, path, body, _target, _label in requests[:5]:  # warm caches and connections
        client.send(method, path, body)
    tally = Tally()
    for method, path, body, target, label in requests:
        tally.add(client.send(method, path, body), target, label)
    return tally


def run_concurrent(port: int, token: str, clients: int, requests) -> tuple[Tally, float]:
    tally = Tally()
    local = threading.local()
    opened: list[Client] = []

    def one(request) -> None:
        method, path, body, target, label = request
        if not hasattr(local, "client"):
            local.client = Client(port, token)
            opened.append(local.client)
        tally.add(local.client.send(method, path, body), target, label)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, requests))
    elapsed = time.perf_counter() - start
    for client in opened:
        client.close()
    return tally, elapsed


HEADER = (
    f"{'query':<52}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'recall@10':>10}"
    f"{'KB wire':>9}{'KB JSON':>9}"
)


def row(label: str, tally: Tally, extra: str = "") -> str:
    times = tally.times
    return (
        f"{label:<52}{len(times):>5}{statistics.median(times):>9.1f}"
        f"{percentile(times, 0.95):>9.1f}{max(times):>9.1f}"
        f"{tally.hits / len(times) * 100:>9.1f}%{statistics.fmean(tally.wire) / 1024:>9.1f}"
        f"{statistics.fmean(tally.json) / 1024:>9.1f}{extra}"
    )


def print_table(title: str, tallies: dict[str, Tally], extras: dict[str, str], show_misses: bool):
    print(title)
    print(HEADER + ("" if not extras else f"{'req/s':>8}"))
    pooled: dict[str, list[Tally]] = {"search": [], "duplicate": []}
    for key, label in [*SEARCH_KINDS, *DUPLICATE_KINDS]:
        tally = tallies.get(key)
        if tally is None or not tally.times:
            print(f"{label:<52}{0:>5}")
            continue
        print(row(label, tally, extras.get(key, "")), flush=True)
        for error in tally.errors[:3]:
            print(f"    refused: {error}")
        if show_misses:
            for missed in tally.misses:
                print(f"    missed: {missed}")
        pooled["search" if key in dict(SEARCH_KINDS) else "duplicate"].append(tally)
    for group, group_tallies in pooled.items():
        times = [t for tally in group_tallies for t in tally.times]
        if times:
            rates = [tally.hits / len(tally.times) for tally in group_tallies for _t in tally.times]
            print(
                f"all {group} queries: n {len(times)}, recall@10 "
                f"{statistics.fmean(rates) * 100:.1f} %, p95 {percentile(times, 0.95):.1f} ms"
            )


def split(user, queries, requests, client: Client, per_kind: int) -> None:
    """Median of three runs of the function, the Django view in this process, and HTTP."""
    from django.db import connection
    from django.test import Client as DjangoClient

    from amparo.registry.duplicates import find_duplicates
    from amparo.registry.regions import user_region
    from amparo.registry.search import search_individuals

    region = user_region(user)
    in_process = DjangoClient(
        HTTP_HOST="127.0.0.1",
        HTTP_AUTHORIZATION=f"Token {client.token}",
        HTTP_ACCEPT_ENCODING="gzip",
    )

    def function(operation, argument):
        if operation == "search":
            return lambda: search_individuals(user, argument, region=region)
        return lambda: find_duplicates(user, argument, region=region)

    def view(method, path, body):
        if method == "GET":
            return lambda: in_process.get(path)
        return lambda: in_process.post(path, json.dumps(body), content_type="application/json")

    def median_ms(run) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def sql_of(run) -> tuple[int, float]:
        """Statements and ms waiting for the database in one run (in this process)."""
        spent = [0, 0.0]

        def timed(execute, *args):
            start = time.perf_counter()
            try:
                return execute(*args)
            finally:
                spent[0] += 1
                spent[1] += (time.perf_counter() - start) * 1000

        with connection.execute_wrapper(timed):
            run()
        return spent[0], spent[1]

    print(
        "split, median of 3 runs in ms: the function alone (this process) / the Django view "
        "(this process: middleware, token, serialization, audit, gzip; its SQL statements "
        "and their ms, function's included) / over HTTP (gunicorn)"
    )
    print(
        f"{'query':<52}{'function':>9}{'view':>8}{'SQL n':>6}{'SQL ms':>8}{'HTTP':>8}{'HTTP-fn':>9}"
    )
    labels = dict(SEARCH_KINDS + DUPLICATE_KINDS)
    for kind in SPLIT_KINDS:
        pairs = list(zip(queries[kind], requests[kind], strict=True))[:per_kind]
        for (operation, argument, _target, label), (method, path, body, _uuid, _l) in pairs:
            status = view(method, path, body)().status_code  # warm, and check the answer
            if status != 200:
                print(f"    the view refused {label!r} in this process ({status})")
                continue
            fn = median_ms(function(operation, argument if operation == "search" else body))
            in_view = median_ms(view(method, path, body))
            statements, sql_ms = sql_of(view(method, path, body))
            over_http = median_ms(lambda m=method, p=path, b=body: client.send(m, p, b))
            name = f"{labels[kind].split(':')[0]}: {label}"[:51]
            print(
                f"{name:<52}{fn:>9.1f}{in_view:>8.1f}{statements:>6}{sql_ms:>8.1f}"
                f"{over_http:>8.1f}{over_http - fn:>9.1f}"
            )


def reproduce_command(args) -> str:
    command = registry_search.reproduce_command(args).replace(
        "bench/registry_search.py", "bench/registry_http.py"
    )
    if args.clients > 1:
        command += f" --clients {args.clients}"
    if args.workers:
        command += f" --workers {args.workers}"
    if args.split != 3:
        command += f" --split {args.split}"
    return command


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026, help="the people loaded")
    parser.add_argument(
        "--query-seed", type=int, default=1130, help="who is searched for and how it is mistyped"
    )
    parser.add_argument("--clients", type=int, default=1, help="users at once, after one alone")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: amparo serve's)")
    parser.add_argument("--split", type=int, default=3, help="queries per kind in the split")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    # SIGTERM ends the bench as Ctrl+C does, through the `finally` that stops the server. Ctrl+C
    # is set too: a process started in the background by a non-interactive shell inherits
    # SIGINT ignored, and Python then installs no KeyboardInterrupt (the test of it failed so).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    permissions = ("registry.view", "registry.register")
    user = registry_search.prepare_database(args.people, args.seed, args.queries, permissions)

    from django.conf import settings
    from django.db import close_old_connections

    from amparo.core import twofactor
    from amparo.registry.models import Individual

    if twofactor.required_for(user):
        raise SystemExit(f"{user.username} would need a second factor to sign in; see its role")
    password = secrets.token_urlsafe(24)
    user.set_password(password)
    user.save(update_fields=["password"])

    queries = registry_search.build_queries(user, args.queries, args.query_seed)
    targets = {target for items in queries.values() for _op, _arg, target, _label in items}
    rows = Individual.objects.filter(pk__in=targets)
    uuids = {pk: str(uuid) for pk, uuid in rows.values_list("pk", "uuid")}
    people = {
        pk: (nationality, group)
        for pk, nationality, group in rows.values_list("pk", "nationality", "population_group")
    }
    requests = http_requests(queries, uuids, people)
    close_old_connections()

    server = Server(Path(settings.AMPARO_HOME), args.workers)
    try:
        started = time.perf_counter()
        server.wait_until_healthy()
        print(
            f"served by amparo serve at http://127.0.0.1:{server.port}/ ({server.workers()}, "
            f"DEBUG off; process group {server.process.pid}), up in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        token = sign_in(server.port, user.username, password)
        client = Client(server.port, token)
        tallies = {kind: run_sequential(client, items) for kind, items in requests.items()}
        keep_alive = "closed by the server after each answer" if client.closed_by_server else "kept"
        print_table(
            f"one user, one request at a time (connection {keep_alive}):",
            tallies,
            {},
            args.show_misses,
        )
        if args.clients > 1:
            tallies, rates = {}, {}
            for kind, items in requests.items():
                tallies[kind], elapsed = run_concurrent(server.port, token, args.clients, items)
                rates[kind] = f"{len(items) / elapsed:>8.1f}"
            print_table(f"{args.clients} users at once:", tallies, rates, args.show_misses)
        if args.split > 0:
            split(user, queries, requests, client, args.split)
        client.send("DELETE", f"{API}/auth/token/")  # sign out: the token ends
        client.close()
    finally:
        server.stop()
    print(f"server stopped (exit {server.process.returncode})")
    print(f"reproduce: {reproduce_command(args)}")


if __name__ == "__main__":
    main()
