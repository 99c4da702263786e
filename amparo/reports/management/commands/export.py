"""Aggregate reports as files, for the inter-agency platforms and donors.

amparo export 5w --month YYYY-MM --format csv|xlsx [--organization CODE] --output FILE
    the month's 5W in the columns the GTRM / R4V partners upload, each row protected.
amparo export people-reached --from DATE --to DATE [--by sex,age_band,admin1] [--hxl]
    [--format csv|xlsx] [--organization CODE] --output FILE.csv
    people and households reached in the period (each person once), by the dimensions
    chosen, with disclosure control: counts below AMPARO_REPORT_SMALLEST are hidden, and as
    many others as it takes for none to be worked out.

Counts cover the whole organization (the shell is the administrator's). Each export is
written to the audit log.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core.errors import ActionError
from amparo.core.models import Organization, User
from amparo.reports import actions, exports, queries, queries_5w


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(
            _("“%(text)s” is not a date: write it as 2026-03-31.") % {"text": text}
        ) from exc


class Command(BaseCommand):
    help = "Export aggregate reports (people reached, the 5W) as CSV or XLSX, HXL-tagged if asked."

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="REPORT")
        reached = kinds.add_parser(
            "people-reached",
            help="people and households reached in a period, by the dimensions chosen",
            description=(
                "Dimensions: " + ", ".join(queries.DIMENSIONS) + ". Each person counts once "
                "(once per office, sector or month when counted by those)."
            ),
        )
        reached.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD")
        reached.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD")
        reached.add_argument("--by", default="", help="comma-separated dimensions")
        reached.add_argument("--hxl", action="store_true", help="add the row of HXL hashtags")
        reached.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        reached.add_argument(
            "--organization", help="its code (needed when the instance serves several)"
        )
        reached.add_argument("--output", required=True, type=Path)
        five_w = kinds.add_parser(
            "5w",
            help="the month's 5W for the inter-agency platform (GTRM / R4V)",
            description="One row per place, sector, activity and population type.",
        )
        five_w.add_argument("--month", required=True, help="YYYY-MM")
        five_w.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        five_w.add_argument("--organization", help="its code (when the instance serves several)")
        five_w.add_argument("--output", required=True, type=Path)

    def handle(self, *args, **opts):
        if opts["kind"] == "people-reached":
            return self.people_reached(opts)
        if opts["kind"] == "5w":
            return self.five_w(opts)
        raise CommandError(_("Unknown report."))

    def _organization(self, code: str | None) -> Organization:
        if code:
            organization = Organization.objects.filter(code=code).first()
            if organization is None:
                raise CommandError(_("No organization has the code “%(code)s”.") % {"code": code})
            return organization
        organizations = list(Organization.objects.all()[:2])
        if len(organizations) != 1:
            raise CommandError(_("Say which organization with --organization CODE."))
        return organizations[0]

    def people_reached(self, opts):
        organization = self._organization(opts["organization"])
        # Counted as the organization's own reader: every office, no record opened.
        reader = User(organization=organization, is_active=True)
        by = tuple(d.strip() for d in opts["by"].split(",") if d.strip())
        try:
            period = queries.Period.checked(_date(opts["since"]), _date(opts["until"]))
            reached = queries.people_reached(reader, period, by, outside=True)
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        table = exports.protected_table(reached, smallest=settings.AMPARO_REPORT_SMALLEST)
        if opts["format"] == "xlsx":
            write = exports.table_xlsx
            opts["output"].write_bytes(
                write(table["labels"], table["tags"], table["lines"], hxl=opts["hxl"])
            )
        else:
            text = exports.table_csv(
                table["labels"], table["tags"], table["lines"], hxl=opts["hxl"]
            )
            opts["output"].write_text(text, encoding="utf-8")
        lines = len(table["lines"])
        actions.exported(
            actor=None,
            organization_id=organization.pk,
            since=period.since,
            until=period.until,
            by=reached.by,
            protected=True,
            rows=lines,
        )
        self.stdout.write(
            _(
                "%(people)s people and %(households)s households reached; %(rows)s rows "
                "written to %(output)s."
            )
            % {
                "people": reached.people,
                "households": reached.households,
                "rows": lines,
                "output": opts["output"],
            }
        )

    def five_w(self, opts):
        organization = self._organization(opts["organization"])
        reader = User(organization=organization, is_active=True)
        try:
            queries_5w.month_period(opts["month"])
        except ValueError as exc:
            raise CommandError(
                _("“%(text)s” is not a month: write it as 2026-03.") % {"text": opts["month"]}
            ) from exc
        result = queries_5w.five_w(
            reader, organization, opts["month"], smallest=settings.AMPARO_REPORT_SMALLEST
        )
        if opts["format"] == "xlsx":
            opts["output"].write_bytes(exports.five_w_xlsx(result))
        else:
            opts["output"].write_text(exports.five_w_csv(result), encoding="utf-8")
        actions.five_w_exported(
            actor=None, organization_id=organization.pk, month=opts["month"], rows=len(result.rows)
        )
        self.stdout.write(
            _("5W of %(month)s: %(rows)s rows written to %(output)s.")
            % {"month": opts["month"], "rows": len(result.rows), "output": opts["output"]}
        )
