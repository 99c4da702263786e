import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from openpyxl import Workbook

from amparo.core.errors import ActionError
from amparo.core.models import Area, AuditEvent
from amparo.demo import organizations, people
from amparo.registry import imports
from amparo.registry.models import Household, Individual, NeedNotice

HEADER = (
    "household_ref,office,relationship,given_names,first_surname,second_surname,sex,"
    "date_of_birth,nationality,population_group,phone,document_type,document_number,"
    "document_country\n"
)


@pytest.fixture
def demo(db):
    organizations.load()


def csv_file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


GOOD = csv_file(
    "H1,hias-ec/quito,head,María José,Pérez,Gómez,F,1990-03-14,VE,asylum_seeker,0991234567,"
    "national_id,V-12345678,VE",
    "H1,hias-ec/quito,child,Ana,Pérez,Rojas,F,2015-06-01,VE,asylum_seeker,,,,",
    "H2,hias-ec/lago-agrio,head,Luis,Quiñónez,,M,1980-01-01,CO,refugee,,passport,AB123456,CO",
)


def run(data: bytes, filename: str = "registro.csv", **kwargs):
    return imports.import_registry(actor=None, data=data, filename=filename, **kwargs)


CSV = (
    "household_ref,relationship,given_names,first_surname,sex,date_of_birth,nationality,"
    "population_group\n1,head,{name},Mora,F,1990-01-01,VE,refugee\n"
)


@pytest.fixture
def quito(office_a1):
    office_a1.area = Area.objects.get(code="EC-P")
    office_a1.save()
    return office_a1


def test_import_good_file_and_reimport_adds_nothing(demo):
    first = run(GOOD)
    second = run(GOOD)

    assert (first.imported_households, first.imported_individuals, first.errors) == (2, 3, [])
    assert (second.imported_households, second.skipped_existing) == (0, 2)
    assert Individual.objects.count() == 3
    assert AuditEvent.objects.filter(action="registry.household.loaded").count() == 2


def test_import_demo_generator_file_round_trips(demo):
    out = io.StringIO()
    households = list(people.generate_households(30, seed=3))
    people.write_csv(households, out)

    report = run(out.getvalue().encode())

    assert report.errors == []
    assert report.imported_households == 30
    assert Individual.objects.count() == sum(len(h.members) for h in households)


def test_imported_households_are_numbered_per_office_after_the_existing_ones(demo):
    year = timezone.localdate().year
    run(GOOD)

    run(csv_file("H3,hias-ec/quito,head,Pedro,Ruiz,,M,1980-01-01,VE,refugee,,,,"))

    assert sorted(Household.objects.values_list("reference", flat=True)) == [
        f"EC-LAG-{year}-000001",
        f"EC-QUI-{year}-000001",
        f"EC-QUI-{year}-000002",
    ]


def test_dry_run_reports_and_writes_nothing(demo):
    report = run(GOOD, dry_run=True)

    assert (report.rows, report.households, report.errors) == (3, 2, [])
    assert Household.objects.count() == 0


def test_bad_dates_are_reported_by_row_and_column_and_nothing_is_written(demo):
    data = GOOD + (
        b"H3,hias-ec/quito,head,Pedro,Ruiz,,M,2999-01-01,VE,refugee,,,,\n"
        b"H4,hias-ec/quito,head,Rosa,Ruiz,,F,14/03/1990,VE,refugee,,,,\n"
    )

    report = run(data)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (5, "date_of_birth", "La fecha de nacimiento está en el futuro."),
        (6, "date_of_birth", "Ingrese una fecha con el formato AAAA-MM-DD."),
    ]
    assert Household.objects.count() == 0


def test_valid_rows_only_imports_the_good_households(demo):
    data = GOOD + b"H3,hias-ec/quito,head,Pedro,Ruiz,,M,2999-01-01,VE,refugee,,,,\n"

    report = run(data, valid_rows_only=True)

    assert (report.imported_households, report.skipped_invalid) == (2, 1)
    assert not Individual.objects.filter(given_names="Pedro").exists()


def test_duplicate_rows_inside_the_file_are_reported(demo):
    row = "H5,hias-ec/quito,head,Eva,Mora,,F,1990-01-01,VE,refugee,,national_id,V-999999,VE"
    data = csv_file(row, row.replace("H5", "H6"))

    report = run(data)

    assert [(e.row, e.column) for e in report.errors] == [(3, "document_number")]
    assert "fila 2" in report.errors[0].message
    assert Household.objects.count() == 0


