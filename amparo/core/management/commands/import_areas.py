from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core import actions
from amparo.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Add second-level areas from a P-code CSV or XLSX file (pcode,name,parent_pcode,level). "
        "All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        try:
            result = actions.import_areas(actor=None, data=path.read_bytes(), filename=path.name)
        except ActionError as exc:
            raise CommandError(
                _("File rejected, nothing imported:") + "\n" + "\n".join(exc.messages)
            ) from exc
        self.stdout.write(
            _(
                "Imported %(file)s: %(created)d created, %(updated)d renamed, "
                "%(unchanged)d unchanged"
            )
            % {
                "file": path.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
