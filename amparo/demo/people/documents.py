"""Identity documents and phones: which document a person holds, its number, their phone.

Every function draws from the caller's ``random.Random`` in a fixed order: the generator's
output depends on it, so a change here changes every household that follows.
"""

from __future__ import annotations

import random

from amparo.demo.people.distributions import Weighted

ADULT_DOCUMENTS = {
    "refugee": Weighted((("refugee_id", 55), ("national_id", 25), ("passport", 10), ("", 10))),
    "asylum_seeker": Weighted(
        (("asylum_application", 60), ("national_id", 25), ("passport", 5), ("", 10))
    ),
    "migrant_regular": Weighted(
        (("visa", 45), ("passport", 25), ("national_id", 25), ("other", 5))
    ),
    "migrant_irregular": Weighted((("national_id", 45), ("passport", 10), ("", 40), ("other", 5))),
}
NATIONAL_ADULT_DOCUMENTS = Weighted((("national_id", 95), ("", 5)))
YOUNG_CHILD_DOCUMENTS = Weighted((("birth_certificate", 55), ("", 35), ("passport", 10)))
CHILD_DOCUMENTS = Weighted(
    (("national_id", 35), ("birth_certificate", 35), ("passport", 10), ("", 20))
)

CO_MOBILE = tuple(str(n) for n in (*range(300, 306), *range(310, 324), 350, 351))
VE_MOBILE = ("412", "414", "416", "424", "426")
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
PHONE_COUNTRIES = frozenset({"EC", "CO", "VE", "PA"})


def document_type(rng: random.Random, age: int, nationality: str, host: str, group: str) -> str:
    """The document a person holds, by age, nationality and population group; "" for none."""
    if age < 7:
        doc_type = YOUNG_CHILD_DOCUMENTS.pick(rng.random)
        if nationality == host and doc_type == "passport":
            doc_type = "birth_certificate"
    elif age < 18:
        doc_type = CHILD_DOCUMENTS.pick(rng.random)
        if doc_type == "national_id" and nationality == "VE" and age < 9:
            doc_type = "birth_certificate"
    elif nationality == host:
        doc_type = NATIONAL_ADULT_DOCUMENTS.pick(rng.random)
    else:
        doc_type = ADULT_DOCUMENTS[group].pick(rng.random)
    if doc_type == "national_id" and nationality in ("HT", "CU"):
        doc_type = "passport"
    return doc_type


def issue(
    rng: random.Random,
    issued: set[str],
    doc_type: str,
    nationality: str,
    host: str,
    birth_year: int,
    age: int,
    year: int,
) -> tuple[str, str]:
    """(number, issuing country) of a new document, unique among ``issued``, which it extends.

    ``year`` (the registration year) only dates asylum case numbers. No document: ("", "").
    """
    if not doc_type:
        return "", ""
    for _attempt in range(1000):
        number, country = _number(rng, doc_type, nationality, host, birth_year, age, year)
        key = f"{doc_type}|{country}|{number}"
        if key not in issued:
            issued.add(key)
            return number, country
    # the number spaces are far larger than a million people need
    raise RuntimeError(f"ran out of unique {doc_type} numbers for {nationality}")


def phone(rng: random.Random, relationship: str, age: int, nationality: str, host: str) -> str:
    """A mobile number for most heads, some adults and a few teenagers; "" for none.

    Numbers are of the office's country, some Venezuelans and Colombians keep their own.
    """
    p = 0.85 if relationship == "head" else (0.35 if age >= 18 else 0.1 if age >= 15 else 0)
    if not (p and rng.random() < p):
        return ""
    if nationality in ("VE", "CO") and nationality != host and rng.random() < 0.12:
        country = nationality
    elif host in PHONE_COUNTRIES:
        country = host
    else:
        country = nationality
    return _mobile(rng, country)


def _number(
    rng: random.Random,
    doc_type: str,
    nationality: str,
    host: str,
    birth_year: int,
    age: int,
    year: int,
) -> tuple[str, str]:
    if doc_type == "national_id":
        return _national_id(rng, nationality, birth_year, age), nationality
    if doc_type == "passport":
        return _passport(rng, nationality), nationality
    if doc_type == "birth_certificate":
        return _digits(rng, 10), nationality
    if doc_type == "refugee_id":
        return f"R{_digits(rng, 8)}", host
    if doc_type == "asylum_application":
        return f"{host}-{year - rng.randint(0, 3)}-{_digits(rng, 6)}", host
    if doc_type == "visa":
        return f"{rng.choice(LETTERS)}{_digits(rng, 8)}", host
    return f"OT-{_digits(rng, 6)}", host  # "other"


def _national_id(rng: random.Random, country: str, birth_year: int, age: int) -> str:
    if country == "VE":
        # Numbers were issued roughly in birth order: older people have lower numbers.
        base = 1_000_000 + (birth_year - 1935) * 420_000
        base = max(1_900_000, min(base, 36_000_000))  # keep ±900,000 inside real ranges
        return f"V-{base + rng.randrange(-900_000, 900_000)}"
    if country == "CO":
        if birth_year >= 1986 or age < 18:
            return "1" + _digits(rng, 9)
        return _digits(rng, 8) if rng.random() < 0.8 else _digits(rng, 10)
    if country == "EC":
        return _ec_cedula(rng)
    if country == "PA":
        return f"{rng.randint(1, 9)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    return _digits(rng, 9)


def _ec_cedula(rng: random.Random) -> str:
    """Province, a digit, six digits and the modulus-10 check digit."""
    province = rng.randint(1, 24)
    body = f"{province:02d}{rng.randint(0, 5)}{rng.randrange(1_000_000):06d}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{body}{(10 - total % 10) % 10}"


def _passport(rng: random.Random, country: str) -> str:
    if country == "VE":
        return _digits(rng, 9)
    if country == "CO":
        return f"A{rng.choice(LETTERS)}{_digits(rng, 6)}"
    if country == "HT":
        return f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}{_digits(rng, 7)}"
    if country == "CU":
        return f"{rng.choice('BIJKL')}{_digits(rng, 6)}"
    if country == "PA":
        return f"PA{_digits(rng, 7)}"
    return f"{rng.choice(LETTERS)}{_digits(rng, 7)}"


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10 ** (n - 1), 10**n))


def _mobile(rng: random.Random, country: str) -> str:
    if country == "EC":
        return f"+5939{rng.randint(8, 9)}{rng.getrandbits(27) % 10_000_000:07d}"
    if country == "CO":
        return f"+57{rng.choice(CO_MOBILE)}{rng.getrandbits(27) % 10_000_000:07d}"
    if country == "VE":
        return f"+58{rng.choice(VE_MOBILE)}{rng.getrandbits(27) % 10_000_000:07d}"
    if country == "PA":
        return f"+5076{rng.getrandbits(27) % 10_000_000:07d}"
    return ""