def test_household_without_head_is_reported(demo):
    data = csv_file("H7,hias-ec/quito,child,Ana,Mora,,F,2015-01-01,VE,refugee,,,,")

    report = run(data)

    assert [e.column for e in report.errors] == ["relationship"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"nombre;apellido\nAna;Mora\n", "x.csv", "Faltan columnas"),
        (HEADER.encode("utf-16-le"), "x.csv", "UTF-16"),
        ("Pérez,".encode() * 5 + "Gómez\n".encode("latin-1"), "x.csv", "UTF-8"),
        (b"\x00\x01garbage", "x.csv", "NUL"),
        (b"", "x.csv", "no tiene filas"),
        (HEADER.encode(), "x.csv", "no tiene filas"),
        (b"PK\x03\x04broken", "x.xlsx", "no se puede leer"),
        (GOOD, "x.xlsm", "macros"),
    ],
)
def test_unreadable_files_are_rejected_with_a_message(demo, data, filename, message):
    with pytest.raises(ActionError) as exc:
        run(data, filename)

    assert message in exc.value.messages[0]
    assert Household.objects.count() == 0


def test_oversize_file_is_rejected(demo, settings):
    settings.AMPARO_IMPORT_MAX_BYTES = 100

    with pytest.raises(ActionError, match="MB"):
        run(GOOD)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_file_imports_and_formulas_are_rejected(demo):
    header = HEADER.strip().split(",")
    row = [
        "H9",
        "hias-ec/quito",
        "head",
        "Rosa",
        "Mora",
        "",
        "F",
        "1990-01-01",
        "VE",
        "refugee",
        "",
        "",
        "",
        "",
    ]

    report = run(xlsx([header, row]), "kobo.xlsx")
    with pytest.raises(ActionError, match="fórmula"):
        run(xlsx([header, [*row[:3], "=A1", *row[4:]]]), "kobo.xlsx")

    assert report.imported_households == 1


def test_excel_csv_in_spanish_windows_1252_with_semicolons_imports(demo):
    data = GOOD.decode().replace(",", ";").encode("cp1252")

    report = run(data)

    assert (report.errors, report.imported_households) == ([], 2)
    assert Individual.objects.filter(given_names="María José", first_surname="Pérez").exists()


def test_row_numbers_count_blank_rows_as_a_spreadsheet_does(demo):
    data = GOOD + b"\n\nH3,hias-ec/quito,head,Pedro,Ruiz,,M,2999-01-01,VE,refugee,,,,\n"

    report = run(data, dry_run=True)

    assert [(e.row, e.column) for e in report.errors] == [(7, "date_of_birth")]


def test_import_command_exits_nonzero_on_rejected_file(demo, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(GOOD + b"H3,hias-ec/quito,head,Pedro,Ruiz,,M,2999-01-01,VE,refugee,,,,\n")
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)

    with pytest.raises(CommandError):
        call_command("import_registry", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "import_registry", str(bad), "--dry-run", stdout=io.StringIO(), stderr=io.StringIO()
        )
    call_command("import_registry", str(good), stdout=io.StringIO())

    assert Household.objects.count() == 2


def test_same_document_number_from_two_countries_is_not_a_duplicate(demo):
    data = csv_file(
        "H5,hias-ec/quito,head,Eva,Mora,,F,1990-01-01,VE,refugee,,passport,123456,VE",
        "H6,hias-ec/quito,head,Rosa,Paz,,F,1991-01-01,CO,refugee,,passport,123456,CO",
    )

    report = run(data)

    assert report.errors == []
    assert report.imported_households == 2


def test_two_offices_importing_the_same_household_key_both_import(make_user, quito, office_a2):
    a1 = make_user("registration_officer", office=quito)
    a2 = make_user("registration_officer", office=office_a2)

    first = imports.import_registry(
        actor=a1, data=CSV.format(name="Ana").encode(), filename="a.csv", office=quito
    )
    second = imports.import_registry(
        actor=a2, data=CSV.format(name="Rosa").encode(), filename="b.csv", office=office_a2
    )

    assert (first.imported_households, second.imported_households) == (1, 1)
    assert second.skipped_existing == 0
    assert Household.objects.count() == 2


def test_imported_households_have_their_own_history_without_the_file_name(make_user, quito):
    officer = make_user("registration_officer", office=quito)

    imports.import_registry(
        actor=officer,
        data=CSV.format(name="Ana").encode(),
        filename="Maria_Perez_V123.csv",
        office=quito,
    )

    household = Household.objects.get()
    assert (
        AuditEvent.objects.filter(
            action="registry.household.imported", target_id=str(household.uuid)
        ).count()
        == 1
    )
    loaded = AuditEvent.objects.get(action="registry.household.loaded")
    assert "Maria" not in str(loaded.details)


def test_malformed_csv_is_rejected_not_a_crash(db):
    data = b"household_ref\n" + b"x" * 140_000 + b"\n"

    with pytest.raises(ActionError):
        imports.import_registry(actor=None, data=data, filename="x.csv")


