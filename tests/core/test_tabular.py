"""The one reader of uploaded tables, with the files people really send."""

import datetime
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from amparo.core import tabular
from amparo.core.errors import ActionError
from tests.spreadsheets import inline_string_bomb


@pytest.fixture(autouse=True)
def _english():
    # The messages asserted here are the source strings; one test checks the Spanish.
    with translation.override("en"):
        yield


def xlsx(rows, *, extra_members: dict[str, bytes] | None = None) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if not extra_members:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as archive:
        for name, content in extra_members.items():
            archive.writestr(name, content)
    return out.getvalue()


def refusal(data: bytes, filename: str = "") -> list[str]:
    with pytest.raises(ActionError) as caught:
        tabular.read_table(data, filename)
    assert list(caught.value.errors) == ["file"]
    return caught.value.messages


def test_spanish_excel_csv_with_semicolons_is_read():
    data = 'Nombre;Teléfono;Notas\r\nAna;+593 99 123 4567;"uno, dos"\r\n'.encode("cp1252")

    table = tabular.read_table(data, "lista.csv")

    assert table.columns == ["nombre", "teléfono", "notas"]
    assert table.rows == [
        tabular.Row(2, {"nombre": "Ana", "teléfono": "+593 99 123 4567", "notas": "uno, dos"})
    ]
    assert table.encoding == "cp1252"


def test_the_header_decides_the_delimiter_not_the_data():
    data = b"provider,areas\nCasa,EC-P;EC-U;EC-E\n"

    table = tabular.read_table(data)

    assert table.rows[0].values == {"provider": "Casa", "areas": "EC-P;EC-U;EC-E"}


def test_windows_1252_csv_keeps_accents_and_typographic_characters():
    data = "name,note\nMaría Ñúñez,“Cuota” 5 €\n".encode("cp1252")

    table = tabular.read_table(data)

    assert table.rows[0].values == {"name": "María Ñúñez", "note": "“Cuota” 5 €"}
    assert table.encoding == "cp1252"


def test_utf16_tab_separated_text_from_excel_is_read():
    data = "name\tage\nJosé\t34\n".encode("utf-16")  # Excel's "Unicode text": BOM, tabs

    table = tabular.read_table(data, "lista.txt")

    assert (table.rows[0].values, table.encoding) == ({"name": "José", "age": "34"}, "utf-16")


def test_utf8_with_and_without_byte_order_mark_read_the_same():
    text = "Name, Age \nJosé,34\n"

    plain = tabular.read_table(text.encode())
    marked = tabular.read_table(text.encode("utf-8-sig"))

    assert plain == marked
    assert plain.columns == ["name", "age"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "name\nJosé\nMaría\nÁngel\n".encode() + "Núñez\n".encode("latin-1"),
            "The file is not UTF-8 text (error at byte 26). Save it as “CSV UTF-8” and try again.",
        ),
        (
            b"name\nAna\x81\n",  # a byte Windows-1252 does not define
            "The file is not UTF-8 text (error at byte 8). Save it as “CSV UTF-8” and try again.",
        ),
        (
            "name\nJosé\n".encode("utf-16-le"),
            "The file contains NUL bytes: it is not a text file, or it was saved as UTF-16 "
            "without a byte-order mark. Save it as “CSV UTF-8” and try again.",
        ),
        (
            b"name\n" + b"x" * 140_000 + b"\n",
            "The file is not valid CSV (field larger than field limit (131072)).",
        ),
    ],
)
def test_text_that_cannot_be_decoded_is_refused_with_a_clear_message(data, message):
    assert refusal(data) == [message]


def test_messages_are_in_the_users_language():
    with translation.override("es"):
        messages = refusal(b"name\nAna\x81\n")

    assert messages == [
        "El archivo no es texto UTF-8 (error en el byte 8). Guárdelo como «CSV UTF-8» e "
        "inténtelo de nuevo."
    ]


