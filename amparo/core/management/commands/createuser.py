import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from amparo.core import actions
from amparo.core.errors import ALL, ActionError
from amparo.core.models import Office, Organization, Role


class Command(BaseCommand):
    help = "Create a user non-interactively (for automated deployments)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )
        parser.add_argument("--organization", required=True, help="organization code or name")
        parser.add_argument(
            "--office", help="office code or name (required for office-bound roles)"
        )
        parser.add_argument("--role", required=True, help="role code, e.g. caseworker")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create the organization and office when they do not exist",
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", default="es", choices=["es", "en"])

    def handle(self, *args, **opts):
        if not opts["password_stdin"]:
            raise CommandError(_("Pass --password-stdin and the password on standard input."))
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError(_("No password on standard input."))
        try:
            with transaction.atomic():
                org = _find_organization(opts["organization"], opts["create_missing"])
                office = None
                if opts["office"]:
                    office = _find_office(org, opts["office"], opts["create_missing"])
                role = (
                    Role.objects.filter(code=opts["role"]).filter(organization__isnull=True).first()
                    or Role.objects.filter(code=opts["role"], organization=org).first()
                )
                if role is None:
                    raise CommandError(_("Unknown role “%(role)s”.") % {"role": opts["role"]})
                user = actions.create_user(
                    actor=None,
                    username=opts["username"],
                    password=password,
                    organization=org,
                    office=office,
                    role=role,
                    first_name=opts["first_name"],
                    last_name=opts["last_name"],
                    email=opts["email"],
                    language=opts["language"],
                )
        except ActionError as exc:
            raise CommandError("; ".join(_messages(exc))) from exc
        self.stdout.write(
            _("Created user %(user)s (%(role)s, %(org)s).")
            % {"user": user.username, "role": role.code, "org": org.code}
        )


def _messages(exc: ActionError) -> list[str]:
    return [m if field == ALL else f"{field}: {m}" for field, ms in exc.errors.items() for m in ms]


def _find_organization(ref: str, create: bool) -> Organization:
    org = (
        Organization.objects.filter(code=ref).first()
        or Organization.objects.filter(name__iexact=ref).first()
    )
    if org is None:
        if not create:
            raise CommandError(
                _("Unknown organization “%(org)s” (use --create-missing to create it).")
                % {"org": ref}
            )
        from django.utils.text import slugify

        org = actions.create_organization(actor=None, code=slugify(ref)[:40], name=ref)
    return org


def _find_office(org: Organization, ref: str, create: bool) -> Office:
    office = (
        Office.objects.filter(organization=org, code=ref).first()
        or Office.objects.filter(organization=org, name__iexact=ref).first()
    )
    if office is None:
        if not create:
            raise CommandError(
                _("Unknown office “%(office)s” in %(org)s (use --create-missing to create it).")
                % {"office": ref, "org": org.code}
            )
        from django.utils.text import slugify

        office = actions.create_office(
            actor=None, organization=org, code=slugify(ref)[:40], name=ref
        )
    return office
