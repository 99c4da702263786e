"""The linkage model on small fixtures: each kind of error this population's records carry is
still found as the same person, and namesakes (same names, other people) are not joined."""

import pyarrow as pa
import pyarrow.compute  # noqa: F401 (pa.compute)
import pytest

from amparo.dedup import linkage, normalize

BASE = {
    "given_names": "José Luis",
    "first_surname": "González",
    "second_surname": "Pérez",
    "date_of_birth": "1990-05-07",
    "sex": "M",
    "document_type": "cedula_ve",
    "document_number": "V-12.345.678",
    "phone": "+58 412 123 4567",
    "area": "EC-P",
    "address": "Av. 10 de Agosto N24-55 y Colón",
}
# People who share nothing much with BASE or with one another: the background of each fixture.
OTHERS = [
    ("Ana", "Torres", "Vera", "2001-03-03", "F", "81234567", "+593991110001"),
    ("Carlos", "Mendoza", "Silva", "1975-11-30", "M", "22334455", "+593991110002"),
    ("Yoselin", "Rojas", "Castillo", "1998-08-19", "F", "30111222", "+593991110003"),
    ("Pedro", "Flores", "", "1960-02-14", "M", "", "+593991110004"),
    ("Daniela", "Vargas", "Romero", "2005-12-25", "F", "27888999", ""),
    ("Miguel Ángel", "Sánchez", "Díaz", "1983-06-01", "M", "15151515", "+593991110006"),
]

ERRORS = {
    "nickname": {"given_names": "Pepe Luis"},
    "second given name dropped": {"given_names": "José"},
    "glued compound given name": {"given_names": "JoseLuis"},
    "typo in a given name": {"given_names": "Jose Lius"},
    "accents and case": {"given_names": "JOSE LUIS", "first_surname": "GONZALEZ"},
    "second surname dropped": {"second_surname": ""},
    "surnames swapped": {"first_surname": "Pérez", "second_surname": "González"},
    "typo in a surname": {"first_surname": "Gonzales"},
    "day and month swapped": {"date_of_birth": "1990-07-05"},
    "year off by one": {"date_of_birth": "1991-05-07"},
    "one digit of the date": {"date_of_birth": "1990-05-08"},
    "date missing": {"date_of_birth": ""},
    "date only estimated": {"date_of_birth": "1990-01-01", "dob_estimated": True},
    "document typo": {"document_number": "12354678"},
    "document with its letter and zeros": {"document_number": "012345678"},
    "new document after regularization": {"document_type": "ppt_co", "document_number": "4455667"},
    "phone written otherwise": {"phone": "0412-1234567"},
    "phone and document missing": {"phone": "", "document_number": ""},
    "moved to another area": {"area": "EC-G"},
    "address written otherwise": {"address": "Avenida 10 de agosto N24 55, Colon"},
    # With no document to carry them: the names alone must.
    "given name and surname in each other's places": {
        "given_names": "González", "first_surname": "José", "document_number": ""},
    "two letters of a given name swapped": {"given_names": "Jsoé Luis", "document_number": ""},
    "glued given names with a slip": {"given_names": "JoseLius", "document_number": ""},
    "a surname with a slip, the other dropped": {
        "first_surname": "Gonzalex", "second_surname": "", "document_number": ""},
    "a surname with a slip, the other the same": {
        "second_surname": "Peres", "document_number": "", "phone": ""},
    "two digits of the document swapped": {"document_number": "12346578", "phone": ""},
}  # fmt: skip


def records(*extra: dict) -> pa.Table:
    rows = [{"id": "base", **BASE, "dob_estimated": False}]
    for n, (given, sn1, sn2, dob, sex, doc, phone) in enumerate(OTHERS):
        rows.append(
            {
                "id": f"other-{n}",
                "given_names": given,
                "first_surname": sn1,
                "second_surname": sn2,
                "date_of_birth": dob,
                "dob_estimated": False,
                "sex": sex,
                "document_type": "cedula_ve" if doc else "",
                "document_number": doc,
                "phone": phone,
                "area": "EC-P",
            }
        )
    rows.extend(extra)
    return pa.Table.from_pylist(rows)


