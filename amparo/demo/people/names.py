"""Names and places: name pools per culture, how each member of a household is named, and the
country of an office.

The pools are drawn once per process from Faker with fixed seeds, mixed with names common in
Venezuela, Cuba and Haiti that Faker lacks, so they never depend on the caller's seed. Naming a
person draws from the caller's ``random.Random``.
"""

from __future__ import annotations

import functools
import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from amparo.demo.people.records import Person

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
class Culture:
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
def _cultures() -> dict[str, Culture]:
    cultures = {}
    for key, (female, male, surnames, prefixes, rates, spanish) in _CULTURES.items():
        rng = random.Random(f"amparo-demo-names-{key}-{_POOL_SEED}")  # noqa: S311 - not crypto
        f = _with_compounds(rng, _flatten(rng, female, 0), prefixes[0], rates[0])
        m = _with_compounds(rng, _flatten(rng, male, 1), prefixes[1], rates[1])
        s = tuple(_flatten(rng, surnames, 2))
        cultures[key] = Culture(f, m, s, spanish)
    return cultures


def office_country(office: str) -> str:
    """'iom-ec/quito' -> 'EC'; anything unrecognisable is treated as Ecuador."""
    org = office.split("/", 1)[0]
    code = org.rsplit("-", 1)[-1]
    return code.upper() if len(code) == 2 and code.isalpha() else "EC"


# Named after their own nationality; children, grandchildren and siblings after the head's.
_OWN_CULTURE = frozenset({"head", "spouse", "non_relative", "other_relative", "parent"})


@dataclass(slots=True)
class Family:
    """Where a household's names come from; the head and spouse are added once named."""

    culture: Culture  # the head's
    absent_surname: str  # of a child's absent parent, shared by all the children
    head: Person | None = None
    spouse: Person | None = None

    def add(self, person: Person) -> None:
        if person.relationship == "head":
            self.head = person
        elif person.relationship == "spouse":
            self.spouse = person


def culture_of(nationality: str) -> Culture:
    return _cultures()[_CULTURE_OF.get(nationality, "ve")]


def family(rng: random.Random, head_nationality: str) -> Family:
    culture = culture_of(head_nationality)
    return Family(culture, rng.choice(culture.surnames))


def name(
    rng: random.Random, family: Family, relationship: str, sex: str, nationality: str
) -> tuple[str, str, str]:
    """(given names, first surname, second surname) of a member of ``family``.

    Spanish naming gives two surnames, paternal then maternal: a child takes the head's first
    surname, then the spouse's (or, without a spouse, the mother's or the absent parent's).
    """
    culture = culture_of(nationality) if relationship in _OWN_CULTURE else family.culture
    # Someone of sex X has a female or a male name, half and half.
    female = sex == "F" or (sex == "X" and rng.random() < 0.5)
    given = rng.choice(culture.female if female else culture.male)
    first, second = _surnames(rng, family, relationship, sex, culture)
    return given, first, second


def _surnames(
    rng: random.Random, family: Family, relationship: str, sex: str, culture: Culture
) -> tuple[str, str]:
    if relationship in ("head", "spouse", "non_relative"):
        first = rng.choice(culture.surnames)
        return first, rng.choice(culture.surnames) if culture.spanish_naming else ""
    head = family.head  # named first: set for every other relationship
    spanish = family.culture.spanish_naming
    surnames = family.culture.surnames
    if relationship == "child":
        if not spanish:
            return head.first_surname, ""
        if family.spouse is not None:
            return head.first_surname, family.spouse.first_surname
        if head.sex == "F":
            return head.first_surname, head.second_surname
        return head.first_surname, family.absent_surname
    if relationship == "sibling":
        return head.first_surname, head.second_surname
    if relationship == "parent":
        if sex == "M":
            first = head.first_surname
        elif spanish and head.second_surname:
            first = head.second_surname
        else:
            first = rng.choice(surnames)
        return first, rng.choice(surnames) if spanish else ""
    if relationship == "grandchild":
        if rng.random() < 0.5:
            first, second = head.first_surname, rng.choice(surnames)
        else:
            first, second = rng.choice(surnames), head.first_surname
        return first, second if spanish else ""
    # other_relative
    first = head.first_surname if rng.random() < 0.5 else rng.choice(culture.surnames)
    return first, rng.choice(culture.surnames) if culture.spanish_naming else ""
