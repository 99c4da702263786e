"""People reached as a table that may leave the organization: labelled, HXL-tagged, protected.

**Disclosure control** (`core.disclosure`, on by default): the table is cut into two-way
tables: the first dimension by the second, one for each combination of the others (a
table of three or more dimensions is published only as such slices, each protected on its
own). Each slice is protected with its margins; a hidden count is written empty, and the
`suppressed` column says `x`, the same for a count below the threshold and for one hidden so
that others cannot be worked out (telling them apart would tell an attacker which hidden
counts are small). Margins that would add up a dimension of the *service*
(office, sector, month) are left out: a person reached by two sectors is one person, and a
sum over sectors would count them twice. Households are shown where the people are, and
hidden below the smallest count too.

**HXL** (Humanitarian Exchange Language, HDX): a row of hashtags under the header, numbers
in number columns (an empty cell where hidden, so that libhxl reads every value as a
number), places by P-code and name.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.activities.models import Sector as ServiceSector
from amparo.assistance.models import Sector as AssistanceSector
from amparo.core import disclosure, names, tabular
from amparo.core.models import Area, Office
from amparo.registry.models import Individual
from amparo.reports.queries import LABELS, SERVICE_DIMENSIONS, Reached
from amparo.reports.queries_5w import COLUMNS as FIVE_W_COLUMNS
from amparo.reports.queries_5w import FiveW


@dataclass(frozen=True)
class Column:
    header: object  # a lazy label
    tag: str


# Each dimension's columns: its code, and the name where a code is not what people read.
COLUMNS: dict[str, list[Column]] = {
    "sex": [Column(LABELS["sex"], "#beneficiary+sex")],
    "age_band": [Column(LABELS["age_band"], "#beneficiary+age+range")],
    "nationality": [
        Column(LABELS["nationality"], "#beneficiary+nationality+code"),
        Column(gettext_lazy("nationality (name)"), "#beneficiary+nationality+name"),
    ],
    "population_group": [Column(LABELS["population_group"], "#beneficiary+type+name")],
    "disability": [Column(LABELS["disability"], "#beneficiary+disability")],
    "admin1": [
        Column(gettext_lazy("province or state (P-code)"), "#adm1+code"),
        Column(LABELS["admin1"], "#adm1+name"),
    ],
    "admin2": [
        Column(gettext_lazy("municipality or canton (P-code)"), "#adm2+code"),
        Column(LABELS["admin2"], "#adm2+name"),
    ],
    "office": [Column(LABELS["office"], "#loc+office+name")],
    "sector": [
        Column(gettext_lazy("sector (code)"), "#sector+code"),
        Column(LABELS["sector"], "#sector+name"),
    ],
    "month": [Column(LABELS["month"], "#date+month")],
}
PEOPLE = Column(gettext_lazy("people reached"), "#reached+ind")
HOUSEHOLDS = Column(gettext_lazy("households reached"), "#reached+hh")
SUPPRESSED = Column(gettext_lazy("hidden (disclosure control)"), "#meta+suppressed")
TOTAL = "*"  # the key of a margin, a value no dimension takes
# The files the reports write, by their extension.
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _names(reached: Reached) -> dict[str, dict[Any, str]]:
    """The words each dimension's codes are read as, in the active language."""
    met = {d: {row[d] for row in reached.rows if row[d] is not None} for d in reached.by}
    words: dict[str, dict[Any, str]] = {
        "sex": {str(k): str(v) for k, v in Individual.Sex.choices},
        "population_group": {str(k): str(v) for k, v in Individual.PopulationGroup.choices},
        "disability": {"yes": _("yes"), "no": _("no")},
        "sector": {
            **{str(k): str(v) for k, v in AssistanceSector.choices},
            **{str(k): str(v) for k, v in ServiceSector.choices},
        },
        "nationality": {code: names.country_name(code) for code in met.get("nationality", ())},
    }
    places = set(met.get("admin1", ())) | set(met.get("admin2", ()))
    if places:
        areas = {a.code: a.name for a in Area.objects.filter(code__in=places)}
        words["admin1"] = words["admin2"] = areas
    if met.get("office"):
        words["office"] = {o.pk: o.name for o in Office.objects.filter(pk__in=met["office"])}
    return words


