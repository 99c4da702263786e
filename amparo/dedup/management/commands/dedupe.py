"""`amparo dedupe file INPUT.csv --id COL --map field=COL,… --output PAIRS.csv`: the likely
duplicates within one file (any agency's CSV or XLSX), without a server or a database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core.errors import ActionError
from amparo.dedup import files, linkage


class Command(BaseCommand):
    help = "Find the same person recorded twice (probabilistic record linkage, Splink)."

    def add_arguments(self, parser):
        modes = parser.add_subparsers(dest="mode", required=True, metavar="MODE")
        one_file = modes.add_parser(
            "file",
            help="deduplicate a standalone CSV or XLSX file (no server needed)",
            description=(
                "Writes id_a,id_b,match_probability,cluster_id: one row per pair at or above "
                "the threshold, most likely first; cluster_id joins the pairs the clustering "
                "put together. Dates of birth in ISO (1990-05-17) or YYYYMMDD."
            ),
        )
        one_file.add_argument("input", type=Path)
        one_file.add_argument("--id", required=True, help="the column that identifies a row")
        one_file.add_argument(
            "--map",
            required=True,
            help="field=column,… with the fields: " + ", ".join(files.MAPPABLE),
        )
        one_file.add_argument("--output", required=True, type=Path)
        one_file.add_argument(
            "--threshold", type=float, default=0.9, help="lowest match probability written"
        )

    def handle(self, *args, **opts):
        if opts["mode"] == "file":
            return self.one_file(opts)
        raise CommandError(_("Unknown mode."))

    def one_file(self, opts):
        source: Path = opts["input"]
        if not source.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": source})
        if not 0 < opts["threshold"] < 1:
            raise CommandError(_("The threshold is a probability between 0 and 1."))
        started = time.perf_counter()
        try:
            mapping = files.parse_mapping(opts["map"])
            records = files.read_records(source, id_column=opts["id"], mapping=mapping)
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        result = linkage.deduplicate(records, threshold=opts["threshold"])
        written = files.write_pairs(result, opts["output"])
        clusters = result.pairs.column("cluster_id").unique()
        self.stdout.write(
            _(
                "%(records)d records, %(pairs)d pairs in %(clusters)d groups written to "
                "%(output)s (%(seconds).1f s)."
            )
            % {
                "records": records.num_rows,
                "pairs": written,
                "clusters": len(clusters),
                "output": opts["output"],
                "seconds": time.perf_counter() - started,
            }
        )
