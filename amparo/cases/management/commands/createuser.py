"""`amparo createuser`: a user account for automated deployments, optionally on an office's GBV
team (`--gbv-team OFFICE`).

It lives in the cases app, not in core, because the GBV team is a cases concept and core
imports no app above it (see .importlinter); it creates the account with core's action and
puts it on the team with the cases action, in one transaction.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from amparo.cases import actions as case_actions
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
        parser.add_argument(
            "--gbv-team",
            metavar="OFFICE",
            help="office code or name: put the user on that office's GBV team (who may read "
            "its GBV and PSEA files); the role must include GBV work",
        )

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
                if opts["gbv_team"]:
                    team_office = _team_office(org, opts["gbv_team"])
                    try:
                        case_actions.add_to_gbv_team(actor=None, office=team_office, user=user)
                    except ActionError as exc:
                        raise CommandError(
                            "; ".join(f"--gbv-team: {m}" for m in exc.messages)
                        ) from exc
        except ActionError as exc:
            raise CommandError("; ".join(_messages(exc))) from exc
        self.stdout.write(
            _("Created user %(user)s (%(role)s, %(org)s).")
            % {"user": user.username, "role": role.code, "org": org.code}
        )
        if opts["gbv_team"]:
            self.stdout.write(
                _("%(user)s is on the GBV team of %(office)s.")
                % {"user": user.username, "office": team_office.code}
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


def _team_office(org: Organization, ref: str) -> Office:
    office = (
        Office.objects.filter(organization=org, code=ref).first()
        or Office.objects.filter(organization=org, name__iexact=ref).first()
    )
    if office is None:
        raise CommandError(
            _("--gbv-team: unknown office “%(office)s” in %(org)s.")
            % {"office": ref, "org": org.code}
        )
    return office