INTERLEAVED = csv_file(
    "H1,hias-ec/quito,head,María José,Pérez,Gómez,F,1990-03-14,VE,asylum_seeker,0991234567,"
    "national_id,V-12345678,VE",
    "H2,hias-ec/lago-agrio,head,Luis,Quiñónez,,M,1980-01-01,CO,refugee,,passport,AB123456,CO",
    "H3,hias-ec/quito,child,Pedro,Ruiz,,M,2999-01-01,VE,refugee,,,,",
    "H1,hias-ec/quito,child,Ana,Pérez,Rojas,F,2015-06-01,VE,asylum_seeker,,,,",
    "H3,hias-ec/quito,head,Rosa,Ruiz,,F,1985-01-01,VE,refugee,,,,",
)


@pytest.mark.parametrize("streamed", [False, True], ids=["upload", "command line"])
def test_households_spread_over_the_file_import_whole_streamed_or_not(
    demo, tmp_path, monkeypatch, streamed
):
    monkeypatch.setattr(imports, "BATCH_HOUSEHOLDS", 1)  # one household per bulk load
    monkeypatch.setattr(imports, "SEPARATE_BATCH_HOUSEHOLDS", 1)  # on SQLite
    path = tmp_path / "registro.csv"
    path.write_bytes(INTERLEAVED)
    source = path if streamed else INTERLEAVED
    limits = imports.tabular.NO_LIMITS if streamed else None
    seen = []

    report = imports.import_registry(
        actor=None,
        data=source,
        limits=limits,
        valid_rows_only=True,
        progress=lambda *args, **kwargs: seen.append((args, kwargs.get("phase", ""))),
    )

    assert [(e.row, e.column) for e in report.errors] == [(4, "date_of_birth")]
    assert (report.rows, report.households, report.skipped_invalid) == (5, 3, 1)
    assert (report.imported_households, report.imported_individuals) == (2, 3)
    h1 = Household.objects.get(source_ref__endswith=":H1")
    assert sorted(h1.members.values_list("given_names", flat=True)) == ["Ana", "María José"]
    assert Household.objects.filter(source_ref__endswith=":H3").count() == 0
    assert seen[0] == ((0, None), "checking")
    assert seen[-1] == ((2, 2), "")
    assert AuditEvent.objects.filter(action="registry.household.loaded").count() == 2


def test_the_import_command_streams_a_file_over_the_upload_limits(demo, tmp_path, settings):
    settings.AMPARO_IMPORT_MAX_ROWS = 1
    settings.AMPARO_IMPORT_MAX_BYTES = 100
    path = tmp_path / "registro.csv"
    path.write_bytes(GOOD)
    out = io.StringIO()

    with translation.override("en"):
        call_command("import_registry", str(path), stdout=out)

    assert Household.objects.count() == 2
    assert "Imported 2 households and 3 people" in out.getvalue()
    with pytest.raises(ActionError):
        run(GOOD)  # an upload of the same file is over the limits


@pytest.mark.parametrize("separately", [True, False], ids=["batch by batch", "one transaction"])
def test_a_failing_later_batch_leaves_no_household_behind(demo, monkeypatch, separately):
    monkeypatch.setattr(imports, "batches_commit_separately", lambda: separately)
    monkeypatch.setattr(imports, "BATCH_HOUSEHOLDS", 1)
    monkeypatch.setattr(imports, "SEPARATE_BATCH_HOUSEHOLDS", 1)
    load = imports.actions.load_households
    written = []

    def fail_second_batch(**kwargs):
        if written:
            raise RuntimeError("disk full")
        counts = load(**kwargs)
        written.append(Household.objects.count())
        return counts

    monkeypatch.setattr(imports.actions, "load_households", fail_second_batch)

    with pytest.raises(ActionError) as refused, translation.override("en"):
        run(GOOD)

    assert written == [1]  # the first household had been saved
    assert Household.objects.count() == 0
    assert Individual.objects.count() == 0
    assert "rows 4 to 4" in str(refused.value.messages)  # H2, the second batch
    undone = AuditEvent.objects.filter(action="registry.household.load_undone")
    assert [e.details["households"] for e in undone] == ([1] if separately else [])


def test_an_imported_survivor_of_violence_is_announced_to_the_office_gbv_team(make_user, quito):
    officer = make_user("registration_officer", office=quito)
    data = (
        "household_ref,relationship,given_names,first_surname,sex,date_of_birth,nationality,"
        "population_group,specific_needs\n1,head,Ana,Mora,F,1990-01-01,VE,refugee,"
        "survivor_violence\n2,head,Eva,Mora,F,1991-01-01,VE,refugee,disability\n"
    )

    imports.import_registry(actor=officer, data=data.encode(), filename="r.csv", office=quito)

    notice = NeedNotice.objects.get()
    assert (notice.individual.given_names, notice.office) == ("Ana", quito)
    event = AuditEvent.objects.get(action="registry.need_notice.opened")
    assert event.restricted_office_id == quito.pk
