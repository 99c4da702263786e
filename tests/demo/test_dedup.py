"""The demo's duplicates: people registered twice at HIAS Ecuador, found by a run and
waiting for review; loaded once."""

from amparo.dedup.models import CandidatePair, Run
from amparo.demo import dedup, organizations, registry
from amparo.registry.models import Individual


def test_demo_registers_people_twice_and_finds_them_once(db):
    organizations.load()
    registry.load(300, seed=2026)

    first = dedup.load()
    second = dedup.load()

    run = Run.objects.get()
    assert run.started_by.username == dedup.MANAGER
    assert second == {"pairs": 0}
    twice = Individual.objects.filter(household__registered_by__username=dedup.OFFICER)
    found = {frozenset(pair) for pair in CandidatePair.objects.values_list("first_id", "second_id")}
    assert twice.count() == dedup.TWICE  # the registry's own households have another registrar
    caught = sum(any(p.pk in pair for pair in found) for p in twice)
    assert first["pairs"] == run.pairs
    assert caught >= 9, found  # of the twelve second records, with one or two slips each
