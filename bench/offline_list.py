"""The distribution point's offline list (`GET /api/v1/cycles/{id}/offline/`) for a cycle of
20,000 households, against the database in use.

    .venv/bin/python bench/offline_list.py [--households 20000] [--requests 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench_offline \
        .venv/bin/python bench/offline_list.py

Builds its own database (a new SQLite file in a temporary AMPARO_HOME unless AMPARO_HOME or
DATABASE_URL say otherwise; PostgreSQL's is created if missing, and must be new): migrates,
loads the demo organizations, adds N synthetic households of HIAS Ecuador's Quito office with
three members each (bulk_create), a card for each, opens a cycle for them through
`actions.open_cycle` and marks a quarter delivered (bulk). Then, signed in as Quito's
distribution officer with Django's test client in-process: one request whose SQL is counted,
and R timed requests (gzip asked for): p50 / max ms, the answer's size raw and gzipped. It
prints figures; it never asserts timings.
"""

import argparse
import atexit
import datetime
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
if "AMPARO_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="amparo-bench-offline-")
    os.environ["AMPARO_HOME"] = _home
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["AMPARO_STATIC_FROM_FINDERS"] = "1"

from benchdb import ensure_postgres_database, timed, vacuum_analyze  # noqa: E402


def load(n: int):
    from django.utils import timezone

    from amparo.assistance import actions
    from amparo.assistance.models import Card, Delivery, Entitlement
    from amparo.core.models import Office, Role, User
    from amparo.demo import organizations
    from amparo.registry.models import Household, Individual

    with timed("demo organizations"):
        organizations.load()
    quito = Office.objects.get(organization__code="hias-ec", code="quito")
    manager = User.objects.get(username="mye.hias")
    officer = User.objects.create(
        username="bench.entregas",
        first_name="Inés",
        last_name="Chalá",
        organization=quito.organization,
        office=quito,
        role=Role.objects.get(code="distribution_officer", organization=None),
    )
    today = timezone.localdate()
    with timed(f"{n:,} households, {3 * n:,} members, {n:,} cards"):
        households = Household.objects.bulk_create(
            Household(
                organization=quito.organization,
                office=quito,
                reference=f"B-QUI-{i:06d}",
                registered_on=today,
                registered_by=manager,
            )
            for i in range(n)
        )
        members = ("María José", "Luis Alberto", "Valentina")
        Individual.objects.bulk_create(
            (
                Individual(
                    organization=quito.organization,
                    household=household,
                    is_head=k == 0,
                    relationship="head" if k == 0 else "child",
                    given_names=name,
                    first_surname="Rodríguez",
                    second_surname="Pérez",
                    sex="F",
                    date_of_birth=datetime.date(1990 + k, 1, 1),
                    nationality="VE",
                    population_group="refugee",
                )
                for household in households
                for k, name in enumerate(members)
            ),
            batch_size=5000,
        )
        Card.objects.bulk_create(
            (
                Card(
                    organization=quito.organization,
                    household=household,
                    token=f"{i:012d}",
                    issued_by=manager,
                )
                for i, household in enumerate(households)
            ),
            batch_size=5000,
        )
    with timed("project and open cycle"):
        project = actions.create_project(
            actor=manager,
            code="BENCH-OFF",
            name="Offline bench",
            sector="basic_needs",
            offices=[quito],
            start_date=today - datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=30),
        )
        cycle = actions.open_cycle(
            actor=manager,
            project=project,
            office=quito,
            name="Bench",
            assistance_type="mpc",
            start_date=today,
            end_date=today + datetime.timedelta(days=7),
            amount=Decimal("120"),
            currency="USD",
        )
    with timed("a quarter delivered"):
        done = list(cycle.entitlements.order_by("pk")[: n // 4])
        now = timezone.now()
        Delivery.objects.bulk_create(
            (
                Delivery(
                    organization=quito.organization,
                    entitlement=e,
                    delivered_at=now,
                    delivered_by=officer,
                    collected_by_alternate="Vecina",
                )
                for e in done
            ),
            batch_size=5000,
        )
        Entitlement.objects.filter(pk__in=[e.pk for e in done]).update(state="delivered")
    vacuum_analyze()
    return officer, cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the list's query")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from amparo.assistance.models import Cycle
    from amparo.core.models import AuditEvent, User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"database: {connection.vendor}")
    ensure_postgres_database()
    from django.core.management import call_command

    with timed("migrate"):
        call_command("migrate", verbosity=0)
    officer = User.objects.filter(username="bench.entregas").first()
    if officer is None:
        officer, cycle = load(args.households)
    else:  # a database this script loaded before (the same AMPARO_HOME or DATABASE_URL)
        cycle = Cycle.objects.get(name="Bench")
        print(f"  reused: {cycle.entitlements.count():,} entitlements")
    if args.profile:
        import cProfile
        import pstats

        from amparo.assistance.queries_offline import offline_list

        with cProfile.Profile() as profile:
            offline_list(officer, cycle)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    client = Client()
    client.force_login(officer)
    url = f"/api/v1/cycles/{cycle.uuid}/offline/"
    # Counted by a wrapper: the test client's request_started signal empties Django's own log.
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        answer = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 200, answer.status_code
    body = gzip.decompress(answer.content)
    times = []
    for _ in range(args.requests):
        start = time.perf_counter()
        client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        times.append((time.perf_counter() - start) * 1000)
    events = AuditEvent.objects.filter(action="assistance.cycle.downloaded").count()
    print(
        f"offline list of {args.households:,} households: {len(queries)} queries, "
        f"p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms, "
        f"{len(body) / 1e6:.1f} MB raw, {len(answer.content) / 1e6:.2f} MB gzip, "
        f"{events} audit events ({args.requests + 1} requests)"
    )


if __name__ == "__main__":
    main()
