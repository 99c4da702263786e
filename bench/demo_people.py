"""Throughput of the synthetic-people generator (feeds the demo and the registry benchmarks).

.venv/bin/python bench/demo_people.py [--households 100000] [--csv /tmp/people.csv]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amparo.demo import people  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--csv", type=Path, help="also write the CSV and time it")
    args = parser.parse_args()

    start = time.perf_counter()
    count = sum(len(h.members) for h in people.generate_households(args.households, seed=args.seed))
    elapsed = time.perf_counter() - start
    print(
        f"generated {args.households:,} households / {count:,} people in {elapsed:.2f} s "
        f"({count / elapsed:,.0f} people/s)"
    )
    if args.csv:
        start = time.perf_counter()
        rows = people.write_csv(
            people.generate_households(args.households, seed=args.seed), args.csv
        )
        elapsed = time.perf_counter() - start
        size = args.csv.stat().st_size / 1e6
        print(
            f"wrote {rows:,} rows ({size:.1f} MB) in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
