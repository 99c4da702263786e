"""Find the same person recorded twice.

amparo dedupe file INPUT.csv --id COL --map field=COL,… --output PAIRS.csv
    the likely duplicates within one file (any agency's CSV or XLSX), without a server or a
    database; with `--against-registry ORG` the file's people found in that organization's
    registry instead (id_b is the person's identifier in Amparo).
amparo dedupe run --organization ORG [--threshold 0.9] [--retrain]
    the whole registry of an organization: pairs stored for review, clustered, the model
    stored as a new version when it is (re)trained.

Between two agencies, without sharing names (`pprl`, docs/pprl.md):

amparo dedupe pprl-encode INPUT.csv --id COL --map field=COL,… --secret-file SECRET
    --output ENCODED.csv
amparo dedupe pprl ENCODED_A.csv ENCODED_B.csv --output OVERLAPS.csv [--threshold 0.9]

The secret is read from a file, never from the command line (it would stay in the shell's
history and in the process list).
"""

import time
from pathlib import Path

import pyarrow as pa
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core.errors import ActionError
from amparo.core.models import Organization
from amparo.dedup import actions, files, linkage, pprl, queries
from amparo.registry.models import Individual

# The phases a run reports, as the command says them.
PHASES = {
    "reading": gettext_lazy("reading the registry"),
    "scoring": gettext_lazy("comparing the records"),
    "saving": gettext_lazy("saving the pairs"),
}


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
        one_file.add_argument(
            "--against-registry",
            metavar="ORG",
            help="link the file to this organization's registry (its code) instead",
        )
        whole = modes.add_parser(
            "run",
            help="look for duplicates in an organization's whole registry",
            description="Stores the pairs at or above the threshold for review in the app.",
        )
        whole.add_argument("--organization", required=True, help="the organization's code")
        whole.add_argument("--threshold", type=float, default=0.9)
        whole.add_argument(
            "--retrain", action="store_true", help="learn the model again (a new version)"
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
        if opts["mode"] == "run":
            return self.whole_registry(opts)
        if opts["mode"] == "pprl-encode":
            return self.pprl_encode(opts)
        if opts["mode"] == "pprl":
            return self.pprl_link(opts)
        raise CommandError(_("Unknown mode."))

    def _organization(self, code: str) -> Organization:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise CommandError(_("No organization has the code “%(code)s”.") % {"code": code})
        return organization

    def whole_registry(self, opts):
        organization = self._organization(opts["organization"])
        started = time.perf_counter()
        shown = {"phase": ""}

        def progress(done, total=None, phase=""):
            if phase and phase != shown["phase"]:
                shown["phase"] = phase
                self.stdout.write(
                    f"{PHASES.get(phase, phase)}… ({time.perf_counter() - started:.1f} s)"
                )

        try:
            run = actions.run_deduplication(
                organization=organization,
                people=Individual.objects.filter(organization=organization),
                started_by=None,
                threshold=opts["threshold"],
                retrain=opts["retrain"],
                progress=progress,
            )
        except ActionError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            _(
                "%(people)d people compared, %(pairs)d pairs in %(clusters)d groups stored for "
                "review (model version %(version)s, %(seconds).1f s)."
            )
            % {
                "people": run.people,
                "pairs": run.pairs,
                "clusters": run.clusters,
                "version": run.model.version if run.model else "—",
                "seconds": time.perf_counter() - started,
            }
        )

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
        if opts["against_registry"]:
            result = self.against_registry(records, opts)
        else:
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

    def against_registry(self, records: pa.Table, opts) -> linkage.Result:
        """The file's people found in the registry: id_a is the file's id, id_b the person's
        identifier in Amparo; scored with the organization's newest model when there is one."""
        organization = self._organization(opts["against_registry"])
        people = Individual.objects.filter(organization=organization)
        registry = queries.linkage_records(people)
        uuids = dict(people.values_list("pk", "uuid").iterator())
        model = queries.latest_model(organization.pk)
        result = linkage.link(
            records,
            registry,
            threshold=opts["threshold"],
            model=model.parameters if model else None,
        )
        identifiers = pa.array(
            [str(uuids[int(pk)]) for pk in result.pairs.column("id_b").to_pylist()], pa.string()
        )
        result.pairs = result.pairs.set_column(
            result.pairs.schema.get_field_index("id_b"), "id_b", identifiers
        )
        return result
