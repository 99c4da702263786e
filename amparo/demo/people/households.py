"""The household generator: one ``random.Random(seed)`` stream, households one after another.

A household is drawn in steps: who lives in it (``composition``), then each member's names,
date of birth, population group, document, phone and consents, then the specific needs and
the registration date. Every step draws from the same stream, so the order of the draws is
part of the output: moving one changes every household that follows it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from datetime import date

from amparo.demo.people import documents, names
from amparo.demo.people.composition import Composition, compose
from amparo.demo.people.dates import Calendar
from amparo.demo.people.needs import add_specific_needs
from amparo.demo.people.records import DEFAULT_OFFICES, DEFAULT_TODAY, Household, Person


def generate_households(
    count: int,
    *,
    seed: int = 2026,
    offices: Sequence[str] = DEFAULT_OFFICES,
    today: date | None = None,
) -> Iterator[Household]:
    """Yield ``count`` synthetic households, deterministically for equal arguments."""
    if count < 0:
        raise ValueError("count must not be negative")
    offices = tuple(offices)
    if not offices:
        raise ValueError("at least one office is needed")
    today = DEFAULT_TODAY if today is None else today
    return _generate(count, seed, offices, today)


def generate_people(
    count_households: int,
    *,
    seed: int = 2026,
    offices: Sequence[str] = DEFAULT_OFFICES,
    today: date | None = None,
) -> Iterator[tuple[Household, Person]]:
    """Yield ``(household, person)`` for every member of ``count_households`` households."""
    for household in generate_households(count_households, seed=seed, offices=offices, today=today):
        for person in household.members:
            yield household, person


def _generate(count: int, seed: int, offices: tuple[str, ...], today: date) -> Iterator[Household]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    calendar = Calendar(today)
    host_of = {office: names.office_country(office) for office in offices}
    issued: set[str] = set()  # documents given out: unique within the run
    person_refs = (f"P-{seed}-{n}" for n in itertools.count(1))
    for n in range(1, count + 1):
        office = rng.choice(offices)
        household = compose(rng, host_of[office])
        people = _people(rng, household, calendar, issued, person_refs)
        add_specific_needs(rng, people, household)
        registered_on = calendar.registration_date(rng, max(p.date_of_birth for p in people))
        yield Household(
            ref=f"H-{seed}-{n}", office=office, members=people, registered_on=registered_on
        )


def _people(
    rng: random.Random,
    household: Composition,
    calendar: Calendar,
    issued: set[str],
    refs: Iterator[str],
) -> list[Person]:
    """Name each member, then their date of birth, population group, document and phone."""
    host = household.host
    family = names.family(rng, household.head.nationality)
    people: list[Person] = []
    for index, (relationship, sex, age, nationality) in enumerate(household.members):
        given, first, second = names.name(rng, family, relationship, sex, nationality)
        twin = household.twin_of.get(index)
        if twin is None:
            dob, dob_estimated = calendar.birth_date(rng, age)
        else:  # twins share their date of birth, estimated or not
            dob, dob_estimated = people[twin].date_of_birth, people[twin].dob_estimated
        group = _population_group(rng, household, nationality)
        doc_type = documents.document_type(rng, age, nationality, host, group)
        doc_number, doc_country = documents.issue(
            rng, issued, doc_type, nationality, host, dob.year, age, calendar.today.year
        )
        phone = documents.phone(rng, relationship, age, nationality, host)
        contact = rng.random() < (0.93 if relationship == "head" else 0.85)
        sharing = rng.random() < (0.82 if contact else 0.3)
        person = Person(
            ref=next(refs),
            given_names=given,
            first_surname=first,
            second_surname=second,
            sex=sex,
            date_of_birth=dob,
            dob_estimated=dob_estimated,
            nationality=nationality,
            population_group=group,
            relationship=relationship,
            phone=phone,
            document_type=doc_type,
            document_number=doc_number,
            document_country=doc_country,
            specific_needs=(),
            contact_consent=contact,
            data_sharing_consent=sharing,
        )
        family.add(person)
        people.append(person)
    return people


def _population_group(rng: random.Random, household: Composition, nationality: str) -> str:
    """The head's group, except for nationals in a foreign household (host community) and
    foreigners in a national one (migrants)."""
    if nationality == household.host:
        return household.group if household.head_is_national else "host_community"
    if household.head_is_national:
        return "migrant_regular" if rng.random() < 0.7 else "migrant_irregular"
    return household.group