def pairs(result: linkage.Result) -> set[frozenset[str]]:
    return {
        frozenset((a, b))
        for a, b in zip(
            result.pairs.column("id_a").to_pylist(),
            result.pairs.column("id_b").to_pylist(),
            strict=True,
        )
    }


@pytest.mark.parametrize("kind", ERRORS)
def test_each_kind_of_error_is_still_the_same_person(kind):
    copy = {**BASE, "dob_estimated": False, **ERRORS[kind], "id": "copy"}

    result = linkage.deduplicate(records(copy))

    assert pairs(result) == {frozenset(("base", "copy"))}
    columns = result.clusters.to_pydict()
    clusters = dict(zip(columns["id"], columns["cluster_id"], strict=True))
    assert clusters["base"] == clusters["copy"] != clusters["other-0"]


def test_two_errors_at_once_are_still_the_same_person():
    copy = {**BASE, "id": "copy", "dob_estimated": False, "given_names": "Pepe"}
    copy.update(second_surname="", date_of_birth="1990-07-05", phone="")

    assert pairs(linkage.deduplicate(records(copy))) == {frozenset(("base", "copy"))}


def test_a_slip_in_a_name_that_stands_for_two_is_still_the_same_person():
    """'Marisol' reads as María Soledad; 'Marisoal', a slip, reads as itself: the names as
    written are compared too. Without a document, so that the names must carry it."""
    base = {**BASE, "id": "marisol", "given_names": "Marisol", "sex": "F", "document_number": ""}
    slip = {**base, "id": "slip", "given_names": "Marisoal"}
    found = pairs(linkage.deduplicate(records(base, slip)))
    assert frozenset(("marisol", "slip")) in found


@pytest.mark.parametrize(
    "namesake",
    [
        # A sister: the same surnames, phone and area; another name, date and document.
        {"given_names": "María", "sex": "F", "date_of_birth": "1993-02-11",
         "document_number": "19876543"},
        # A twin brother: the same date of birth and surnames, another name and document.
        {"given_names": "Carlos Andrés", "document_number": "12399999"},
        # An unrelated namesake: the same name, another date, document, phone and area.
        {"date_of_birth": "1972-10-23", "document_number": "5432109", "phone": "+573001112233",
         "area": "EC-G"},
        # The father: the same names; born 30 years earlier, another document.
        {"date_of_birth": "1960-05-07", "document_number": "3456789"},
        # The son with his father's names, at home (phone, address): no document yet.
        {"date_of_birth": "2015-05-07", "document_number": ""},
        # A brother: José Antonio, born two years later, no document.
        {"given_names": "José Antonio", "date_of_birth": "1992-03-14", "document_number": ""},
    ],
    ids=[
        "sister", "twin", "unrelated namesake", "father", "son named after his father",
        "brother with the same first name",
    ],
)  # fmt: skip
def test_namesakes_are_not_joined(namesake):
    other = {**BASE, "dob_estimated": False, **namesake, "id": "namesake"}

    assert pairs(linkage.deduplicate(records(other))) == set()


def test_linking_two_files_pairs_only_across_them():
    left = records()
    right = pa.Table.from_pylist(
        [
            {**BASE, "id": "r1", "dob_estimated": False, "given_names": "Pepe"},
            {**BASE, "id": "r2", "dob_estimated": False, "given_names": "Pepe Luis"},
        ]
    )

    found = pairs(linkage.link(left, right))

    assert found == {frozenset(("base", "r1")), frozenset(("base", "r2"))}


def test_records_without_an_id_are_refused():
    with pytest.raises(ValueError, match="id"):
        linkage.deduplicate(pa.table({"given_names": ["Ana"]}))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1990-05-17", "1990-05-17"),
        ("19900517", "1990-05-17"),
        ("1990-02-30", None),
        ("17/05/1990", None),
        ("", None),
    ],
)
def test_dates_are_read_in_iso_or_yyyymmdd(raw, expected):
    assert normalize.birth_date(raw) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [("Paredes", "prds"), ("Pareds", "prds"), ("Parredes", "prds"), ("Villamizar", "blmsr"),
     ("Billamisar", "blmsr"), ("Dellgado", "dlgd"), ("Hernández", "ernds"), ("Ernandes", "ernds")],
)  # fmt: skip
def test_the_blocking_skeleton_survives_the_commonest_slips(typed, key):
    assert normalize.skeleton(typed) == key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Av. 10 de Agosto N24-55 y Colón", "10 agosto n24 55 colon"),
        ("Barrio La Floresta, calle 3, casa 12", "floresta 3 12"),
        ("7 wallaby place delmar", "7 wallaby place delmar"),
        ("  ", None),
        (None, None),
    ],
)
def test_addresses_keep_their_words_and_lose_the_kind_of_place(typed, key):
    assert normalize.address(typed) == key


