"""The exports of `amparo export`, for users whose role may export aggregated reports, scoped
as they are (an office-bound reader counts their office). Disclosure control is always on.

- `GET /api/v1/reports/people-reached/?from=…&to=…&by=…[&output=csv&hxl=1]`
- `GET /api/v1/reports/5w/?month=YYYY-MM[&output=csv|xlsx]`
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from amparo.core import access
from amparo.core.drf import signed_in
from amparo.core.errors import ActionError
from amparo.reports import actions, exports, queries, queries_5w


def _day(request: Request, name: str) -> datetime.date:
    text = request.query_params.get(name, "")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ActionError.on(
            name, _("Give the date as 2026-03-31 (not “%(text)s”).") % {"text": text[:40]}
        ) from None


class PeopleReachedView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("by", str, description=", ".join(queries.DIMENSIONS)),
            OpenApiParameter("output", str, enum=["json", "csv"]),
            OpenApiParameter("hxl", bool, description="CSV only: the row of HXL hashtags"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response | HttpResponse:
        user = signed_in(request)
        access.require(user, "reports.export")
        period = queries.Period.checked(_day(request, "from"), _day(request, "to"))
        by = tuple(d.strip() for d in request.query_params.get("by", "").split(",") if d.strip())
        reached = queries.people_reached(user, period, by, outside=True)
        smallest = settings.AMPARO_REPORT_SMALLEST
        shape = request.query_params.get("output", "json")
        if shape not in ("json", "csv"):
            raise ActionError.on("output", _("Ask for json or csv."))
        labels, tags = exports.header(reached)
        lines = exports.rows(reached, smallest=smallest)
        actions.exported(
            actor=user,
            organization_id=user.organization_id,
            since=period.since,
            until=period.until,
            by=reached.by,
            protected=True,
            rows=len(lines),
        )
        if shape == "csv":
            text = exports.to_csv(
                reached, smallest=smallest, hxl=request.query_params.get("hxl") in ("1", "true")
            )
            answer = HttpResponse(text, content_type="text/csv; charset=utf-8")
            answer["Content-Disposition"] = 'attachment; filename="people-reached.csv"'
            return answer
        hidden_total = 0 < reached.people < smallest
        return Response(
            {
                "from": period.since,
                "to": period.until,
                "by": list(reached.by),
                "smallest": smallest,
                "people": None if hidden_total else reached.people,
                "households": None if hidden_total else reached.households,
                "columns": [
                    {"label": label, "hxl": tag} for label, tag in zip(labels, tags, strict=True)
                ],
                "rows": lines,
            }
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
        user = signed_in(request)
        access.require(user, "reports.export")
        month = request.query_params.get("month", "")
        try:
            queries_5w.month_period(month)
        except ValueError:
            raise ActionError.on(
                "month", _("Give the month as 2026-03 (not “%(text)s”).") % {"text": month[:20]}
            ) from None
        shape = request.query_params.get("output", "json")
        if shape not in ("json", "csv", "xlsx"):
            raise ActionError.on("output", _("Ask for json, csv or xlsx."))
        organization = user.organization
        if organization is None:  # a platform administrator counts for no organization
            raise ActionError.general(_("Only members of an organization export its 5W."))
        result = queries_5w.five_w(
            user, organization, month, smallest=settings.AMPARO_REPORT_SMALLEST
        )
        actions.five_w_exported(
            actor=user, organization_id=organization.pk, month=month, rows=len(result.rows)
        )
        if shape == "csv":
            answer = HttpResponse(
                exports.five_w_csv(result), content_type="text/csv; charset=utf-8"
            )
        elif shape == "xlsx":
            answer = HttpResponse(
                exports.five_w_xlsx(result),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            keys = [key for key, _label in queries_5w.COLUMNS]
            return Response(
                {
                    "month": month,
                    "columns": [{"key": k, "label": str(v)} for k, v in queries_5w.COLUMNS],
                    "rows": [[row[k] for k in keys] for row in result.rows],
                }
            )
        answer["Content-Disposition"] = f'attachment; filename="5w-{month}.{shape}"'
        return answer
