from amparo.core.models import AuditEvent
from amparo.demo import organizations, people
from amparo.demo import registry as demo_registry
from amparo.registry.models import Document, Household, Individual


def test_demo_registry_load_is_complete_and_idempotent(db):
    organizations.load()
    generated = list(people.generate_households(60, seed=5))

    first = demo_registry.load(60, seed=5)
    second = demo_registry.load(60, seed=5)

    expected_people = sum(len(h.members) for h in generated)
    assert first == {"households": 60, "individuals": expected_people, "skipped": 0}
    assert second == {"households": 0, "individuals": 0, "skipped": 60}
    assert Household.objects.count() == 60
    assert Individual.objects.count() == expected_people
    assert Individual.objects.filter(is_head=True).count() == 60
    assert Document.objects.count() == sum(
        1 for h in generated for p in h.members if p.document_type
    )
    assert len(set(Household.objects.values_list("organization", "reference"))) == 60
    assert AuditEvent.objects.filter(action="registry.household.loaded").count() == 2


def test_demo_registry_people_are_searchable_by_the_office_team(db):
    from amparo.core.models import User
    from amparo.registry.search import search_individuals

    organizations.load()
    demo_registry.load(40, seed=9)
    officer = User.objects.get(username="registro.tulcan")
    person = Individual.objects.filter(household__office=officer.office).first()

    hits = search_individuals(officer, f"{person.given_names} {person.first_surname}", region="EC")

    assert person in [h.individual for h in hits]
    assert all(h.individual.household.office_id == officer.office_id for h in hits)
