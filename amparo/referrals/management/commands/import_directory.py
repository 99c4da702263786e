from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core.errors import ActionError
from amparo.core.models import Organization
from amparo.referrals import imports


class Command(BaseCommand):
    help = (
        "Create or update an organization's service directory from a CSV or XLSX file (one row "
        "per service; see docs/samples/directory.csv). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organization", required=True, help="code of the organization whose directory it is"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, change nothing"
        )

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        organization = Organization.objects.filter(code=opts["organization"]).first()
        if organization is None:
            raise CommandError(
                _("No organization has the code “%(code)s”.") % {"code": opts["organization"]}
            )
        try:
            result = imports.import_directory(
                actor=None,
                organization=organization,
                data=path.read_bytes(),
                filename=path.name,
                dry_run=opts["dry_run"],
            )
        except ActionError as exc:
            raise CommandError(
                _("File rejected, nothing imported:") + "\n" + "\n".join(exc.messages)
            ) from exc
        message = (
            _(
                "Checked %(file)s for %(organization)s, nothing imported: providers %(pc)d new, "
                "%(pu)d changed, %(pn)d unchanged; services %(sc)d new, %(su)d changed, "
                "%(sn)d unchanged."
            )
            if result.dry_run
            else _(
                "Imported %(file)s into the directory of %(organization)s: providers %(pc)d new, "
                "%(pu)d changed, %(pn)d unchanged; services %(sc)d new, %(su)d changed, "
                "%(sn)d unchanged."
            )
        )
        self.stdout.write(
            message
            % {
                "file": path.name,
                "organization": organization.name,
                "pc": result.providers_created,
                "pu": result.providers_updated,
                "pn": result.providers_unchanged,
                "sc": result.services_created,
                "su": result.services_updated,
                "sn": result.services_unchanged,
            }
        )
