"""People reached at scale: the home dashboard's figures and a 5W month, against the database in
use, in this process and over HTTP, beside the naive ORM way of counting them.

    .venv/bin/python bench/reports.py [--people 1000000] [--events 3000000] [--seed 2026]
        [--today 2026-11-30] [--reps 5] [--reps-5w 3] [--reps-http 3] [--naive-reps 1]
        [--naive-timeout 120] [--no-http] [--no-naive] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_reports_bench \
        .venv/bin/python bench/reports.py --people 1000000

Data. About `--people` people of `--seed` are loaded as `bench/registry_search.py` loads them
(reused when there). Then, once, `--events` services and deliveries of 2026 are generated from
`--seed` and written with COPY in one transaction: 85 % for OIM Ecuador (the bench user's
organization), 10 % for HIAS Ecuador, 5 % for HIAS Panamá, half services, half deliveries.

- services (`activities`): individual services (one person; couple and family therapy two to
  five people of the same household) and, one in twelve, group activities with 4 to 25
  registered participants, a third of them with people counted by sex and age band
  (`Attendance`); every office of the organization, the sectors that fit the type, dates over
  the year;
- assistance: four projects per organization (basic needs, food, shelter, WASH) over all its
  offices, one cycle per project, office and month, an entitlement per drawn household of the
  office and its delivery at a local time of that month (any hour: the time-zone edge is
  exercised); 3 % of deliveries reversed (the entitlement pending again);
- the households of those organizations get an area: an admin 2 (six bench cantons per
  province, `kind` "bench canton", created here) under their office's province, one in ten
  the province itself, one in twenty none. The registry generator leaves areas empty, and a
  5W by admin 1 and 2 of nothing but "not recorded" would measure nothing.

The marker of a generated dataset is its projects' codes (`BENCH-RPT-<seed>-…`): present, the
data is reused as it is (written in one transaction, it is whole or absent).

Timing, as `bench.reports` (organization-wide, OIM Ecuador, built-in role `me_officer`), on a
warm database (one unmeasured count of the year first), `--reps` runs each, median and p95
in ms:

- the home dashboard: people and households reached this month and this year (`by=()`), this
  year by sector, by month, by sex and age band (the pyramid), by admin 1, by office; each alone
  and the sum ("dashboard": all of them, one after the other; goal < 1 s);
- a "5W month" proxy: `people_reached(by=admin1, admin2, sector, sex, age_band)` for the month
  of `--today`, then `exports.rows` (disclosure control, the LP audit included) timed apart;
  goal < 5 s;
- over HTTP (`amparo serve`, as `bench/registry_http.py` starts it; DEBUG off; a token from
  `POST /api/v1/auth/token/`): `GET /api/v1/reports/people-reached/` for the same queries, and
  the real 5W of the month as its workbook (`GET /api/v1/reports/5w/?output=xlsx`);
- the list behind a figure (its first page, as `bench.analyst`, a role that sees people):
  this month's legal counselling, this year's women;
- a project's report for its donor (`/reports/projects/<id>/`, the first generated project of
  the organization, with one indicator of each measure the reports count, added once), the
  page and its workbook, in process and the page over HTTP;
- the naive way, for "people reached this year by sex": every participant and delivered
  household fetched into Python, members looked up, a set and a Counter (`naive python`), and
  one ORM statement (`Individual.objects.filter(Q(activities…) | Q(household__in=…))
  .distinct()`, `naive ORM`); both checked against ours, and the ratio naive / ours printed.

"Today" is `--today` (2026-11-30 by default), not the clock: the figures do not change with
the day the bench is run. Prints the volumes, the load average before and after, and
`reproduce:`; `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the 5W's slowest statement.
"""

import argparse
import calendar
import datetime
import os
import statistics
import sys
import time
import uuid
import zoneinfo
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-home")

import registry_http  # noqa: E402 - after the path; it sets AMPARO_DEBUG=0 as amparo serve runs
import registry_search  # noqa: E402
from benchdb import Recorder, ensure_postgres_database, timed  # noqa: E402
from registry_search import percentile  # noqa: E402

BENCH_USER = "bench.reports"
BENCH_ROLE = "me_officer"  # built-in: reports.view and reports.export, organization-wide
YEAR = 2026
# Who gets the services and deliveries: organization code → share of --events.
SHARES = {"iom-ec": 0.85, "hias-ec": 0.10, "hias-pa": 0.05}
GROUP_SHARE = 1 / 12  # of activities
REVERSED_SHARE = 0.03  # of deliveries
CANTONS_PER_PROVINCE = 6
CANTON_KIND = "bench canton"
PROJECTS = (  # (code suffix, sector, assistance type, amount)
    ("MPC", "basic_needs", "mpc", "120.00"),
    ("FOOD", "food", "food_kit", "1.00"),
    ("NFI", "shelter_nfi", "nfi_kit", "1.00"),
    ("WASH", "wash", "hygiene_kit", "1.00"),
)
# Service types with their weight and the sectors they are recorded under.
INDIVIDUAL_TYPES = {
    "legal_counselling": (30, ("legal", "protection")),
    "rsd_support": (12, ("legal",)),
    "documentation": (15, ("legal", "integration")),
    "detention_release": (2, ("legal", "protection")),
    "pfa": (15, ("mhpss", "gbv", "child_protection")),
    "individual_therapy": (14, ("mhpss", "gbv")),
    "couple_therapy": (4, ("mhpss",)),
    "family_therapy": (8, ("mhpss", "child_protection")),
}
GROUP_TYPES = {
    "support_group": (25, ("gbv", "mhpss", "protection")),
    "literacy": (15, ("education",)),
    "parenting": (15, ("child_protection",)),
    "child_recreation": (20, ("child_protection", "education")),
    "training_officials": (5, ("protection",)),
    "training_community": (20, ("protection", "livelihoods", "integration")),
}
ATTENDANCE_SEXES = ("F", "M", "X")
ATTENDANCE_BANDS = ("0-5", "6-11", "12-17", "18-59", "60+")


