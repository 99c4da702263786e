"""`amparo dedupe pprl-encode` and `amparo dedupe pprl`: two agencies find the people they both
serve, each showing the other only keyed encodings of its records. No database."""

import base64
import csv
import re
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command

from amparo.dedup import pprl
from amparo.registry.normalize import fold

SECRET = b"Zq4v9-kP2mX8rT6wY1bN3cL7hJ5dF0gS"
OTHER_SECRET = b"uE8r-Qw3zT5yH1kM9nB7vC2xL4pD6fGa"
MAP = "given_names=nombres,first_surname=apellido1,second_surname=apellido2,date_of_birth=nacimiento,document_number=cedula,phone=telefono,sex=sexo"  # noqa: E501
HEADER = ["cod", "nombres", "apellido1", "apellido2", "nacimiento", "cedula", "telefono", "sexo"]
AGENCY_A = [
    HEADER,
    ["A1", "José Luis", "González", "Pérez", "1990-05-07", "V-12.345.678", "+584121234567", "M"],
    ["A2", "María José", "Rodríguez", "De La Cruz", "1985-01-20", "", "0991234567", "F"],
    ["A3", "Francisco", "Ramírez", "Torres", "1978-11-03", "14567890", "", "M"],
    ["A4", "Ana Gabriela", "Mendoza", "Suárez", "2001-03-03", "81234567", "", "F"],
    ["A5", "Carlos Eduardo", "Pérez", "Gómez", "1992-08-15", "17654321", "", "M"],
    ["A6", "Luisa Fernanda", "Morales", "Vera", "1995-06-30", "20111222", "", "F"],
]
AGENCY_B = [
    HEADER,
    # A1: a nickname, the second surname dropped, the document written otherwise.
    ["B1", "Pepe", "Gonzalez", "", "19900507", "12345678", "", "M"],
    # A2: a nickname, the surnames swapped, the phone in international form.
    ["B2", "Majo", "De La Cruz", "Rodríguez", "1985-01-20", "", "+593 99 123 4567", "F"],
    # A3: a nickname and two digits of the document swapped.
    ["B3", "Pancho", "Ramirez", "Torres", "1978-11-03", "14567809", "", "M"],
    # A4: one digit of the document wrong, accents dropped.
    ["B4", "Ana Gabriela", "Mendoza", "Suarez", "2001-03-03", "81234568", "", "F"],
    # Namesakes of A5 born on other days: other people.
    ["B5", "Carlos Eduardo", "Pérez", "Gómez", "1992-02-21", "25555555", "", "M"],
    ["B6", "Carlos Eduardo", "Pérez", "Gómez", "1975-08-15", "", "", "M"],
    ["B7", "Yoselin", "Castillo", "Rivas", "2010-10-10", "30999888", "", "F"],
]
OVERLAPS = {("A1", "B1"), ("A2", "B2"), ("A3", "B3"), ("A4", "B4")}
HEX = re.compile(r"^[0-9a-f]+$")


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as source:
        return list(csv.DictReader(source))


