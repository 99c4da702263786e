"""A synthetic population of refugees and migrants with known duplicates, for deduplication.

    .venv/bin/python bench/dedupe_people.py [--people 100000] [--seed 2026] [--profile train]
        [--csv people.csv]

`generate(n_people, seed, profile)` makes `n_people` people (entities) living in households
in Colombia, Peru, Ecuador and Chile, most of them Venezuelan, and gives a share of them one
to three extra records, each with the errors people and registration staff make. It returns
a `pyarrow.Table` with one row per record: the columns a model may read (`MODEL_COLUMNS`),
the ground truth `entity_id` and `errors` (the error kinds applied to that record, separated
by spaces; empty for an entity's first record). Run as a script, it prints how long the
generation took, the counts per error kind and, with `--csv`, writes the records.

What makes the set hard, as real registries are:

- names with the skew of Venezuelan, Colombian and Ecuadorian registries (González,
  Rodríguez, Pérez... thousands of namesakes at a million people), compound given names and
  surnames with particles (María de los Ángeles, De La Cruz);
- households: siblings share surnames, phone and area; twins share a birth date too;
- unrelated people with the same given name, first surname and birth year (`namesake`);
- the error model (`ERROR_KINDS`), with rates per profile: `train` and `eval` differ, so a
  model tuned on one is evaluated on the other (use a different seed as well).

This file keeps its own name and nickname lists, apart from `amparo/registry/nicknames.py`
and `amparo/dedup`: the evaluation data must not share what the model knows.
"""

import argparse
import sys
import time
import unicodedata
from bisect import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from pathlib import Path
from random import Random

import pyarrow as pa
import pyarrow.csv

MODEL_COLUMNS = (
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "date_of_birth",
    "dob_estimated",
    "sex",
    "document_type",
    "document_number",
    "phone",
    "area",
)
TRUTH_COLUMNS = ("entity_id", "errors")


def _words(text: str) -> list[str]:
    return text.split()


# --- names ------------------------------------------------------------------------------------
# Each list in order of frequency; `_weights` turns rank into a Zipf-like weight.