def _cells(dimension: str, code, words: dict[str, dict]) -> list[str]:
    """The values of `dimension`'s columns for `code` (a margin: "Total")."""
    if code == TOTAL:
        return [_("Total")] + [""] * (len(COLUMNS[dimension]) - 1)
    if code is None:
        return [_("not recorded")] + [""] * (len(COLUMNS[dimension]) - 1)
    name = words.get(dimension, {}).get(code, str(code))
    if len(COLUMNS[dimension]) == 2:
        return [str(code), name]
    return [name if dimension in ("sex", "population_group", "disability", "office") else str(code)]


def _slices(reached: Reached) -> dict[tuple, dict]:
    """{values of the third and further dimensions: {first: {second: (people, households)}}}"""
    by = reached.by
    slices: dict[tuple, dict] = {}
    for row in reached.rows:
        rest = tuple(row[d] for d in by[2:])
        first = row[by[0]] if by else TOTAL
        second = row[by[1]] if len(by) > 1 else TOTAL
        slices.setdefault(rest, {}).setdefault(first, {})[second] = (
            row["people"],
            row["households"],
        )
    return slices


def _key(value) -> str:
    return "" if value is None else str(value)


def _slice(by, rest, table, words, *, smallest: int, protect: bool) -> list[list]:
    """One two-way slice's rows: its cells, then the margins that may be published."""
    firsts = sorted(table, key=_key)
    seconds = sorted({s for cells in table.values() for s in cells}, key=_key)
    people = {(f, s): table[f].get(s, (0, 0))[0] for f in firsts for s in seconds}
    counts = {_key(f): {_key(s): people[(f, s)] for s in seconds} for f in firsts}
    shown = disclosure.suppress(
        counts, [_key(s) for s in seconds], smallest=smallest if protect else 0
    )
    out = []

    def emit(first, second, value, households):
        # One mark for every hidden count: marking the small ones apart would tell an
        # attacker which hidden counts lie below `smallest` (`core.disclosure` assumes not).
        marker = "x" if value is None else ""
        if value is None or (protect and households is not None and 0 < households < smallest):
            households = None
        line = _cells(by[0], first, words)
        if len(by) > 1:
            line += _cells(by[1], second, words)
        for dimension, code in zip(by[2:], rest, strict=True):
            line += _cells(dimension, code, words)
        out.append([*line, value, households, marker])

    # Margins over a dimension of the service would count a person once per office,
    # sector or month: left out.
    rows_total = len(by) > 1 and by[1] not in SERVICE_DIMENSIONS
    columns_total = by[0] not in SERVICE_DIMENSIONS
    for f in firsts:
        line = shown["rows"][_key(f)]
        for s in seconds:
            emit(f, s, line["cells"][_key(s)], table[f].get(s, (0, 0))[1])
        if rows_total:
            emit(f, TOTAL, line["total"], None)
    if columns_total:
        for s in seconds:
            emit(TOTAL, s, shown["totals"][_key(s)], None)
        if rows_total:
            emit(TOTAL, TOTAL, shown["total"], None)
    return out


def rows(reached: Reached, *, smallest: int, protect: bool = True) -> list[list]:
    """The table's data rows: the dimensions' cells, people, households, hidden marker."""
    if not reached.by:
        hidden = protect and 0 < reached.people < smallest
        if hidden:
            return [[None, None, "x"]]
        return [[reached.people, reached.households, ""]]
    words = _names(reached)
    out: list[list] = []
    slices = _slices(reached)
    for rest in sorted(slices, key=lambda values: [_key(v) for v in values]):
        out += _slice(reached.by, rest, slices[rest], words, smallest=smallest, protect=protect)
    return out


def header(reached: Reached) -> tuple[list[str], list[str]]:
    columns = [c for d in reached.by for c in COLUMNS[d]] + [PEOPLE, HOUSEHOLDS, SUPPRESSED]
    return [str(c.header) for c in columns], [c.tag for c in columns]


def protected_table(reached: Reached, *, smallest: int) -> dict:
    """People reached as the protected table that leaves the organization, JSON-able (an API
    answer, a prepared export kept with its job): `from`, `to`, `by`, `labels` (in the active
    language), HXL `tags`, `lines` (`rows`), and the totals `people` and `households`, None
    when below `smallest`."""
    labels, tags = header(reached)
    hidden_total = 0 < reached.people < smallest
    return {
        "from": reached.period.since.isoformat(),
        "to": reached.period.until.isoformat(),
        "by": list(reached.by),
        "labels": labels,
        "tags": tags,
        "lines": rows(reached, smallest=smallest),
        "people": None if hidden_total else reached.people,
        "households": None if hidden_total else reached.households,
    }


