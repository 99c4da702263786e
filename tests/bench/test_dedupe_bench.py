"""`bench/dedupe.py` runs end to end at a tiny size, and its population generator,
`bench/dedupe_people.py`, gives what the figures rest on: the same set for a seed, every error
kind of its error model, train and eval profiles that differ. No database is needed."""

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from datetime import date

import pyarrow as pa

from tests.bench.test_registry_http import ROOT, bench_env


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "dedupe_people", ROOT / "bench" / "dedupe_people.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("dedupe_people", module)
    spec.loader.exec_module(module)
    return module


people = load_generator()

FIGURES = re.compile(
    r"^  (pairwise|clusters)\s+precision ([\d.]+)  recall ([\d.]+)  F1 ([\d.]+)$", re.M
)
CANDIDATES = re.compile(r"^  candidate pairs scored  ([\d,]+)$", re.M)
PEAK = re.compile(r"^  peak memory ([\d,]+) MB", re.M)


def test_dedupe_bench_scores_the_plain_model_at_a_tiny_size(tmp_path):
    command = [sys.executable, "bench/dedupe.py", "--people", "2000", "--models", "plain"]

    result = subprocess.run(
        command,
        cwd=ROOT,
        env=bench_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "plain Splink (Jaro-Winkler on names, exact DOB, blocks: first surname, DOB)" in out
    figures = {kind: tuple(map(float, rest)) for kind, *rest in FIGURES.findall(out)}
    assert set(figures) == {"pairwise", "clusters"}
    for precision, recall, f1 in figures.values():
        assert 0.9 < precision <= 1
        assert 0.6 < recall <= 1  # blocks on an exact surname or birth date miss the rest
        assert f1 > 0.75  # about 0.79 at this seed; a broken pipeline scores near 0
    assert int(CANDIDATES.search(out).group(1).replace(",", "")) > 1000
    assert int(PEAK.search(out).group(1).replace(",", "")) > 50
    assert re.search(r"^  wall time [\d.]+ s \(prepare [\d.]+, train [\d.]+, ", out, re.M)
    assert (
        "reproduce: PYTHONPATH=$PWD .venv/bin/python bench/dedupe.py --people 2000 --seed 2027 "
        "--profile eval --threshold 0.9 --models plain\n"
    ) in out


def test_generate_makes_the_columns_and_people_asked_for():
    table = people.generate(5000, seed=11, profile="eval")

    assert table.column_names == [*people.MODEL_COLUMNS, *people.TRUTH_COLUMNS]
    assert table.schema.field("dob_estimated").type == pa.bool_()
    rows = table.to_pylist()
    assert len({row["id"] for row in rows}) == len(rows)
    entities = Counter(row["entity_id"] for row in rows)
    assert len(entities) == 5000
    assert max(entities.values()) <= 4
    twice = sum(n > 1 for n in entities.values()) / 5000
    assert 0.09 < twice < 0.15  # the eval profile registers 12 % of people again
    assert {row["entity_id"] for row in rows if not row["errors"]} == set(entities)
    for row in rows:
        assert row["sex"] in {"F", "M", ""}
        assert row["area"] in {area for spec in people.HOSTS.values() for area in spec[1]}
        if row["date_of_birth"]:
            assert date.fromisoformat(row["date_of_birth"]) <= people.TODAY
        if row["dob_estimated"]:
            assert row["date_of_birth"][4:] in {"-01-01", "-07-01"}
        if row["document_type"] == "none":
            assert row["document_number"] == ""
        if not row["errors"] and row["phone"]:
            assert re.fullmatch(r"\+(58|593|57|51|56)\d{8,10}", row["phone"])


def test_generate_is_the_same_for_a_seed_and_differs_between_seeds():
    first = people.generate(3000, seed=5, profile="train")
    again = people.generate(3000, seed=5, profile="train")
    other = people.generate(3000, seed=6, profile="train")

    assert first.equals(again)
    assert not first.equals(other)


def test_generate_applies_every_error_kind_and_they_show_in_the_records():
    table = people.generate(20_000, seed=3, profile="eval")

    counts = people.error_counts(table)
    assert {kind for kind in people.ERROR_KINDS if counts[kind] == 0} == set()
    assert set(counts) == set(people.ERROR_KINDS)
    nicknames = {nick for nicks in people.NICKNAMES.values() for nick in nicks}
    for row in table.to_pylist():
        applied = set(row["errors"].split())
        if "dob_missing" in applied:
            assert row["date_of_birth"] == "" and not row["dob_estimated"]
        if "dob_estimated" in applied and "dob_missing" not in applied:
            assert row["dob_estimated"]
        if "doc_missing" in applied:
            assert (row["document_type"], row["document_number"]) == ("none", "")
        if "phone_missing" in applied:
            assert row["phone"] == ""
        if "sex_missing" in applied:
            assert row["sex"] == ""
        if "second_surname_dropped" in applied and "surnames_swapped" not in applied:
            assert row["second_surname"] == ""
        spelling = {"name_typo", "name_accent", "name_case_space", "compound_glued"}
        if "nickname" in applied and not applied & spelling:
            assert set(row["given_names"].split()) & nicknames


def test_train_and_eval_profiles_differ():
    train, evaluation = people.PROFILES["train"], people.PROFILES["eval"]

    differing = [k for k in people.ERROR_KINDS if train.rates[k] != evaluation.rates[k]]
    assert differing == list(people.ERROR_KINDS)
    assert train.dup_share != evaluation.dup_share
    shares = {}
    for profile in ("train", "eval"):
        table = people.generate(20_000, seed=9, profile=profile)
        extra = sum(1 for errors in table["errors"].to_pylist() if errors)
        counts = people.error_counts(table)
        shares[profile] = {kind: counts[kind] / extra for kind in ("nickname", "doc_missing")}
    assert shares["eval"]["nickname"] > shares["train"]["nickname"]
    assert shares["eval"]["doc_missing"] < shares["train"]["doc_missing"]


def load_bench():
    spec = importlib.util.spec_from_file_location("dedupe_bench", ROOT / "bench" / "dedupe.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_score_counts_links_and_pairs_within_clusters():
    bench = load_bench()
    entity_of = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "c1": "C"}  # 3 true pairs
    stats = {
        "pairs": pa.table(
            {
                "id_a": ["a1", "a2", "b1", "a1"],
                "id_b": ["a2", "a3", "c1", "a3"],
                "match_probability": [0.99, 0.95, 0.91, 0.5],  # the last is under 0.9
            }
        ),
        "clusters": pa.table(
            {"id": ["a1", "a2", "a3", "b1", "c1"], "cluster_id": ["x", "x", "x", "y", "y"]}
        ),
    }

    figures = bench.score(stats, entity_of, None, 0.9)

    assert figures["truth"] == 3
    assert figures["links"] == 3
    assert figures["link"][:2] == (2 / 3, 2 / 3)
    assert figures["cluster"][:2] == (3 / 4, 1.0)


def test_score_of_a_link_counts_only_pairs_across_the_two_sides():
    bench = load_bench()
    entity_of = {"l1": "A", "l2": "B", "r1": "A", "r2": "B", "r3": "B"}
    side_of = {"l1": 0, "l2": 0, "r1": 1, "r2": 1, "r3": 1}  # true pairs: l1-r1, l2-r2, l2-r3
    stats = {
        "pairs": pa.table(
            {"id_a": ["l1", "l2"], "id_b": ["r1", "r1"], "match_probability": [0.97, 0.93]}
        ),
        "clusters": pa.table(
            {"id": ["l1", "l2", "r1", "r2", "r3"], "cluster_id": ["x", "x", "x", "y", "y"]}
        ),
    }

    figures = bench.score(stats, entity_of, side_of, 0.9)

    assert figures["truth"] == 3
    assert figures["link"][:2] == (1 / 2, 1 / 3)
    assert figures["cluster"][:2] == (1 / 2, 1 / 3)  # x: l1-r1 right, l2-r1 wrong; y: one side