FEMALE = _words(
    """María Ana Carmen Luisa Rosa Andrea Daniela Gabriela Valentina Yoselin Sofía Isabel
Patricia Carolina Alejandra Mariana Dayana Yulimar Génesis Oriana Paola Yesenia Rosario
Guadalupe Dolores Teresa Mercedes Concepción Lucía Victoria Camila Natalia Laura Karina
Jennifer Yolanda Gladys Milagros Nathaly Estefanía Johana Leidy Angélica Beatriz Elena Josefina
Antonia Francisca Esperanza Consuelo Marisol Yenny Deisy Keila Zulay Wendy Solangel Mariángel
Luisana Verónica Adriana Claudia Sandra Diana Mónica Liliana Lorena Elizabeth Nelly Xiomara
Yaneth Yajaira Marbelis Yusmary Betzabeth Nairobi Roxana Fabiola Anyelina Maryori"""
)
FEMALE_SECOND = _words(
    """José Fernanda Alejandra Gabriela Isabel Carolina Teresa Elena Victoria
Andreína Valentina Lucía Paola Milagros Cristina Eugenia Auxiliadora Virginia Josefina
Beatriz"""
) + ["de los Ángeles", "del Carmen", "del Valle"]
MALE = _words(
    """José Luis Juan Carlos Jesús Miguel Antonio Francisco Pedro Jorge Manuel Rafael
Alejandro Daniel David Andrés Ángel Víctor Fernando Eduardo Ricardo Roberto Javier Diego
Sebastián Santiago Samuel Mateo Gabriel Enrique Ignacio Guillermo Alberto Óscar Richard Jhonny
Yorman Yeferson Keiber Wuilmer Maikel Deivis Yonaiker Yohandry Jhon Brayan Kevin Anderson
Wilmer Freddy Nelson Orlando Ramón Julio César Héctor Gustavo Arturo Alexander Leonardo Rubén
Armando Ernesto Hugo Jairo Edinson Yeison Darwin Franklin Segundo Wilson Byron Fabián Efraín
Josué Eliécer"""
)
MALE_SECOND = _words(
    """José Luis Carlos Alberto Antonio Manuel Alejandro Enrique Eduardo Andrés Ángel
David Rafael Gregorio Ignacio Javier Miguel Francisco Ramón Daniel Guillermo Gabriel
Alexander"""
) + ["de Jesús"]
SURNAMES = list(
    dict.fromkeys(
        _words(
            """González Rodríguez Pérez Hernández García Martínez López Díaz Sánchez Ramírez Torres
Gómez Rojas Morales Flores Romero Suárez Castillo Vargas Jiménez Moreno Herrera Medina Mendoza
Castro Gutiérrez Álvarez Ramos Ortiz Silva Rivera Reyes Chávez Fernández Aguilar Vásquez
Contreras Guerrero Salazar Delgado Acosta Blanco Mora Márquez Cabrera Marín Quintero Parra Peña
Rincón Méndez Molina Navarro Figueroa Sosa Cruz León Ríos Muñoz Espinoza Zambrano Vera Cedeño
Paredes Carrillo Bermúdez Montilla Briceño Colmenares Villamizar Mejía Ospina Cárdenas Osorio
Valencia Restrepo Cardona Giraldo Zapata Londoño Salcedo Quiñónez Chiriboga Andrade Proaño
Tenorio Villacís Macías Intriago Mera Loor Bravo Moreira Alcívar Urdaneta Linares Duarte
Escalona Pacheco Arias Campos Vivas Useche Albarrán Sequera Guédez Piña Chirinos Yépez Lugo
Bastidas Camacho Barrios Montero Toro Fuentes Núñez Rivas Ochoa Zerpa Peraza Hidalgo Velásquez
Palacios Avendaño Betancourt Uzcátegui Mujica Soto Tovar Ávila Arteaga Padilla Santana Aponte
Salas Guzmán Carvajal Calderón Valero Maldonado Gil Sierra Galindo Ibarra Lozada Oropeza
Villegas Terán Pineda Santamaría Villalobos Montenegro Sanmiguel"""
        )
        + [
            "De La Cruz",
            "De Los Santos",
            "Del Valle",
            "De La Torre",
            "De Jesús",
            "De Armas",
            "De Freitas",
            "Da Silva",
            "San Martín",
            "Del Castillo",
            "De León",
            "De La Rosa",
        ]
    )
)
PARTICLES = ("de", "del", "la", "las", "los", "da")
# Words registered as one that staff also write as two.
SPLITS = {
    "Santamaría": "Santa María",
    "Villalobos": "Villa Lobos",
    "Montenegro": "Monte Negro",
    "Sanmiguel": "San Miguel",
    "Villamizar": "Villa Mizar",
    "Mariángel": "María Ángel",
    "Luisana": "Luisa Ana",
    "Anyelina": "Anye Lina",
}
# Given name (one or two words, as in the lists above) -> the nicknames people give instead.
NICKNAMES = {
    "José": ("Pepe", "Chepe"),
    "Francisco": ("Pancho", "Paco", "Curro"),
    "Francisca": ("Paquita", "Pancha"),
    "Rosario": ("Charo", "Chayo"),
    "Guadalupe": ("Lupe",),
    "Jesús": ("Chucho", "Chuy"),
    "Ignacio": ("Nacho",),
    "Dolores": ("Lola",),
    "Antonio": ("Toño",),
    "Guillermo": ("Memo",),
    "Enrique": ("Quique", "Kike"),
    "María Teresa": ("Maite",),
    "María José": ("Majo",),
    "José María": ("Chema",),
    "Juan Carlos": ("Juanca",),
    "Concepción": ("Concha", "Conchita"),
    "Alberto": ("Beto",),
    "Roberto": ("Beto",),
    "Eduardo": ("Lalo",),
    "Manuel": ("Manolo",),
    "Fernando": ("Nando",),
    "Rafael": ("Rafa",),
    "Patricia": ("Paty",),
    "Isabel": ("Chabela",),
    "Mercedes": ("Meche",),
    "Alejandro": ("Alejo",),
    "Alejandra": ("Ale",),
    "Luis": ("Lucho",),
    "Josefina": ("Pepita", "Fina"),
    "Ramón": ("Moncho",),
    "Ricardo": ("Richi",),
    "Gabriela": ("Gaby",),
    "Daniela": ("Dani",),
    "Carolina": ("Caro",),
    "Victoria": ("Vicky",),
    "Santiago": ("Santi",),
    "Sebastián": ("Sebas",),
    "Elizabeth": ("Eli",),
}

