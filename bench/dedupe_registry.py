"""Deduplicating a whole registry in the database: reading it, training, scoring, clustering
and writing the pairs back, as `amparo dedupe run` does it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench1m \\
        .venv/bin/python bench/dedupe_registry.py [--threshold 0.9] [--organization CODE]

Runs `dedup.actions.run_deduplication` with a model trained afresh over every person in the
database (a national registry: every organization's people taken as one, the run filed under
the first organization) or one organization's. Load the people first with
`bench/registry_search.py --people 1000000` (about 4 minutes). Prints the time of each phase,
the total, the pairs written and this process's peak RSS. The demo's people hold no planted
duplicates: quality is `bench/dedupe.py`'s job; this measures time and memory through the
database.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--organization", help="one organization's code (default: everyone)")
    args = parser.parse_args()

    import django

    django.setup()
    from amparo.core.models import Organization
    from amparo.dedup import actions
    from amparo.registry.models import Individual

    if args.organization:
        organization = Organization.objects.get(code=args.organization)
        people = Individual.objects.filter(organization=organization)
    else:
        organization = Organization.objects.order_by("pk").first()
        people = Individual.objects.all()
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()

    peaks: list[str] = []

    def progress(done, total=None, phase=""):
        if phase and (not marks or marks[-1][0] != phase):
            marks.append((phase, time.perf_counter()))
            peaks.append(
                f"{phase} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f}"
            )

    run = actions.run_deduplication(
        organization=organization,
        people=people,
        started_by=None,
        threshold=args.threshold,
        retrain=True,
        progress=progress,
    )
    ended = time.perf_counter()
    marks.append(("end", ended))
    for (phase, at), (_next, until) in zip(marks, marks[1:], strict=False):
        print(f"  {phase}: {until - at:.1f} s")
    print(f"  inside the linkage: {run.seconds}")
    print(f"  peak RSS (MB) when each phase began: {'; '.join(peaks)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{run.people:,} people, {run.pairs:,} pairs in {run.clusters:,} groups written; "
        f"total {ended - started:.1f} s, peak RSS {peak:,.0f} MB"
    )
    command = " ".join(["bench/dedupe_registry.py", *sys.argv[1:]])
    print(
        f"reproduce: DATABASE_URL={os.environ.get('DATABASE_URL', '')} .venv/bin/python {command}"
    )


if __name__ == "__main__":
    main()
