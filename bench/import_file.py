"""Write a registry file of synthetic people for the import benchmark (docs/benchmarks.md).

.venv/bin/python bench/import_file.py --households 320000 /tmp/import-1m.csv   # ≈1,000,000 rows

The rows are those of `amparo.demo.people` (the demo organizations' offices), in the format
`amparo import-registry` reads.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amparo.demo import people  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--households", type=int, default=320_000)
    parser.add_argument("--seed", type=int, default=4242)
    args = parser.parse_args()
    rows = people.write_csv(people.generate_households(args.households, seed=args.seed), args.path)
    print(f"{rows:,} rows, {args.path.stat().st_size / 1e6:.0f} MB: {args.path}")


if __name__ == "__main__":
    main()