# --- places, documents, phones ----------------------------------------------------------------

HOSTS = {  # host country: (weight, areas, phone prefix, regularization document)
    "CO": (
        45,
        ("CO-DC", "CO-ANT", "CO-NSA", "CO-ATL", "CO-VAC", "CO-LAG", "CO-ARA"),
        "+57",
        "ppt_co",
    ),
    "PE": (25, ("PE-LIM", "PE-TUM", "PE-LAL", "PE-ARE", "PE-CAL"), "+51", "cpp_pe"),
    "EC": (20, ("EC-P", "EC-G", "EC-C", "EC-E", "EC-M", "EC-A", "EC-I"), "+593", "cedula_ec"),
    "CL": (10, ("CL-RM", "CL-AP", "CL-TA", "CL-AN"), "+56", "run_cl"),
}
NATIONALITIES = (("VE", 82), ("CO", 9), ("EC", 4), ("PE", 3), ("AR", 2))
KEYBOARD = {  # Spanish QWERTY neighbours
    row[i]: row[max(0, i - 1) : i] + row[i + 1 : i + 2] + below
    for row, below_row in (("qwertyuiop", "asdfghjklñ"), ("asdfghjklñ", "zxcvbnm"), ("zxcvbnm", ""))
    for i in range(len(row))
    for below in [below_row[max(0, i - 1) : i + 1]]
}
ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}

# --- the error model --------------------------------------------------------------------------

# Error kind -> (train, eval): the probability that an extra record gets it, where it applies
# (a nickname needs a name that has one, a day/month swap a day of 12 or less). The two
# profiles differ on purpose: tune on one, report on the other.
RATES = {
    "name_typo": (0.30, 0.22),  # insertion, deletion, substitution, transposition, neighbour key
    "name_accent": (0.35, 0.30),  # accents dropped (José/Jose) or added (Gonzalez/Gonzáles)
    "name_case_space": (0.10, 0.15),  # CAPITALS, lower case, doubled or trailing spaces
    "nickname": (0.15, 0.25),  # Pepe for José
    "given_second_dropped": (0.20, 0.15),  # María José -> María
    "given_swapped": (0.03, 0.05),  # José Luis -> Luis José
    "second_surname_dropped": (0.20, 0.15),
    "surnames_swapped": (0.04, 0.06),
    "compound_glued": (0.15, 0.20),  # De La Cruz -> Delacruz, María José -> Mariajosé
    "compound_split": (0.25, 0.30),  # Santamaría -> Santa María
    "particle_dropped": (0.25, 0.30),  # De La Cruz -> Cruz, María de los Ángeles -> María Ángeles
    "dob_day_month_swapped": (0.05, 0.07),  # when the day is 12 or less
    "dob_year_off": (0.04, 0.05),
    "dob_digit_typo": (0.06, 0.04),
    "dob_missing": (0.04, 0.03),
    "dob_estimated": (0.04, 0.06),  # only the year known: YYYY-01-01 or YYYY-07-01
    "doc_digit_typo": (0.06, 0.08),
    "doc_transposed": (0.04, 0.05),
    "doc_missing": (0.20, 0.15),
    "doc_regularized": (0.12, 0.18),  # a new document after regularization (cédula VE -> PPT CO)
    "doc_formatting": (0.25, 0.20),  # leading zeros, dots, dashes, spaces
    "phone_missing": (0.20, 0.15),
    "phone_changed": (0.25, 0.20),
    "phone_formatting": (0.30, 0.35),  # national format, spaces, no plus
    "sex_missing": (0.04, 0.06),
    "area_moved": (0.20, 0.15),
}
ERROR_KINDS = tuple(RATES)


@dataclass(frozen=True)
class Profile:
    dup_share: float  # share of entities with extra records
    extra_weights: tuple[float, float, float]  # 1, 2 or 3 extra records
    rates: dict[str, float]  # error kind -> probability for each extra record
    namesake_share: float  # unrelated adults given another's name and birth year
    twin_share: float  # children born with a twin


