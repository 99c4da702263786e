"""How long an uploaded registry import holds the worker, phase by phase (docs/benchmarks.md).

AMPARO_HOME=/tmp/bench-upload .venv/bin/python bench/import_upload.py --households 15500   # SQLite
DATABASE_URL=postgres://…/amparo_bench AMPARO_HOME=/tmp/bench-upload \
    .venv/bin/python bench/import_upload.py

A fresh instance (migrated, demo organizations), a file of the demo's synthetic people (about
3.2 rows per household: 15,500 households ≈ 50,000 rows, the upload limit), and the job the
import screen starts, run in this process: the time until the check is done, the time of the
saving step, and the peak memory.

`--probe`: meanwhile another user (another thread, its own connection) opens /healthz and their
home page over and over; prints the p95 and worst times and the failures. `--before` forces
what Amparo did before (one transaction on SQLite, the session saved on every page):

AMPARO_HOME=/tmp/bench-upload .venv/bin/python bench/import_upload.py --households 3000 --probe
AMPARO_HOME=/tmp/bench-before .venv/bin/python bench/import_upload.py --households 3000 \
    --probe --before
"""

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from amparo.core import jobs  # noqa: E402
from amparo.core.models import User  # noqa: E402
from amparo.demo import organizations, people  # noqa: E402
from amparo.registry import imports, tasks  # noqa: E402

settings.STORAGES["staticfiles"] = {  # pages rendered here, without collectstatic
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}


class Probe(threading.Thread):
    """Another user's pages, one after the other, until stopped: (path, seconds, outcome)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.results: list[tuple[str, float, str]] = []

    def run(self) -> None:
        browser = Client(SERVER_NAME="localhost")
        browser.force_login(User.objects.get(username="caso.quito"))
        while not self.stop.is_set():
            for path in ("/healthz", "/"):
                start = time.perf_counter()
                try:
                    outcome = str(browser.get(path).status_code)
                except Exception as exc:  # noqa: BLE001 - what the user would get: an error page
                    outcome = type(exc).__name__
                self.results.append((path, time.perf_counter() - start, outcome))
        connection.close()

    def summary(self) -> str:
        lines = []
        for path in ("/healthz", "/"):
            times = sorted(t for p, t, _o in self.results if p == path)
            failed = sum(1 for p, _t, o in self.results if p == path and o != "200")
            p95 = times[0]
            if len(times) > 1:
                p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
            lines.append(
                f"  {path}: {len(times)} requests, p95 {p95 * 1000:.0f} ms, "
                f"worst {times[-1] * 1000:.0f} ms, {failed} failed"
            )
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=15_500)
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--probe", action="store_true", help="another user's pages meanwhile")
    parser.add_argument("--before", action="store_true", help="one transaction, session saves")
    args = parser.parse_args()
    if args.before:
        imports.batches_commit_separately = lambda: False
        settings.SESSION_SAVE_EVERY_REQUEST = True
    call_command("migrate", verbosity=0)
    organizations.load()
    path = Path(os.environ.get("AMPARO_HOME", "var")) / "bench-upload.csv"
    households = people.generate_households(
        args.households, seed=args.seed, offices=("hias-ec/lago-agrio",)
    )
    rows = people.write_csv(households, path)
    owner = User.objects.get(username="registro.lagoagrio")  # that office's registration officer
    marks: dict[str, float] = {}
    probe = Probe()

    class Clock(jobs.Progress):
        def __call__(self, done, total=None, phase=""):
            if phase:
                marks.setdefault(phase, time.perf_counter())
            if phase == "saving" and args.probe:
                probe.start()
            super().__call__(done, total, phase)

    with transaction.atomic():
        job = jobs.start(
            owner=owner,
            handler=tasks.import_file,
            params={"office": "", "mapping": {}, "dry_run": False, "valid_rows_only": False},
            data=path.read_bytes(),
            filename=path.name,
        )
    job.refresh_from_db()
    start = time.perf_counter()
    result = tasks.import_file(job=job, data=path.read_bytes(), progress=Clock(job))
    end = time.perf_counter()
    probe.stop.set()
    if args.probe:
        probe.join()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{rows:,} rows, {result['imported_households']:,} households imported "
        f"({result['problems']} problems): check {marks['saving'] - start:.1f} s, "
        f"saving {end - marks['saving']:.1f} s, peak {peak:.0f} MB"
    )
    if args.probe:
        print("another user meanwhile" + (" (before: one transaction)" if args.before else ""))
        print(probe.summary())


if __name__ == "__main__":
    main()