def project_prefix(seed: int) -> str:
    return f"BENCH-RPT-{seed}-"


# --- data -----------------------------------------------------------------------------------


def bench_user():
    """`bench.reports` of OIM Ecuador with the built-in M&E officer role (organization-wide)."""
    from amparo.core.models import Organization, Role, User

    org = Organization.objects.get(code=registry_search.BENCH_ORG)
    role = Role.objects.get(code=BENCH_ROLE, organization=None)
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User(username=BENCH_USER, organization=org, role=role, first_name="Bench")
        user.set_unusable_password()
        user.save()
    elif (user.role_id, user.organization_id, user.office_id) != (role.pk, org.pk, None):
        user.role, user.organization, user.office = role, org, None
        user.save(update_fields=["role", "organization", "office"])
    return User.objects.select_related("role").get(pk=user.pk)


def copy_rows(table: str, columns: tuple[str, ...], rows) -> int:
    """COPY `rows` (tuples in the order of `columns`) into `table`; how many were written."""
    from django.db import connection

    connection.ensure_connection()
    n = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def next_ids(model, n: int) -> int:
    """The first of `n` ids reserved in `model`'s identity sequence (explicit ids in COPY, so
    that the rows that point at them can be written without reading the ids back)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + n - 1]
        )
    return first


def uuids(rng, n: int) -> list[uuid.UUID]:
    """`n` version-4 uuids drawn from `rng` (reproducible, unlike uuid.uuid4)."""
    import numpy as np

    raw = rng.integers(0, 2**63, size=(n, 2), dtype=np.int64).astype(np.uint64)
    return [uuid.UUID(int=int(a) << 64 | int(b), version=4) for a, b in raw.tolist()]


def give_areas(orgs, rng) -> int:
    """Bench cantons under each office's province, and an area for the households of `orgs`
    that have none; how many households got one."""
    from django.db import connection

    from amparo.core.models import Area, Office
    from amparo.registry.models import Household

    area_of_office: dict[int, list[int | None]] = {}
    for office in Office.objects.filter(organization__in=orgs).select_related("area"):
        province = office.area
        if province is None or province.level != Area.Level.ADMIN1:
            area_of_office[office.pk] = [None]
            continue
        cantons = []
        for n in range(1, CANTONS_PER_PROVINCE + 1):
            canton, _created = Area.objects.get_or_create(
                code=f"{province.code}-B{n:02d}",
                defaults={
                    "name": f"Cantón {n} de {province.name}",
                    "name_en": f"Canton {n} of {province.name}",
                    "level": Area.Level.ADMIN2,
                    "country_code": province.country_code,
                    "kind": CANTON_KIND,
                    "parent": province,
                },
            )
            cantons.append(canton.pk)
        area_of_office[office.pk] = [*cantons, province.pk]
    rows = list(
        Household.objects.filter(organization__in=orgs, area__isnull=True)
        .order_by("pk")
        .values_list("pk", "office_id")
    )
    draws = rng.random(len(rows)).tolist()
    picks = rng.integers(0, CANTONS_PER_PROVINCE, size=len(rows)).tolist()
    updates = []
    for (pk, office_id), draw, pick in zip(rows, draws, picks, strict=True):
        choices = area_of_office.get(office_id, [None])
        if draw < 0.05 or choices == [None]:
            continue
        updates.append((pk, choices[-1] if draw < 0.15 else choices[pick]))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_area (household bigint, area bigint) ON COMMIT DROP"
        )
    copy_rows("bench_area", ("household", "area"), updates)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Household._meta.db_table} h SET area_id = b.area "  # noqa: S608
            "FROM bench_area b WHERE h.id = b.household"
        )
    return len(updates)


def people_by_office(org):
    """{office id: numpy array of its people's ids, ordered by household then id}, and
    {office id: (household ids array, head ids array)}."""
    import numpy as np

    from amparo.registry.models import Individual

    rows = (
        Individual.objects.filter(organization=org, merged_into__isnull=True)
        .order_by("household__office_id", "household_id", "pk")
        .values_list("household__office_id", "household_id", "pk", "is_head")
    )
    people: dict[int, list[int]] = {}
    heads: dict[int, tuple[list[int], list[int]]] = {}
    for office_id, household_id, pk, is_head in rows.iterator(chunk_size=50_000):
        people.setdefault(office_id, []).append(pk)
        if is_head:
            households, head_ids = heads.setdefault(office_id, ([], []))
            households.append(household_id)
            head_ids.append(pk)
    return (
        {k: np.array(v, dtype=np.int64) for k, v in people.items()},
        {
            k: (np.array(h, dtype=np.int64), np.array(i, dtype=np.int64))
            for k, (h, i) in heads.items()
        },
    )


def pick_weighted(rng, table: dict, n: int) -> list[str]:
    import numpy as np

    names = list(table)
    weights = np.array([table[k][0] for k in names], dtype=float)
    return [names[i] for i in rng.choice(len(names), size=n, p=weights / weights.sum()).tolist()]


def generate_activities(org, user, people, n: int, seed: int, rng) -> dict[str, int]:
    """`n` services of `org` over the year, their participants and some attendance."""
    from amparo.activities.models import Activity, Attendance

    offices = sorted(people)
    sizes = [len(people[o]) for o in offices]
    total = sum(sizes)
    office_of = rng.choice(len(offices), size=n, p=[s / total for s in sizes]).tolist()
    group = (rng.random(n) < GROUP_SHARE).tolist()
    individual_types = iter(pick_weighted(rng, INDIVIDUAL_TYPES, n))
    group_types = iter(pick_weighted(rng, GROUP_TYPES, n))
    days = rng.integers(0, 365, size=n).tolist()
    sector_draws = rng.integers(0, 1000, size=n).tolist()
    size_draws = rng.random(n).tolist()
    counted = (rng.random(n) < 1 / 3).tolist()
    ids = uuids(rng, n)
    first = next_ids(Activity, n)
    start = datetime.date(YEAR, 1, 1)
    programme = f"bench/reports.py, seed {seed}"
    activities, participants, attendance = [], [], []
    for k in range(n):
        office = offices[office_of[k]]
        pool = people[office]
        kind = next(group_types) if group[k] else next(individual_types)
        weight_sectors = GROUP_TYPES[kind] if group[k] else INDIVIDUAL_TYPES[kind]
        sectors = weight_sectors[1]
        sector = sectors[sector_draws[k] % len(sectors)]
        day = start + datetime.timedelta(days=days[k])
        pk = first + k
        created = datetime.datetime.combine(day, datetime.time(12), datetime.UTC)
        activities.append(
            (pk, ids[k], kind, day, programme, sector, created, office, org.pk, user.pk)
        )
        if group[k]:
            size = 4 + int(size_draws[k] * 22)
            chosen = set(rng.integers(0, len(pool), size=size).tolist())
            participants += [(pk, int(pool[i])) for i in chosen]
            if counted[k]:  # a third: people counted too
                for cell in rng.choice(15, size=1 + size % 4, replace=False).tolist():
                    sex, band = ATTENDANCE_SEXES[cell // 5], ATTENDANCE_BANDS[cell % 5]
                    attendance.append((pk, sex, band, 1 + (cell * 7 + size) % 15))
        else:
            size = {"couple_therapy": 2, "family_therapy": 3 + int(size_draws[k] * 3)}.get(kind, 1)
            at = int(size_draws[k] * 1_000_003 + k) % max(1, len(pool) - size)
            participants += [(pk, int(i)) for i in pool[at : at + size].tolist()]
    columns = (
        "id",
        "uuid",
        "type",
        "date",
        "programme",
        "sector",
        "created_at",
        "office_id",
        "organization_id",
        "recorded_by_id",
    )
    copy_rows(Activity._meta.db_table, columns, activities)
    copy_rows(
        Activity.participants.through._meta.db_table, ("activity_id", "individual_id"), participants
    )
    copy_rows(Attendance._meta.db_table, ("activity_id", "sex", "age_band", "count"), attendance)
    return {"activities": n, "participants": len(participants), "attendance": len(attendance)}


def generate_assistance(org, user, heads, n: int, seed: int, rng) -> dict[str, int]:
    """Projects, cycles (project × office × month), `n` entitlements and their deliveries."""
    from decimal import Decimal

    from amparo.assistance.models import Cycle, Delivery, Entitlement, Project
    from amparo.core import locations
    from amparo.core.models import Office

    offices = list(Office.objects.filter(organization=org, pk__in=heads).select_related("area"))
    if not offices:
        return {"cycles": 0, "deliveries": 0}
    projects = []
    for suffix, sector, _kind, _amount in PROJECTS:
        project = Project.objects.create(
            organization=org,
            code=f"{project_prefix(seed)}{suffix}",
            name=f"Bench {suffix} {YEAR}",
            sector=sector,
            start_date=datetime.date(YEAR, 1, 1),
            end_date=datetime.date(YEAR, 12, 31),
        )
        project.offices.set(offices)
        projects.append(project)
    cycles = []
    for project, (suffix, _sector, kind, amount) in zip(projects, PROJECTS, strict=True):
        for office in offices:
            for month in range(1, 13):
                last = calendar.monthrange(YEAR, month)[1]
                cycles.append(
                    Cycle(
                        organization=org,
                        project=project,
                        office=office,
                        name=f"{suffix} {office.name} {YEAR}-{month:02d}",
                        assistance_type=kind,
                        start_date=datetime.date(YEAR, month, 1),
                        end_date=datetime.date(YEAR, month, last),
                        amount=Decimal(amount),
                        currency="USD" if kind == "mpc" else "",
                        state=Cycle.State.CLOSED,
                        created_by=user,
                    )
                )
    Cycle.objects.bulk_create(cycles)
    per_cycle = max(1, n // len(cycles))
    entitlements, deliveries = [], []
    first_entitlement = next_ids(Entitlement, per_cycle * len(cycles))
    first_delivery = next_ids(Delivery, per_cycle * len(cycles))
    entitlement_uuids = uuids(rng, per_cycle * len(cycles))
    delivery_uuids = uuids(rng, per_cycle * len(cycles))
    k = 0
    for cycle in cycles:
        households, head_ids = heads[cycle.office_id]
        country = cycle.office.area.country_code if cycle.office.area else None
        zone = zoneinfo.ZoneInfo(locations.time_zone(country, "America/Guayaquil"))
        opens = datetime.datetime.combine(cycle.start_date, datetime.time(), zone).timestamp()
        closes = datetime.datetime.combine(
            cycle.end_date + datetime.timedelta(days=1), datetime.time(), zone
        ).timestamp()
        count = min(per_cycle, len(households))
        drawn = rng.choice(len(households), size=count, replace=False).tolist()
        moments = (opens + rng.random(count) * (closes - opens)).tolist()
        reversed_ = (rng.random(count) < REVERSED_SHARE).tolist()
        for index, moment, undone in zip(drawn, moments, reversed_, strict=True):
            at = datetime.datetime.fromtimestamp(int(moment), datetime.UTC)
            entitlement = first_entitlement + k
            entitlements.append(
                (
                    entitlement,
                    entitlement_uuids[k],
                    cycle.amount,
                    "pending" if undone else "delivered",
                    at,
                    at,
                    cycle.pk,
                    int(households[index]),
                    cycle.office_id,
                    org.pk,
                    "",
                )
            )
            deliveries.append(
                (
                    first_delivery + k,
                    delivery_uuids[k],
                    at,
                    "",
                    at,
                    int(head_ids[index]),
                    user.pk,
                    org.pk,
                    entitlement,
                    "bench: recorded by mistake" if undone else "",
                    at + datetime.timedelta(days=1) if undone else None,
                    user.pk if undone else None,
                )
            )
            k += 1
    copy_rows(
        Entitlement._meta.db_table,
        (
            "id",
            "uuid",
            "amount",
            "state",
            "created_at",
            "updated_at",
            "cycle_id",
            "household_id",
            "office_id",
            "organization_id",
            "cancel_reason",
        ),
        entitlements,
    )
    copy_rows(
        Delivery._meta.db_table,
        (
            "id",
            "uuid",
            "delivered_at",
            "collected_by_alternate",
            "created_at",
            "collected_by_id",
            "delivered_by_id",
            "organization_id",
            "entitlement_id",
            "reverse_reason",
            "reversed_at",
            "reversed_by_id",
        ),
        deliveries,
    )
    return {"cycles": len(cycles), "deliveries": len(deliveries)}


def generate(events: int, seed: int) -> None:
    """The services and deliveries of `seed`, once (one transaction: whole or absent)."""
    import numpy as np
    from django.db import transaction

    from amparo.assistance.models import Project
    from amparo.core.models import Organization, User

    if Project.objects.filter(code__startswith=project_prefix(seed)).exists():
        print(f"generate: reused, the services and deliveries of seed {seed} are there")
        return
    rng = np.random.default_rng(seed)
    orgs = list(Organization.objects.filter(code__in=SHARES).order_by("pk"))
    print(f"generate: {events:,} services and deliveries of seed {seed}")
    started = time.perf_counter()
    with transaction.atomic():
        with timed("areas of the households"):
            given = give_areas(orgs, rng)
        print(f"    {given:,} households got an area")
        for org in orgs:
            recorder = (
                bench_user()
                if org.code == registry_search.BENCH_ORG
                else User.objects.filter(organization=org).order_by("pk").first()
            )
            if recorder is None:
                print(f"  {org.code}: no user to record with, left out")
                continue
            with timed(f"{org.code}: people of its offices"):
                people, heads = people_by_office(org)
            if not people:
                continue
            share = round(events * SHARES[org.code])
            with timed(f"{org.code}: {share // 2:,} services"):
                counts = generate_activities(org, recorder, people, share // 2, seed, rng)
            print(f"    {counts}")
            with timed(f"{org.code}: {share - share // 2:,} deliveries"):
                counts = generate_assistance(org, recorder, heads, share - share // 2, seed, rng)
            print(f"    {counts}")
    elapsed = time.perf_counter() - started
    print(f"generate: {elapsed:.1f} s = {events / elapsed:,.0f} services and deliveries/s")
    from benchdb import vacuum_analyze

    vacuum_analyze()


def volumes(user) -> None:
    from django.db import connection

    from amparo.activities.models import Activity, Attendance
    from amparo.assistance.models import Delivery, Entitlement
    from amparo.registry.models import Individual

    through = Activity.participants.through
    org = user.organization_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        engine = cursor.fetchone()[0].split(" on ")[0]
    print(f"database: {engine}, {connection.settings_dict['NAME']}")
    print(
        f"volumes (all / {user.organization.code}): people {Individual.objects.count():,} / "
        f"{Individual.objects.filter(organization_id=org).count():,}; activities "
        f"{Activity.objects.count():,} / {Activity.objects.filter(organization_id=org).count():,}"
        f"; participant rows {through.objects.count():,} / "
        f"{through.objects.filter(activity__organization_id=org).count():,}; attendance rows "
        f"{Attendance.objects.count():,}; entitlements {Entitlement.objects.count():,}; "
        f"deliveries {Delivery.objects.count():,} / "
        f"{Delivery.objects.filter(organization_id=org).count():,} "
        f"({Delivery.objects.filter(reversed_at__isnull=False).count():,} reversed)"
    )


# --- timing ---------------------------------------------------------------------------------


def dashboard_queries(today: datetime.date):
    """(label, since, until, by) of the home dashboard's figures."""
    month = (today.replace(day=1), today)
    year = (today.replace(month=1, day=1), today)
    return [
        ("people, households: this month", *month, ()),
        ("people, households: this year", *year, ()),
        ("this year by sector", *year, ("sector",)),
        ("this year by month", *year, ("month",)),
        ("this year by sex, age band (pyramid)", *year, ("sex", "age_band")),
        ("this year by admin 1", *year, ("admin1",)),
        ("this year by office", *year, ("office",)),
    ]


FIVE_W = ("admin1", "admin2", "sector", "sex", "age_band")


def run_times(run, reps: int) -> tuple[object, list[float]]:
    """What `run` returns, and the ms of each of `reps` runs. No warm-up run of its own: the
    bench warms the database once (`warm_up`), as a figure of 20 s would cost 20 s more."""
    times, result = [], None
    for _ in range(max(1, reps)):
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    return result, times


def warm_up(user, today: datetime.date) -> None:
    """One unmeasured count of the year: the tables and indexes it reads into memory."""
    from amparo.reports import queries

    start = time.perf_counter()
    queries.people_reached(user, queries.Period(today.replace(month=1, day=1), today), ())
    print(f"warm-up (unmeasured): people reached this year, {time.perf_counter() - start:.1f} s")


def line(label: str, times: list[float], extra: str = "") -> str:
    return (
        f"  {label:<44}{len(times):>4}{statistics.median(times):>10.0f}"
        f"{percentile(times, 0.95):>10.0f}{extra}"
    )


HEADER = f"  {'query':<44}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}"


def figure_by_figure(user, today: datetime.date, reps: int) -> float:
    """The home's figures counted one at a time by `people_reached` (each from the services):
    how the home was counted before its table of people (`--before`). The p50 of the sum."""
    from amparo.reports import queries

    print("before: the home's figures one at a time (people_reached, each from the services):")
    print(HEADER + f"{'rows':>8}")
    total: list[float] = [0.0] * reps
    for label, since, until, by in dashboard_queries(today):
        period = queries.Period(since, until)
        result, times = run_times(lambda p=period, b=by: queries.people_reached(user, p, b), reps)
        total = [a + b for a, b in zip(total, times, strict=True)]
        extra = f"{len(result.rows):>8}  people {result.people:,} households {result.households:,}"
        print(line(label, times, extra), flush=True)
    print(line("all of the above (sum)", total), flush=True)
    return statistics.median(total)


def snapshot_home(user, today: datetime.date) -> None:
    """Keep the home's counts of `today`'s month as the worker would (fresh now)."""
    from django.utils import timezone

    from amparo.reports import queries_dashboard
    from amparo.reports.models import DashboardSnapshot

    DashboardSnapshot.objects.update_or_create(
        scope=queries_dashboard.scope_of(user, None),
        month=today.replace(day=1),
        defaults={
            "counts": queries_dashboard.count(user, today.replace(day=1)),
            "counted_at": timezone.now(),
            "requested_at": None,
        },
    )


def time_in_process(
    user, today: datetime.date, reps: int, reps_5w: int, reps_home: int
) -> dict[str, float]:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from amparo.reports import exports, queries, queries_5w, queries_dashboard

    medians: dict[str, float] = {}
    print(f"in process, {BENCH_USER} (organization-wide, {BENCH_ROLE}), as of {today}:")
    print(HEADER)
    first = today.replace(day=1)
    counts, times = run_times(lambda: queries_dashboard.count(user, first), reps)
    medians["recount"] = statistics.median(times)
    people = f"   people {counts['people_year']:,} this year, {counts['people_month']:,} this month"
    print(line("the home counted (the worker's recount)", times, people), flush=True)
    snapshot_home(user, today)
    call_command("collectstatic", interactive=False, verbosity=0)  # the page's, as served
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    path = f"/reports/?month={today:%Y-%m}"
    client.get(path)  # the first request of a process compiles the templates: not a reader's
    page, times = run_times(lambda: client.get(path), reps_home)
    if page.status_code != 200 or b'id="table-sector"' not in page.content:
        raise SystemExit(f"the home did not show its figures: {page.status_code}")
    medians["dashboard"] = statistics.median(times)
    extra = f"   {len(page.content) / 1024:.0f} KB; goal < 1000 ms"
    print(line("the home served from its snapshot (view, page)", times, extra), flush=True)

    month = queries.Period(today.replace(day=1), today)
    smallest = settings.AMPARO_REPORT_SMALLEST
    reached, count_times = run_times(lambda: queries.people_reached(user, month, FIVE_W), reps_5w)
    table, rows_times = run_times(lambda: exports.rows(reached, smallest=smallest), reps_5w)
    both = [a + b for a, b in zip(count_times, rows_times, strict=True)]
    hidden = sum(1 for row in table if row[-1] == "x")
    print(f"5W month {month.since}..{month.until} by {', '.join(FIVE_W)}:")
    print(line("people_reached", count_times, f"{len(reached.rows):>8} combinations"))
    print(line("exports.rows (disclosure control, LP audit)", rows_times, f"{len(table):>8}"))
    print(line("5W month: both", both, f"   goal < 5000 ms; {hidden:,} counts hidden"), flush=True)
    medians["5W"] = statistics.median(both)
    medians["5W count"] = statistics.median(count_times)
    organization = user.organization
    five_w, real_times = run_times(
        lambda: queries_5w.five_w(user, organization, f"{today:%Y-%m}", smallest=smallest), reps_5w
    )
    hidden_rows = sum(1 for row in five_w.rows if row["hidden"])
    print(
        line(
            "the 5W itself (queries_5w.five_w)",
            real_times,
            f"{len(five_w.rows):>8} rows, {hidden_rows:,} with hidden counts",
        ),
        flush=True,
    )
    medians["5W itself"] = statistics.median(real_times)
    return medians


# One indicator of each measure the reports count, on the bench's first project (basic needs).
BENCH_INDICATORS = (
    ("Hogares con asistencia", "households", 50_000, {}),
    ("Personas con asistencia", "people", 150_000, {}),
    ("Monto entregado", "cash", 5_000_000, {}),
    ("Personas con orientación legal", "sector", 100_000, {"sector": "legal"}),
    ("Sesiones de asesoría legal", "activity", 100_000, {"activity_type": "legal_counselling"}),
    ("Casos cerrados, metas cumplidas", "cases_closed", 1_000, {"closure_reason": "goals_met"}),
)


def bench_project(user, seed: int):
    """The first generated project of the bench user's organization, its indicators added
    once (`BENCH_INDICATORS`)."""
    from amparo.assistance.models import Project, ProjectIndicator

    project = (
        Project.objects.filter(
            organization_id=user.organization_id, code__startswith=project_prefix(seed)
        )
        .order_by("code")
        .first()
    )
    if project is None:
        raise SystemExit("no generated project: the data of this seed is missing")
    for name, measure, target, choice in BENCH_INDICATORS:
        ProjectIndicator.objects.get_or_create(
            project=project,
            name=name,
            defaults={
                "organization_id": project.organization_id,
                "measure": measure,
                "target": target,
                "created_by": user,
                **choice,
            },
        )
    return project


def bench_analyst(user):
    """`bench.analyst`: `user`'s organization, a role of its own that also sees people
    (`registry.view`), so that a figure opens the list of the people behind it."""
    from amparo.core.models import Role, User

    role, _new = Role.objects.get_or_create(
        organization=user.organization,
        code="bench_analyst",
        defaults={
            "name": "Bench analyst",
            "permissions": ["reports.view", "registry.view"],
            "office_bound": False,
        },
    )
    analyst = User.objects.filter(username="bench.analyst").first()
    if analyst is None:
        analyst = User(username="bench.analyst", organization=user.organization, role=role)
        analyst.set_unusable_password()
        analyst.save()
    return analyst


def time_people_behind(user, today: datetime.date, reps: int) -> None:
    """The list behind a figure (`/reports/people/`), its first page of 50, through the view:
    this month's legal counselling, this year's women."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(bench_analyst(user))
    year, month = today.replace(month=1, day=1), today.replace(day=1)
    print("the list behind a figure (first page of 50; bench.analyst, who sees people):")
    for label, since, filters in (
        ("this month, sector legal", month, {"sector": "legal"}),
        ("this year, women", year, {"sex": "F"}),
    ):
        query = {"from": since.isoformat(), "to": today.isoformat(), **filters}
        page, times = run_times(lambda q=query: client.get("/reports/people/", q), reps)
        if page.status_code != 200:
            raise SystemExit(f"the list behind a figure answered {page.status_code}")
        print(line(label, times, f"   {len(page.content) / 1024:.0f} KB"), flush=True)


def time_project_report(user, project, reps: int) -> None:
    """A project's report for its donor, from the project's start to today: the page and its
    workbook, through the view (Django's test client, as `time_in_process` serves the home)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    path = f"/reports/projects/{project.uuid}/"
    client.get(path)  # templates compiled: not a reader's
    page, times = run_times(lambda: client.get(path), reps)
    if page.status_code != 200 or b'id="table-indicators"' not in page.content:
        raise SystemExit(f"the project's report answered {page.status_code}")
    book, book_times = run_times(lambda: client.get(path, {"output": "xlsx"}), reps)
    if book.status_code != 200:
        raise SystemExit(f"the project's workbook answered {book.status_code}")
    shown = f"{project.indicators.count()} indicators, {len(page.content) / 1024:.0f} KB"
    print(f"a project's report ({project.code}, {project.start_date} to today):")
    print(line("the report (view, page)", times, f"   {shown}"))
    print(line("its workbook (XLSX)", book_times, f"   {len(book.content) / 1024:.0f} KB"))


def naive(user, today: datetime.date, reps: int, timeout: float) -> None:
    """People reached this year by sex the naive ways, checked against ours; a statement of
    the naive ways running over `timeout` seconds is cancelled."""
    from django.db import OperationalError, connection, transaction
    from django.db.models import Count, Q

    from amparo.activities.models import Activity
    from amparo.assistance.models import Delivery
    from amparo.core import locations
    from amparo.core.models import Office
    from amparo.registry.models import Individual
    from amparo.reports import queries

    since, until = today.replace(month=1, day=1), today
    office = Office.objects.filter(organization_id=user.organization_id).select_related("area")[0]
    country = office.area.country_code if office.area else None
    zone = zoneinfo.ZoneInfo(locations.time_zone(country, "America/Guayaquil"))
    start = datetime.datetime.combine(since, datetime.time(), zone)
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), zone)
    org = user.organization_id
    activities = Activity.objects.filter(organization_id=org, date__gte=since, date__lte=until)
    deliveries = Delivery.objects.filter(
        organization_id=org, reversed_at__isnull=True, delivered_at__gte=start, delivered_at__lt=end
    )

    def in_python() -> dict[str, int]:
        people = set(
            Activity.participants.through.objects.filter(activity__in=activities)
            .values_list("individual_id", flat=True)
            .iterator(chunk_size=20_000)
        )
        households = set(
            deliveries.values_list("entitlement__household_id", flat=True).iterator(
                chunk_size=20_000
            )
        )
        members = Individual.objects.filter(merged_into__isnull=True).values_list("pk", "sex")
        sexes: Counter = Counter()
        household_ids = sorted(households)
        for i in range(0, len(household_ids), 10_000):
            for pk, sex in members.filter(household_id__in=household_ids[i : i + 10_000]):
                people.discard(pk)
                sexes[sex] += 1
        person_ids = sorted(people)
        for i in range(0, len(person_ids), 10_000):
            chunk = person_ids[i : i + 10_000]
            sexes.update(members.filter(pk__in=chunk).values_list("sex", flat=True))
        return dict(sexes)

    def with_orm() -> dict[str, int]:
        served = Q(activities__in=activities) | Q(
            household__in=deliveries.values("entitlement__household_id")
        )
        rows = (
            Individual.objects.filter(served, merged_into__isnull=True)
            .values("sex")
            .annotate(n=Count("pk", distinct=True))
            .order_by("sex")
        )
        return {row["sex"]: row["n"] for row in rows}

    year = queries.Period(since, until)
    ours, ours_times = run_times(lambda: queries.people_reached(user, year, ("sex",)), reps)
    expected = {row["sex"]: row["people"] for row in ours.rows}
    ours_ms = statistics.median(ours_times)
    print(
        f"naive, people reached this year by sex ({reps} run(s) each, the database warm from "
        "the same count done our way just before):"
    )
    for label, run in (("naive python (fetch, set, Counter)", in_python), ("naive ORM", with_orm)):
        times, got = [], {}
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # The ORM's OR over a join and a subquery can run for many minutes: capped.
                cursor.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
                for _ in range(reps):
                    start_t = time.perf_counter()
                    got = run()
                    times.append((time.perf_counter() - start_t) * 1000)
        except OperationalError:
            print(
                f"  {label:<44}{'':>4}{'> ' + str(int(timeout * 1000)):>10}   cancelled "
                f"after {timeout:.0f} s: over {timeout * 1000 / ours_ms:.1f}x ours",
                flush=True,
            )
            continue
        agree = "same counts as ours" if got == expected else f"DIFFERS: {got} vs {expected}"
        ratio = statistics.median(times) / ours_ms
        extra = f"   {ratio:.1f}x ours ({ours_ms:.0f} ms, people_reached by sex); {agree}"
        print(line(label, times, extra), flush=True)


