"""An open distribution cycle at HIAS Ecuador's Quito office with at least 500 pending
entitlements, so that a distribution officer created there (`amparo createuser`) can work on
it at once.

Idempotent: once the demo project exists, nothing is added. Quito gets synthetic households
of its own (its own seed, so their source references never meet the registry's) until it has
enough active ones; the project and the cycle are created through the assistance actions, as
HIAS's M&E officer, so the rules and the audit trail apply.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amparo.assistance import actions
from amparo.assistance.models import Project
from amparo.core.models import Office, User
from amparo.demo import people, registry
from amparo.registry.actions import load_households
from amparo.registry.models import Household

ORGANIZATION = "hias-ec"
OFFICE = "quito"
MANAGER = "mye.hias"
PROJECT = "BHA-EC-2026"
PENDING = 500
SEED = 7_500  # Quito's own households: never the registry's seed


@transaction.atomic
def load(*, pending: int = PENDING) -> dict[str, int]:
    """Create the demo project and its open cycle in Quito; return how many entitlements."""
    office = Office.objects.filter(organization__code=ORGANIZATION, code=OFFICE).first()
    manager = User.objects.filter(username=MANAGER).first()
    if office is None or manager is None:
        return {"entitlements": 0}
    if Project.objects.filter(organization_id=office.organization_id, code=PROJECT).exists():
        return {"entitlements": 0}
    active = Household.objects.filter(office=office, status=Household.Status.ACTIVE)
    missing = pending - active.count()
    if missing > 0:
        generated = people.generate_households(
            missing, seed=SEED, offices=(f"{ORGANIZATION}/{OFFICE}",)
        )
        load_households(
            actor=None,
            households=registry.prepare(generated, seed=SEED),
            source=f"demo generator, seed {SEED}",
        )
    today = timezone.localdate()
    project = actions.create_project(
        actor=manager,
        code=PROJECT,
        name="Necesidades básicas – efectivo multipropósito 2026",
        donor="BHA",
        sector="basic_needs",
        offices=[office],
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=300),
        currency="USD",
        target_households=2400,
    )
    cycle = actions.open_cycle(
        actor=manager,
        project=project,
        office=office,
        name="Efectivo multipropósito – Quito, ciclo 1",
        assistance_type="mpc",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=30),
        amount=Decimal("120.00"),
        currency="USD",
        place="Centro comunitario La Tola",
    )
    return {"entitlements": cycle.entitlements.count()}