def secret_file(tmp_path: Path, secret: bytes = SECRET, name: str = "secreto.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(secret + b"\n")
    return path


def encode(tmp_path: Path, rows: list[list[str]], name: str, secret: bytes = SECRET) -> Path:
    output = tmp_path / f"{name}.pprl.csv"
    call_command(
        "dedupe", "pprl-encode", str(write(tmp_path / f"{name}.csv", rows)), "--id", "cod",
        "--map", MAP, "--secret-file", str(secret_file(tmp_path, secret, f"{name}.key")),
        "--output", str(output),
    )  # fmt: skip
    return output


def table(rows: list[list[str]]):
    fields = ["id", "given_names", "first_surname", "second_surname", "date_of_birth",
              "document_number", "phone", "sex"]  # fmt: skip
    return pa.table({f: [row[i] or None for row in rows[1:]] for i, f in enumerate(fields)})


def forms(value: str) -> set[str]:
    """The ways a value could leak: as typed, lower case, accentless, digits only."""
    found = {value, value.lower(), fold(value), fold(value).replace(" ", "")}
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 6:
        found.update({digits, digits[-9:], digits.lstrip("0")})
    return {f for f in found if f}


def test_the_encoded_file_holds_no_plaintext_identifier(tmp_path):
    encoded = encode(tmp_path, AGENCY_A, "a")

    text = encoded.read_text(encoding="utf-8")
    rows = read(encoded)
    values = {value for row in AGENCY_A[1:] for value in row[1:7] if value}
    long_forms = {f for value in values for f in forms(value) if len(f) >= 5}
    assert [f for f in long_forms if f in text or f.lower() in text.lower()] == []
    # Shorter values ("Ana", "Vera") can only hide in the tokens and filters, which are hex
    # and base64 of binary: every cell is one of those, the version or the agency's own id.
    assert list(rows[0]) == list(pprl.ENCODED_COLUMNS)
    assert [row["id"] for row in rows] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    for row in rows:
        assert row["version"] == pprl.VERSION
        assert HEX.match(row["check"])
        assert len(base64.b64decode(row["clk"], validate=True)) == pprl.BITS // 8
        tokens = [row["document"], row["birth_date"], row["phone"], *row["blocks"].split()]
        assert all(HEX.match(token) and len(token) == pprl.TOKEN_HEX for token in tokens if token)


def test_overlaps_are_found_and_namesakes_born_on_other_days_are_not(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    encoded_b = encode(tmp_path, AGENCY_B, "b")
    output = tmp_path / "overlaps.csv"

    call_command("dedupe", "pprl", str(encoded_a), str(encoded_b), "--output", str(output))

    pairs = read(output)
    assert list(pairs[0]) == ["id_a", "id_b", "score", "reasons"]
    assert {(p["id_a"], p["id_b"]) for p in pairs} == OVERLAPS
    assert all(0.9 <= float(p["score"]) <= 1 for p in pairs)


def test_another_secret_gives_encodings_that_do_not_link(tmp_path):
    records = pprl.encode(table(AGENCY_A), SECRET)
    other = pprl.encode(table(AGENCY_A), OTHER_SECRET)
    # Someone who forges the check value to link them anyway.
    forged = other.set_column(1, "check", records.column("check"))

    overlaps = pprl.link(records, forged, threshold=0.5)

    assert overlaps.num_rows == 0
    for column in ("clk", "document", "birth_date", "phone"):
        shared = set(records.column(column).to_pylist()) & set(other.column(column).to_pylist())
        assert shared <= {None}
    assert pprl.link(records, pprl.encode(table(AGENCY_A), SECRET)).num_rows == 6


def test_files_encoded_with_different_secrets_are_refused(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    encoded_b = encode(tmp_path, AGENCY_B, "b", secret=OTHER_SECRET)
    output = tmp_path / "overlaps.csv"

    with pytest.raises(CommandError, match="secret"):
        call_command("dedupe", "pprl", str(encoded_a), str(encoded_b), "--output", str(output))

    assert not output.exists()


def test_files_encoded_by_another_version_are_refused(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    encoded_b = encode(tmp_path, AGENCY_B, "b")
    encoded_b.write_text(encoded_b.read_text().replace(pprl.VERSION, "amparo-pprl-0"))
    output = tmp_path / "overlaps.csv"

    with pytest.raises(CommandError, match="amparo-pprl-0"):
        call_command("dedupe", "pprl", str(encoded_a), str(encoded_b), "--output", str(output))

    assert not output.exists()


@pytest.mark.parametrize(
    ("secret", "message"),
    [(b"corto", "32"), (b"a" * 40, "32"), (b"1234567890" * 4, "32")],
    ids=["too short", "one character", "too plain"],
)
def test_a_weak_secret_is_refused_and_nothing_is_written(tmp_path, secret, message):
    source = write(tmp_path / "a.csv", AGENCY_A)
    output = tmp_path / "a.pprl.csv"

    with pytest.raises(CommandError, match=message):
        call_command(
            "dedupe", "pprl-encode", str(source), "--id", "cod", "--map", MAP,
            "--secret-file", str(secret_file(tmp_path, secret)), "--output", str(output),
        )  # fmt: skip

    assert not output.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--map": "nombre=nombres"}, "nombre"),
        ({"--map": "given_names=nombre_completo"}, "nombre_completo"),
        ({"--id": "codigo"}, "codigo"),
        ({"--secret-file": "no-hay.key"}, "no-hay.key"),
    ],
    ids=["unknown field", "missing column", "missing id", "no secret file"],
)
def test_bad_input_to_encode_is_refused_and_nothing_is_written(tmp_path, change, message):
    source = write(tmp_path / "a.csv", AGENCY_A)
    output = tmp_path / "a.pprl.csv"
    options = {
        "--id": "cod",
        "--map": MAP,
        "--secret-file": str(secret_file(tmp_path)),
        "--output": str(output),
        **change,
    }
    arguments = [item for pair in options.items() for item in pair]

    with pytest.raises(CommandError, match=message):
        call_command("dedupe", "pprl-encode", str(source), *arguments)

    assert not output.exists()


def test_a_file_that_is_not_encoded_is_refused_and_nothing_is_written(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    plain = write(tmp_path / "b.csv", AGENCY_B)
    output = tmp_path / "overlaps.csv"

    with pytest.raises(CommandError, match="b.csv"):
        call_command("dedupe", "pprl", str(encoded_a), str(plain), "--output", str(output))

    assert not output.exists()


def test_a_damaged_filter_is_refused_naming_the_row(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    rows = read(encoded_a)
    rows[2]["clk"] = rows[2]["clk"][:40]
    damaged = write(tmp_path / "damaged.csv", [list(rows[0]), *[list(r.values()) for r in rows]])
    output = tmp_path / "overlaps.csv"

    with pytest.raises(CommandError, match="4"):
        call_command("dedupe", "pprl", str(encoded_a), str(damaged), "--output", str(output))

    assert not output.exists()


def test_a_threshold_out_of_range_is_refused(tmp_path):
    encoded_a = encode(tmp_path, AGENCY_A, "a")
    output = tmp_path / "overlaps.csv"

    with pytest.raises(CommandError, match="0"):
        call_command(
            "dedupe", "pprl", str(encoded_a), str(encoded_a), "--output", str(output),
            "--threshold", "1.5",
        )  # fmt: skip

    assert not output.exists()