def test_xlsx_values_come_as_text_with_the_row_numbers_the_sheet_shows():
    data = xlsx(
        [
            ["Name", "Born", "Phone", "Balance", "Children", "Weight"],
            ["Ana", datetime.date(1990, 3, 14), "+593991234567", -5, 2, 61.5],
            [],
            ["Luz", datetime.datetime(2001, 1, 2, 10, 30)],  # noqa: DTZ001 - as Excel stores it
        ]
    )

    table = tabular.read_table(data, "kobo.xlsx")

    assert table.columns == ["name", "born", "phone", "balance", "children", "weight"]
    assert table.rows == [
        tabular.Row(
            2,
            {
                "name": "Ana",
                "born": "1990-03-14",
                "phone": "+593991234567",
                "balance": "-5",
                "children": "2",
                "weight": "61.5",
            },
        ),
        tabular.Row(
            4,
            {
                "name": "Luz",
                "born": "2001-01-02",
                "phone": "",
                "balance": "",
                "children": "",
                "weight": "",
            },
        ),
    ]
    assert table.encoding == "xlsx"


def test_xlsx_is_recognised_by_content_whatever_its_name():
    table = tabular.read_table(xlsx([["name"], ["Ana"]]), "export.csv")

    assert table.rows == [tabular.Row(2, {"name": "Ana"})]


def test_formula_cell_in_xlsx_is_refused_with_row_and_column():
    data = xlsx([["name", "age"], ["Ana", "=2025-1990"]])

    assert refusal(data, "kobo.xlsx") == [
        "Row 2, column B (age) contains a formula: save the sheet with values only "
        "(Paste special → Values) and try again."
    ]


def test_array_formula_in_xlsx_is_refused():
    workbook = Workbook()
    workbook.active.append(["name", "total"])
    workbook.active["A2"] = "Ana"
    workbook.active["B2"] = ArrayFormula("B2:B2", "=SUM(A1:A2)")
    out = io.BytesIO()
    workbook.save(out)

    assert refusal(out.getvalue(), "kobo.xlsx")[0].startswith("Row 2, column B (total)")


def test_csv_text_starting_with_equals_is_refused_but_phones_and_negatives_are_data():
    good = tabular.read_table(b"phone,balance,note\n+593991234567,-20,@casa\n")

    messages = refusal(b'phone,balance\n+593991234567,-20\n0991,=HYPERLINK("x")\n')

    assert good.rows[0].values == {"phone": "+593991234567", "balance": "-20", "note": "@casa"}
    assert messages[0].startswith("Row 3, column B (balance) contains a formula")


@pytest.mark.parametrize("filename", ["lista.xlsm", "lista.xls", "lista.XLSB"])
def test_macro_workbooks_are_refused_by_name(filename):
    assert refusal(xlsx([["name"], ["Ana"]]), filename) == [
        "Save the spreadsheet as .xlsx (without macros) or CSV."
    ]


def test_macros_inside_an_xlsx_are_refused():
    data = xlsx([["name"], ["Ana"]], extra_members={"xl/vbaProject.bin": b"\x00" * 64})

    assert refusal(data, "lista.xlsx") == [
        "The spreadsheet contains macros: they are not accepted."
    ]


def test_old_binary_workbook_is_refused_whatever_its_name():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    assert refusal(data, "lista.csv") == ["Save the spreadsheet as .xlsx (without macros) or CSV."]


def test_zip_bomb_is_refused_before_parsing(settings):
    settings.AMPARO_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (8 * 1024 * 1024))
    data = out.getvalue()

    messages = refusal(data, "lista.xlsx")

    assert len(data) < 20 * 1024
    assert messages == [
        "The spreadsheet unpacks to more than 1 MB: it is damaged or not a normal export. "
        "Save it as CSV, or split it into smaller files."
    ]


def test_damaged_xlsx_is_refused():
    assert refusal(b"PK\x03\x04broken", "lista.xlsx") == [
        "The spreadsheet cannot be read: save it again as .xlsx."
    ]


def test_file_over_the_size_limit_is_refused(settings):
    settings.AMPARO_IMPORT_MAX_BYTES = 3 * 1024 * 1024

    messages = refusal(b"name\n" + b"Ana\n" * (1024 * 1024))

    assert messages == ["The file is larger than 3 MB."]


def test_repeated_column_is_refused():
    assert refusal(b"name,phone,Phone\nAna,1,2\n") == [
        "These columns appear more than once: phone."
    ]


@pytest.mark.parametrize("data", [b"", b"\n \n", b"name,phone\n", b"name,phone\n,\n"])
def test_file_without_data_rows_is_refused(data):
    assert refusal(data) == ["The file has no rows."]


