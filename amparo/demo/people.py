"""Deterministic synthetic households and individuals.

The generator feeds demos, tests and benchmarks (up to about a million people), so it is
pure Python, does not import Django and is built for speed: name pools are drawn once per
process from Faker with fixed seeds, and everything else comes from a single
``random.Random(seed)`` stream.

Equal arguments give equal output; since households are generated one after another from
that single stream, ``generate_households(10)`` is also a prefix of
``generate_households(100)`` with the same seed, offices and date.

The profile is a displaced population registered in Ecuador and Panama: mostly Venezuelan
households, then Colombian, host-country nationals (returnees and host community),
Haitian and Cuban. Ages, names, documents, phones and specific needs are consistent with
each person's relationship to the head of household. Document numbers have realistic
formats but are random; ``(document_type, document_country, document_number)`` is unique
within one call to :func:`generate_households`.
"""

from __future__ import annotations

import csv
import functools
import os
import random
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate
from typing import IO

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_OFFICES",
    "DEFAULT_TODAY",
    "DOCUMENT_TYPES",
    "POPULATION_GROUPS",
    "RELATIONSHIPS",
    "SEXES",
    "SPECIFIC_NEEDS",
    "Household",
    "Person",
    "generate_households",
    "generate_people",
    "write_csv",
]

DEFAULT_OFFICES: tuple[str, ...] = (
    "hias-ec/quito",
    "hias-ec/lago-agrio",
    "iom-ec/quito",
    "iom-ec/tulcan",
    "iom-ec/huaquillas",
    "iom-ec/guayaquil",
    "iom-ec/manta",
    "iom-ec/san-lorenzo",
    "iom-ec/cuenca",
    "hias-pa/panama",
)
DEFAULT_TODAY = date(2026, 11, 1)

SEXES = ("F", "M", "X")
POPULATION_GROUPS = (
    "refugee",
    "asylum_seeker",
    "migrant_regular",
    "migrant_irregular",
    "returnee",
    "idp",
    "host_community",
)
RELATIONSHIPS = (
    "head",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "other_relative",
    "non_relative",
)
DOCUMENT_TYPES = (
    "national_id",
    "passport",
    "refugee_id",
    "asylum_application",
    "visa",
    "birth_certificate",
    "other",
)
SPECIFIC_NEEDS = (
    "woman_at_risk",
    "uasc",
    "survivor_violence",
    "serious_medical",
    "older_at_risk",
    "single_parent",
    "disability",
    "trafficking_risk",
)
CSV_COLUMNS = (
    "household_ref",
    "office",
    "registered_on",
    "person_ref",
    "relationship",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "nationality",
    "population_group",
    "phone",
    "document_type",
    "document_number",
    "document_country",
    "specific_needs",
    "contact_consent",
    "data_sharing_consent",
)


@dataclass(slots=True)
class Person:
    ref: str
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    date_of_birth: date
    dob_estimated: bool
    nationality: str
    population_group: str
    relationship: str
    phone: str
    document_type: str
    document_number: str
    document_country: str
    specific_needs: tuple[str, ...]
    contact_consent: bool
    data_sharing_consent: bool

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(slots=True)
class Household:
    ref: str
    office: str
    members: list[Person] = field(default_factory=list)
    registered_on: date = DEFAULT_TODAY

    @property
    def head(self) -> Person:
        return next(m for m in self.members if m.relationship == "head")


# --------------------------------------------------------------------------- name pools

_POOL_SEED = 20260101
_FAKER_DRAWS = 600
_POOL_SIZE = 2048
_LOCALES = ("es_CO", "es_MX", "es", "fr_FR")

