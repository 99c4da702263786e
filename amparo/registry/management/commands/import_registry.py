import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core import tabular
from amparo.core.errors import ActionError
from amparo.core.models import Office, User
from amparo.registry import imports


class Command(BaseCommand):
    help = (
        "Import households and individuals from CSV or XLSX (one row per person). Files of any "
        "size: read row by row, checked in a first pass, written in a second."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--valid-rows-only",
            action="store_true",
            help="import the households whose rows are all valid",
        )
        parser.add_argument("--office", help="ORG/OFFICE for rows without an office column")
        parser.add_argument("--user", help="act as this user (their permissions and scope)")
        parser.add_argument(
            "--mapping",
            type=Path,
            help='JSON {"given_names": "Nombres", …}: our field → file column',
        )

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        actor = None
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(_("Unknown user “%(user)s”.") % {"user": opts["user"]})
        office = None
        if opts["office"]:
            org_code, _sep, office_code = opts["office"].partition("/")
            office = Office.objects.filter(organization__code=org_code, code=office_code).first()
            if office is None:
                raise CommandError(
                    _("Unknown office “%(office)s” (use ORG/OFFICE).") % {"office": opts["office"]}
                )
        mapping = None
        if opts["mapping"]:
            try:
                mapping = json.loads(opts["mapping"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(_("The mapping file is not valid JSON.")) from exc
        try:
            report = imports.import_registry(
                actor=actor,
                data=path,
                filename=path.name,
                limits=tabular.NO_LIMITS,
                office=office,
                mapping=mapping,
                dry_run=opts["dry_run"],
                valid_rows_only=opts["valid_rows_only"],
            )
        except ActionError as exc:
            raise CommandError(
                _("File rejected, nothing imported: %(reason)s")
                % {"reason": " ".join(exc.messages)}
            ) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            _("%(rows)d rows, %(households)d households, %(errors)d problems.")
            % {"rows": report.rows, "households": report.households, "errors": len(report.errors)}
        )
        if report.dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        elif report.errors and not opts["valid_rows_only"]:
            raise CommandError(
                _("File rejected, nothing imported: fix the rows above, or use --valid-rows-only.")
            )
        else:
            self.stdout.write(
                _(
                    "Imported %(households)d households and %(individuals)d people; "
                    "%(existing)d already imported, %(invalid)d skipped as invalid."
                )
                % {
                    "households": report.imported_households,
                    "individuals": report.imported_individuals,
                    "existing": report.skipped_existing,
                    "invalid": report.skipped_invalid,
                }
            )
        if report.dry_run and report.errors:
            raise CommandError(_("The file has problems (see above)."))
