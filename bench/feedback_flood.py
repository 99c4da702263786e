"""A flood on the public feedback form must not slow down the rest of the application.

    .venv/bin/python bench/feedback_flood.py [--flooders 8] [--seconds 30] [--requests 150]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench_flood \
        .venv/bin/python bench/feedback_flood.py

Loads the demo (`amparo demo --households 300`) into its own instance (AMPARO_HOME, default
/tmp/amparo-flood; or the PostgreSQL database of DATABASE_URL) unless it is there already, serves
it with `amparo serve` (gunicorn, `AMPARO_WORKERS` or 2 workers, the background worker beside
it) on a free port, and times, one request after the other, what staff and the public use:
the feedback inbox API (`mye.hias`), the registry search API (`registro.lagoagrio`) and the
public form page (status checks are left out: from the flood's own address they share its
per-address limit, which is the point of the limit). First with nothing else running; then
while `--flooders` threads post feedback from one address as fast as they can. Prints p50/p95
of each, the flood's requests a second and how they were answered (201: an entry written,
429: refused). Every flood request is a fresh connection, as a script's would be.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AMPARO = str(Path(sys.executable).parent / "amparo")
PASSWORD = "amparo-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None, token: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json", "Accept-Language": "es"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    started = time.perf_counter()
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return response.status, payload, elapsed


def token_for(port: int, username: str) -> str:
    status, payload, _ = request(
        port, "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD}
    )
    if status != 200:
        raise SystemExit(f"sign-in of {username} answered {status}: {payload[:200]!r}")
    return json.loads(payload)["token"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(port: int, probes: list[tuple[str, str, str, dict | None]], requests: int) -> dict:
    times: dict[str, list[float]] = {name: [] for name, *_ in probes}
    errors: Counter = Counter()
    for i in range(requests):
        name, path, token, body = probes[i % len(probes)]
        status, _, ms = request(port, "POST" if body else "GET", path, body, token)
        if status >= 400:
            errors[f"{name} {status}"] += 1
        times[name].append(ms)
    return {"times": times, "errors": errors}


def flood(port: int, stop: threading.Event, answers: Counter, lock: threading.Lock) -> None:
    body = {"category": "complaint", "text": "<script>alert(1)</script> " + "x" * 500}
    while not stop.is_set():
        try:
            status, _, _ = request(port, "POST", "/api/v1/public/feedback/", body)
        except OSError:
            status = -1
        with lock:
            answers[status] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument(
        "--seconds", type=float, default=30, help="at least; the probes set the end"
    )
    parser.add_argument("--requests", type=int, default=150, help="probe requests per phase")
    args = parser.parse_args()

    env = dict(os.environ, AMPARO_DEBUG="0")
    env.setdefault("AMPARO_HOME", "/tmp/amparo-flood")
    Path(env["AMPARO_HOME"]).mkdir(parents=True, exist_ok=True)
    marker = Path(env["AMPARO_HOME"]) / ".flood-demo-loaded"
    if "DATABASE_URL" in env:
        marker = Path(env["AMPARO_HOME"]) / (".flood-" + env["DATABASE_URL"].rsplit("/", 1)[-1])
    if not marker.exists():
        print("loading the demo (300 households) …", flush=True)
        subprocess.run([AMPARO, "demo", "--households", "300"], env=env, check=True, cwd=ROOT)
        marker.touch()
    port = free_port()
    log = open(Path(env["AMPARO_HOME"]) / "flood.serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [AMPARO, "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        for _ in range(120):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not start: see flood.serve.log")
        staff = token_for(port, "mye.hias")
        registrar = token_for(port, "registro.lagoagrio")
        probes = [
            ("feedback inbox API", "/api/v1/feedback/", staff, None),
            ("registry search API", "/api/v1/individuals/?search=maria", registrar, None),
            ("public form page", "/feedback/", "", None),
        ]
        idle = measure(port, probes, args.requests)

        stop, lock, answers = threading.Event(), threading.Lock(), Counter()
        flooders = [
            threading.Thread(target=flood, args=(port, stop, answers, lock))
            for _ in range(args.flooders)
        ]
        started = time.perf_counter()
        for thread in flooders:
            thread.start()
        time.sleep(2)  # the limit is reached: what follows is the flood as it lasts
        during = measure(port, probes, args.requests)
        while time.perf_counter() - started < args.seconds:
            time.sleep(0.5)
        stop.set()
        for thread in flooders:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()

    print(
        f"\nengine: {'PostgreSQL' if 'DATABASE_URL' in env else 'SQLite'}; "
        f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"flood: {args.flooders} threads, one address, {elapsed:.0f} s, "
        f"{sum(answers.values()) / elapsed:,.0f} requests/s; answers {dict(answers)}"
    )
    print(f"\n{'probe':<22} {'idle p50':>9} {'p95':>7} {'flood p50':>10} {'p95':>7}  (ms)")
    for name in idle["times"]:
        a, b = idle["times"][name], during["times"][name]
        print(
            f"{name:<22} {statistics.median(a):9.1f} {percentile(a, 0.95):7.1f} "
            f"{statistics.median(b):10.1f} {percentile(b, 0.95):7.1f}"
        )
    refused = idle["errors"] + during["errors"]
    print(f"\nprobe errors: {dict(refused) or 'none'}")
    print("reproduce: " + " ".join(["python", "bench/feedback_flood.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