PROFILES = {
    "train": Profile(
        dup_share=0.15,
        extra_weights=(0.65, 0.25, 0.10),
        rates={kind: train for kind, (train, _eval) in RATES.items()},
        namesake_share=0.015,
        twin_share=0.03,
    ),
    "eval": Profile(
        dup_share=0.12,
        extra_weights=(0.60, 0.28, 0.12),
        rates={kind: eval_ for kind, (_train, eval_) in RATES.items()},
        namesake_share=0.02,
        twin_share=0.025,
    ),
}

TODAY = date(2026, 6, 30)


def _weights(values: list[str], offset: float = 6.0) -> list[float]:
    """Cumulative Zipf-like weights by rank: the first of 150 surnames gets about 4 %."""
    return list(accumulate(1.0 / (rank + offset) for rank in range(len(values))))


class _Draw:
    """The random choices of one run (one `Random`, so a seed gives the same set)."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.female = (FEMALE, _weights(FEMALE, 3))
        self.female_second = (FEMALE_SECOND, _weights(FEMALE_SECOND, 2))
        self.male = (MALE, _weights(MALE, 3))
        self.male_second = (MALE_SECOND, _weights(MALE_SECOND, 2))
        self.surnames = (SURNAMES, _weights(SURNAMES))
        hosts = list(HOSTS)
        self.hosts = (hosts, list(accumulate(HOSTS[h][0] for h in hosts)))
        self.nationalities = (
            [n for n, _w in NATIONALITIES],
            list(accumulate(w for _n, w in NATIONALITIES)),
        )

    def pick(self, table: tuple[list, list[float]]):
        values, cumulative = table
        return values[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def given_names(self, sex: str) -> str:
        first = self.pick(self.female if sex == "F" else self.male)
        if self.rng.random() < 0.6:
            second = self.pick(self.female_second if sex == "F" else self.male_second)
            if second != first:
                return f"{first} {second}"
        return first

    def dob(self, age_low: int, age_high: int) -> date:
        age_days = self.rng.randint(age_low * 365, age_high * 365 + 364)
        return date.fromordinal(TODAY.toordinal() - age_days)

    def document(self, nationality: str, born: date, host: str) -> tuple[str, str]:
        rng = self.rng
        age = TODAY.year - born.year
        if age < 9 and rng.random() < 0.6 or rng.random() < 0.06:
            return "none", ""
        if nationality == "VE":
            if rng.random() < 0.12:
                return "passport", str(rng.randint(100_000_000, 199_999_999))
            # Cédulas were issued in sequence: older people hold lower numbers.
            base = max(1, (born.year - 1935) * 480_000 + (born.timetuple().tm_yday * 1_300))
            return "cedula_ve", str(base + rng.randint(0, 400_000))
        if nationality == "CO":
            return "cedula_co", str(rng.randint(10_000_000, 1_199_999_999))
        if nationality == "EC":
            return "cedula_ec", f"{rng.randint(1, 24):02d}{rng.randint(0, 99_999_999):08d}"
        if nationality == "PE":
            return "dni_pe", f"{rng.randint(0, 99_999_999):08d}"
        if rng.random() < 0.5:
            return "dni_ar", str(rng.randint(20_000_000, 49_999_999))
        return self.regularized(host)

    def regularized(self, host: str) -> tuple[str, str]:
        kind = HOSTS[host][3]
        rng = self.rng
        if kind == "ppt_co":
            return kind, str(rng.randint(1_000_000, 7_999_999))
        if kind == "cpp_pe":
            return kind, f"{rng.randint(0, 999_999_999):09d}"
        if kind == "cedula_ec":
            return kind, f"{rng.randint(1, 24):02d}{rng.randint(50_000_000, 99_999_999):08d}"
        return kind, f"{rng.randint(20_000_000, 29_999_999)}-{rng.choice('0123456789K')}"

    def phone(self, country: str) -> str:
        rng = self.rng
        if country == "VE":
            operator = rng.choice(("412", "414", "416", "424", "426"))
            return f"+58{operator}{rng.randint(0, 9_999_999):07d}"
        if country == "EC":
            return f"+5939{rng.randint(10_000_000, 99_999_999)}"
        if country == "CO":
            return f"+573{rng.randint(0, 2)}{rng.randint(0, 99_999_999):08d}"
        if country == "PE":
            return f"+519{rng.randint(0, 99_999_999):08d}"
        return f"+569{rng.randint(0, 99_999_999):08d}"


# --- errors on one record ---------------------------------------------------------------------


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn" or c == "\u0303")
    return unicodedata.normalize("NFC", kept)  # keeps ñ


def typo(word: str, rng: Random) -> str:
    """`word` with one typing error; the first letter is kept more often than not."""
    if len(word) < 2:
        return word + rng.choice("aeiou")
    i = rng.randint(1 if rng.random() < 0.9 else 0, len(word) - 1)
    kind = rng.randrange(5)
    lower = strip_accents(word[i].lower())
    if kind == 0:  # insertion: often the letter again
        extra = word[i] if rng.random() < 0.4 else rng.choice("aeiourslnt")
        return word[:i] + extra + word[i:]
    if kind == 1 and len(word) > 3:
        return word[:i] + word[i + 1 :]
    if kind == 2 and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 3 and lower in KEYBOARD:
        return word[:i] + rng.choice(KEYBOARD[lower]) + word[i + 1 :]
    letter = rng.choice([c for c in "abcdeghilmnorstuvyz" if c != lower])  # substitution
    return word[:i] + letter + word[i + 1 :]


def toggle_accent(text: str, rng: Random) -> str:
    """Accents dropped when there are any, else one added on a vowel."""
    plain = strip_accents(text)
    if plain != text:
        return plain
    spots = [i for i, c in enumerate(text) if c in ACCENTED]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + ACCENTED[text[i]] + text[i + 1 :]


def glue(text: str, rng: Random) -> str:
    words = text.split()
    if rng.random() < 0.5:
        return words[0] + "".join(w.lower() for w in words[1:])
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def without_particles(text: str) -> str:
    return " ".join(w for w in text.split() if w.lower() not in PARTICLES)


def has_particle(text: str) -> bool:
    words = text.split()
    return len(words) > 1 and any(w.lower() in PARTICLES for w in words)


def digit_typo(number: str, rng: Random) -> str:
    spots = [i for i, c in enumerate(number) if c.isdigit()]
    i = rng.choice(spots)
    return number[:i] + rng.choice([d for d in "0123456789" if d != number[i]]) + number[i + 1 :]


def transpose_digits(number: str, rng: Random) -> str:
    spots = [i for i in range(len(number) - 1) if number[i] != number[i + 1]]
    if not spots:
        return digit_typo(number, rng)
    i = rng.choice(spots)
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def format_document(kind: str, number: str, rng: Random) -> str:
    digits = number.replace("-", "")
    style = rng.randrange(4)
    if style == 0:
        return "0" * rng.randint(1, 2) + number
    if style == 1 and digits.isdigit() and len(digits) > 6:
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        return ".".join(groups)
    if style == 2:
        prefix = {"cedula_ve": "V-", "passport": "P-", "ppt_co": "PPT-"}.get(kind)
        if prefix:
            return prefix + number
        return number[:2] + "-" + number[2:]
    return number[: len(number) // 2] + " " + number[len(number) // 2 :]


def format_phone(phone: str, rng: Random) -> str:
    """The same number written another way: national, spaced, without the plus."""
    for code, trunk in (("+593", "0"), ("+58", "0"), ("+57", ""), ("+51", ""), ("+56", "")):
        if phone.startswith(code):
            national = trunk + phone[len(code) :]
            break
    else:
        return phone
    style = rng.randrange(4)
    if style == 0:
        return national
    if style == 1:
        return f"{national[:-7]} {national[-7:-4]} {national[-4:]}"
    if style == 2:
        return phone[1:]
    return f"{code} {phone[len(code) : len(code) + 2]} {phone[len(code) + 2 :]}"


def estimated(born: str, rng: Random) -> str:
    """Only the year known: 1 January or 1 July (not in the future) of it."""
    if int(born[:4]) == TODAY.year and TODAY.month < 7:
        return f"{born[:4]}-01-01"
    return f"{born[:4]}-{rng.choice(('01-01', '07-01'))}"


def dob_digit_typo(born: str, rng: Random) -> str:
    """One digit of the date wrong, keeping it a valid date."""
    for _attempt in range(10):
        i = rng.choice((2, 3, 6, 8, 9))
        candidate = born[:i] + str(rng.randrange(10)) + born[i + 1 :]
        if candidate != born and _valid(candidate):
            return candidate
    return born


def _valid(iso: str) -> bool:
    try:
        return date.fromisoformat(iso) <= TODAY
    except ValueError:
        return False


def apply_errors(record: dict, profile: Profile, draw: _Draw, host_of_area: dict) -> list[str]:
    """Apply the profile's error kinds to `record` in place; the kinds that changed it."""
    rng = draw.rng
    rates = profile.rates
    applied = []

    def roll(kind: str) -> bool:
        return rng.random() < rates[kind]

    given, first, second = record["given_names"], record["first_surname"], record["second_surname"]
    # Whole-name changes first, spelling errors on top of them.
    if roll("nickname"):
        words = given.split()
        for size in (2, 1):
            key = " ".join(words[:size])
            if len(words) >= size and key in NICKNAMES:
                given = " ".join([rng.choice(NICKNAMES[key]), *words[size:]])
                applied.append("nickname")
                break
    if roll("given_second_dropped") and len(given.split()) > 1:
        given = given.split()[0]
        applied.append("given_second_dropped")
    if roll("given_swapped") and len(given.split()) == 2:
        given = " ".join(reversed(given.split()))
        applied.append("given_swapped")
    if roll("second_surname_dropped") and second:
        second = ""
        applied.append("second_surname_dropped")
    if roll("surnames_swapped") and second:
        first, second = second, first
        applied.append("surnames_swapped")
    if roll("particle_dropped"):
        fields = [f for f in (given, first, second) if has_particle(f)]
        if fields:
            target = rng.choice(fields)
            given, first, second = (
                without_particles(f) if f == target else f for f in (given, first, second)
            )
            applied.append("particle_dropped")
    if roll("compound_split"):
        for word, split in SPLITS.items():
            if word in (given, first, second):
                given, first, second = (split if f == word else f for f in (given, first, second))
                applied.append("compound_split")
                break
    if roll("compound_glued"):
        fields = [i for i, f in enumerate((given, first, second)) if len(f.split()) > 1]
        if fields:
            names = [given, first, second]
            i = rng.choice(fields)
            names[i] = glue(names[i], rng)
            given, first, second = names
            applied.append("compound_glued")
    names = [given, first, second]
    if roll("name_typo"):
        i = rng.choices((0, 1, 2), weights=(40, 35, 25 if second else 0))[0]
        words = names[i].split()
        if words:
            w = rng.randrange(len(words))
            words[w] = typo(words[w], rng)
            names[i] = " ".join(words)
            applied.append("name_typo")
    if roll("name_accent"):
        i = rng.choice([i for i in range(3) if names[i]])
        changed = toggle_accent(names[i], rng)
        if changed != names[i]:
            names[i] = changed
            applied.append("name_accent")
    if roll("name_case_space"):
        i = rng.choice([i for i in range(3) if names[i]])
        style = rng.randrange(4)
        if style == 0:
            names[i] = names[i].upper()
        elif style == 1:
            names[i] = names[i].lower()
        elif style == 2:
            names[i] = names[i].replace(" ", "  ") if " " in names[i] else f" {names[i]}"
        else:
            names[i] = names[i] + " "
        applied.append("name_case_space")
    record["given_names"], record["first_surname"], record["second_surname"] = names

    born = record["date_of_birth"]
    if born and not record["dob_estimated"]:
        if roll("dob_day_month_swapped"):
            year, month, day = born.split("-")
            if int(day) <= 12 and day != month and _valid(f"{year}-{day}-{month}"):
                born = f"{year}-{day}-{month}"
                applied.append("dob_day_month_swapped")
        if roll("dob_year_off"):
            year = int(born[:4]) + rng.choice((-1, 1))
            candidate = f"{year}{born[4:]}"
            if _valid(candidate):
                born = candidate
                applied.append("dob_year_off")
        if roll("dob_digit_typo"):
            candidate = dob_digit_typo(born, rng)
            if candidate != born:
                born = candidate
                applied.append("dob_digit_typo")
        if roll("dob_estimated"):
            born = estimated(born, rng)
            record["dob_estimated"] = True
            applied.append("dob_estimated")
    if born and roll("dob_missing"):
        born = ""
        record["dob_estimated"] = False
        applied.append("dob_missing")
    record["date_of_birth"] = born

    kind, number = record["document_type"], record["document_number"]
    if roll("doc_regularized"):
        kind, number = draw.regularized(host_of_area[record["area"]])
        applied.append("doc_regularized")
    elif number:
        if roll("doc_digit_typo"):
            number = digit_typo(number, rng)
            applied.append("doc_digit_typo")
        if roll("doc_transposed"):
            number = transpose_digits(number, rng)
            applied.append("doc_transposed")
        if roll("doc_missing"):
            kind, number = "none", ""
            applied.append("doc_missing")
    if number and roll("doc_formatting"):
        number = format_document(kind, number, rng)
        applied.append("doc_formatting")
    record["document_type"], record["document_number"] = kind, number

    if roll("area_moved"):
        host = host_of_area[record["area"]] if rng.random() < 0.8 else draw.pick(draw.hosts)
        others = [a for a in HOSTS[host][1] if a != record["area"]]
        record["area"] = rng.choice(others)
        applied.append("area_moved")
    phone = record["phone"]
    if phone and roll("phone_missing"):
        phone = ""
        applied.append("phone_missing")
    elif roll("phone_changed"):
        phone = draw.phone(host_of_area[record["area"]])
        applied.append("phone_changed")
    if phone and roll("phone_formatting"):
        phone = format_phone(phone, rng)
        applied.append("phone_formatting")
    record["phone"] = phone
    if record["sex"] and roll("sex_missing"):
        record["sex"] = ""
        applied.append("sex_missing")
    return applied