def to_csv(reached: Reached, *, smallest: int, hxl: bool, protect: bool = True) -> str:
    labels, tags = header(reached)
    return table_csv(labels, tags, rows(reached, smallest=smallest, protect=protect), hxl=hxl)


def table_csv(labels: list[str], tags: list[str], lines: list[list], *, hxl: bool) -> str:
    """A table of `header` and `rows` as CSV, with the row of HXL hashtags if `hxl`: also
    from a table kept as it was counted (a prepared export's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([tabular.safe_cell(x) for x in labels])
    if hxl:
        writer.writerow(tags)
    for line in lines:
        writer.writerow([tabular.safe_cell(x) for x in line])
    return buffer.getvalue()


def five_w_table(result: FiveW) -> list[list]:
    """The 5W as rows: the header (in the active language), then one line per row."""
    lines: list[list] = [[str(label) for _key, label in FIVE_W_COLUMNS]]
    for row in result.rows:
        lines.append([row[key] for key, _label in FIVE_W_COLUMNS])
    return lines


def five_w_csv(result: FiveW) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line in five_w_table(result):
        writer.writerow([tabular.safe_cell(x) for x in line])
    return buffer.getvalue()


def five_w_xlsx(result: FiveW) -> bytes:
    """The 5W as a workbook of one sheet, numbers as numbers, hidden counts empty."""
    return _workbook("5W " + result.month, five_w_table(result))


def table_xlsx(labels: list[str], tags: list[str], lines: list[list], *, hxl: bool) -> bytes:
    """`table_csv` as a workbook of one sheet: the header, the HXL hashtags if `hxl`, numbers
    as numbers, hidden counts empty."""
    return _workbook(str(_("People reached")), [labels, *([tags] if hxl else []), *lines])


def _workbook(title: str, lines: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    # A sheet's name: 31 characters at most, none of []:*?/\
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", title)[:31])
    for line in lines:
        sheet.append([x if isinstance(x, int | float) else tabular.safe_cell(x) for x in line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def project_table(report) -> list[list]:
    """A project's report as rows (`queries_projects.ProjectReport`), in the active language:
    its indicators, then people reached by age and sex. Hidden counts are "<5"."""
    smallest = report.smallest
    hidden = f"<{smallest}"
    project = report.project
    lines: list[list] = [
        [str(_("Project")), f"{project.code} · {project.name}"],
        [str(_("Donor")), project.donor],
        [str(_("Period")), f"{report.since.isoformat()} – {report.until.isoformat()}"],
        [],
        [
            str(_("Indicator")),
            str(_("What is counted")),
            str(_("Target")),
            str(_("In the period")),
            str(_("To date")),
            str(_("% of target")),
        ],
    ]

    def number(value, was_hidden):
        if value is None:
            return hidden if was_hidden else ""
        return value if isinstance(value, int) else float(value)

    for row in report.indicators:
        lines.append(
            [
                row.indicator.name,
                row.definition,
                float(row.indicator.target),
                number(row.in_period, row.hidden),
                number(row.to_date, row.hidden),
                "" if row.percent is None else row.percent,
            ]
        )
    table = report.by_age_and_sex
    lines += [
        [],
        [str(_("People reached in the project's sector at its offices, by age and sex"))],
        [
            str(_("Age")),
            str(_("Women")),
            str(_("Men")),
            str(_("Other / not stated")),
            str(_("Total")),
        ],
    ]
    for band in report.bands:
        cells = table["rows"][band]
        values = [cells["cells"][sex] for sex in ("F", "M", "X")] + [cells["total"]]
        lines.append([band, *(hidden if v is None else v for v in values)])
    totals = [table["totals"][sex] for sex in ("F", "M", "X")] + [table["total"]]
    lines.append([str(_("Total")), *(hidden if v is None else v for v in totals)])
    return lines


def project_xlsx(report) -> bytes:
    """A project's report as a workbook of one sheet, numbers as numbers."""
    return _workbook(report.project.code or "report", project_table(report))
