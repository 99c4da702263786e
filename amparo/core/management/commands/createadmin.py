import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core import actions
from amparo.core.errors import ActionError


class Command(BaseCommand):
    help = "Create a platform administrator (superuser) who manages every organization."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true")

    def handle(self, *args, **opts):
        if opts["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError(_("The passwords differ."))
        try:
            user = actions.create_user(
                actor=None,
                username=opts["username"],
                password=password,
                organization=None,
                office=None,
                role=None,
                email=opts["email"],
                is_superuser=True,
            )
        except ActionError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(_("Created platform administrator %(user)s.") % {"user": user.username})
