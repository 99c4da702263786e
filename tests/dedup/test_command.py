"""`amparo dedupe file`: any agency's file in, the likely duplicates out, with no database."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
MAP = "given_names=nombres,first_surname=apellido1,second_surname=apellido2,date_of_birth=nacimiento,document_number=cedula,phone=telefono,sex=sexo"  # noqa: E501
ROWS = [
    ["cod", "nombres", "apellido1", "apellido2", "nacimiento", "cedula", "telefono", "sexo"],
    ["A1", "José Luis", "González", "Pérez", "19900507", "V-12.345.678", "+584121234567", "M"],
    ["A2", "Pepe", "Gonzalez", "", "1990-07-05", "12345678", "", "M"],
    ["A3", "Ana", "Torres", "Vera", "2001-03-03", "81234567", "", "F"],
    ["A4", "Majo", "Rodriguez", "Delacruz", "1985-01-20", "", "0991234567", "F"],
    ["A5", "María José", "De La Cruz", "Rodríguez", "1985-01-20", "AB123456", "", "F"],
    ["A6", "María", "González", "Pérez", "1993-02-11", "19876543", "+584121234567", "F"],
]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as source:
        return list(csv.DictReader(source))


def test_a_file_is_deduplicated_without_any_database(tmp_path):
    source = write(tmp_path / "lista.csv", ROWS)
    output = tmp_path / "pares.csv"
    # A database nobody can reach: the command must not need one.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere"}

    done = subprocess.run(
        [sys.executable, "-m", "amparo.cli", "dedupe", "file", str(source), "--id", "cod",
         "--map", MAP, "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    pairs = read(output)
    assert list(pairs[0]) == ["id_a", "id_b", "match_probability", "cluster_id"]
    assert {frozenset((p["id_a"], p["id_b"])) for p in pairs} == {
        frozenset(("A1", "A2")),
        frozenset(("A4", "A5")),
    }
    assert all(0.9 <= float(p["match_probability"]) <= 1 for p in pairs)
    by_pair = {frozenset((p["id_a"], p["id_b"])): p["cluster_id"] for p in pairs}
    assert by_pair[frozenset(("A1", "A2"))] != by_pair[frozenset(("A4", "A5"))]
    assert "6" in done.stdout and "2" in done.stdout  # records and pairs, said


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--map": "nombre=nombres"}, "nombre"),
        ({"--map": "given_names"}, "campo=columna|field=column"),
        ({"--map": "given_names=nombres,given_names=apellido1"}, "given_names"),
        ({"--map": "given_names=nombre_completo"}, "nombre_completo"),
        ({"--id": "codigo"}, "codigo"),
        ({"--threshold": "1.5"}, "0"),
    ],
    ids=["unknown field", "no equals sign", "field twice", "missing column", "missing id",
         "threshold"],
)  # fmt: skip
def test_bad_arguments_are_refused_with_their_reason_and_write_nothing(tmp_path, change, message):
    source = write(tmp_path / "lista.csv", ROWS)
    output = tmp_path / "pares.csv"
    options = {"--id": "cod", "--map": MAP, "--output": str(output), **change}
    arguments = [item for pair in options.items() for item in pair]

    with pytest.raises(CommandError, match=message):
        call_command("dedupe", "file", str(source), *arguments)

    assert not output.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([*ROWS, ["A1", "Otra", "Persona", "", "", "", "", ""]], "A1"),
        ([*ROWS, ["", "Sin", "Codigo", "", "", "", "", ""]], "8"),
    ],
    ids=["repeated id", "row without id"],
)
def test_bad_rows_are_refused_naming_the_row(tmp_path, rows, message):
    source = write(tmp_path / "lista.csv", rows)
    output = tmp_path / "pares.csv"

    with pytest.raises(CommandError, match=message):
        call_command(
            "dedupe", "file", str(source), "--id", "cod", "--map", MAP, "--output", str(output)
        )

    assert not output.exists()


def test_a_file_that_is_not_there_is_refused(tmp_path):
    with pytest.raises(CommandError, match="nada.csv"):
        call_command(
            "dedupe", "file", str(tmp_path / "nada.csv"), "--id", "cod", "--map", MAP,
            "--output", str(tmp_path / "out.csv"),
        )  # fmt: skip