# Given names common in Venezuela, Cuba and Haiti that Faker's locales lack.
_VE_FEMALE = (
    "Yusmary", "Yorgelis", "Génesis", "Yuleisy", "Maryelis", "Oriana", "Yelitza", "Nathaly",
    "Dayana", "Yoselin", "Mariángel", "Andreína", "Yulimar", "Yuraima", "Daniela", "Valentina",
    "Isbelia", "Yenny", "Milagros", "Yaneth", "Mayerlin", "Norelys", "Zuleima", "Arianny",
    "Rosmary", "Yohana", "Yuliana", "Keila",
)  # fmt: skip
_VE_MALE = (
    "Yeferson", "Maikel", "Yorman", "Jhonny", "Wilmer", "Jhoan", "Deivis", "Yonaiker",
    "Yohandry", "Frank", "Kelvin", "Anderson", "Jesús", "Jhonatan", "Richard", "Leonardo",
    "Yorbis", "Darwin", "Eudes", "Oswaldo", "Reinaldo", "Freddy", "Alirio", "Argenis",
    "Douglas", "Nelson", "Edgar", "Yonder",
)  # fmt: skip
_CU_FEMALE = (
    "Yaimara", "Yordanka", "Dayami", "Yanelis", "Yudith", "Mailén", "Yusleidy", "Odalys",
    "Idania", "Marisleidys", "Yanet", "Arletis",
)  # fmt: skip
_CU_MALE = (
    "Yoandry", "Osmany", "Yasiel", "Yunior", "Yordan", "Alexis", "Yoel", "Ariel", "Yasmany",
    "Reinier", "Yuniel", "Dayron",
)  # fmt: skip
_HT_FEMALE = (
    "Marie", "Guerline", "Nadège", "Roseline", "Mirlande", "Fabienne", "Widline", "Sandra",
    "Jocelyne", "Nathalie", "Rosemène", "Chrisnise", "Magalie", "Lourdes", "Esther",
    "Sherline", "Islande", "Medjine", "Darline", "Wislande",
)  # fmt: skip
_HT_MALE = (
    "Jean", "Wilner", "Fritznel", "Jimmy", "Peterson", "Wesner", "Rony", "Wilson", "Frantz",
    "Ricardo", "Jacky", "Emmanuel", "Junior", "Daniel", "Evens", "Johnson", "Mackenson",
    "Dieuseul", "Kervens", "Stevenson",
)  # fmt: skip
_HT_SURNAMES = (
    "Jean", "Pierre", "Joseph", "Louis", "Charles", "Jean-Baptiste", "Saint-Fleur",
    "Jean-Louis", "Pierre-Louis", "Augustin", "Étienne", "François", "Toussaint", "Dorvil",
    "Désir", "Noël", "Laguerre", "Célestin", "Michel", "Alexis", "Baptiste", "Saint-Louis",
    "Sanon", "Exantus", "Dorméus", "Fils-Aimé", "Petit-Frère", "Georges", "Philippe",
    "Thélusma", "Casimir", "Delva", "Auguste", "Jeune", "Valcourt", "Belizaire",
)  # fmt: skip
_EC_SURNAMES = (
    "Zambrano", "Cedeño", "Moreira", "Quishpe", "Guamán", "Chiluisa", "Tituaña", "Cevallos",
    "Vera", "Andrade", "Intriago", "Loor", "Mendoza", "Palacios", "Macías", "Villacís",
    "Pazmiño", "Yépez", "Carchi", "Ortiz",
)  # fmt: skip
_ES_FEMALE_PREFIX = ("María", "María", "María", "Ana", "Luz", "Rosa")
_ES_MALE_PREFIX = ("José", "Juan", "Luis", "Carlos", "Jesús", "Miguel")
_HT_FEMALE_PREFIX = ("Marie", "Marie", "Rose")
_HT_MALE_PREFIX = ("Jean", "Jean", "Pierre")


@dataclass(frozen=True, slots=True)
class _Culture:
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    spanish_naming: bool  # two surnames, paternal then maternal


