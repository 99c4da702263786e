"""The household generator: one ``random.Random(seed)`` stream, households one after another."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date

from amparo.demo.people import documents, names
from amparo.demo.people.composition import compose
from amparo.demo.people.dates import Calendar
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
    cultures = names.cultures()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    rnd = rng.random
    choice = rng.choice
    office_country = {o: names.office_country(o) for o in offices}

    calendar = Calendar(today)
    issued: set[str] = set()

    person_n = 0

    for household_n in range(1, count + 1):
        office = choice(offices)
        host = office_country[office]
        family = compose(rng, host)
        members = family.members
        twin_of = family.twin_of
        child_headed = family.child_headed
        head_nat = family.head.nationality
        head_is_national = family.head_is_national
        head_group = family.group

        # ---- people
        household_ref = f"H-{seed}-{household_n}"
        head = None
        spouse = None
        people = []
        has_children = False
        head_culture = cultures[names.CULTURE_OF.get(head_nat, "ve")]
        # The surname of a child's absent parent, shared by all the children of the household.
        absent_surname = choice(head_culture.surnames)
        for index, (relationship, sex, age, nat) in enumerate(members):
            person_n += 1
            # names
            if relationship in ("head", "spouse", "non_relative", "other_relative", "parent"):
                culture = cultures[names.CULTURE_OF.get(nat, "ve")]
            else:
                culture = head_culture
            given = choice(
                culture.female if sex == "F" or (sex == "X" and rnd() < 0.5) else culture.male
            )
            surnames = head_culture.surnames
            spanish = head_culture.spanish_naming
            if relationship in ("head", "spouse", "non_relative"):
                first = choice(culture.surnames)
                second = choice(culture.surnames) if culture.spanish_naming else ""
            elif relationship == "child":
                first = head.first_surname
                if not spanish:
                    second = ""
                elif spouse is not None:
                    second = spouse.first_surname
                elif head.sex == "F":
                    second = head.second_surname
                else:
                    second = absent_surname
            elif relationship == "sibling":
                first, second = head.first_surname, head.second_surname
            elif relationship == "parent":
                if sex == "M":
                    first = head.first_surname
                elif spanish and head.second_surname:
                    first = head.second_surname
                else:
                    first = choice(surnames)
                second = choice(surnames) if spanish else ""
            elif relationship == "grandchild":
                if rnd() < 0.5:
                    first, second = head.first_surname, choice(surnames)
                else:
                    first, second = choice(surnames), head.first_surname
                if not spanish:
                    second = ""
            else:  # other_relative
                first = head.first_surname if rnd() < 0.5 else choice(culture.surnames)
                second = choice(culture.surnames) if culture.spanish_naming else ""

            # date of birth
            if index in twin_of:
                twin = people[twin_of[index]]
                dob, dob_estimated = twin.date_of_birth, twin.dob_estimated
            else:
                dob, dob_estimated = calendar.birth_date(rng, age)
            birth_year = dob.year

            # population group
            if nat == host:
                group = head_group if head_is_national else "host_community"
            elif head_is_national:
                group = "migrant_regular" if rnd() < 0.7 else "migrant_irregular"
            else:
                group = head_group

            doc_type = documents.document_type(rng, age, nat, host, group)
            number, doc_country = documents.issue(
                rng, issued, doc_type, nat, host, birth_year, age, today.year
            )
            tel = documents.phone(rng, relationship, age, nat, host)

            contact = rnd() < (0.93 if relationship == "head" else 0.85)
            sharing = rnd() < (0.82 if contact else 0.3)
            person = Person(
                ref=f"P-{seed}-{person_n}",
                given_names=given,
                first_surname=first,
                second_surname=second,
                sex=sex,
                date_of_birth=dob,
                dob_estimated=dob_estimated,
                nationality=nat,
                population_group=group,
                relationship=relationship,
                phone=tel,
                document_type=doc_type,
                document_number=number,
                document_country=doc_country,
                specific_needs=(),
                contact_consent=contact,
                data_sharing_consent=sharing,
            )
            if relationship == "head":
                head = person
            elif relationship == "spouse":
                spouse = person
            elif relationship == "child":
                has_children = True
            people.append(person)

        # ---- specific needs, once the whole household is known
        for person, (relationship, sex, age, _nat) in zip(people, members, strict=True):
            needs = []
            if sex == "F" and age >= 15:
                alone = relationship == "head" and spouse is None
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
                and spouse is None
                and rnd() < (0.45 if sex == "F" else 0.25)
            ):
                needs.append("single_parent")
            if rnd() < (0.10 if age >= 60 else 0.025):
                needs.append("disability")
            if 12 <= age <= 35 and rnd() < 0.015:
                needs.append("trafficking_risk")
            if needs:
                person.specific_needs = tuple(needs)

        registered_on = calendar.registration_date(rng, max(p.date_of_birth for p in people))
        yield Household(
            ref=household_ref, office=office, members=people, registered_on=registered_on
        )
