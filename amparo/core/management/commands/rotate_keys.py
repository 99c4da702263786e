from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from amparo.core import audit, crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (case narratives, notes, incident accounts) with the "
        "newest key of AMPARO_FIELD_KEYS. Safe while Amparo runs; afterwards the old keys can go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, **opts):
        if opts["batch"] < 1:
            self.stderr.write(_("--batch must be 1 or more."))
            raise SystemExit(2)
        counts = crypto.rotate_all(batch=opts["batch"])
        unreadable = {k: v for k, v in counts.items() if k.endswith("(unreadable)")}
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count}")
        done = sum(v for k, v in counts.items() if k not in unreadable)
        audit.record(
            actor=None,
            actor_username="amparo rotate-keys",
            action="core.field_keys.rotated",
            details={"values": done, "unreadable": sum(unreadable.values())},
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d values re-encrypted with the newest key.") % {"count": done}
            )
        )
        if unreadable:
            self.stderr.write(
                _(
                    "%(count)d values could not be read with any configured key and were left "
                    "as they are: keep the old keys until you find out why."
                )
                % {"count": sum(unreadable.values())}
            )
            raise SystemExit(1)
