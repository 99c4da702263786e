"""The monthly feedback figures and their CSV (`queries_figures`): thin — parse the month,
read the figures, render or export. Everyone without the permissions gets 404."""

from __future__ import annotations

import csv
import datetime
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core import audit
from amparo.core.http import AuthenticatedRequest
from amparo.core.tabular import safe_cell
from amparo.feedback import queries_figures
from amparo.feedback.queries_figures import Cell, Figures

SUPPRESSED = "<5"


class MonthForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def clean_month(self) -> datetime.date:
        text = self.cleaned_data["month"].strip()
        try:
            month = datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a date
        except ValueError:
            raise forms.ValidationError(_("Enter a month as year-month, e.g. 2026-11.")) from None
        if not 2000 <= month.year <= 2999:
            raise forms.ValidationError(_("Enter a month between 2000 and 2999."))
        return month


def _shown(value: Cell) -> str:
    return SUPPRESSED if value is None else str(value)


def figures_csv(figures: Figures) -> str:
    """The page's tables one after the other: title, heading, rows, total; "<5" where hidden."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells: object) -> None:
        writer.writerow([safe_cell(c) for c in cells])

    row(_("Feedback figures"), f"{figures.month:%Y-%m}")
    for table in figures.tables:
        row()
        row(table.title)
        row(table.row_heading, *table.columns)
        for label, cells in [*table.rows, *table.footer]:
            row(label, *[_shown(c) for c in cells])
    return out.getvalue()


@login_required
def monthly(request: AuthenticatedRequest) -> HttpResponse:
    """`?month=2026-11` (this month by default); `&format=csv` downloads it (audited)."""
    user = request.user
    if not queries_figures.may_see_figures(user):
        raise Http404
    today = timezone.localdate()
    data = request.GET if "month" in request.GET else {"month": f"{today:%Y-%m}"}
    form = MonthForm(data)
    if not form.is_valid():
        return render(request, "feedback/figures/monthly.html", {"form": form}, status=400)
    month = form.cleaned_data["month"]
    figures = queries_figures.monthly_figures(user, month, today=today)
    if request.GET.get("format") == "csv":
        audit.record(
            actor=user,
            action="feedback.figures.exported",
            request=request,
            details={"month": f"{month:%Y-%m}"},
        )
        response = HttpResponse(figures_csv(figures), content_type="text/csv; charset=utf-8")
        name = f"feedback-figures-{month:%Y-%m}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    context = {"form": form, "figures": figures, "month": f"{month:%Y-%m}"}
    return render(request, "feedback/figures/monthly.html", context)