def test_short_rows_are_filled_and_unnamed_columns_dropped():
    table = tabular.read_table(b"name,,phone\nAna,x\nLuz,y,2,extra\n")

    assert table.columns == ["name", "phone"]
    assert [r.values for r in table.rows] == [
        {"name": "Ana", "phone": ""},
        {"name": "Luz", "phone": "2"},
    ]


def test_the_spreadsheet_bomb_of_issue_10_is_refused_before_openpyxl_parses_it(monkeypatch):
    bomb = inline_string_bomb()  # ≈180 KB that unzips to ≈43 MB: 100,000 rows × 10 strings
    monkeypatch.setattr("openpyxl.load_workbook", pytest.fail)  # never reached

    messages = refusal(bomb, "lista.xlsx")

    assert len(bomb) < 200 * 1024
    assert messages == [
        "The file has more than 50000 rows: split it into smaller files, or ask an "
        "administrator to import it from the command line."
    ]


def test_one_member_unpacking_past_its_limit_is_refused(settings):
    settings.AMPARO_IMPORT_MAX_MEMBER_BYTES = 1024 * 1024

    messages = refusal(inline_string_bomb(rows=30_000, columns=1), "lista.xlsx")

    assert messages == [
        "A part of the spreadsheet unpacks to more than 1 MB: it is damaged or not a normal "
        "export. Save it as CSV, or split it into smaller files."
    ]


def test_cells_are_counted_before_parsing_too(settings, monkeypatch):
    settings.AMPARO_IMPORT_MAX_CELLS = 1000
    monkeypatch.setattr("openpyxl.load_workbook", pytest.fail)

    messages = refusal(inline_string_bomb(rows=200, columns=6), "lista.xlsx")

    assert messages == [
        "The file has more than 1000 cells: remove the columns that are not imported, "
        "or split it into smaller files."
    ]


def test_csv_rows_past_the_limit_are_refused_as_they_are_read(settings):
    settings.AMPARO_IMPORT_MAX_ROWS = 3
    ok = b"name\n" + b"Ana\n" * 3

    messages = refusal(b"name\n" + b"Ana\n" * 4)

    assert len(tabular.read_table(ok).rows) == 3
    assert messages == [
        "The file has more than 3 rows: split it into smaller files, or ask an "
        "administrator to import it from the command line."
    ]


def test_xlsx_within_the_limits_is_read_row_by_row(settings):
    settings.AMPARO_IMPORT_MAX_ROWS = 2
    data = xlsx([["name", "phone"], ["Ana", "1"], ["Luz", "2"]])

    table = tabular.read_table(data, "lista.xlsx")

    assert [r.values["name"] for r in table.rows] == ["Ana", "Luz"]


def test_the_command_line_streams_a_file_past_every_web_limit_as_often_as_asked(settings, tmp_path):
    settings.AMPARO_IMPORT_MAX_BYTES = 1024 * 1024
    settings.AMPARO_IMPORT_MAX_ROWS = 10
    path = tmp_path / "lista.csv"
    path.write_bytes("nombre;teléfono\n".encode("cp1252") + b"Jos\xe9;1\n" * 200_000)

    table = tabular.open_table(path, limits=tabular.NO_LIMITS)
    first = sum(1 for _row in table)
    second = next(iter(table))

    assert table.columns == ["nombre", "teléfono"]
    assert table.encoding == "cp1252"
    assert first == 200_000
    assert second == tabular.Row(2, {"nombre": "José", "teléfono": "1"})
    assert refusal(path.read_bytes()) == ["The file is larger than 1 MB."]


def test_a_formula_far_down_a_streamed_file_is_refused_when_reached(tmp_path):
    path = tmp_path / "lista.csv"
    path.write_bytes(b"name\n" + b"Ana\n" * 1000 + b"=1+1\n")
    table = tabular.open_table(path, limits=tabular.NO_LIMITS)

    with pytest.raises(ActionError) as caught:
        list(table)

    assert "Row 1002, column A (name) contains a formula" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\nx", "'\nx"),
        ("+593991112233", "+593991112233"),
        ("-12.50", "-12.50"),
        ("Ana", "Ana"),
    ],
)
def test_safe_cell_neutralises_what_a_spreadsheet_would_run(value, shown):
    assert tabular.safe_cell(value) == shown
