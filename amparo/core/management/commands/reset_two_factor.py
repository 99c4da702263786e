from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.core import actions
from amparo.core.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes (a lost phone, or a platform "
        "administrator locked out); they set up a new one at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": opts["username"]})
        actions.reset_two_factor(actor=None, user=user)
        self.stdout.write(
            _("Two-factor sign-in reset for %(name)s: they set it up again at their next sign-in.")
            % {"name": user.username}
        )