def explain(user, today: datetime.date) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of the 5W month."""
    from django.db import connection

    from amparo.reports import queries

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        queries.people_reached(user, queries.Period(today.replace(day=1), today), FIVE_W)
    sql, params, seconds = max(recorder.statements, key=lambda s: s[2])
    print(f"EXPLAIN ANALYZE of the 5W's slowest statement ({seconds * 1000:.0f} ms when timed):")
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        for (text,) in cursor.fetchall():
            print(f"  {text}")


def time_page_http(port: int, user, path: str, marker: bytes, reps: int, label: str) -> None:
    """GET a page as a signed-in browser would (a session cookie): view, page, gzip. The
    first request compiles the templates and is not timed."""
    import http.client

    from django.conf import settings
    from django.test import Client

    browser = Client()
    browser.force_login(user)  # a session row the server reads, as after signing in
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    times, size = [], 0
    for n in range(max(1, reps) + 1):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
        if n:
            times.append((time.perf_counter() - start) * 1000)
        size = len(body)
        if response.status != 200 or marker not in gzip_body(response, body):
            raise SystemExit(f"{label} over HTTP answered {response.status}")
    connection.close()
    print(line(label, times, f"{size / 1024:>9.1f}"), flush=True)


def gzip_body(response, body: bytes) -> bytes:
    import gzip

    return gzip.decompress(body) if response.getheader("Content-Encoding") == "gzip" else body


def time_http(user, project, today: datetime.date, reps: int, reps_5w: int, reps_home: int) -> None:
    import secrets
    import urllib.parse

    from django.conf import settings
    from django.db import close_old_connections

    from amparo.core import twofactor

    if twofactor.required_for(user):
        raise SystemExit(f"{user.username} would need a second factor to sign in; see its role")
    password = secrets.token_urlsafe(24)
    user.set_password(password)
    user.save(update_fields=["password"])
    close_old_connections()
    month = (today.replace(day=1), today)
    requests = [(label, since, until, by) for label, since, until, by in dashboard_queries(today)]
    requests.append(("5W month (JSON, disclosure control)", *month, FIVE_W))
    server = registry_http.Server(Path(settings.AMPARO_HOME), None, "reports.serve.log")
    try:
        server.wait_until_healthy()
        print(f"over HTTP (amparo serve, {server.workers()}, DEBUG off), one request at a time:")
        print(HEADER + f"{'KB wire':>9}")
        time_page_http(
            server.port, user, f"/reports/?month={today:%Y-%m}", b'id="table-sector"',
            reps_home, "the home served from its snapshot",
        )  # fmt: skip
        time_page_http(
            server.port, user, f"/reports/projects/{project.uuid}/", b'id="table-indicators"',
            reps, "a project's report for its donor (page)",
        )  # fmt: skip
        token = registry_http.sign_in(server.port, user.username, password)
        client = registry_http.Client(server.port, token)
        print(HEADER + f"{'KB JSON':>9}")
        total = [0.0] * reps
        for label, since, until, by in requests:
            query = {"from": since.isoformat(), "to": until.isoformat(), "by": ",".join(by)}
            path = f"{registry_http.API}/reports/people-reached/?{urllib.parse.urlencode(query)}"
            n = reps_5w if by == FIVE_W else reps
            times, size, refused = [], 0, ""
            for _ in range(n):
                status, ms, _wire, size, answer = client.send("GET", path)
                times.append(ms)
                if status != 200:
                    refused = f"{status} {str(answer)[:200]}"
            if refused:
                print(f"  {label}: refused ({refused})")
                continue
            if by != FIVE_W:
                total = [a + b for a, b in zip(total, times, strict=True)]
            print(line(label, times, f"{size / 1024:>9.1f}"), flush=True)
        print(line("dashboard over HTTP (sum)", total), flush=True)
        five_w = urllib.parse.urlencode({"month": f"{today:%Y-%m}", "output": "xlsx"})
        times, size, status = [], 0, 200
        for _ in range(reps_5w):
            status, ms, _wire, size, _answer = client.send(
                "GET", f"{registry_http.API}/reports/5w/?{five_w}"
            )
            times.append(ms)
        if status != 200:
            print(f"  the 5W (XLSX): refused ({status})")
        else:
            print(line("the 5W itself (XLSX, /api/v1/reports/5w/)", times, f"{size / 1024:>9.1f}"))
        time_prepared_5w(client, f"{today:%Y-%m}", reps_5w)
        client.send("DELETE", f"{registry_http.API}/auth/token/")
        client.close()
    finally:
        server.stop()


def time_prepared_5w(client, month: str, reps: int) -> None:
    """The 5W as the reports' home gets it, from the ask to the file: POSTed, counted by the
    served app's worker, its job asked every 0.5 s until ready, then its workbook."""
    times, size = [], 0
    for _ in range(max(1, reps)):
        start = time.perf_counter()
        status, _ms, _wire, _size, answer = client.send(
            "POST", f"{registry_http.API}/reports/5w/", {"month": month}
        )
        if status != 202:
            print(f"  the 5W prepared by the worker: refused ({status} {str(answer)[:200]})")
            return
        url = answer["url"]
        while status == 202:
            time.sleep(0.5)
            status, _ms, _wire, _size, answer = client.send("GET", url)
            if status != 202:
                break
        if status != 200:
            print(f"  the 5W prepared by the worker: {status} {str(answer)[:200]}")
            return
        status, _ms, _wire, size, _answer = client.send("GET", f"{url}?output=xlsx")
        times.append((time.perf_counter() - start) * 1000)
    print(line("the 5W prepared by the worker (ask to XLSX)", times, f"{size / 1024:>9.1f}"))