# --- the population ---------------------------------------------------------------------------


def _people(n_people: int, profile: Profile, draw: _Draw) -> list[dict]:
    """`n_people` entities in households: (record dict, without id)."""
    rng = draw.rng
    people: list[dict] = []

    def person(given, first, second, born, sex, nationality, host, area, phone, estimated_dob):
        kind, number = draw.document(nationality, born, host)
        iso = born.isoformat()
        if estimated_dob:
            iso = estimated(iso, rng)
        elif rng.random() < 0.005:
            iso = ""  # never asked, or not known
        people.append(
            {
                "given_names": given,
                "first_surname": first,
                "second_surname": second,
                "date_of_birth": iso,
                "dob_estimated": estimated_dob,
                "sex": sex if rng.random() > 0.01 else "",
                "document_type": kind,
                "document_number": number,
                "phone": phone,
                "area": area,
            }
        )

    while len(people) < n_people:
        host = draw.pick(draw.hosts)
        area = rng.choice(HOSTS[host][1])
        nationality = draw.pick(draw.nationalities)
        phone_country = host if rng.random() < 0.8 else "VE"
        home_phone = draw.phone(phone_country) if rng.random() < 0.85 else ""
        estimated_dob = rng.random() < 0.04  # undocumented households: ages from interviews
        size = rng.choices((1, 2, 3, 4, 5, 6), weights=(20, 18, 22, 20, 12, 8))[0]
        head_sex = "F" if rng.random() < 0.55 else "M"
        # Parents: the children take the father's first surname, then the mother's.
        parents = []
        for sex in (head_sex, "M" if head_sex == "F" else "F")[: 1 if size == 1 else 2]:
            born = draw.dob(18, 70)
            other = people[rng.randrange(len(people))] if people else None
            if (
                other is not None
                and rng.random() < profile.namesake_share
                and "1900" < other["date_of_birth"][:4] <= str(TODAY.year - 18)
            ):
                # Another adult's given name, first surname and birth year: not them.
                given, first = other["given_names"], other["first_surname"]
                second = other["second_surname"] if rng.random() < 0.5 else draw.pick(draw.surnames)
                year = int(other["date_of_birth"][:4])
                born = date(year, rng.randint(1, 12), rng.randint(1, 28))
                sex = other["sex"] or sex
            else:
                given = draw.given_names(sex)
                first, second = draw.pick(draw.surnames), draw.pick(draw.surnames)
                if rng.random() < 0.04:
                    second = ""  # one surname only (registered abroad, or unknown)
            own_phone = home_phone if not parents else draw.phone(phone_country)
            if parents and rng.random() < 0.5:
                own_phone = home_phone
            parents.append((sex, first, born))
            person(
                given, first, second, born, sex, nationality, host, area, own_phone, estimated_dob
            )
        if size == 1:
            continue
        father = next((p for p in parents if p[0] == "M"), parents[0])
        mother = next((p for p in parents if p[0] == "F"), parents[-1])
        youngest_parent = max(father[2], mother[2])
        twin = None
        for _child in range(size - 2):
            max_age = min(30, (TODAY - youngest_parent).days // 365 - 15)
            if max_age < 0:
                break
            sex = "F" if rng.random() < 0.5 else "M"
            if twin is not None:
                born, given, sex = twin
                twin = None
            else:
                born = draw.dob(0, max_age)
                given = draw.given_names(sex)
                if rng.random() < profile.twin_share:
                    twin_given = draw.given_names(sex)
                    if rng.random() < 0.5 and " " in given:
                        # Luis Ángel and Luis Alberto
                        twin_given = given.split()[0] + " " + draw.given_names(sex).split()[0]
                    if rng.random() < 0.3:  # a twin of the other sex
                        twin_sex = "M" if sex == "F" else "F"
                        twin = (born, draw.given_names(twin_sex), twin_sex)
                    else:
                        twin = (born, twin_given, sex)
            person(
                given,
                father[1],
                mother[1],
                born,
                sex,
                nationality,
                host,
                area,
                home_phone,
                estimated_dob,
            )
    return people[:n_people]


def generate(
    n_people: int, seed: int, profile: str = "train", dup_share: float | None = None
) -> pa.Table:
    """`n_people` people and their extra records, shuffled, as a table (see the module)."""
    chosen = PROFILES[profile]
    draw = _Draw(Random(seed))
    rng = draw.rng
    share = chosen.dup_share if dup_share is None else dup_share
    host_of_area = {area: host for host, spec in HOSTS.items() for area in spec[1]}
    people = _people(n_people, chosen, draw)
    records: list[tuple[int, dict, str]] = []
    for entity, base in enumerate(people):
        records.append((entity, base, ""))
        if rng.random() < share:
            extras = rng.choices((1, 2, 3), weights=chosen.extra_weights)[0]
            for _extra in range(extras):
                record = dict(base)
                applied = apply_errors(record, chosen, draw, host_of_area)
                records.append((entity, record, " ".join(applied)))
    rng.shuffle(records)
    columns: dict[str, list] = {name: [] for name in MODEL_COLUMNS + TRUTH_COLUMNS}
    width = len(str(len(records)))
    for number, (entity, record, errors) in enumerate(records):
        columns["id"].append(f"r{number:0{width}d}")
        for name in MODEL_COLUMNS[1:]:
            columns[name].append(record[name])
        columns["entity_id"].append(f"e{entity:0{width}d}")
        columns["errors"].append(errors)
    return pa.table(
        {
            name: pa.array(values, pa.bool_() if name == "dob_estimated" else pa.string())
            for name, values in columns.items()
        }
    )


def model_input(table: pa.Table) -> pa.Table:
    """The columns a model may read: all but the ground truth."""
    return table.drop_columns([c for c in TRUTH_COLUMNS if c in table.column_names])


def error_counts(table: pa.Table) -> Counter:
    """How many records carry each error kind."""
    counts: Counter = Counter()
    for errors in table.column("errors").to_pylist():
        if errors:
            counts.update(errors.split())
    return counts


def write_csv(table: pa.Table, path: str | Path) -> None:
    pyarrow.csv.write_csv(table, str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="train")
    parser.add_argument("--dup-share", type=float, default=None)
    parser.add_argument("--csv", type=Path, help="write the records (with the truth) here")
    args = parser.parse_args()
    started = time.perf_counter()
    table = generate(args.people, args.seed, args.profile, args.dup_share)
    elapsed = time.perf_counter() - started
    entities = len(set(table.column("entity_id").to_pylist()))
    print(
        f"{table.num_rows:,} records of {entities:,} people (profile {args.profile}, "
        f"seed {args.seed}) in {elapsed:.1f} s"
    )
    counts = error_counts(table)
    for kind in ERROR_KINDS:
        print(f"  {kind:<24} {counts[kind]:>9,}")
    if args.csv:
        write_csv(table, args.csv)
        print(f"written to {args.csv}")
    print(
        "reproduce: .venv/bin/python bench/dedupe_people.py "
        f"--people {args.people} --seed {args.seed} --profile {args.profile}"
        + (f" --dup-share {args.dup_share}" if args.dup_share is not None else "")
    )


if __name__ == "__main__":
    sys.exit(main())
