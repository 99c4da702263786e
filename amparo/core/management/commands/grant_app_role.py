from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from amparo.core import dbroles
from amparo.core.errors import ActionError


class Command(BaseCommand):
    help = (
        "PostgreSQL: let the application's database role (the user of DATABASE_URL, or --role) "
        "read and write rows but only read and append audit events. Run as the tables' owner "
        "(AMPARO_AS_OWNER=1 with DATABASE_OWNER_URL); `amparo serve` runs it after migrating."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default="", help="default: the user of DATABASE_URL")
        parser.add_argument(
            "--create",
            action="store_true",
            help="create a missing role, with LOGIN and the password of DATABASE_URL",
        )

    def handle(self, *args, **opts):
        role = opts["role"] or dbroles.app_role_name()
        try:
            statements = dbroles.grant_app_role(role=role, create=opts["create"])
        except ActionError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise SystemExit(2) from exc
        for statement in statements:
            self.stdout.write(f"  {statement}")
        self.stdout.write(
            self.style.SUCCESS(
                _("%(role)s may read and append audit events, not change or remove them.")
                % {"role": role}
            )
        )
