import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.core import actions
from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent

GOOD = (
    b"pcode,name,parent_pcode,level\n"
    b"EC0801,Esmeraldas,EC-E,2\n"
    b"EC0807,San Lorenzo,EC-E,2\n"
    b"EC2101,Lago Agrio,EC-U,2\n"
)


@pytest.mark.parametrize(
    ("country", "count", "example_code", "example_name"),
    [
        ("EC", 24, "EC-E", "Esmeraldas"),
        ("PA", 14, "PA-5", "Darién"),
        ("CO", 33, "CO-NAR", "Nariño"),
        ("VE", 25, "VE-X", "La Guaira"),
        ("PE", 26, "PE-TUM", "Tumbes"),
        ("AR", 24, "AR-C", "Ciudad Autónoma de Buenos Aires"),
    ],
)
def test_first_level_areas_loaded_with_spanish_names(
    db, country, count, example_code, example_name
):
    areas = Area.objects.filter(country_code=country, level=1)

    assert areas.count() == count
    assert areas.get(code=example_code).name == example_name


def test_country_names_in_spanish_and_english(db):
    peru = Area.objects.get(code="PE")

    assert (peru.name, peru.name_en, peru.level) == ("Perú", "Peru", 0)


def test_import_areas_creates_second_level_and_reimport_changes_nothing(db):
    first = actions.import_areas(actor=None, data=GOOD)
    second = actions.import_areas(actor=None, data=GOOD)

    assert (first.created, first.unchanged) == (3, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert Area.objects.get(code="EC0807").parent.code == "EC-E"
    assert AuditEvent.objects.filter(action="core.area.imported").count() == 2


def test_import_areas_accepts_parent_defined_earlier_in_the_file(db):
    data = b"pcode,name,parent_pcode,level\nEC0801,Esmeraldas,EC-E,2\nEC080101,Centro,EC0801,3\n"

    result = actions.import_areas(actor=None, data=data)

    assert result.created == 2
    assert Area.objects.get(code="EC080101").parent.code == "EC0801"


def test_import_areas_unknown_parent_rejects_whole_file(db):
    data = GOOD + b"XX0101,Nowhere,XX-ZZ,2\n"
    before = Area.objects.count()

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert exc.value.messages == ["Fila 5: parent_pcode desconocido «XX-ZZ»."]
    assert Area.objects.count() == before


def test_import_areas_reads_semicolons_and_excel_encodings(db):
    text = "pcode;name;parent_pcode;level\nEC1301;Portoviejo;EC-M;2\nEC1302;Bolívar;EC-M;2\n"

    utf16 = actions.import_areas(actor=None, data=text.encode("utf-16"))
    cp1252 = actions.import_areas(
        actor=None, data=text.replace("Bolívar", "Bolívar Sur").encode("cp1252")
    )

    assert (utf16.created, cp1252.updated, cp1252.unchanged) == (2, 1, 1)
    assert Area.objects.get(code="EC1302").name == "Bolívar Sur"


def test_import_areas_undecodable_file_is_rejected(db):
    data = "pcode,name,parent_pcode,level\nEC0801,Esmeraldas Norte,EC-E,2\n".encode("utf-16-le")

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert "UTF-16" in exc.value.messages[0]
    assert not Area.objects.filter(level=2).exists()


def test_import_areas_wrong_columns_are_named(db):
    data = b"code,nombre,parent,level\nEC0801,Esmeraldas,EC-E,2\n"

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert exc.value.messages == [
        "Faltan columnas: pcode, name, parent_pcode. "
        "Columnas esperadas: pcode, name, parent_pcode, level."
    ]


def test_import_areas_reports_every_bad_row(db):
    data = (
        b"pcode,name,parent_pcode,level\n"
        b"EC0801,Esmeraldas,EC-E,2\n"
        b"EC0801,Esmeraldas otra vez,EC-E,2\n"
        b"EC0802,,EC-E,2\n"
        b"EC0803,Atacames,EC-E,uno\n"
        b"EC0804,Muisne,EC,2\n"
    )

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert [e.split(":")[0] for e in exc.value.messages] == [
        "Fila 3",
        "Fila 4",
        "Fila 5",
        "Fila 6",
    ]
    assert not Area.objects.filter(level=2).exists()


def test_import_areas_command_exits_nonzero_and_lists_errors(db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(b"pcode,name,parent_pcode,level\nXX01,Nowhere,XX-ZZ,2\n")

    with pytest.raises(CommandError) as exc:
        call_command("import_areas", str(path))

    assert "XX-ZZ" in str(exc.value)
    assert not Area.objects.filter(code="XX01").exists()


def test_import_areas_command_imports_good_file(db, tmp_path, capsys):
    path = tmp_path / "areas.csv"
    path.write_bytes(GOOD)

    call_command("import_areas", str(path))

    assert "3 creadas" in capsys.readouterr().out
    assert Area.objects.filter(level=2).count() == 3


def test_import_areas_requires_permission(make_user, office_a1):
    officer = make_user("registration_officer", office=office_a1)

    from django.http import Http404

    with pytest.raises(Http404):
        actions.import_areas(actor=officer, data=GOOD)

    assert not Area.objects.filter(level=2).exists()


def test_import_areas_cannot_replace_a_country_or_province(db):
    data = b"pcode,name,parent_pcode,level\nEC,Hacked,EC-E,2\nEC-E,Otra,EC,2\n"

    with pytest.raises(ActionError) as exc:
        actions.import_areas(actor=None, data=data)

    assert {e.split(":")[0] for e in exc.value.messages} == {"Fila 2", "Fila 3"}
    assert Area.objects.get(code="EC").name == "Ecuador"


def test_import_areas_rejects_nul_characters(db):
    with pytest.raises(ActionError):
        actions.import_areas(
            actor=None, data=b"pcode,name,parent_pcode,level\nEC0801,Es\x00m,EC-E,2\n"
        )

    assert not Area.objects.filter(code="EC0801").exists()
