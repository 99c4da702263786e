"""Specific needs, drawn once the whole household is known: a woman at risk is likelier when
she heads the household alone, a single parent has children and no spouse, every child of a
child-headed household is unaccompanied."""

from __future__ import annotations

import random

from amparo.demo.people.composition import Composition, Member
from amparo.demo.people.records import Person


def add_specific_needs(rng: random.Random, people: list[Person], household: Composition) -> None:
    """Set the specific needs of ``people``, the named members of ``household``, in order."""
    relationships = {m.relationship for m in household.members}
    for person, member in zip(people, household.members, strict=True):
        person.specific_needs = _needs(
            rng,
            member,
            child_headed=household.child_headed,
            has_spouse="spouse" in relationships,
            has_children="child" in relationships,
        )


def _needs(
    rng: random.Random, member: Member, *, child_headed: bool, has_spouse: bool, has_children: bool
) -> tuple[str, ...]:
    relationship, sex, age, _nationality = member
    rnd = rng.random
    needs = []
    if sex == "F" and age >= 15:
        alone = relationship == "head" and not has_spouse
        if rnd() < (0.15 if alone else 0.03):
            needs.append("woman_at_risk")
    if age < 18 and (
        child_headed
        or (relationship == "non_relative" and rnd() < 0.6)
        or (relationship == "other_relative" and rnd() < 0.1)
    ):
        needs.append("uasc")
    if age >= 5 and rnd() < 0.025:
        needs.append("survivor_violence")
    if rnd() < (0.08 if age >= 60 else 0.03):
        needs.append("serious_medical")
    if age >= 60 and rnd() < 0.35:
        needs.append("older_at_risk")
    if (
        relationship == "head"
        and has_children
        and not has_spouse
        and rnd() < (0.45 if sex == "F" else 0.25)
    ):
        needs.append("single_parent")
    if rnd() < (0.10 if age >= 60 else 0.025):
        needs.append("disability")
    if 12 <= age <= 35 and rnd() < 0.015:
        needs.append("trafficking_risk")
    return tuple(needs)
