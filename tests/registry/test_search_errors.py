"""Realistic errors in the search box and the duplicate check (issue 10, point 18): nicknames,
compound given names typed without their space, a second surname left out, a birth date or an
age in the box among namesakes, day and month swapped."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from amparo.core.models import Area
from amparo.registry import actions, normalize
from amparo.registry.duplicates import find_duplicates
from amparo.registry.search import search_individuals
from tests.factories import member


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


@pytest.fixture
def officer(make_user, quito):
    return make_user("registration_officer", office=quito, username="registro")


def register(officer, office, people: list[dict]) -> list:
    """One household per call, the first person its head; returns the members in order."""
    members = [
        member(
            relationship="head" if i == 0 else "other_relative",
            phone="",
            documents=[],
            **person,
        )
        for i, person in enumerate(people)
    ]
    household = actions.register_household(actor=officer, office=office, members=members)
    by_name = {(p.given_names, p.date_of_birth.isoformat()): p for p in household.members.all()}
    return [by_name[(p["given_names"], p["date_of_birth"])] for p in people]


PEOPLE = [
    {"given_names": "Francisco Javier", "first_surname": "Flores", "second_surname": "Rivera"},
    {"given_names": "José Luis", "first_surname": "Zambrano", "second_surname": "Cedeño"},
    {"given_names": "Rosario", "first_surname": "Quishpe", "second_surname": "Guamán"},
    {"given_names": "Concepción", "first_surname": "Villacís", "second_surname": "Loor"},
    {"given_names": "María José", "first_surname": "Andrade", "second_surname": "Intriago"},
    {"given_names": "Ignacio", "first_surname": "Pazmiño", "second_surname": "Yépez"},
    {"given_names": "Guadalupe", "first_surname": "Moreira", "second_surname": "Palacios"},
    {"given_names": "Jesús", "first_surname": "Chiluisa", "second_surname": "Tituaña"},
]


@pytest.fixture
def registered(officer, quito):
    people = [
        {**p, "date_of_birth": f"19{70 + i}-0{1 + i}-1{i}", "sex": "M"}
        for i, p in enumerate(PEOPLE)
    ]
    return dict(
        zip([p["given_names"] for p in PEOPLE], register(officer, quito, people), strict=True)
    )


def first(hits):
    return hits[0].individual if hits else None


@pytest.mark.parametrize(
    ("text", "given_names"),
    [
        ("Pancho Flores Rivera", "Francisco Javier"),
        ("Paco Flores", "Francisco Javier"),
        ("Pepe Zambrano Cedeño", "José Luis"),
        ("Charo Quishpe", "Rosario"),
        ("Conchi Villacís Loor", "Concepción"),
        ("Majo Andrade Intriago", "María José"),
        ("Nacho Pazmiño", "Ignacio"),
        ("Lupe Moreira", "Guadalupe"),
        ("Chuy Chiluisa", "Jesús"),
    ],
)
def test_search_reads_a_nickname_as_the_name_it_stands_for(officer, registered, text, given_names):
    hits = search_individuals(officer, text)

    assert first(hits) == registered[given_names]


@pytest.mark.parametrize(
    ("text", "given_names"),
    [
        ("JoséLuis Zambrano Cedeño", "José Luis"),
        ("joseluis zambrano", "José Luis"),
        ("mariajose andrade", "María José"),
        ("FranciscoJavier Flores", "Francisco Javier"),
    ],
)
def test_search_finds_a_compound_given_name_typed_without_its_space(
    officer, registered, text, given_names
):
    hits = search_individuals(officer, text)

    assert first(hits) == registered[given_names]


@pytest.mark.parametrize(
    ("data", "reasons"),
    [
        ({"given_names": "Pancho"}, ["similar_name", "same_birth_date"]),
        ({"given_names": "FranciscoJavier"}, ["same_name", "same_birth_date"]),
        ({"second_surname": ""}, ["same_name_without_second_surname", "same_birth_date"]),
        ({"date_of_birth": "1970-10-01"}, ["same_name", "swapped_birth_date"]),
    ],
    ids=["nickname", "glued-compound", "no-second-surname", "day-month-swapped"],
)
def test_duplicate_check_flags_the_person_despite_the_error(officer, registered, data, reasons):
    francisco = registered["Francisco Javier"]  # born 1970-01-10
    new = member(
        **{
            "given_names": "Francisco Javier",
            "first_surname": "Flores",
            "second_surname": "Rivera",
            "date_of_birth": "1970-01-10",
            "phone": "",
            "documents": [],
            **data,
        }
    )

    report = find_duplicates(officer, new, region="EC")

    assert [(c.individual, c.reasons) for c in report.candidates] == [(francisco, reasons)]


def test_duplicate_check_without_second_surname_on_either_side(officer, quito, registered):
    [maria] = register(
        officer,
        quito,
        [
            {
                "given_names": "Ana",
                "first_surname": "Vera",
                "second_surname": "",
                "date_of_birth": "2001-05-06",
            }
        ],
    )
    new = member(given_names="Ana", first_surname="Vera", second_surname="Mendoza")
    new.update(date_of_birth="2001-05-06", phone="", documents=[])

    report = find_duplicates(officer, new, region="EC")

    assert [c.individual for c in report.candidates] == [maria]
    assert report.candidates[0].explanation == [
        "mismos nombres y primer apellido (uno no tiene segundo apellido)",
        "misma fecha de nacimiento",
    ]


def test_duplicate_check_ignores_a_namesake_with_another_second_surname_born_elsewhere(
    officer, registered
):
    new = member(given_names="Francisco Javier", first_surname="Flores", second_surname="")
    new.update(date_of_birth="1995-06-01", phone="", documents=[])

    report = find_duplicates(officer, new, region="EC")

    assert report.candidates == []


@pytest.fixture
def namesakes(officer, quito):
    """40 Enrique Flores born on different days of 1980-1985, and the one we look for."""
    start = datetime.date(1980, 1, 1)
    people = [
        {
            "given_names": "Enrique",
            "first_surname": "Flores",
            "second_surname": surname,
            "sex": "M",
            "date_of_birth": (start + datetime.timedelta(days=47 * i)).isoformat(),
        }
        for i, surname in enumerate(["Vera", "Loor", "Ortiz", "Macías", "Cevallos"] * 8)
    ]
    target = {
        "given_names": "Enrique",
        "first_surname": "Flores",
        "second_surname": "Quishpe",
        "sex": "M",
        "date_of_birth": "1985-03-07",
    }
    rows = register(officer, quito, people[:20]) + register(officer, quito, [*people[20:], target])
    return rows[-1]


@pytest.mark.parametrize(
    "text",
    ["Enrique Flores 07/03/1985", "Enrique Flores 7-3-1985", "1985-03-07 enrique flores"],
    ids=["dd/mm/yyyy", "d-m-yyyy", "iso-first"],
)
def test_search_with_birth_date_in_the_box_ranks_the_person_first_among_namesakes(
    officer, namesakes, text
):
    hits = search_individuals(officer, text)

    assert [h.individual for h in hits] == [namesakes]


def test_search_with_day_and_month_swapped_still_finds_the_person(officer, namesakes):
    hits = search_individuals(officer, "Enrique Flores 03/07/1985")

    assert first(hits) == namesakes


def test_search_birth_date_filter_keeps_people_born_that_day(officer, namesakes):
    hits = search_individuals(officer, "Enrique Flores", born=datetime.date(1985, 3, 7))
    alone = search_individuals(officer, "", born=datetime.date(1985, 3, 7))

    assert [h.individual for h in hits] == [namesakes]
    assert [h.individual for h in alone] == [namesakes]


def test_search_with_an_age_in_the_box_keeps_people_of_about_that_age(officer, quito):
    today = timezone.localdate()
    born = [today.replace(year=today.year - years, day=1) for years in (30, 41, 60)]
    people = [
        {"given_names": "Enrique", "first_surname": "Flores", "second_surname": s, "sex": "M"}
        for s in ("Vera", "Loor", "Ortiz")
    ]
    for person, day in zip(people, born, strict=True):
        person["date_of_birth"] = day.isoformat()
    thirty, forty_one, sixty = register(officer, quito, people)

    hits = search_individuals(officer, "Enrique Flores 41 años")

    assert forty_one in [h.individual for h in hits]
    assert thirty not in [h.individual for h in hits]
    assert sixty not in [h.individual for h in hits]


def test_search_with_birth_date_does_not_leak_other_offices(
    officer, namesakes, make_user, office_b1
):
    stranger = make_user("registration_officer", office=office_b1, username="otra")

    assert search_individuals(stranger, "Enrique Flores 07/03/1985") == []


@pytest.mark.parametrize(
    ("text", "rest", "dates", "age"),
    [
        ("Enrique Flores 07/03/1985", "Enrique Flores", [(1985, 3, 7), (1985, 7, 3)], None),
        ("Enrique Flores 25/12/1985", "Enrique Flores", [(1985, 12, 25)], None),
        ("1985-03-07 Enrique", "Enrique", [(1985, 3, 7), (1985, 7, 3)], None),
        ("Enrique Flores 41 años", "Enrique Flores", [], 41),
        ("Enrique Flores 41", "Enrique Flores", [], 41),
        ("0991234567", "0991234567", [], None),
        ("V-12.345.678", "V-12.345.678", [], None),
        ("EC-QUI-2026-00042", "EC-QUI-2026-00042", [], None),
        ("Enrique 31/02/1985", "Enrique", [], None),
    ],
)
def test_split_birth_date(text, rest, dates, age):
    assert normalize.split_birth_date(text) == (
        rest,
        [datetime.date(*d) for d in dates],
        age,
    )


@pytest.mark.parametrize(
    ("tokens", "reading"),
    [
        (("pancho", "flores"), ("francisco", "flores")),
        (("majo",), ("maria", "jose")),
        (("joseluis", "perez"), ("jose", "luis", "perez")),
        (("mariajose",), ("maria", "jose")),
    ],
)
def test_name_variants_read_nicknames_and_glued_compounds(tokens, reading):
    variants = normalize.name_variants(tokens)

    assert variants[0] == tokens
    assert reading in variants


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_sqlite_name_index_follows_edits(officer, registered):
    rosario = registered["Rosario"]

    actions.update_individual(
        actor=officer, individual=rosario, changes={"first_surname": "Tituaña"}
    )

    assert first(search_individuals(officer, "Rosario Tituana Guaman")) == rosario
    assert search_individuals(officer, "Rosario Quishpe Guaman") == []


def test_one_typo_found_among_hundreds_sharing_the_other_words(officer, quito):
    """350 María González, and the one whose surname is mistyped early in the word (no
    three-letter prefix left intact) still comes first."""
    surnames = ["Vera", "Loor", "Ortiz", "Macías", "Cevallos", "Mendoza", "Palacios"]
    start = datetime.date(1950, 1, 1)
    for batch in range(7):
        register(
            officer,
            quito,
            [
                {
                    "given_names": "María",
                    "first_surname": "González",
                    "second_surname": surnames[(batch + i) % 7],
                    "date_of_birth": (start + datetime.timedelta(days=batch * 400 + i)).isoformat(),
                }
                for i in range(50)
            ],
        )
    [target] = register(
        officer,
        quito,
        [
            {
                "given_names": "María",
                "first_surname": "González",
                "second_surname": "Fernández",
                "date_of_birth": "1999-09-09",
            }
        ],
    )

    hits = search_individuals(officer, "María González Frrnández")

    assert first(hits) == target


def test_duplicate_check_reads_any_glued_pair_of_given_names(officer, quito):
    [person] = register(
        officer,
        quito,
        [
            {
                "given_names": "Medjine Fabienne",
                "first_surname": "Toussaint",
                "second_surname": "",
                "date_of_birth": "1975-07-01",
            }
        ],
    )
    new = member(given_names="MedjineFabienne", first_surname="Toussaint", second_surname="")
    new.update(date_of_birth="1975-07-01", phone="", documents=[])

    report = find_duplicates(officer, new, region="EC")

    assert [c.individual for c in report.candidates] == [person]


def test_search_forgives_a_short_surname_mistyped_beyond_its_trigrams(officer, quito):
    [person] = register(
        officer,
        quito,
        [
            {
                "given_names": "Danielle",
                "first_surname": "Jeune",
                "second_surname": "",
                "date_of_birth": "1988-02-03",
            }
        ],
    )

    assert first(search_individuals(officer, "Danielle Jelne")) == person


def test_a_nickname_is_read_even_when_another_word_has_readings_too():
    variants = normalize.name_variants(("chepe", "jhon", "prado"), 3)

    assert ("jose", "jhon", "prado") in variants


def test_duplicate_check_reads_a_particle_glued_to_the_given_name(officer, quito):
    [person] = register(
        officer,
        quito,
        [
            {
                "given_names": "María del Carmen",
                "first_surname": "Guerrero",
                "second_surname": "Palacios",
                "date_of_birth": "1988-07-26",
            }
        ],
    )
    new = member(given_names="Maríadel Carmen", first_surname="Guerrero")
    new.update(second_surname="Palacios", date_of_birth="1988-07-26", phone="", documents=[])

    report = find_duplicates(officer, new, region="EC")

    assert [c.individual for c in report.candidates] == [person]
