"""Merging two records of one person: everything moves, the other stays as a tombstone, the
access rules hold, and an administrator's undo puts everything back exactly."""

import pytest
from django.db.models import ManyToManyField
from django.http import Http404
from django.urls import reverse

from amparo.cases import actions as case_actions
from amparo.core.errors import ActionError
from amparo.dedup import actions
from amparo.dedup.models import Decision, Merge
from amparo.feedback import actions as feedback_actions
from amparo.registry import actions as registry_actions
from amparo.registry.models import Individual, NeedNotice
from tests.case_fixtures import caseworker, gbv_specialist, quito  # noqa: F401
from tests.factories import member


@pytest.fixture
def officer(make_user, quito):  # noqa: F811
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def manager(make_user, org_a):
    return make_user("information_manager", organization=org_a, username="gestion")


def register(officer, office, **fields):
    household = registry_actions.register_household(
        actor=officer, office=office, members=[member(**fields)]
    )
    return household.members.get()


@pytest.fixture
def twice(officer, quito, caseworker, gbv_specialist):  # noqa: F811
    """María José registered twice: once with her cédula, once as "Majo" without the second
    surname, a new phone and a need the GBV team was told about; a case, a GBV case and a
    complaint hang off the second record."""
    first = register(officer, quito)
    second = register(
        officer,
        quito,
        given_names="Majo",
        second_surname="",
        phone="0987654321",
        documents=[{"type": "passport", "number": "P1234567", "issuing_country": "VE"}],
        specific_needs=["survivor_violence", "single_parent"],
        languages=["es", "qu"],
    )
    case = case_actions.open_case(
        actor=caseworker, individuals=[second], type="protection", risk_level="low"
    )
    shared = case_actions.open_case(
        actor=caseworker, individuals=[first], type="child_protection", risk_level="low"
    )
    shared.individuals.add(second)
    gbv = case_actions.open_case(
        actor=gbv_specialist, individuals=[second], type="gbv", risk_level="high"
    )
    entry, _code = feedback_actions.receive_feedback(
        organization=quito.organization,
        office=quito,
        category="complaint",
        text="No me llamaron",
        channel="hotline",
        actor=caseworker,
        individual=second,
    )
    return {"first": first, "second": second, "case": case, "gbv": gbv, "entry": entry}


def state() -> dict:
    """Every row that points at a person, and every person's stored values."""
    rows = {}
    for (label, name), field in actions.relations_to_individual().items():
        if isinstance(field, ManyToManyField):
            through = field.remote_field.through
            rows[(label, name)] = sorted(
                through.objects.values_list(
                    f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
                )
            )
        else:
            rows[(label, name)] = sorted(field.model._base_manager.values_list("pk", field.attname))
    people = {
        p["id"]: {k: v for k, v in p.items() if k != "updated_at"}
        for p in Individual.with_merged.values()
    }
    return {"rows": rows, "people": people}


def test_every_relation_to_a_person_has_a_merge_rule():
    """Add a foreign key to Individual and this fails until `actions.RELATIONS` says whether
    a merge moves its rows or keeps them."""
    assert set(actions.relations_to_individual()) == set(actions.RELATIONS)


@pytest.mark.django_db
def test_merge_moves_everything_and_the_undo_restores_it_exactly(twice, manager, admin_a):
    first, second = twice["first"], twice["second"]
    before = state()
    assert NeedNotice.objects.filter(individual=second).exists()

    merge = actions.merge(
        actor=manager,
        survivor_id=first.uuid,
        merged_id=second.uuid,
        choices={"phone": "merged"},
    )

    tombstone = Individual.with_merged.get(pk=second.pk)
    assert tombstone.merged_into_id == first.pk
    assert not Individual.objects.filter(pk=second.pk).exists()
    first.refresh_from_db()
    assert first.phone == "+593987654321"  # chosen from the merged record
    assert first.given_names == "María José"  # kept
    assert "Majo" in first.other_names  # the other spelling is kept, as an alias
    assert set(first.specific_needs) >= {"survivor_violence", "single_parent"}
    assert "qu" in first.languages
    assert set(first.documents.values_list("number", flat=True)) == {"V-12.345.678", "P1234567"}
    for case in (twice["case"], twice["gbv"]):
        assert list(case.individuals.values_list("pk", flat=True)) == [first.pk]
    twice["entry"].refresh_from_db()
    assert twice["entry"].individual_id == first.pk
    assert NeedNotice.objects.filter(individual=first).exists()
    assert not NeedNotice.objects.filter(individual=second).exists()
    assert Decision.objects.get().verdict == "same"
    after = state()
    for key in actions.RELATIONS:
        if actions.RELATIONS[key] == actions.MOVE and key != ("registry.Individual", "merged_into"):
            assert second.pk not in {row[1] for row in after["rows"][key]}, key

    with pytest.raises(Http404):  # only those who may undo merges
        actions.undo_merge(actor=manager, merge_record=merge)
    actions.undo_merge(actor=admin_a, merge_record=merge)

    restored = state()
    for key, rule in actions.RELATIONS.items():
        if rule == actions.MOVE:
            assert restored["rows"][key] == before["rows"][key], key
    assert restored["people"] == before["people"]
    assert Merge.objects.get().undone_at is not None
    assert not Decision.objects.exists()
    with pytest.raises(ActionError):
        actions.undo_merge(actor=admin_a, merge_record=merge)


