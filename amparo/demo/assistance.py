"""An open distribution cycle at HIAS Ecuador's Quito office with at least 500 pending
entitlements, so that a distribution officer created there (`amparo createuser`) can work on
it at once. Every household of that cycle has a beneficiary card (issued as the M&E officer,
`actions.issue_cycle_cards`), so the officer can also check households in by card number; the
cycle's cards page (and its print view) shows the numbers.

Idempotent: once the demo project exists, nothing is added but the cards a household of its
cycle lacks (none, once they were issued). Quito gets synthetic households
of its own (its own seed, so their source references never meet the registry's) until it has
enough of them pass the demo's targeting rule (displaced households with no cash from the project
in 90 days); the project, the rule and the cycle are created through the assistance actions, as
HIAS's M&E officer, so the checks and the audit trail apply.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amparo.assistance import actions, targeting
from amparo.assistance.models import Cycle, Project
from amparo.core.models import Office, User
from amparo.demo import people, registry
from amparo.registry.actions import load_households

ORGANIZATION = "hias-ec"
OFFICE = "quito"
MANAGER = "mye.hias"
PROJECT = "BHA-EC-2026"
PENDING = 500
SEED = 7_500  # Quito's own households: never the registry's seed (7_500 to 7_504)
RULE_NAME = "Refugiados y migrantes sin efectivo en 90 días"
# Displaced households (not the host community alone) with no cash from the project lately.
CRITERIA = [
    {
        "field": "population_group",
        "op": "any_member_in",
        "value": ["asylum_seeker", "migrant_irregular", "migrant_regular", "refugee"],
    },
    {"field": "previous_assistance", "op": "none_of_project_within_days", "value": {"days": 90}},
]


INDICATORS = [
    ("Hogares con efectivo multipropósito", "households", 2400, {}),
    ("Efectivo entregado", "cash", "288000", {}),
    ("Personas con orientación legal", "sector", 600, {"sector": "legal"}),
    (
        "Funcionarios públicos capacitados",
        "activity",
        120,
        {"activity_type": "training_officials"},
    ),
    ("Casos cerrados con el plan cumplido", "cases_closed", 40, {"closure_reason": "goals_met"}),
]


@transaction.atomic
def load(*, pending: int = PENDING) -> dict[str, int]:
    """Create the demo project and its open cycle in Quito with a card for each of its
    households; return how many entitlements and cards were added."""
    office = Office.objects.filter(organization__code=ORGANIZATION, code=OFFICE).first()
    manager = User.objects.filter(username=MANAGER).first()
    if office is None or manager is None:
        return {"entitlements": 0, "cards": 0}
    project = Project.objects.filter(organization_id=office.organization_id, code=PROJECT).first()
    if project is not None:  # loaded before: only the cards an older demo did not issue
        cycle = (
            Cycle.objects.filter(project=project, office=office, state=Cycle.State.OPEN)
            .order_by("pk")
            .first()
        )
        cards = actions.issue_cycle_cards(actor=manager, cycle=cycle) if cycle else []
        return {"entitlements": 0, "cards": len(cards)}
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
    # Its targets, each counted by the reports from what its measure and choice say.
    for name, measure, target, choice in INDICATORS:
        actions.add_project_indicator(
            actor=manager, project=project, name=name, measure=measure, target=target, **choice
        )
    rule = actions.create_rule(actor=manager, project=project, name=RULE_NAME, criteria=CRITERIA)
    # Quito gets households of its own until the rule entitles enough of them.
    for round_ in range(5):
        missing = pending - targeting.qualifying(rule, [office], today).count()
        if missing <= 0:
            break
        seed = SEED + round_
        generated = people.generate_households(
            missing + missing // 2, seed=seed, offices=(f"{ORGANIZATION}/{OFFICE}",)
        )
        load_households(
            actor=None,
            households=registry.prepare(generated, seed=seed),
            source=f"demo generator, seed {seed}",
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
        rule=rule,
    )
    cards = actions.issue_cycle_cards(actor=manager, cycle=cycle)
    return {"entitlements": cycle.entitlements.count(), "cards": len(cards)}