# culture: (female sources, male sources, surname sources, compound prefixes (F, M),
#           compound probabilities (F, M), spanish naming)
_CULTURES = {
    "ve": (
        ((45, "es_CO"), (20, "es_MX"), (10, "es"), (25, _VE_FEMALE)),
        ((45, "es_CO"), (20, "es_MX"), (10, "es"), (25, _VE_MALE)),
        ((60, "es_CO"), (25, "es_MX"), (15, "es")),
        (_ES_FEMALE_PREFIX, _ES_MALE_PREFIX),
        (0.24, 0.20),
        True,
    ),
    "co": (
        ((75, "es_CO"), (15, "es_MX"), (10, "es")),
        ((75, "es_CO"), (15, "es_MX"), (10, "es")),
        ((80, "es_CO"), (12, "es_MX"), (8, "es")),
        (_ES_FEMALE_PREFIX, _ES_MALE_PREFIX),
        (0.24, 0.20),
        True,
    ),
    "ec": (
        ((55, "es_CO"), (30, "es_MX"), (15, "es")),
        ((55, "es_CO"), (30, "es_MX"), (15, "es")),
        ((45, "es_CO"), (20, "es_MX"), (5, "es"), (30, _EC_SURNAMES)),
        (_ES_FEMALE_PREFIX, _ES_MALE_PREFIX),
        (0.22, 0.18),
        True,
    ),
    "cu": (
        ((40, "es"), (30, "es_MX"), (30, _CU_FEMALE)),
        ((40, "es"), (30, "es_MX"), (30, _CU_MALE)),
        ((50, "es"), (35, "es_MX"), (15, "es_CO")),
        (_ES_FEMALE_PREFIX, _ES_MALE_PREFIX),
        (0.12, 0.10),
        True,
    ),
    "pa": (
        ((55, "es_MX"), (35, "es_CO"), (10, "es")),
        ((55, "es_MX"), (35, "es_CO"), (10, "es")),
        ((55, "es_MX"), (35, "es_CO"), (10, "es")),
        (_ES_FEMALE_PREFIX, _ES_MALE_PREFIX),
        (0.18, 0.15),
        True,
    ),
    "ht": (
        ((55, _HT_FEMALE), (45, "fr_FR")),
        ((55, _HT_MALE), (45, "fr_FR")),
        ((75, _HT_SURNAMES), (25, "fr_FR")),
        (_HT_FEMALE_PREFIX, _HT_MALE_PREFIX),
        (0.20, 0.20),
        False,
    ),
}
_CULTURE_OF = {"VE": "ve", "CO": "co", "EC": "ec", "CU": "cu", "PA": "pa", "HT": "ht"}


def _clean(name: str) -> str:
    return " ".join(name.split())


@functools.cache
def _faker_pools() -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """(female, male, surnames) drawn from each Faker locale with a fixed seed."""
    from faker import Faker  # imported lazily: only needed once per process

    pools = {}
    for offset, locale in enumerate(_LOCALES):
        fake = Faker(locale)
        fake.seed_instance(_POOL_SEED + offset)
        female = tuple(_clean(fake.first_name_female()) for _ in range(_FAKER_DRAWS))
        male = tuple(_clean(fake.first_name_male()) for _ in range(_FAKER_DRAWS))
        surnames = tuple(_clean(fake.last_name()) for _ in range(_FAKER_DRAWS))
        pools[locale] = (female, male, surnames)
    return pools


def _flatten(rng: random.Random, sources, kind: int) -> list[str]:
    faker = _faker_pools()
    lists = [faker[src][kind] if isinstance(src, str) else src for _, src in sources]
    cum = list(accumulate(w for w, _ in sources))
    total = cum[-1]
    return [rng.choice(lists[bisect(cum, rng.random() * total)]) for _ in range(_POOL_SIZE)]


def _with_compounds(
    rng: random.Random, names: list[str], prefixes: tuple[str, ...], rate: float
) -> tuple[str, ...]:
    simple = [n for n in names if " " not in n]
    out = []
    for name in names:
        if " " not in name and rng.random() < rate:
            first = rng.choice(prefixes) if rng.random() < 0.6 else rng.choice(simple)
            second = rng.choice(simple)
            while second == first:
                second = rng.choice(simple)
            name = f"{first} {second}"
        out.append(name)
    return tuple(out)


@functools.cache
def _cultures() -> dict[str, _Culture]:
    cultures = {}
    for key, (female, male, surnames, prefixes, rates, spanish) in _CULTURES.items():
        rng = random.Random(f"amparo-demo-names-{key}-{_POOL_SEED}")  # noqa: S311 - not crypto
        f = _with_compounds(rng, _flatten(rng, female, 0), prefixes[0], rates[0])
        m = _with_compounds(rng, _flatten(rng, male, 1), prefixes[1], rates[1])
        s = tuple(_flatten(rng, surnames, 2))
        cultures[key] = _Culture(f, m, s, spanish)
    return cultures


# ----------------------------------------------------------------------- distributions