@pytest.mark.django_db
def test_an_earlier_tombstone_follows_the_next_merge(officer, quito, manager):  # noqa: F811
    a, b, c = (register(officer, quito, given_names=n) for n in ("Ana", "Anita", "Ana María"))
    actions.merge(actor=manager, survivor_id=b.uuid, merged_id=c.uuid)
    actions.merge(actor=manager, survivor_id=a.uuid, merged_id=b.uuid)
    assert Individual.with_merged.get(pk=c.pk).merged_into_id == a.pk


@pytest.mark.django_db
def test_a_reviewer_who_cannot_see_both_records_cannot_merge(
    twice,
    make_user,
    office_a2,
    quito,  # noqa: F811
    caseworker,  # noqa: F811
):
    elsewhere = make_user("information_manager", office=None, organization=None)
    other_office = make_user("registration_officer", office=office_a2)
    for user in (elsewhere, other_office, caseworker):
        with pytest.raises(Http404):
            actions.merge(
                actor=user, survivor_id=twice["first"].uuid, merged_id=twice["second"].uuid
            )
    assert Individual.objects.count() == 2


@pytest.mark.django_db
def test_bad_choices_are_refused_and_nothing_changes(twice, manager):
    first = twice["first"]
    for choices in ({"phone": "both"}, {"colour": "merged"}):
        with pytest.raises(ActionError):
            actions.merge(
                actor=manager,
                survivor_id=first.uuid,
                merged_id=twice["second"].uuid,
                choices=choices,
            )
    with pytest.raises(ActionError):
        actions.merge(actor=manager, survivor_id=first.uuid, merged_id=first.uuid)
    assert Individual.objects.count() == 2
    assert not Merge.objects.exists()


@pytest.mark.django_db
def test_the_survivor_may_take_the_other_household(officer, quito, manager):  # noqa: F811
    lone = register(officer, quito, given_names="Luis", sex="M")
    household = registry_actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(given_names="Rosa"),
            member(given_names="Lucho", sex="M", relationship="spouse"),
        ],
    )
    spouse = household.members.get(given_names="Lucho")
    actions.merge(
        actor=manager, survivor_id=lone.uuid, merged_id=spouse.uuid, choices={"household": "merged"}
    )
    lone.refresh_from_db()
    assert (lone.household_id, lone.relationship) == (household.pk, "spouse")
    assert sorted(household.members.values_list("given_names", flat=True)) == ["Luis", "Rosa"]


@pytest.mark.django_db
def test_a_head_with_members_is_not_merged_away_from_them(officer, quito, manager):  # noqa: F811
    lone = register(officer, quito, given_names="Rosa")
    household = registry_actions.register_household(
        actor=officer,
        office=quito,
        members=[
            member(given_names="Rosa María"),
            member(given_names="Lucho", sex="M", relationship="spouse"),
        ],
    )
    head = household.members.get(is_head=True)
    with pytest.raises(ActionError) as refused:
        actions.merge(actor=manager, survivor_id=lone.uuid, merged_id=head.uuid)
    assert list(refused.value.errors) == ["household"]
    assert head.full_name in refused.value.errors["household"][0]
    assert household.members.filter(is_head=True).get() == head
    assert not Merge.objects.exists()
    # Keeping that record's household, the survivor becomes its head.
    actions.merge(
        actor=manager, survivor_id=lone.uuid, merged_id=head.uuid, choices={"household": "merged"}
    )
    assert household.members.filter(is_head=True).get() == lone


@pytest.mark.django_db
def test_an_old_identifier_leads_to_the_person(client, twice, manager, caseworker):  # noqa: F811
    actions.merge(actor=manager, survivor_id=twice["first"].uuid, merged_id=twice["second"].uuid)
    client.force_login(caseworker)
    old = client.get(reverse("registry:individual", args=[twice["second"].uuid]))
    assert old.status_code == 302
    assert old["Location"] == reverse("registry:individual", args=[twice["first"].uuid])
    page = client.get(old["Location"])
    assert page.status_code == 200
    # Both records' histories, and the GBV case (which the caseworker may not see) nowhere.
    assert page.content.decode().count("Majo") >= 1
    assert twice["gbv"].reference not in page.content.decode()
