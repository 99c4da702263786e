"""The exports of `amparo export`, for users whose role may export aggregated reports, scoped
as they are (an office-bound reader counts their office). Disclosure control is always on.

- `GET /api/v1/reports/people-reached/?from=…&to=…&by=…[&output=csv|xlsx&hxl=1]`
- `GET /api/v1/reports/5w/?month=YYYY-MM[&output=csv|xlsx]`

Both count within the request (up to 25 s at national scale on two cores). The same
parameters POSTed prepare the export off the request instead (`core.jobs`, the worker): the
answer is 202 with the job's address, `GET /api/v1/reports/prepared/<uuid>/`, which answers
202 with its progress while it counts, then what the GET would have answered (with `output`
the file), each time audited. Only the job's owner sees it; anyone else gets 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.core import access, jobs
from amparo.core.drf import signed_in
from amparo.core.errors import ActionError
from amparo.core.models import Job, Organization, User
from amparo.reports import actions, exports, queries, queries_5w, tasks


def _day(values, name: str) -> datetime.date:
    text = str(values.get(name, ""))
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ActionError.on(
            name, _("Give the date as 2026-03-31 (not “%(text)s”).") % {"text": text[:40]}
        ) from None


def _month(values) -> str:
    month = str(values.get("month", ""))
    try:
        queries_5w.month_period(month)
    except ValueError:
        raise ActionError.on(
            "month", _("Give the month as 2026-03 (not “%(text)s”).") % {"text": month[:20]}
        ) from None
    return month


def _output(values, *allowed: str) -> str:
    shape = str(values.get("output", "json"))
    if shape not in allowed:
        raise ActionError.on("output", _("Ask for %(outputs)s.") % {"outputs": ", ".join(allowed)})
    return shape


def _body(request: Request) -> Mapping:
    """A POST's parameters: a JSON object (or a form), else 400."""
    if not isinstance(request.data, Mapping):
        raise ActionError.general(_("Send the parameters as one JSON object."))
    return request.data


def _exporter(request: Request) -> tuple[User, Organization]:
    user = signed_in(request)
    access.require(user, "reports.export")
    if user.organization is None:  # a platform administrator counts for no organization
        raise ActionError.general(_("Only members of an organization export its reports."))
    return user, user.organization


def _reached_query(values) -> tuple[queries.Period, tuple[str, ...]]:
    period = queries.Period.checked(_day(values, "from"), _day(values, "to"))
    by = values.get("by", "")
    names = by if isinstance(by, list) else str(by).split(",")
    return period, queries.check_dimensions([str(d).strip() for d in names if str(d).strip()])


def _file(body: str | bytes, shape: str, filename: str) -> HttpResponse:
    answer = HttpResponse(body, content_type=exports.MEDIA_TYPES[shape])
    answer["Content-Disposition"] = f'attachment; filename="{filename}.{shape}"'
    return answer


def _reached_answer(user: User, table: dict, shape: str, hxl: bool) -> Response | HttpResponse:
    """A protected table of people reached (`exports.protected_table`) as JSON or CSV,
    audited as an export."""
    actions.exported(
        actor=user,
        organization_id=user.organization_id,
        since=datetime.date.fromisoformat(table["from"]),
        until=datetime.date.fromisoformat(table["to"]),
        by=table["by"],
        protected=True,
        rows=len(table["lines"]),
        office_id=table.get("office"),
    )
    if shape in ("csv", "xlsx"):
        write = exports.table_csv if shape == "csv" else exports.table_xlsx
        body = write(table["labels"], table["tags"], table["lines"], hxl=hxl)
        return _file(body, shape, "people-reached")
    return Response(
        {
            "from": table["from"],
            "to": table["to"],
            "by": table["by"],
            "smallest": settings.AMPARO_REPORT_SMALLEST,
            "people": table["people"],
            "households": table["households"],
            "columns": [
                {"label": label, "hxl": tag}
                for label, tag in zip(table["labels"], table["tags"], strict=True)
            ],
            "rows": table["lines"],
        }
    )


