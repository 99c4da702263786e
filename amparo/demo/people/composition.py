"""Who lives in a household: the relationship, sex, age and nationality of each member.

Drawn before anyone is named, so that ages and nationalities follow the head's and the
spouse's: children are at least 16 years younger than both parents, grandchildren need a head
of 36 or more, children born after arrival take the host country's nationality.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

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


class Member(NamedTuple):
    relationship: str
    sex: str
    age: int
    nationality: str


@dataclass(slots=True)
class Composition:
    host: str  # the country of the office
    group: str  # the head's population group
    child_headed: bool
    members: list[Member]  # the head first, then the spouse if there is one
    twin_of: dict[int, int]  # index in members -> index of the older twin

    @property
    def head(self) -> Member:
        return self.members[0]

    @property
    def head_is_national(self) -> bool:
        return self.members[0].nationality == self.host


def compose(rng: random.Random, host: str) -> Composition:
    """Draw the members of one household registered in the country ``host``."""
    rnd = rng.random
    nationality = NATIONALITIES.pick(rnd)
    if nationality == HOST:
        nationality = host
    national = nationality == host
    if national:
        group = NATIONAL_GROUPS.pick(rnd)
    else:
        group = FOREIGN_GROUPS.get(nationality, FOREIGN_GROUPS["VE"]).pick(rnd)
    size = HOUSEHOLD_SIZE.pick(rnd)
    # A few foreign households are a child of 15 to 17 with younger siblings.
    child_headed = not national and rnd() < 0.004
    if child_headed:
        size = min(size, 3)
    members = [_head(rng, nationality, child_headed)]
    if size >= 2 and not child_headed and rnd() < 0.62:
        members.append(_spouse(rng, members[0], national))
    twin_of = _add_relatives(rng, members, size, child_headed, host)
    return Composition(host, group, child_headed, members, twin_of)


def _head(rng: random.Random, nationality: str, child_headed: bool) -> Member:
    r = rng.random()
    sex = "X" if r < 0.002 else ("F" if r < 0.58 else "M")
    if child_headed:
        age = rng.randint(15, 17)
    else:
        lo, hi = HEAD_AGE_BANDS.pick(rng.random)
        age = rng.randint(lo, hi)
    return Member("head", sex, age, nationality)


def _spouse(rng: random.Random, head: Member, head_is_national: bool) -> Member:
    if head.sex == "X":
        sex = "F" if rng.random() < 0.5 else "M"
    elif rng.random() < 0.02:
        sex = head.sex
    else:
        sex = "M" if head.sex == "F" else "F"
    delta = rng.randint(-3, 8)  # a male spouse tends to be older, a female one younger
    age = head.age + delta if sex == "M" else head.age - delta
    if rng.random() < 0.9:
        nationality = head.nationality
    elif head.nationality == "VE":
        nationality = "CO"
    elif head.nationality == "CO" or head_is_national:
        nationality = "VE"
    else:
        nationality = head.nationality
    return Member("spouse", sex, max(18, min(age, 95)), nationality)


def _add_relatives(
    rng: random.Random, members: list[Member], size: int, child_headed: bool, host: str
) -> dict[int, int]:
    """Add members up to ``size`` after the head (and spouse); return the twins among them."""
    head = members[0]
    spouse = members[1] if len(members) > 1 else None
    youngest_parent = head.age if spouse is None else min(head.age, spouse.age)
    companion = SOLE_COMPANION if len(members) == 1 else OTHER_RELATIONSHIPS
    parents = 0
    child_ages: dict[int, int] = {}  # age -> index in members
    twin_of: dict[int, int] = {}  # index in members -> index of the older twin
    while len(members) < size:
        if child_headed:
            relationship = "sibling"
        else:
            relationship = companion.pick(rng.random)
            companion = OTHER_RELATIONSHIPS
        relationship = _plausible(relationship, head.age, youngest_parent, parents)
        if relationship == "child":
            age = _child_age(rng, min(youngest_parent - 16, 25), child_ages)
            if age in child_ages:
                twin_of[len(members)] = child_ages[age]
            else:
                child_ages[age] = len(members)
        else:
            if relationship == "parent":
                parents += 1
            age = _relative_age(rng, relationship, head.age, child_headed)
        sex = _sex(rng, relationship, age)
        nationality = _nationality(rng, relationship, age, head, spouse, host)
        members.append(Member(relationship, sex, age, nationality))
    return twin_of


def _plausible(relationship: str, head_age: int, youngest_parent: int, parents: int) -> str:
    """The relationship, unless the ages or the parents already there rule it out."""
    if relationship == "child" and youngest_parent < 16:
        return "other_relative"
    if (relationship == "grandchild" and head_age < 36) or (
        relationship == "parent" and (parents >= 2 or head_age > 62)
    ):
        return "child" if youngest_parent >= 16 else "other_relative"
    return relationship


def _child_age(rng: random.Random, upper: int, child_ages: dict[int, int]) -> int:
    """An age up to ``upper``; siblings are usually born in different years (four tries)."""
    for _attempt in range(4):
        lo, hi = CHILD_AGE_BANDS.pick(rng.random)
        age = rng.randint(lo, hi)
        if age > upper:
            age = rng.randint(0, upper)
        if age not in child_ages:
            break
    return age


def _relative_age(rng: random.Random, relationship: str, head_age: int, child_headed: bool) -> int:
    if relationship == "grandchild":
        return int((min(head_age - 34, 17) + 1) * rng.random() ** 1.2)
    if relationship == "parent":
        return min(head_age + rng.randint(17, 38), 95)
    if relationship == "sibling":
        if child_headed:
            return rng.randint(3, head_age - 1)
        return max(0, min(head_age + rng.randint(-12, 12), 95))
    if relationship == "other_relative":
        lo, hi = OTHER_RELATIVE_AGE_BANDS.pick(rng.random)
        return rng.randint(lo, hi)
    return rng.randint(16, 60) if not child_headed else rng.randint(10, 17)  # non_relative


def _sex(rng: random.Random, relationship: str, age: int) -> str:
    r = rng.random()
    if relationship == "parent":
        return "F" if r < 0.66 else "M"  # mostly mothers
    if age >= 14 and r < 0.0015:
        return "X"
    return "F" if r < 0.5 else "M"


def _nationality(
    rng: random.Random, relationship: str, age: int, head: Member, spouse: Member | None, host: str
) -> str:
    if relationship in ("child", "grandchild") and head.nationality != host:
        if age <= 5 and rng.random() < 0.2:
            return host  # born after arrival
        if spouse is not None and spouse.nationality != head.nationality and rng.random() < 0.5:
            return spouse.nationality
    elif relationship == "non_relative" and rng.random() < 0.2:
        return "VE"
    return head.nationality