def test_different_names_keep_different_skeletons():
    assert normalize.skeleton("Gómez") != normalize.skeleton("González")


def test_one_person_is_scored_as_the_batch_scores_them():
    """`score` (one record against a few, for a screen) reads the stored model's own SQL:
    the same probability and per-field weights as the batch for every pair."""
    table = records(
        *(
            {"id": f"twin-{kind}", **BASE, "dob_estimated": False, **change}
            for kind, change in list(ERRORS.items())[:6]
        )
    )
    batch = linkage.deduplicate(table, threshold=0.000001)
    expected = {frozenset((row["id_a"], row["id_b"])): row for row in batch.pairs.to_pylist()}
    assert len(expected) >= 6
    others = table.filter(pa.compute.not_equal(table.column("id"), "base"))
    scored = linkage.score(batch.model, table.slice(0, 1), others)
    for other, (probability, weights) in scored.items():
        row = expected.get(frozenset(("base", other)))
        if row is None:  # not in a block together, or under the threshold
            assert probability < 0.001
            continue
        assert probability == pytest.approx(row["match_probability"], rel=1e-9)
        assert weights["doc"] == pytest.approx(row["mw_doc"], abs=0.01)
        assert weights["given"] == pytest.approx(row["mw_given"], abs=0.01)


def test_a_registry_without_duplicates_still_trains():
    """Nobody registered twice: EM's blocks hold nothing or only namesakes, and its m values
    would underflow; the run keeps the starting values for them and finishes."""
    import random

    chance = random.Random(7)  # noqa: S311 (test data)
    given = ["Ana", "Luis", "Rosa", "Jorge", "Carmen", "Pedro", "Lucía", "Andrés", "Elena"]
    surnames = ["Torres", "Vera", "Rojas", "Silva", "Mendoza", "Castro", "Paredes", "Quispe"]
    seen, rows = set(), []
    while len(rows) < linkage.MIN_TRAINING_RECORDS + 200:
        person = (
            chance.choice(given),
            chance.choice(surnames),
            chance.choice(surnames),
            f"{chance.randint(1940, 2020)}-{chance.randint(1, 12):02d}-{chance.randint(1, 28):02d}",
        )
        if person in seen:  # namesakes are born on other days: nobody is anybody else
            continue
        seen.add(person)
        rows.append(
            dict(
                zip(
                    ("given_names", "first_surname", "second_surname", "date_of_birth"),
                    person,
                    strict=True,
                )
            )
            | {"id": str(len(rows))}
        )
    result = linkage.deduplicate(pa.Table.from_pylist(rows))
    assert result.pairs.num_rows == 0
    assert result.model["comparisons"]
    # Nobody agrees on everything, so the chance that two records are one person is the
    # least there is (one pair of all), not the prior's.
    records_ = len(rows)
    assert result.model["probability_two_random_records_match"] == pytest.approx(
        2 / (records_ * (records_ - 1))
    )


def test_the_fast_preparation_is_the_same():
    """`prepared_rows` (a screen's handful of records, in Python) gives what `prepare` writes."""
    table = records(
        *(
            {"id": f"twin-{kind}", **BASE, "dob_estimated": False, **change}
            for kind, change in ERRORS.items()
        ),
        {"id": "empty", "given_names": None, "first_surname": None},
    )
    con = linkage._connection()
    linkage.prepare(con, table, "slow")
    cursor = con.execute("SELECT * FROM slow ORDER BY unique_id")
    names = [column[0] for column in cursor.description]
    slow = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    fast = sorted(linkage.prepared_rows(table), key=lambda row: row["unique_id"])
    assert [list(row) for row in fast] == [names] * len(fast)
    assert fast == slow
