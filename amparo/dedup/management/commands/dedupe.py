"""`amparo dedupe file INPUT.csv --id COL --map field=COL,… --output PAIRS.csv`: the likely
duplicates within one file (any agency's CSV or XLSX), without a server or a database.

Between two agencies, without sharing names (`pprl`, docs/pprl.md):

    amparo dedupe pprl-encode INPUT.csv --id COL --map field=COL,… --secret-file SECRET
        --output ENCODED.csv
    amparo dedupe pprl ENCODED_A.csv ENCODED_B.csv --output OVERLAPS.csv [--threshold 0.9]

The secret is read from a file, never from the command line (it would stay in the shell's
history and in the process list)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core.errors import ActionError
from amparo.dedup import files, linkage, pprl


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

        encode = modes.add_parser(
            "pprl-encode",
            help="encode a file for privacy-preserving linkage with another agency",
            description=(
                "Writes one row per record: your id, a Bloom filter and keyed tokens of the "
                "mapped fields, made with the secret agreed with the other agency. No name, "
                "document, date or phone is written in clear. See docs/pprl.md."
            ),
        )
        encode.add_argument("input", type=Path)
        encode.add_argument("--id", required=True, help="the column that identifies a row")
        encode.add_argument(
            "--map",
            required=True,
            help="field=column,… with the fields: " + ", ".join(files.MAPPABLE),
        )
        encode.add_argument(
            "--secret-file",
            required=True,
            type=Path,
            help="a file holding the secret agreed with the other agency",
        )
        encode.add_argument("--output", required=True, type=Path)
        both = modes.add_parser(
            "pprl",
            help="link two encoded files and write the people found in both",
            description=(
                "Writes id_a,id_b,score,reasons: one row per pair of records that are likely "
                "one person, best first. Both files must be encoded with the same secret."
            ),
        )
        both.add_argument("input_a", type=Path)
        both.add_argument("input_b", type=Path)
        both.add_argument("--output", required=True, type=Path)
        both.add_argument(
            "--threshold", type=float, default=0.9, help="lowest match probability written"
        )

    def handle(self, *args, **opts):
        if opts["mode"] == "file":
            return self.one_file(opts)
        if opts["mode"] == "pprl-encode":
            return self.pprl_encode(opts)
        if opts["mode"] == "pprl":
            return self.pprl_link(opts)
        raise CommandError(_("Unknown mode."))

    def pprl_encode(self, opts):
        source: Path = opts["input"]
        if not source.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": source})
        started = time.perf_counter()
        try:
            secret = pprl.read_secret(opts["secret_file"])
            mapping = files.parse_mapping(opts["map"])
            records = files.read_records(source, id_column=opts["id"], mapping=mapping)
            encoded = pprl.encode(records, secret)
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        pprl.write_encoded(encoded, opts["output"])
        self.stdout.write(
            _("%(records)d records encoded to %(output)s (%(seconds).1f s).")
            % {
                "records": encoded.num_rows,
                "output": opts["output"],
                "seconds": time.perf_counter() - started,
            }
        )

    def pprl_link(self, opts):
        for source in (opts["input_a"], opts["input_b"]):
            if not source.is_file():
                raise CommandError(_("%(path)s: no such file") % {"path": source})
        if not 0 < opts["threshold"] < 1:
            raise CommandError(_("The threshold is a probability between 0 and 1."))
        started = time.perf_counter()
        try:
            left = pprl.read_encoded(opts["input_a"])
            right = pprl.read_encoded(opts["input_b"])
            overlaps = pprl.link(left, right, threshold=opts["threshold"])
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        written = pprl.write_overlaps(overlaps, opts["output"])
        self.stdout.write(
            _(
                "%(left)d and %(right)d records: %(pairs)d pairs found in both written to "
                "%(output)s (%(seconds).1f s)."
            )
            % {
                "left": left.num_rows,
                "right": right.num_rows,
                "pairs": written,
                "output": opts["output"],
                "seconds": time.perf_counter() - started,
            }
        )

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
