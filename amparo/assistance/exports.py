"""Exports of assistance as files: the reconciliation of a cycle as CSV.

Every cell goes through the kernel's `tabular.safe_cell`: a spreadsheet opening the file must
not run a formula that someone typed as an alternate's name or a reason (CSV injection).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.queries_monitoring import Reconciliation
from amparo.core.tabular import safe_cell


def _amount(value: Decimal) -> str:
    """Two decimals on every database (SQLite's sums drop them)."""
    return f"{value:.2f}"


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def reconciliation_csv(rec: Reconciliation) -> str:
    """The reconciliation as one CSV of sections: `section, item, households, amount, detail`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "item", "households", "amount", "detail"])

    def row(*cells: object) -> None:
        writer.writerow([safe_cell(c) for c in cells])

    cycle = rec.cycle
    row("cycle", cycle.name, "", _amount(cycle.amount), f"{cycle.start_date}/{cycle.end_date}")
    row("cycle", _("state"), "", "", cycle.get_state_display())
    for item, tally in (
        ("entitled", rec.entitled),
        ("delivered", rec.delivered),
        ("absent" if rec.absent is not None else "pending", rec.pending),
        ("cancelled", rec.cancelled),
    ):
        row("totals", item, tally.households, _amount(tally.amount), cycle.currency)
    row("totals", "reversals", len(rec.reversals), "", "")
    for day in rec.by_day:
        row("by_day", day.label, day.households, _amount(day.amount), "")
    for officer in rec.by_officer:
        row("by_officer", officer.label, officer.households, _amount(officer.amount), "")
    for r in rec.reversals:
        row("reversal", r.reference, "", "", f"{_time(r.reversed_at)} {r.reversed_by}: {r.reason}")
    for c in rec.collectors:
        row("anomaly_collector", c.name, c.households, "", " ".join(c.references))
    for o in rec.outside_dates:
        row("anomaly_outside_dates", o.reference, "", "", f"{_time(o.delivered_at)} {o.officer}")
    for b in rec.bursts:
        row("anomaly_burst", b.officer, b.count, "", f"{_time(b.start)}/{_time(b.end)}")
    # Stock movements and cash payment counts (their branches) add their sections here.
    return out.getvalue()
