from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amparo.demo import (
    activities,
    assistance,
    cases,
    dedup,
    directory,
    feedback,
    messaging,
    organizations,
    people,
    registry,
    stock,
)

# Demo cases and referrals are opened for registered heads of household in Quito and Lago Agrio.
MIN_HOUSEHOLDS = 100


class Command(BaseCommand):
    help = "Prepare the demo instance: migrate, load organizations and users, generate people."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        if opts["households"] < MIN_HOUSEHOLDS:
            raise CommandError(
                _("The demo needs at least %(min)d households (--households).")
                % {"min": MIN_HOUSEHOLDS}
            )
        call_command("migrate", verbosity=0, interactive=False)
        logins = organizations.load()
        loaded = registry.load(opts["households"], seed=opts["seed"])
        listed = directory.load()
        directory.load_network()
        opened = cases.load()
        recorded = activities.load()
        entitled = assistance.load()
        stocked = stock.load()
        received = feedback.load()
        messaged = messaging.load()
        doubled = dedup.load()
        people_file = self._write_people(opts["households"], opts["seed"])
        self.stdout.write(self.style.SUCCESS(_("Amparo demo ready.")))
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):")
            % {"password": organizations.DEMO_PASSWORD}
        )
        for username, role, org in logins:
            self.stdout.write(f"  {username:<22} {role:<30} {org}")
        self.stdout.write(
            _(
                "Registry: %(households)d households and %(individuals)d people added, "
                "%(skipped)d already there."
            )
            % loaded
        )
        self.stdout.write(
            _(
                "Care Route: %(services)d services in the directory; %(cases)d cases and "
                "%(referrals)d referrals added; %(activities)d services given recorded."
            )
            % {
                "services": listed.get("services", 0),
                "cases": opened["cases"],
                "referrals": opened["referrals"],
                "activities": recorded.get("activities", 0),
            }
        )
        if entitled["entitlements"]:
            self.stdout.write(
                _("Assistance: an open cycle in Quito with %(entitlements)d pending entitlements.")
                % entitled
            )
        if entitled["cards"]:
            self.stdout.write(
                _("Beneficiary cards: %(cards)d issued to the Quito cycle's households.") % entitled
            )
        if stocked["kits"]:
            self.stdout.write(
                _("Stock: a warehouse in Quito with %(kits)d food and hygiene kits.") % stocked
            )
        if received["entries"]:
            self.stdout.write(
                _("Feedback: %(entries)d entries at HIAS Ecuador from the last two months.")
                % received
            )
        if messaged["campaigns"]:
            self.stdout.write(
                _(
                    "Messages: %(templates)d templates at HIAS Ecuador and a campaign sent to "
                    "%(messages)d people (var/messages/sms.log)."
                )
                % messaged
            )
        if doubled["pairs"]:
            self.stdout.write(
                _("Duplicates: %(pairs)d possible duplicates at HIAS Ecuador to review.") % doubled
            )
        if people_file:
            self.stdout.write(
                _("Synthetic people for the registry: %(path)s") % {"path": people_file}
            )

    def _write_people(self, households: int, seed: int):
        path = settings.AMPARO_HOME / "demo" / f"people-{households}-{seed}.csv"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            people.write_csv(people.generate_households(households, seed=seed), tmp)
            tmp.replace(path)
        return path