def _five_w_answer(user: User, result: queries_5w.FiveW, shape: str) -> Response | HttpResponse:
    """A month's 5W as JSON, CSV or XLSX, audited as an export."""
    actions.five_w_exported(
        actor=user, organization_id=user.organization_id, month=result.month, rows=len(result.rows)
    )
    if shape == "csv":
        return _file(exports.five_w_csv(result), "csv", f"5w-{result.month}")
    if shape == "xlsx":
        return _file(exports.five_w_xlsx(result), "xlsx", f"5w-{result.month}")
    keys = [key for key, _label in queries_5w.COLUMNS]
    return Response(
        {
            "month": result.month,
            "columns": [{"key": k, "label": str(v)} for k, v in queries_5w.COLUMNS],
            "rows": [[row[k] for k in keys] for row in result.rows],
        }
    )


def _accepted(job: Job) -> Response:
    url = reverse("api-reports-prepared", args=[job.uuid])
    answer = Response({"job": str(job.uuid), "state": job.state, "url": url}, status=202)
    answer["Location"] = url
    return answer


def _hxl(values) -> bool:
    return str(values.get("hxl", "")).lower() in ("1", "true")


class PeopleReachedView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("by", str, description=", ".join(queries.DIMENSIONS)),
            OpenApiParameter("output", str, enum=["json", "csv", "xlsx"]),
            OpenApiParameter("hxl", bool, description="CSV, XLSX: the row of HXL hashtags"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response | HttpResponse:
        user, _organization = _exporter(request)
        period, by = _reached_query(request.query_params)
        shape = _output(request.query_params, "json", "csv", "xlsx")
        reached = queries.people_reached(user, period, by, outside=True)
        table = exports.protected_table(reached, smallest=settings.AMPARO_REPORT_SMALLEST)
        return _reached_answer(user, table, shape, _hxl(request.query_params))

    @extend_schema(
        description="The same count prepared off the request: 202 and the job's address.",
        request=OpenApiTypes.OBJECT,
        responses={202: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        user, _organization = _exporter(request)
        period, by = _reached_query(_body(request))
        params = {
            "from": period.since.isoformat(),
            "to": period.until.isoformat(),
            "by": list(by),
            "office": None,
        }
        return _accepted(
            actions.prepare_export(actor=user, handler=tasks.reached_table, params=params)
        )


class FiveWView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, required=True, description="YYYY-MM"),
            OpenApiParameter("output", str, enum=["json", "csv", "xlsx"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response | HttpResponse:
        user, organization = _exporter(request)
        month = _month(request.query_params)
        shape = _output(request.query_params, "json", "csv", "xlsx")
        result = queries_5w.five_w(
            user, organization, month, smallest=settings.AMPARO_REPORT_SMALLEST
        )
        return _five_w_answer(user, result, shape)

    @extend_schema(
        description="The same 5W prepared off the request: 202 and the job's address.",
        request=OpenApiTypes.OBJECT,
        responses={202: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        user, _organization = _exporter(request)
        month = _month(_body(request))
        params = {"month": month}
        return _accepted(actions.prepare_export(actor=user, handler=tasks.five_w, params=params))


class PreparedView(APIView):
    """An export being prepared (202 with its progress), refused (400 with the reasons, as the
    GET; 500 if the worker failed or stopped), or ready: what the GET of its kind answers,
    with the same `output` (and `hxl`)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("output", str, enum=["json", "csv", "xlsx"]),
            OpenApiParameter("hxl", bool, description="people reached as CSV: the hashtags"),
        ],
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, job_id) -> Response | HttpResponse:
        user, _organization = _exporter(request)
        job = jobs.get_job_for(user, job_id)
        five_w = job.handler == jobs.path_of(tasks.five_w)
        if not five_w and job.handler != jobs.path_of(tasks.reached_table):
            raise Http404
        shape = _output(request.query_params, "json", "csv", "xlsx")
        if not job.is_over:
            progress = {"job": str(job.uuid), "state": job.state, "done": job.done}
            return Response(progress | {"total": job.total}, status=status.HTTP_202_ACCEPTED)
        outcome = job.result or {}
        if "refused" in outcome:  # as the GET would answer: 400, or 500 if the worker failed
            refused = job.state == Job.State.REFUSED
            return Response(
                {"job": str(job.uuid), "state": job.state, "non_field_errors": outcome["refused"]},
                status=status.HTTP_400_BAD_REQUEST
                if refused
                else status.HTTP_500_INTERNAL_SERVER_ERROR,
            )
        if five_w:
            result = queries_5w.FiveW(month=outcome["month"], rows=outcome["rows"])
            return _five_w_answer(user, result, shape)
        return _reached_answer(user, outcome, shape, _hxl(request.query_params))
