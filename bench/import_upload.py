"""How long an uploaded registry import holds the worker, phase by phase (docs/benchmarks.md).

AMPARO_HOME=/tmp/bench-upload .venv/bin/python bench/import_upload.py --households 15500   # SQLite
DATABASE_URL=postgres://…/amparo_bench AMPARO_HOME=/tmp/bench-upload \
    .venv/bin/python bench/import_upload.py

A fresh instance (migrated, demo organizations), a file of the demo's synthetic people (about
3.2 rows per household: 15,500 households ≈ 50,000 rows, the upload limit), and the job the
import screen starts, run in this process: the time until the check is done, the time of the
saving step (on SQLite the database's write lock is held for it), and the peak memory.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from amparo.core import jobs  # noqa: E402
from amparo.core.models import User  # noqa: E402
from amparo.demo import organizations, people  # noqa: E402
from amparo.registry import tasks  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=15_500)
    parser.add_argument("--seed", type=int, default=77)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    organizations.load()
    path = Path(os.environ.get("AMPARO_HOME", "var")) / "bench-upload.csv"
    households = people.generate_households(
        args.households, seed=args.seed, offices=("hias-ec/lago-agrio",)
    )
    rows = people.write_csv(households, path)
    owner = User.objects.get(username="registro.lagoagrio")  # that office's registration officer
    marks: dict[str, float] = {}

    class Clock(jobs.Progress):
        def __call__(self, done, total=None, phase=""):
            if phase:
                marks.setdefault(phase, time.perf_counter())
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{rows:,} rows, {result['imported_households']:,} households imported "
        f"({result['problems']} problems): check {marks['saving'] - start:.1f} s, "
        f"saving {end - marks['saving']:.1f} s, peak {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