def reproduce_command(args) -> str:
    url = os.environ.get("DATABASE_URL", "")
    env = f"DATABASE_URL={url} " if url else ""
    command = (
        f".venv/bin/python bench/reports.py --people {args.people} --events {args.events} "
        f"--seed {args.seed} --today {args.today} --reps {args.reps} --reps-5w {args.reps_5w} "
        f"--reps-home {args.reps_home} "
        f"--reps-http {args.reps_http} --naive-reps {args.naive_reps} "
        f"--naive-timeout {args.naive_timeout:g}"
    )
    for flag in ("no_http", "no_naive", "explain", "before"):
        if getattr(args, flag):
            command += f" --{flag.replace('_', '-')}"
    return env + command


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=3_000_000, help="services + deliveries")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default="2026-11-30")
    parser.add_argument("--reps", type=int, default=5, help="runs of each dashboard figure")
    parser.add_argument("--reps-5w", type=int, default=3)
    parser.add_argument("--reps-home", type=int, default=20, help="views of the home served")
    parser.add_argument("--reps-http", type=int, default=3)
    parser.add_argument("--naive-reps", type=int, default=1)
    parser.add_argument("--naive-timeout", type=float, default=120, help="seconds")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--before", action="store_true", help="also time the figures one at a time (minutes)"
    )
    args = parser.parse_args()
    import signal

    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    # Whatever the size, the home is shown from its snapshot (as for a large organization).
    os.environ["AMPARO_REPORT_LIVE_PEOPLE"] = "0"
    os.environ["AMPARO_REPORT_FRESH_MINUTES"] = "1440"  # no recount while it is timed
    import django

    django.setup()
    ensure_postgres_database()
    from django.core.management import call_command
    from django.db import connection

    from amparo.demo import organizations

    if connection.vendor != "postgresql":
        raise SystemExit("bench/reports.py writes with COPY: point DATABASE_URL at PostgreSQL")
    call_command("migrate", verbosity=0)
    organizations.load()
    registry_search.load_people(args.people, args.seed)
    generate(args.events, args.seed)
    user = bench_user()
    volumes(user)
    warm_up(user, args.today)
    print(f"load average before timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    medians = time_in_process(user, args.today, args.reps, args.reps_5w, args.reps_home)
    project = bench_project(user, args.seed)
    time_project_report(user, project, args.reps)
    time_people_behind(user, args.today, args.reps)
    if args.before:
        medians["before"] = figure_by_figure(user, args.today, args.reps)
    if not args.no_naive:
        naive(user, args.today, args.naive_reps, args.naive_timeout)
    if args.explain:
        explain(user, args.today)
    if not args.no_http:
        time_http(user, project, args.today, args.reps_http, args.reps_http, args.reps_home)
    print(f"load average after timing: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"summary (in process, p50): dashboard served {medians['dashboard']:.0f} ms (goal < 1000), "
        f"recounted {medians['recount']:.0f} ms, "
        f"5W month {medians['5W']:.0f} ms (goal < 5000; count {medians['5W count']:.0f} ms)"
    )
    print(f"reproduce: {reproduce_command(args)}")


if __name__ == "__main__":
    main()
