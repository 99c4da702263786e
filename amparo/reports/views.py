"""The reports' screens: thin — read the form, read the figures, render. Without
`reports.view` they answer 404; the list behind a figure also needs `registry.view` and shows
only the people the user may see."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.core import access, audit, jobs
from amparo.core.errors import ActionError
from amparo.core.http import AuthenticatedRequest
from amparo.core.models import Job
from amparo.core.tabular import safe_cell
from amparo.registry import queries as registry
from amparo.reports import (
    actions,
    charts,
    exports,
    queries,
    queries_5w,
    queries_dashboard,
    queries_projects,
    tasks,
)
from amparo.reports.forms import (
    EXPORT_FIELDS,
    DashboardForm,
    FiveWForm,
    PeopleExportForm,
    ProjectPeriodForm,
    ReachedTableForm,
)

PAGE = 50


def _link(period: queries.Period, office, filters: dict) -> str:
    query = {"from": period.since.isoformat(), "to": period.until.isoformat()}
    if office is not None:
        query["office"] = str(office.uuid)
    query |= {key: "" if value is None else value for key, value in filters.items()}
    return f"{reverse('reports:people')}?{urlencode(query)}"


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponseBase:
    """The reports' home. A POST asks for the figures to be counted again now (a snapshot's:
    `actions.dashboard_for`), then shows the page again."""
    user = request.user
    access.require(user, "reports.view")
    form = DashboardForm(request.GET, user=user, today=timezone.localdate())
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    office = form.cleaned_data["office"]
    month = form.cleaned_data["month"]
    shown = actions.dashboard_for(
        actor=user,
        month=month,
        office_id=office.pk if office else None,
        recount=request.method == "POST",
    )
    if request.method == "POST":
        return redirect(f"{reverse('reports:dashboard')}?{request.GET.urlencode()}")
    figures = shown.dashboard
    context = {"form": form, "figures": figures, "recounting": shown.recounting}
    if figures is not None:
        context |= _dashboard_context(user, figures, office)
    return render(request, "reports/dashboard.html", context)


def _dashboard_context(user, figures: queries_dashboard.Dashboard, office) -> dict:
    linked = access.can(user, "registry.view")
    for group in (
        figures.by_sector,
        figures.by_month,
        figures.by_province,
        figures.by_nationality,
        figures.by_population_group,
        figures.by_disability,
        figures.women + figures.men + figures.others,
    ):
        for figure in group:
            figure.url = _link(figures.year, office, figure.filters) if linked else ""
    return {
        "work": queries_dashboard.work(user, figures.month, timezone.localdate()),
        "office": office,
        "linked": linked,
        "can_export": access.can(user, "reports.export"),
        "five_w_month": f"{figures.month.since:%Y-%m}",
        "month_link": _link(figures.month, office, {}) if linked else "",
        "year_link": _link(figures.year, office, {}) if linked else "",
        "sector_chart": charts.bars([(f.label, f.value) for f in figures.by_sector]),
        "month_chart": charts.bars([(f.label, f.value) for f in figures.by_month]),
        "pyramid": charts.pyramid(
            figures.bands, [f.value for f in figures.women], [f.value for f in figures.men]
        ),
        "rows": list(zip(figures.bands, figures.women, figures.men, figures.others, strict=True)),
    }


def _behind(request: AuthenticatedRequest) -> tuple[queries.Period, dict, list[int]]:
    """The figure a list stands for, from its link: period, office, dimensions. A malformed
    link answers 400; an office out of the reader's scope 404."""
    user = request.user
    try:
        since = datetime.date.fromisoformat(request.GET.get("from", ""))
        until = datetime.date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        raise BadRequest(_("Give the dates as 2026-03-31.")) from None
    office_id = None
    if request.GET.get("office"):
        form = DashboardForm({"office": request.GET["office"]}, user=user, today=until)
        if not form.is_valid() or form.cleaned_data["office"] is None:
            raise Http404
        office_id = form.cleaned_data["office"].pk
    filters = {key: (request.GET[key] or None) for key in queries.DIMENSIONS if key in request.GET}
    try:
        period = queries.Period.checked(since, until, office_id)
        ids = queries.people_behind(user, period, filters)
    except ActionError as refused:
        raise BadRequest(" ".join(refused.messages)) from None
    return period, filters, ids


