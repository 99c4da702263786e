"""Privacy-preserving linkage between two agencies, on known truth: time, precision, recall.

    .venv/bin/python bench/pprl.py [--people 25000] [--seed 2027] [--profile eval]
        [--dup-share 0.4] [--threshold 0.8] [--sweep]

Generates a population with `bench/dedupe_people.py` (its `eval` profile and a seed of its
own: tune on `--profile train` with another seed), deals each record to agency A or B at
random (an entity with several records may be served by both), encodes both halves with one
secret (`amparo.dedup.pprl.encode`) and links them (`pprl.link`). The truth is every pair of
an A record and a B record of one entity. Prints the records per side, the seconds to encode
and to link, precision and recall at `--threshold` (`--sweep`: at several thresholds, and the
missed pairs' error kinds).
"""

import argparse
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from random import Random

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dedupe_people  # noqa: E402

from amparo.dedup import pprl  # noqa: E402


def split(table: pa.Table, seed: int) -> tuple[pa.Table, pa.Table]:
    rng = Random(seed)
    sides = [rng.random() < 0.5 for _ in range(table.num_rows)]
    mask = pa.array(sides)
    return table.filter(mask), table.filter(pa.compute.invert(mask))


def truth(a: pa.Table, b: pa.Table) -> set[tuple[str, str]]:
    by_entity: dict[str, list[str]] = {}
    for rid, entity in zip(
        b.column("id").to_pylist(), b.column("entity_id").to_pylist(), strict=True
    ):
        by_entity.setdefault(entity, []).append(rid)
    pairs = set()
    for rid, entity in zip(
        a.column("id").to_pylist(), a.column("entity_id").to_pylist(), strict=True
    ):
        pairs.update((rid, other) for other in by_entity.get(entity, ()))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--profile", default="eval")
    parser.add_argument("--dup-share", type=float, default=0.4)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()

    import pyarrow.compute  # noqa: F401 — pa.compute

    people = dedupe_people.generate(args.people, args.seed, args.profile, args.dup_share)
    a, b = split(people, args.seed)
    expected = truth(a, b)
    secret = secrets.token_urlsafe(32).encode()
    started = time.perf_counter()
    encoded_a = pprl.encode(dedupe_people.model_input(a), secret)
    encoded_b = pprl.encode(dedupe_people.model_input(b), secret)
    encoding = time.perf_counter() - started
    lowest = min(0.5, args.threshold) if args.sweep else args.threshold
    started = time.perf_counter()
    found = pprl.link(encoded_a, encoded_b, threshold=lowest)
    linking = time.perf_counter() - started
    print(
        f"{a.num_rows:,} × {b.num_rows:,} records, {len(expected):,} true pairs; "
        f"encoding {encoding:.1f} s, linking {linking:.1f} s"
    )
    rows = list(
        zip(
            *(found.column(c).to_pylist() for c in ("id_a", "id_b", "score", "reasons")),
            strict=True,
        )
    )
    thresholds = [0.5, 0.7, 0.8, 0.9, 0.95, 0.99] if args.sweep else [args.threshold]
    for threshold in thresholds:
        chosen = {(x, y) for x, y, score, _r in rows if score >= threshold}
        hits = len(chosen & expected)
        precision = hits / len(chosen) if chosen else 1.0
        recall = hits / len(expected) if expected else 1.0
        print(
            f"threshold {threshold:.2f}: {len(chosen):,} pairs, "
            f"precision {precision:.4f}, recall {recall:.4f}"
        )
    if args.sweep:
        errors = dict(
            zip(people.column("id").to_pylist(), people.column("errors").to_pylist(), strict=True)
        )
        chosen = {(x, y) for x, y, score, _r in rows if score >= args.threshold}
        missed = Counter()
        for x, y in expected - chosen:
            missed.update((errors[x] + " " + errors[y]).split())
        print("missed pairs' error kinds:", missed.most_common(12))
        false = [
            (x, y, s, r) for x, y, s, r in rows if s >= args.threshold and (x, y) not in expected
        ]
        for x, y, s, r in false[:15]:
            print("false", x, y, s, r)


if __name__ == "__main__":
    main()
