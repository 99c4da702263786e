import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.core import audit, dbroles
from amparo.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "Retention: delete audit events older than --before (YYYY-MM-DD). Run as the tables' "
        "owner (AMPARO_AS_OWNER=1 with DATABASE_OWNER_URL): the app's role cannot remove events."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args, **opts):
        try:
            day = datetime.date.fromisoformat(str(opts["before"]))
        except ValueError:
            day = None
        if day is None or day > timezone.localdate():
            self.stderr.write(_("--before needs a date (YYYY-MM-DD) that is not in the future."))
            raise SystemExit(2)
        before = datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        try:
            deleted = dbroles.purge_audit_events(before=before)
        except ActionError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(2) from exc
        audit.record(
            actor=None,
            actor_username="amparo purge-audit",
            action="core.audit.purged",
            details={"before": day.isoformat(), "deleted": deleted},
        )
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d audit events deleted.") % {"count": deleted})
        )