@login_required
def people(request: AuthenticatedRequest) -> HttpResponseBase:
    """The people counted in one figure of the dashboard, those of them the user may see;
    with `registry.export`, a form to take the list out (POST, purpose stated)."""
    user = request.user
    access.require(user, "reports.view")
    access.require(user, "registry.view")
    may_export = access.can(user, "registry.export")
    period, filters, ids = _behind(request)
    shown = queries.among(registry.individuals_visible_to(user), ids)
    shown = shown.select_related("household")
    form = PeopleExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_export:
            raise Http404
        if form.is_valid():
            return _export(request, shown, period, filters, form.cleaned_data)
    page = Paginator(shown.order_by("first_surname", "given_names", "pk"), PAGE).get_page(
        request.GET.get("page")
    )
    audit.record(
        actor=user,
        action="reports.people_behind.viewed",
        request=request,
        details={
            "from": period.since.isoformat(),
            "to": period.until.isoformat(),
            "filters": filters,
            "people": len(page.object_list),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "period": period,
        "counted": len(ids),
        "shown_count": page.paginator.count,
        "query": query.urlencode(),
        "form": form if may_export else None,
    }
    return render(request, "reports/people.html", context, status=400 if form.errors else 200)


def _cell(person, field: str) -> str:
    if field == "name":
        return person.full_name
    if field == "sex":
        return person.get_sex_display()
    if field == "population_group":
        return person.get_population_group_display()
    if field == "household":
        return person.household.reference
    if field == "date_of_birth":
        return person.date_of_birth.isoformat()
    return getattr(person, field)


def _export(
    request, shown, period: queries.Period, filters: dict, data: dict
) -> StreamingHttpResponse:
    """The list as CSV, only the fields chosen, audited with its purpose and size. Streamed:
    a figure of a whole year may stand for tens of thousands of people."""
    fields = [key for key, _label in EXPORT_FIELDS if key in data["columns"]]
    labels = dict(EXPORT_FIELDS)
    rows = shown.order_by("first_surname", "given_names", "pk")
    total = rows.count()
    audit.record(
        actor=request.user,
        action="reports.people_behind.exported",
        request=request,
        details={
            "purpose": data["purpose"],
            "fields": fields,
            "rows": total,
            "from": period.since.isoformat(),
            "to": period.until.isoformat(),
            "filters": filters,
        },
    )

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([safe_cell(labels[f]) for f in fields])
        for person in rows.iterator(chunk_size=2000):
            writer.writerow([safe_cell(_cell(person, f)) for f in fields])
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    answer = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = 'attachment; filename="people.csv"'
    answer["Cache-Control"] = "no-store"
    return answer


@login_required
def projects(request: AuthenticatedRequest) -> HttpResponse:
    """The projects a reader may report on, each to its donor report."""
    access.require(request.user, "reports.view")
    listed = queries_projects.reportable_projects(request.user)
    return render(request, "reports/projects.html", {"projects": listed})


@login_required
def project(request: AuthenticatedRequest, project_id) -> HttpResponseBase:
    """A project's report for its donor, print-ready (A4), or as a workbook (`output=xlsx`,
    with `reports.export`, audited). Small counts hidden: it leaves the organization."""
    user = request.user
    access.require(user, "reports.view")
    chosen = queries_projects.get_project_for(user, project_id)
    end = min(chosen.end_date, max(timezone.localdate(), chosen.start_date))
    form = ProjectPeriodForm(request.GET, start=chosen.start_date, end=end)
    context = {"project": chosen, "form": form, "can_export": access.can(user, "reports.export")}
    if not form.is_valid():
        return render(request, "reports/project.html", context, status=400)
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    report = queries_projects.project_report(
        user, chosen, since, until, smallest=settings.AMPARO_REPORT_SMALLEST
    )
    if request.GET.get("output") == "xlsx":
        access.require(user, "reports.export")
        actions.project_report_exported(
            actor=user, project=chosen, since=since, until=until,
            rows=len(report.indicators), request=request,
        )  # fmt: skip
        return _download(exports.project_xlsx(report), f"{_filename(chosen.code)}.xlsx")
    query = {"since": since.isoformat(), "until": until.isoformat(), "output": "xlsx"}
    context |= {
        "report": report,
        "xlsx_link": f"{request.path}?{urlencode(query)}",
        "rows": [(band, report.by_age_and_sex["rows"][band]) for band in report.bands],
        "hidden": f"<{report.smallest}",
        "printed": timezone.localtime(),
    }
    return render(request, "reports/project.html", context)


def _download(body: str | bytes, filename: str) -> HttpResponse:
    """A file the reader downloads (its type from its name), never kept by a cache."""
    answer = HttpResponse(body, content_type=exports.MEDIA_TYPES[filename.rsplit(".", 1)[-1]])
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    answer["Cache-Control"] = "no-store"
    return answer


def _filename(code: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in code)[:60] or "project"


def _refused(request, title: str, form, reasons: list[str] | None = None) -> HttpResponse:
    """A request to prepare an export that cannot be: 400 with the reasons, nothing started."""
    if reasons:
        refused = reasons
    elif form.is_valid():  # the form is fine: the reader belongs to no organization
        refused = [_("Only members of an organization export its reports.")]
    else:
        refused = [str(message) for messages in form.errors.values() for message in messages]
    context = {"title": title, "refused": refused}
    return render(request, "reports/prepared.html", context, status=400)


def _prepared(request: AuthenticatedRequest, job_id, handler, title: Callable[[Job], str]) -> tuple:
    """An export being prepared by `handler` (only its owner may see it): `(page, None)` while
    it is not ready or if it was refused, `(None, result)` once counted."""
    access.require(request.user, "reports.export")
    job = jobs.get_job_for(request.user, job_id)
    if job.handler != jobs.path_of(handler) or request.user.organization_id is None:
        raise Http404
    context = {"job": job, "title": title(job)}
    if not job.is_over:
        return render(request, "reports/prepared.html", context), None
    outcome = job.result or {}
    if "refused" in outcome:
        context["refused"] = outcome.get("refused", [])
        return render(request, "reports/prepared.html", context), None
    return None, outcome


def _ready(request, title: str, ready: list[str], downloads: list[tuple[str, str]]):
    context = {"title": title, "ready": ready, "downloads": downloads}
    return render(request, "reports/prepared.html", context)


def _output(request, *allowed: str) -> str | None:
    output = request.GET.get("output")
    if output is not None and output not in allowed:
        raise BadRequest(_("Ask for %(outputs)s.") % {"outputs": " / ".join(allowed)})
    return output


def _five_w_title(month: str = "") -> str:
    if not month:
        return _("The 5W of the month")
    return _("The 5W of the month %(month)s") % {"month": month}


def _prepare(
    request: AuthenticatedRequest,
    form,
    handler: jobs.Handler,
    title: str,
    params_of: Callable[[dict], dict],
    page: str,
) -> HttpResponseBase:
    """Start preparing an export from its POSTed `form` (`actions.prepare_export`), then
    its `page`. Without `reports.export`, or not a POST: 404; refused input: 400 with the
    reasons, nothing started."""
    user = request.user
    access.require(user, "reports.export")
    if request.method != "POST":
        raise Http404
    if not form.is_valid() or user.organization is None:
        return _refused(request, title, form)
    params = params_of(form.cleaned_data)
    try:
        job = actions.prepare_export(actor=user, handler=handler, params=params)
    except ActionError as exc:
        return _refused(request, title, form, exc.messages)
    return redirect(page, job.uuid)


@login_required
def five_w(request: AuthenticatedRequest) -> HttpResponseBase:
    """Prepare a month's 5W (POST `month`): counted by the worker, then its page."""
    form = FiveWForm(request.POST)
    return _prepare(
        request, form, tasks.five_w, _five_w_title(),
        lambda data: {"month": data["month"]}, "reports:five-w-job",
    )  # fmt: skip


@login_required
def five_w_job(request: AuthenticatedRequest, job_id) -> HttpResponseBase:
    """A 5W being prepared (the page refreshes itself), then its files: `output=xlsx|csv`
    writes it from the counts kept with the job, each download audited. Only its owner."""
    page, outcome = _prepared(
        request, job_id, tasks.five_w, lambda job: _five_w_title(job.params.get("month", ""))
    )
    if outcome is None:
        return page
    output = _output(request, "xlsx", "csv")
    result = queries_5w.FiveW(month=outcome["month"], rows=outcome["rows"])
    if output is None:
        rows, smallest = len(result.rows), settings.AMPARO_REPORT_SMALLEST
        hidden = sum(1 for row in result.rows if row["hidden"])
        ready = [
            ngettext(
                "Ready: %(rows)s row, by place, sector, activity and population type.",
                "Ready: %(rows)s rows, by place, sector, activity and population type.",
                rows,
            )
            % {"rows": rows},
            ngettext(
                "%(hidden)s of them has counts hidden (under %(smallest)s).",
                "%(hidden)s of them have counts hidden (under %(smallest)s).",
                hidden,
            )
            % {"hidden": hidden, "smallest": smallest},
        ]
        downloads = [(_("Download (XLSX)"), "xlsx"), (_("Download (CSV)"), "csv")]
        return _ready(request, _five_w_title(result.month), ready, downloads)
    actions.five_w_exported(
        actor=request.user,
        organization_id=request.user.organization_id,
        month=result.month,
        rows=len(result.rows),
    )
    body = exports.five_w_csv(result) if output == "csv" else exports.five_w_xlsx(result)
    return _download(body, f"5w-{result.month}.{output}")


def _table_title() -> str:
    return _("People reached, with small counts hidden")


def _table_params(data: dict) -> dict:
    return {
        "from": data["since"].isoformat(),
        "to": data["until"].isoformat(),
        "by": list(data["by"]),
        "office": data["office"].pk if data["office"] else None,
    }


@login_required
def reached_table(request: AuthenticatedRequest) -> HttpResponseBase:
    """Prepare people reached as a protected HXL table (POST `since`, `until`, `by`, `office`):
    counted by the worker, then its page."""
    form = ReachedTableForm(request.POST, user=request.user)
    return _prepare(
        request, form, tasks.reached_table, _table_title(), _table_params,
        "reports:reached-table-job",
    )  # fmt: skip


@login_required
def reached_table_job(request: AuthenticatedRequest, job_id) -> HttpResponseBase:
    """A table of people reached being prepared, then its file: `output=csv|xlsx` (with the row
    of HXL hashtags) written from the table kept with the job, each download audited."""
    page, outcome = _prepared(request, job_id, tasks.reached_table, lambda job: _table_title())
    if outcome is None:
        return page
    since = datetime.date.fromisoformat(outcome["from"])
    until = datetime.date.fromisoformat(outcome["to"])
    lines, output = outcome["lines"], _output(request, "csv", "xlsx")
    if output is None:
        hidden = sum(1 for line in lines if line[-1])
        ready = [
            _("People reached from %(since)s to %(until)s.")
            % {"since": formats.date_format(since), "until": formats.date_format(until)},
            ngettext(
                "Ready: %(rows)s row, %(hidden)s of them with counts hidden (under %(smallest)s).",
                "Ready: %(rows)s rows, %(hidden)s of them with counts hidden (under %(smallest)s).",
                len(lines),
            )
            % {
                "rows": len(lines),
                "hidden": hidden,
                "smallest": settings.AMPARO_REPORT_SMALLEST,
            },
        ]
        downloads = [(_("Download (HXL XLSX)"), "xlsx"), (_("Download (HXL CSV)"), "csv")]
        return _ready(request, _table_title(), ready, downloads)
    actions.exported(
        actor=request.user,
        organization_id=request.user.organization_id,
        since=since,
        until=until,
        by=outcome["by"],
        protected=True,
        rows=len(lines),
        office_id=outcome.get("office"),
    )
    write = exports.table_csv if output == "csv" else exports.table_xlsx
    body = write(outcome["labels"], outcome["tags"], lines, hxl=True)
    return _download(body, f"people-reached-{since:%Y%m%d}-{until:%Y%m%d}.{output}")
