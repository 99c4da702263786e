"""GBV statistics never show a count below five, nor one that can be worked out."""

import datetime

import pytest
from django.urls import reverse

from amparo.cases.models import Incident, IncidentType
from amparo.cases.statistics import gbv_tables
from amparo.core.disclosure import suppress
from amparo.core.models import Area


def test_small_cells_are_hidden_and_cannot_be_worked_out_from_totals():
    table = suppress(
        {"a": {"x": 3, "y": 10, "z": 0}, "b": {"x": 6, "y": 7, "z": 8}}, ["x", "y", "z"]
    )
    a, b = table["rows"]["a"], table["rows"]["b"]
    assert a["cells"]["x"] is None  # primary: 3 < 5
    assert a["cells"]["y"] is None  # secondary: else 13 - 10 = 3
    assert a["cells"]["z"] == 0 and a["total"] == 13
    assert b["cells"]["x"] is None  # column x would give 9 - 6 = 3 away
    assert table["totals"]["x"] == 9
    # No row or column is left with exactly one hidden cell.
    for row in table["rows"].values():
        assert list(row["cells"].values()).count(None) != 1
    for column in ("x", "y", "z"):
        hidden = [r["cells"][column] for r in table["rows"].values()].count(None)
        assert hidden != 1


def test_totals_under_five_are_hidden_too():
    table = suppress({"a": {"x": 2}, "b": {"x": 0}}, ["x"])
    assert table["rows"]["a"]["total"] is None
    assert table["totals"]["x"] is None and table["total"] is None
    assert table["rows"]["b"]["cells"]["x"] == 0


@pytest.mark.django_db
def test_the_statistics_page_suppresses_and_names_no_one(
    client, gbv_case, gbv_specialist, make_user, quito
):
    area = Area.objects.get(code="EC-P")
    report = datetime.date(2026, 2, 10)
    for index in range(7):
        Incident.objects.create(
            case=gbv_case,
            incident_date=report,
            report_date=report,
            country="EC",
            area=area,
            type="rape" if index < 2 else "physical_assault",
            context=["none"],
            statistics_consent=True,
            perpetrator_count=1,
            perpetrator_sex="M",
            perpetrator_age_group="unknown",
            perpetrator_relationship="unknown",
            recorded_by=gbv_specialist,
        )
    tables = gbv_tables(gbv_specialist, 2026)
    quarter = tables["by_quarter"]["table"]["rows"]
    assert quarter[str(IncidentType.RAPE.label)]["cells"]["Q1"] is None
    assert quarter[str(IncidentType.PHYSICAL_ASSAULT.label)]["cells"]["Q1"] is None  # secondary
    assert tables["by_quarter"]["table"]["totals"]["Q1"] == 7
    me_officer = make_user("me_officer", organization=quito.organization)
    client.force_login(me_officer)
    page = client.get(reverse("cases:gbv-statistics"), {"year": 2026}).content.decode()
    assert "&lt;5" in page and "Pichincha" in page
    person = gbv_case.individuals.get()
    assert person.first_surname not in page and "10/02/2026" not in page
    caseworker = make_user("caseworker", office=quito)
    client.force_login(caseworker)
    assert client.get(reverse("cases:gbv-statistics")).status_code == 404


@pytest.mark.parametrize(
    "counts, columns",
    [
        ({"A": {"X": 3, "Y": 7}, "B": {"X": 6}}, ["X", "Y"]),  # zeros beside a hidden cell
        ({"A": {"X": 3}, "B": {"X": 5, "Y": 5}}, ["X", "Y"]),  # grand total minus the others
        ({"A": {"X": 1, "Y": 9, "Z": 12}, "B": {"X": 0, "Y": 0, "Z": 7}}, ["X", "Y", "Z"]),
    ],
)
def test_no_line_of_the_table_with_its_margins_has_a_single_unknown(counts, columns):
    table = suppress(counts, columns)
    grid = {r: [*row["cells"].values(), row["total"]] for r, row in table["rows"].items()}
    grid["total"] = [*table["totals"].values(), table["total"]]
    lines = list(grid.values()) + [list(col) for col in zip(*grid.values(), strict=True)]
    for line in lines:
        assert line.count(None) != 1, table
    # Every count from 1 to 4 is hidden.
    for r, row in counts.items():
        for c, v in row.items():
            if 0 < v < 5:
                assert table["rows"][r]["cells"][c] is None
