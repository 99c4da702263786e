"""Targeting at scale: how long a rule's preview and its entitled set take.

    .venv/bin/python bench/targeting.py [--households 100000] [--seed 2026]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench_targeting \
        .venv/bin/python bench/targeting.py --households 100000

Writes N synthetic households (one to seven members each: population groups, ages, specific
needs, registration dates, areas of Ecuador's first level, some earlier entitlements) into one
office of a bench organization with bulk inserts (not the registry's actions: this measures
targeting, not registration), reused when the database already holds N. Then it times, three
times each, the preview of a rule with six criteria, two of them weighted with a threshold
(`assistance.targeting.preview`: the per-criterion counts, the score distribution and a sample)
and the count of the households it entitles (`targeting.qualifying`, the query `open_cycle`
runs), and prints the best and the worst. The PostgreSQL database is created when missing.
"""

import argparse
import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-home")

from benchdb import ensure_postgres_database, timed  # noqa: E402 - after the environment

ORG = "bench-targeting"
GROUPS = ["refugee", "asylum_seeker", "migrant_irregular", "migrant_regular", "host_community"]
NEEDS = ["woman_at_risk", "single_parent", "disability", "serious_medical", "older_at_risk"]
CHUNK = 5_000
CRITERIA = [
    {"field": "population_group", "op": "any_member_in", "value": GROUPS[:4]},
    {"field": "area", "op": "in", "value": ["EC-P", "EC-G", "EC-E"]},
    {"field": "size", "op": "max", "value": 6},
    {"field": "previous_assistance", "op": "none_of_project_within_days", "value": {"days": 90}},
    {"field": "age", "op": "has_member_under", "value": 5, "weight": 2},
    {"field": "specific_need", "op": "any_member_has", "value": NEEDS[:3], "weight": 3},
]


def setup(households: int, seed: int):
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from amparo.assistance.models import Cycle, Entitlement, Project
    from amparo.core.models import Area, Office, Organization, User
    from amparo.registry.models import Household, Individual

    call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(code=ORG, defaults={"name": "Bench targeting"})
    office, _ = Office.objects.get_or_create(organization=org, code="b1", defaults={"name": "B1"})
    user = User.objects.filter(username="bench.targeting").first()
    if user is None:
        user = User.objects.create_user("bench.targeting", organization=org)
    today = timezone.localdate()
    project, _ = Project.objects.get_or_create(
        organization=org,
        code="BENCH",
        defaults={
            "name": "Bench",
            "sector": "basic_needs",
            "start_date": today - datetime.timedelta(days=400),
            "end_date": today + datetime.timedelta(days=400),
        },
    )
    project.offices.set([office])
    have = Household.objects.filter(office=office).count()
    if have == households:
        print(f"reusing {have} households")
        return office, project, user
    if have:
        sys.exit(f"the database holds {have} bench households, not {households}: use another")
    areas = list(Area.objects.filter(country_code="EC", level=1).values_list("pk", flat=True))
    rng = random.Random(seed)
    earlier = Cycle.objects.create(
        organization=org,
        project=project,
        office=office,
        name="earlier",
        assistance_type="mpc",
        start_date=today - datetime.timedelta(days=40),
        end_date=today - datetime.timedelta(days=30),
        amount=Decimal(1),
        state="closed",
        created_by=user,
    )
    with timed(f"writing {households} households"):
        for start in range(0, households, CHUNK):
            rows = [
                Household(
                    organization=org,
                    office=office,
                    reference=f"B-{n:07d}",
                    area_id=rng.choice(areas) if areas else None,
                    registered_on=today - datetime.timedelta(days=rng.randint(0, 900)),
                    registered_by=user,
                )
                for n in range(start, min(households, start + CHUNK))
            ]
            Household.objects.bulk_create(rows)
            people = []
            for h in rows:
                for m in range(rng.randint(1, 7)):
                    people.append(
                        Individual(
                            organization=org,
                            household=h,
                            is_head=m == 0,
                            relationship="head" if m == 0 else "child",
                            given_names="B",
                            first_surname="B",
                            sex=rng.choice("FM"),
                            date_of_birth=today - datetime.timedelta(days=rng.randint(0, 80 * 365)),
                            nationality="VE",
                            population_group=rng.choice(GROUPS),
                            specific_needs=rng.sample(NEEDS, rng.choice([0, 0, 0, 1, 2])),
                            name_key="b b",
                        )
                    )
            Individual.objects.bulk_create(people, batch_size=2000)
            Entitlement.objects.bulk_create(
                Entitlement(organization=org, office=office, cycle=earlier, household=h, amount=1)
                for h in rows
                if rng.random() < 0.2
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give later
            cursor.execute(
                "ANALYZE registry_household, registry_individual, assistance_entitlement"
            )
    return office, project, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    ensure_postgres_database()
    from django.db import connection
    from django.utils import timezone

    from amparo.assistance import targeting
    from amparo.assistance.models import TargetingRule

    office, project, user = setup(args.households, args.seed)
    rule = TargetingRule(
        organization_id=project.organization_id,
        project=project,
        name="bench",
        criteria=targeting.clean_criteria(CRITERIA, 2)[0],
        threshold=2,
    )
    today = timezone.localdate()
    for label, run in [
        ("preview", lambda: targeting.preview(rule, [office], today).entitled),
        ("entitled set", lambda: targeting.qualifying(rule, [office], today).count()),
    ]:
        times, result = [], None
        for _ in range(3):
            start = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - start)
        print(
            f"{label}: {result} of {args.households} households, "
            f"best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
            f"({connection.vendor})"
        )


if __name__ == "__main__":
    main()
