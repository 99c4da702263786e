"""The household generator: one ``random.Random(seed)`` stream, households one after another."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date

from amparo.demo.people import documents, names
from amparo.demo.people.dates import Calendar
from amparo.demo.people.distributions import (
    CHILD_AGE_BANDS,
    FOREIGN_GROUPS,
    HEAD_AGE_BANDS,
    HOST,
    HOUSEHOLD_SIZE,
    NATIONAL_GROUPS,
    NATIONALITIES,
    OTHER_RELATIONSHIPS,
    OTHER_RELATIVE_AGE_BANDS,
    SOLE_COMPANION,
)
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
    randint = rng.randint
    choice = rng.choice
    office_country = {o: names.office_country(o) for o in offices}

    calendar = Calendar(today)
    issued: set[str] = set()

    pick_head_band = HEAD_AGE_BANDS.pick
    pick_other_band = OTHER_RELATIVE_AGE_BANDS.pick
    pick_child_band = CHILD_AGE_BANDS.pick
    person_n = 0

    for household_n in range(1, count + 1):
        office = choice(offices)
        host = office_country[office]
        head_nat = NATIONALITIES.pick(rnd)
        if head_nat == HOST:
            head_nat = host
        head_is_national = head_nat == host
        if head_is_national:
            head_group = NATIONAL_GROUPS.pick(rnd)
        else:
            head_group = FOREIGN_GROUPS.get(head_nat, FOREIGN_GROUPS["VE"]).pick(rnd)
        size = HOUSEHOLD_SIZE.pick(rnd)

        # ---- composition: (relationship, sex, age, nationality) per member
        child_headed = not head_is_national and rnd() < 0.004
        r = rnd()
        head_sex = "X" if r < 0.002 else ("F" if r < 0.58 else "M")
        if child_headed:
            size = min(size, 3)
            head_age = randint(15, 17)
        else:
            lo, hi = pick_head_band(rnd)
            head_age = randint(lo, hi)
        members = [("head", head_sex, head_age, head_nat)]
        spouse_age = None
        parents = 0
        child_ages: dict[int, int] = {}  # age -> index in members
        twin_of: dict[int, int] = {}  # index in members -> index of the older twin
        if size >= 2 and not child_headed and rnd() < 0.62:
            if head_sex == "X":
                spouse_sex = "F" if rnd() < 0.5 else "M"
            elif rnd() < 0.02:
                spouse_sex = head_sex
            else:
                spouse_sex = "M" if head_sex == "F" else "F"
            delta = randint(-3, 8)
            spouse_age = head_age + delta if spouse_sex == "M" else head_age - delta
            spouse_age = max(18, min(spouse_age, 95))
            if rnd() < 0.9:
                spouse_nat = head_nat
            elif head_nat == "VE":
                spouse_nat = "CO"
            elif head_nat == "CO" or head_is_national:
                spouse_nat = "VE"
            else:
                spouse_nat = head_nat
            members.append(("spouse", spouse_sex, spouse_age, spouse_nat))
        youngest_parent = head_age if spouse_age is None else min(head_age, spouse_age)
        companion = SOLE_COMPANION if len(members) == 1 else OTHER_RELATIONSHIPS
        while len(members) < size:
            if child_headed:
                relationship = "sibling"
            else:
                relationship = companion.pick(rnd)
                companion = OTHER_RELATIONSHIPS
            if relationship == "child" and youngest_parent < 16:
                relationship = "other_relative"
            elif (
                relationship == "grandchild"
                and head_age < 36
                or relationship == "parent"
                and (parents >= 2 or head_age > 62)
            ):
                relationship = "child" if youngest_parent >= 16 else "other_relative"
            if relationship == "child":
                upper = min(youngest_parent - 16, 25)
                for _attempt in range(4):  # siblings are usually born in different years
                    lo, hi = pick_child_band(rnd)
                    age = randint(lo, hi)
                    if age > upper:
                        age = randint(0, upper)
                    if age not in child_ages:
                        break
                if age in child_ages:
                    twin_of[len(members)] = child_ages[age]
                else:
                    child_ages[age] = len(members)
            elif relationship == "grandchild":
                upper = min(head_age - 34, 17)
                age = int((upper + 1) * rnd() ** 1.2)
            elif relationship == "parent":
                parents += 1
                age = min(head_age + randint(17, 38), 95)
            elif relationship == "sibling":
                if child_headed:
                    age = randint(3, head_age - 1)
                else:
                    age = max(0, min(head_age + randint(-12, 12), 95))
            elif relationship == "other_relative":
                lo, hi = pick_other_band(rnd)
                age = randint(lo, hi)
            else:  # non_relative
                age = randint(16, 60) if not child_headed else randint(10, 17)
            r = rnd()
            if relationship == "parent":
                sex = "F" if r < 0.66 else "M"
            elif age >= 14 and r < 0.0015:
                sex = "X"
            else:
                sex = "F" if r < 0.5 else "M"
            nat = head_nat
            if relationship in ("child", "grandchild") and not head_is_national:
                if age <= 5 and rnd() < 0.2:
                    nat = host  # born after arrival
                elif spouse_age is not None and members[1][3] != head_nat and rnd() < 0.5:
                    nat = members[1][3]
            elif relationship == "non_relative" and rnd() < 0.2:
                nat = "VE"
            members.append((relationship, sex, age, nat))

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
