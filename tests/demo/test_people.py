"""The synthetic-people generator: deterministic, realistic, internally consistent. No database."""

import csv
import io
import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.demo import people

TODAY = people.DEFAULT_TODAY


def households(count=300, seed=7):
    return list(people.generate_households(count, seed=seed))


def test_generate_households_same_seed_gives_identical_output():
    assert households(seed=11) == households(seed=11)


def test_generate_households_different_seed_gives_different_people():
    first = [p.full_name for h in households(seed=1) for p in h.members]
    second = [p.full_name for h in households(seed=2) for p in h.members]

    assert first != second


def test_generate_households_yields_the_requested_count_with_unique_refs():
    result = households(count=500)

    assert len(result) == 500
    assert len({h.ref for h in result}) == 500
    refs = [p.ref for h in result for p in h.members]
    assert len(refs) == len(set(refs))


def test_households_have_exactly_one_head_and_realistic_sizes():
    result = households(count=2000)

    sizes = [len(h.members) for h in result]
    assert all(sum(p.relationship == "head" for p in h.members) == 1 for h in result)
    assert min(sizes) >= 1 and max(sizes) <= 8
    assert 2.5 <= sum(sizes) / len(sizes) <= 3.8


def test_children_are_younger_than_head_and_spouses_are_adults():
    for h in households(count=1000):
        head_age = h.head.age_on(TODAY)
        for p in h.members:
            if p.relationship == "child":
                assert head_age - p.age_on(TODAY) >= 15, (h.ref, p.ref)
            if p.relationship == "spouse":
                assert p.age_on(TODAY) >= 16, (h.ref, p.ref)


def test_children_carry_the_heads_surname_in_spanish_naming():
    checked = 0
    for h in households(count=500):
        head = h.head
        if head.nationality not in {"VE", "CO", "EC"}:
            continue
        for p in h.members:
            if p.relationship == "child":
                assert head.first_surname in {p.first_surname, p.second_surname}
                checked += 1
    assert checked > 100


def test_specific_needs_are_consistent_with_age_and_household():
    for h in households(count=2000):
        has_spouse = any(p.relationship == "spouse" for p in h.members)
        for p in h.members:
            age = p.age_on(TODAY)
            assert set(p.specific_needs) <= set(people.SPECIFIC_NEEDS)
            if "uasc" in p.specific_needs:
                assert age < 18
            if "older_at_risk" in p.specific_needs:
                assert age >= 60
            if "single_parent" in p.specific_needs:
                assert p.relationship == "head" and not has_spouse


def test_phones_are_e164_and_documents_are_complete():
    result = households(count=1000)
    members = [p for h in result for p in h.members]

    phones = [p.phone for p in members if p.phone]
    assert phones and all(re.fullmatch(r"\+\d{8,15}", phone) for phone in phones)
    assert sum(p.relationship == "head" and bool(p.phone) for p in members) > 0.6 * len(result)
    for p in members:
        if p.document_type:
            assert p.document_type in people.DOCUMENT_TYPES
            assert p.document_number and len(p.document_country) == 2
        else:
            assert (p.document_number, p.document_country) == ("", "")


def test_nationality_sex_and_age_distribution_are_plausible():
    members = [p for h in households(count=2000) for p in h.members]
    total = len(members)

    nationality = Counter(p.nationality for p in members)
    female = sum(p.sex == "F" for p in members) / total
    children = sum(p.age_on(TODAY) < 18 for p in members) / total
    older = sum(p.age_on(TODAY) >= 60 for p in members) / total
    assert 0.60 <= nationality["VE"] / total <= 0.80
    assert 0.08 <= nationality["CO"] / total <= 0.22
    assert {"EC", "HT", "CU"} <= set(nationality)
    assert 0.47 <= female <= 0.57
    assert 0.25 <= children <= 0.50
    assert older <= 0.10


def test_write_csv_writes_header_and_one_row_per_person():
    result = households(count=50)
    out = io.StringIO()

    rows = people.write_csv(result, out)

    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows == sum(len(h.members) for h in result) == len(parsed)
    assert tuple(parsed[0]) == people.CSV_COLUMNS
    assert parsed[0]["relationship"] == "head"
    assert parsed[0]["household_ref"] == result[0].ref


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10_000), count=st.integers(1, 40))
def test_any_seed_gives_one_head_and_no_future_birth_dates(seed, count):
    for h in people.generate_households(count, seed=seed):
        assert sum(p.relationship == "head" for p in h.members) == 1
        assert all(p.date_of_birth <= TODAY for p in h.members)
        assert h.registered_on <= TODAY