class _Weighted:
    """Weighted choice via one random() and a bisect over cumulative weights."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Iterable[tuple[object, float]]):
        pairs = list(pairs)
        self.values = tuple(v for v, _ in pairs)
        self.cum = tuple(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rnd) -> object:
        return self.values[bisect(self.cum, rnd() * self.total)]


_HOST = "HOST"  # the country of the office, e.g. EC for iom-ec/quito
_NATIONALITIES = _Weighted((("VE", 70), ("CO", 15), (_HOST, 7), ("HT", 5), ("CU", 3)))
_HOUSEHOLD_SIZE = _Weighted(((1, 22), (2, 20), (3, 20), (4, 17), (5, 10), (6, 6), (7, 3), (8, 2)))
_FOREIGN_GROUPS = {
    "VE": _Weighted(
        (("refugee", 10), ("asylum_seeker", 14), ("migrant_regular", 36), ("migrant_irregular", 40))
    ),
    "CO": _Weighted(
        (("refugee", 40), ("asylum_seeker", 25), ("migrant_regular", 20), ("migrant_irregular", 15))
    ),
    "HT": _Weighted(
        (("refugee", 5), ("asylum_seeker", 15), ("migrant_regular", 25), ("migrant_irregular", 55))
    ),
    "CU": _Weighted(
        (("refugee", 10), ("asylum_seeker", 25), ("migrant_regular", 25), ("migrant_irregular", 40))
    ),
    "EC": _Weighted((("asylum_seeker", 10), ("migrant_regular", 50), ("migrant_irregular", 40))),
}
_NATIONAL_GROUPS = _Weighted((("host_community", 60), ("returnee", 35), ("idp", 5)))
_OTHER_RELATIONSHIPS = _Weighted(
    (
        ("child", 72),
        ("parent", 5),
        ("sibling", 7),
        ("grandchild", 4),
        ("other_relative", 9),
        ("non_relative", 3),
    )
)
_SOLE_COMPANION = _Weighted(
    (
        ("child", 72),
        ("parent", 8),
        ("sibling", 9),
        ("other_relative", 6),
        ("non_relative", 5),
    )
)
# (low, high) age bands, inclusive, for heads of household.
_HEAD_AGE_BANDS = _Weighted(
    (
        ((18, 24), 17),
        ((25, 29), 20),
        ((30, 34), 18),
        ((35, 39), 14),
        ((40, 44), 10),
        ((45, 49), 7),
        ((50, 54), 5),
        ((55, 59), 4),
        ((60, 64), 2.5),
        ((65, 69), 1.5),
        ((70, 79), 0.8),
        ((80, 90), 0.2),
    )
)
# Children of the head, before capping by the parents' ages.
_CHILD_AGE_BANDS = _Weighted((((0, 4), 22), ((5, 11), 38), ((12, 17), 30), ((18, 25), 10)))
_OTHER_RELATIVE_AGE_BANDS = _Weighted(
    (((0, 4), 18), ((5, 11), 22), ((12, 17), 18), ((18, 29), 20), ((30, 49), 15), ((50, 75), 7))
)

_ADULT_DOCUMENTS = {
    "refugee": _Weighted((("refugee_id", 55), ("national_id", 25), ("passport", 10), ("", 10))),
    "asylum_seeker": _Weighted(
        (("asylum_application", 60), ("national_id", 25), ("passport", 5), ("", 10))
    ),
    "migrant_regular": _Weighted(
        (("visa", 45), ("passport", 25), ("national_id", 25), ("other", 5))
    ),
    "migrant_irregular": _Weighted((("national_id", 45), ("passport", 10), ("", 40), ("other", 5))),
}
_NATIONAL_ADULT_DOCUMENTS = _Weighted((("national_id", 95), ("", 5)))
_YOUNG_CHILD_DOCUMENTS = _Weighted((("birth_certificate", 55), ("", 35), ("passport", 10)))
_CHILD_DOCUMENTS = _Weighted(
    (("national_id", 35), ("birth_certificate", 35), ("passport", 10), ("", 20))
)

_CO_MOBILE = tuple(str(n) for n in (*range(300, 306), *range(310, 324), 350, 351))
_VE_MOBILE = ("412", "414", "416", "424", "426")
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _office_country(office: str) -> str:
    """'iom-ec/quito' -> 'EC'; anything unrecognisable is treated as Ecuador."""
    org = office.split("/", 1)[0]
    code = org.rsplit("-", 1)[-1]
    return code.upper() if len(code) == 2 and code.isalpha() else "EC"


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# ------------------------------------------------------------------------ the generator


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
    cultures = _cultures()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    rnd = rng.random
    randint = rng.randint
    choice = rng.choice
    getrandbits = rng.getrandbits
    office_country = {o: _office_country(o) for o in offices}

    today_ord = today.toordinal()
    # Date of birth for an age of exactly ``a`` years on ``today``: lo_ord[a] + [0, span[a]).
    max_age = 110
    bounds = [_shift_years(today, a).toordinal() for a in range(max_age + 2)]
    lo_ord = [bounds[a + 1] + 1 for a in range(max_age + 1)]
    span = [bounds[a] - bounds[a + 1] for a in range(max_age + 1)]
    # Estimated dates of birth are 1 July of the year that keeps the declared age.
    july_passed = (today.month, today.day) >= (7, 1)
    estimated = [date(today.year - a - (0 if july_passed else 1), 7, 1) for a in range(max_age + 1)]
    fromordinal = date.fromordinal
    registration_floor = today_ord - 6 * 365

    issued: set[str] = set()

    def digits(n: int) -> str:
        return str(rng.randrange(10 ** (n - 1), 10**n))

    def ec_cedula() -> str:
        province = randint(1, 24)
        body = f"{province:02d}{randint(0, 5)}{rng.randrange(1_000_000):06d}"
        total = 0
        for i, ch in enumerate(body):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return f"{body}{(10 - total % 10) % 10}"

    def national_id(country: str, birth_year: int, age: int) -> str:
        if country == "VE":
            # Numbers were issued roughly in birth order: older people have lower numbers.
            base = 1_000_000 + (birth_year - 1935) * 420_000
            base = max(1_900_000, min(base, 36_000_000))  # keep ±900,000 inside real ranges
            return f"V-{base + rng.randrange(-900_000, 900_000)}"
        if country == "CO":
            if birth_year >= 1986 or age < 18:
                return "1" + digits(9)
            return digits(8) if rnd() < 0.8 else digits(10)
        if country == "EC":
            return ec_cedula()
        if country == "PA":
            return f"{randint(1, 9)}-{randint(100, 999)}-{randint(1000, 9999)}"
        return digits(9)

    def passport(country: str) -> str:
        if country == "VE":
            return digits(9)
        if country == "CO":
            return f"A{choice(_LETTERS)}{digits(6)}"
        if country == "HT":
            return f"{choice(_LETTERS)}{choice(_LETTERS)}{digits(7)}"
        if country == "CU":
            return f"{choice('BIJKL')}{digits(6)}"
        if country == "PA":
            return f"PA{digits(7)}"
        return f"{choice(_LETTERS)}{digits(7)}"

    def document(doc_type: str, nat: str, host: str, birth_year: int, age: int, reg_year: int):
        if doc_type == "national_id":
            return national_id(nat, birth_year, age), nat
        if doc_type == "passport":
            return passport(nat), nat
        if doc_type == "birth_certificate":
            return digits(10), nat
        if doc_type == "refugee_id":
            return f"R{digits(8)}", host
        if doc_type == "asylum_application":
            return f"{host}-{reg_year - randint(0, 3)}-{digits(6)}", host
        if doc_type == "visa":
            return f"{choice(_LETTERS)}{digits(8)}", host
        return f"OT-{digits(6)}", host  # "other"

    def phone(country: str) -> str:
        if country == "EC":
            return f"+5939{randint(8, 9)}{getrandbits(27) % 10_000_000:07d}"
        if country == "CO":
            return f"+57{choice(_CO_MOBILE)}{getrandbits(27) % 10_000_000:07d}"
        if country == "VE":
            return f"+58{choice(_VE_MOBILE)}{getrandbits(27) % 10_000_000:07d}"
        if country == "PA":
            return f"+5076{getrandbits(27) % 10_000_000:07d}"
        return ""

    phone_countries = frozenset({"EC", "CO", "VE", "PA"})
    pick_head_band = _HEAD_AGE_BANDS.pick
    pick_other_band = _OTHER_RELATIVE_AGE_BANDS.pick
    pick_child_band = _CHILD_AGE_BANDS.pick
    person_n = 0

    for household_n in range(1, count + 1):
        office = choice(offices)
        host = office_country[office]
        head_nat = _NATIONALITIES.pick(rnd)
        if head_nat == _HOST:
            head_nat = host
        head_is_national = head_nat == host
        if head_is_national:
            head_group = _NATIONAL_GROUPS.pick(rnd)
        else:
            head_group = _FOREIGN_GROUPS.get(head_nat, _FOREIGN_GROUPS["VE"]).pick(rnd)
        size = _HOUSEHOLD_SIZE.pick(rnd)

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
        companion = _SOLE_COMPANION if len(members) == 1 else _OTHER_RELATIONSHIPS
        while len(members) < size:
            if child_headed:
                relationship = "sibling"
            else:
                relationship = companion.pick(rnd)
                companion = _OTHER_RELATIONSHIPS
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
        youngest_dob = 0
        head_culture = cultures[_CULTURE_OF.get(head_nat, "ve")]
        # The surname of a child's absent parent, shared by all the children of the household.
        absent_surname = choice(head_culture.surnames)
        for index, (relationship, sex, age, nat) in enumerate(members):
            person_n += 1
            # names
            if relationship in ("head", "spouse", "non_relative", "other_relative", "parent"):
                culture = cultures[_CULTURE_OF.get(nat, "ve")]
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
            elif rnd() < (0.14 if age >= 18 else 0.06) and age >= 2:
                dob = estimated[age]
                dob_estimated = True
            else:
                dob = fromordinal(lo_ord[age] + int(rnd() * span[age]))
                dob_estimated = False
            dob_ord = dob.toordinal()
            if dob_ord > youngest_dob:
                youngest_dob = dob_ord
            birth_year = dob.year

            # population group
            if nat == host:
                group = head_group if head_is_national else "host_community"
            elif head_is_national:
                group = "migrant_regular" if rnd() < 0.7 else "migrant_irregular"
            else:
                group = head_group

            # documents (the registration year is only needed for asylum case numbers)
            if age < 7:
                doc_type = _YOUNG_CHILD_DOCUMENTS.pick(rnd)
                if nat == host and doc_type == "passport":
                    doc_type = "birth_certificate"
            elif age < 18:
                doc_type = _CHILD_DOCUMENTS.pick(rnd)
                if doc_type == "national_id" and nat == "VE" and age < 9:
                    doc_type = "birth_certificate"
            elif nat == host:
                doc_type = _NATIONAL_ADULT_DOCUMENTS.pick(rnd)
            else:
                doc_type = _ADULT_DOCUMENTS[group].pick(rnd)
            if doc_type == "national_id" and nat in ("HT", "CU"):
                doc_type = "passport"
            if doc_type:
                for _attempt in range(1000):
                    number, doc_country = document(doc_type, nat, host, birth_year, age, today.year)
                    key = f"{doc_type}|{doc_country}|{number}"
                    if key not in issued:
                        issued.add(key)
                        break
                else:  # the number spaces are far larger than a million people need
                    raise RuntimeError(f"ran out of unique {doc_type} numbers for {nat}")
            else:
                number = doc_country = ""

            # phone
            p = 0.85 if relationship == "head" else (0.35 if age >= 18 else 0.1 if age >= 15 else 0)
            if p and rnd() < p:
                if nat in ("VE", "CO") and nat != host and rnd() < 0.12:
                    number_country = nat
                elif host in phone_countries:
                    number_country = host
                else:
                    number_country = nat
                tel = phone(number_country)
            else:
                tel = ""

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

        floor = max(registration_floor, youngest_dob)
        registered_on = fromordinal(today_ord - int((today_ord - floor + 1) * rnd() ** 1.6))
        yield Household(
            ref=household_ref, office=office, members=people, registered_on=registered_on
        )


# --------------------------------------------------------------------------------- CSV


def _rows(households: Iterable[Household]) -> Iterator[tuple]:
    for h in households:
        registered_on = h.registered_on.isoformat()
        for p in h.members:
            yield (
                h.ref,
                h.office,
                registered_on,
                p.ref,
                p.relationship,
                p.given_names,
                p.first_surname,
                p.second_surname,
                p.sex,
                p.date_of_birth.isoformat(),
                "true" if p.dob_estimated else "false",
                p.nationality,
                p.population_group,
                p.phone,
                p.document_type,
                p.document_number,
                p.document_country,
                ";".join(p.specific_needs),
                "true" if p.contact_consent else "false",
                "true" if p.data_sharing_consent else "false",
            )


def write_csv(households: Iterable[Household], path_or_file: str | os.PathLike | IO[str]) -> int:
    """Write one row per person (columns in ``CSV_COLUMNS``); return the number of rows.

    Dates are ISO 8601, booleans ``true``/``false``, specific needs joined with ``;``.
    A path is written as UTF-8; an open text file is written to and left open.
    """
    if hasattr(path_or_file, "write"):
        return _write(households, path_or_file)
    with open(path_or_file, "w", newline="", encoding="utf-8") as fh:
        return _write(households, fh)


def _write(households: Iterable[Household], fh: IO[str]) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for row in _rows(households):
        writer.writerow(row)
        rows += 1
    return rows
