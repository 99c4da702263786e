from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from amparo.core import actions


class Command(BaseCommand):
    help = "Add second-level areas from a P-code CSV (pcode,name,parent_pcode,level). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = actions.import_areas(actor=None, data=path.read_bytes(), filename=path.name)
        except actions.AreaImportError as exc:
            raise CommandError(
                "file rejected, nothing imported:\n" + "\n".join(exc.errors)
            ) from exc
        self.stdout.write(
            f"imported {path.name}: {result.created} created, {result.updated} renamed, "
            f"{result.unchanged} unchanged"
        )
