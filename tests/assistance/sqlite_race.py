"""Helper processes of `test_race_sqlite.py`, each with its own connection to a SQLite FILE
(AMPARO_HOME's), as two gunicorn workers have:

    python -m tests.assistance.sqlite_race setup N     migrate, demo organizations, a cycle
        of N entitlements at the bench's distribution office and two officers with API
        tokens (bench/distribution.py's own steps); prints them as JSON
    python -m tests.assistance.sqlite_race hold ENTITLEMENT
        delivers ENTITLEMENT as the first officer inside a transaction it keeps open, prints
        the delivery's id, and commits when a line arrives on stdin
    python -m tests.assistance.sqlite_race deliver ENTITLEMENT [--deferred]
        delivers ENTITLEMENT as the second officer and prints what happened; `--deferred`
        runs SQLite's transactions DEFERRED instead of the settings' IMMEDIATE
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def django_setup(*, deferred: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if deferred:  # before the first connection, which reads these options
        settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] = "DEFERRED"


def setup(n: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    django_setup()
    import distribution
    from django.core.management import call_command

    from amparo.assistance.models import Entitlement
    from amparo.demo import organizations
    from amparo.registry.models import Individual

    call_command("migrate", verbosity=0)
    organizations.load()
    office = distribution.prepare_office(n, seed=11)
    cycle = distribution.open_bench_cycle(office)
    officers = distribution.prepare_officers(office, 2)
    heads = dict(
        Individual.objects.filter(household__office=office, is_head=True).values_list(
            "household_id", "uuid"
        )
    )
    rows = Entitlement.objects.filter(cycle=cycle).order_by("pk")
    print(
        json.dumps(
            {
                "entitlements": [
                    [str(ent), str(heads[household])]
                    for ent, household in rows.values_list("uuid", "household_id")
                ],
                "tokens": [key for _user, key in officers],
                "officers": [user.get_full_name() for user, _key in officers],
            }
        ),
        flush=True,
    )


def _deliver_as(username: str, entitlement_id: str):
    from amparo.assistance import actions
    from amparo.assistance.models import Entitlement
    from amparo.core.models import User

    officer = User.objects.get(username=username)
    entitlement = Entitlement.objects.get(uuid=entitlement_id)
    head = entitlement.household.members.get(is_head=True)
    return actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)


def hold(entitlement_id: str) -> None:
    django_setup()
    from django.db import transaction

    with transaction.atomic():
        delivery, _created = _deliver_as("bench.dist.001", entitlement_id)
        print(json.dumps({"delivery": str(delivery.uuid)}), flush=True)
        sys.stdin.readline()  # the test says when to commit
    print(json.dumps({"committed": True}), flush=True)


def deliver(entitlement_id: str, *, deferred: bool) -> None:
    django_setup(deferred=deferred)
    from django.db import OperationalError

    from amparo.assistance import actions

    print(json.dumps({"ready": True}), flush=True)  # Django is up: the delivery starts now
    try:
        delivery, _created = _deliver_as("bench.dist.002", entitlement_id)
        outcome = {"outcome": "delivered", "delivery": str(delivery.uuid)}
    except actions.AlreadyDelivered as refused:
        outcome = {"outcome": "refused", "delivery": str(refused.delivery.uuid)}
    except OperationalError as error:
        outcome = {"outcome": "error", "error": str(error)}
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    command, argument = sys.argv[1], sys.argv[2]
    if command == "setup":
        setup(int(argument))
    elif command == "hold":
        hold(argument)
    else:
        deliver(argument, deferred="--deferred" in sys.argv)
