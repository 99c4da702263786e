"""Case management at national scale: case, referral and activity screens, against the database
in use.

    .venv/bin/python bench/cases.py [--cases 20000] [--requests 50]
    createdb -h 127.0.0.1 -U postgres amparo_bench_cases   # or let the script create it
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench_cases \
        .venv/bin/python bench/cases.py --cases 20000 --requests 50

Builds its own database: a new SQLite file in a temporary AMPARO_HOME (removed at the end)
unless AMPARO_HOME or DATABASE_URL say otherwise. Migrates, loads the demo (organizations,
registry, directory, cases), then adds N synthetic cases of HIAS Ecuador with bulk_create:
references unique per organization, offices Quito and Lago Agrio, owners spread over caseworkers
made for the benchmark (and caso.quito), households and individuals from the demo registry,
about 10 % GBV cases (restricted, at Lago Agrio, held by GBV specialists on the office's GBV team,
one GBVIMS incident each), random states (most closed, as in a real caseload), a plan with one
action for every case past assessment (some actions late), 1-3 follow-ups per case (the latest
next date in the past for about a third of the open ones), a colleague on about 8 % of the teams,
a referral for about 15 % of the cases (GBV ones to the Lago Agrio hospital, whose focal point
receives them) and an individual service recorded for about a quarter of the cases. Narratives
go through `EncryptedTextField` as usual. On PostgreSQL the tables are VACUUM ANALYZEd after the
load. A database that already holds the same number of benchmark cases is reused.

Then, with Django's test client in-process (as bench/pages.py): per page a warm-up request, one
request whose SQL is recorded (queries, the most repeated statement — N+1 shows up there — and
the time spent in the database), and R timed requests: p50 / p95 ms and the HTML size raw and
gzip. Also the time of `overdue_for_supervisor` and `overdue_for_caseworker` evaluated as lists
and, on PostgreSQL, EXPLAIN ANALYZE of the case list query (page and count) and of the overdue
query. With --profile, every page whose p50 is above 100 ms is run under cProfile and the top
functions are printed. It prints figures; it never asserts timings.

Field keys: unless AMPARO_FIELD_KEYS is set, a fixed key for this synthetic data is used, so a
reused database stays readable whatever AMPARO_HOME is.
"""

import argparse
import atexit
import cProfile
import datetime
import gzip
import io
import json
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
if "AMPARO_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="amparo-bench-cases-")
    os.environ["AMPARO_HOME"] = _home
    atexit.register(shutil.rmtree, _home, ignore_errors=True)
# Synthetic data only: a fixed key keeps a reused benchmark database readable between runs.
os.environ.setdefault("AMPARO_FIELD_KEYS", "YW1wYXJvLWJlbmNoLWNhc2VzLWZpeGVkLWtleS0wMDA=")
os.environ["AMPARO_STATIC_FROM_FINDERS"] = "1"

from benchdb import Recorder, load_demo, timed, vacuum_analyze  # noqa: E402

ORG = "hias-ec"
PREFIX = "B-"  # references of the benchmark's cases ("B-QUI-000001") and referrals ("BR-…")
SLOW_MS = 100.0

SUMMARIES = (
    "Amenazas de un grupo armado en el barrio; pide reubicación.",
    "Niña no escolarizada; la madre trabaja en la calle.",
    "Solicitud de refugio negada; plazo de apelación corriendo.",
    "Duelo migratorio, insomnio persistente, sin red de apoyo.",
    "Oferta de trabajo engañosa en la frontera; retuvieron sus documentos.",
    "Desalojo inminente; tres hijos menores y deudas de arriendo.",
)
GBV_SUMMARY = "Sobreviviente de violencia de pareja; vive con el agresor."
NOTES = ("Visita domiciliaria; la familia está estable.", "Llamada de seguimiento.", "Sesión.")


# --- data -------------------------------------------------------------------------------------


def bench_users(caseworkers: int):
    """Caseworkers of Quito and Lago Agrio and GBV specialists of Lago Agrio (on its GBV team),
    made for the benchmark; with the demo's caso.quito and vbg.lagoagrio."""
    from amparo.cases.models import GBVTeamMember
    from amparo.core.models import Office, Organization, Role, User

    hias = Organization.objects.get(code=ORG)
    quito = Office.objects.get(organization=hias, code="quito")
    lago = Office.objects.get(organization=hias, code="lago-agrio")
    caseworker = Role.objects.get(organization=None, code="caseworker")
    gbv = Role.objects.get(organization=None, code="gbv_specialist")
    n_quito = max(1, round(caseworkers * 0.6))
    n_lago = max(1, caseworkers - n_quito)
    n_gbv = max(1, caseworkers // 4)
    wanted = (
        [(f"bench.caso.quito{i:02d}", quito, caseworker) for i in range(1, n_quito)]
        + [(f"bench.caso.lago{i:02d}", lago, caseworker) for i in range(1, n_lago + 1)]
        + [(f"bench.vbg.lago{i:02d}", lago, gbv) for i in range(1, n_gbv)]
    )
    for username, office, role in wanted:
        if not User.objects.filter(username=username).exists():
            user = User(
                username=username,
                organization=hias,
                office=office,
                role=role,
                first_name="Bench",
                last_name=username.rsplit(".", 1)[-1].title(),
            )
            user.set_unusable_password()
            user.save()
    by_name = {u.username: u for u in User.objects.filter(organization=hias)}
    pools = {
        "quito": [by_name["caso.quito"]]
        + [by_name[n] for n, o, r in wanted if o == quito and r == caseworker],
        "lago-agrio": [by_name[n] for n, o, r in wanted if o == lago and r == caseworker],
        "gbv": [by_name["vbg.lagoagrio"]] + [by_name[n] for n, o, r in wanted if r == gbv],
    }
    for user in pools["gbv"]:
        GBVTeamMember.objects.get_or_create(office=lago, user=user)
    return hias, {"quito": quito, "lago-agrio": lago}, pools


def add_cases(n: int, seed: int, caseworkers: int) -> dict[str, int]:
    """N cases with follow-ups, plans, team members, incidents, referrals and services given."""
    from django.db import transaction
    from django.utils import timezone

    from amparo.activities.models import Activity, ActivityType, Sector
    from amparo.cases.models import (
        AgeGroup,
        Case,
        CasePlan,
        CaseState,
        CaseType,
        ClosureReason,
        FollowUp,
        Incident,
        IncidentContext,
        IncidentType,
        PerpetratorRelationship,
        PlanAction,
        RiskLevel,
    )
    from amparo.core.models import Area
    from amparo.referrals.models import (
        RESPONSE_SLA,
        Referral,
        ReferralState,
        Service,
        Urgency,
    )
    from amparo.registry.models import Individual

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    hias, offices, pools = bench_users(caseworkers)

    people: dict[int, dict[int, list[int]]] = {}  # office id → household id → individual ids
    for ind_id, hh_id, office_id in Individual.objects.filter(
        household__office__in=offices.values()
    ).values_list("id", "household_id", "household__office_id"):
        people.setdefault(office_id, {}).setdefault(hh_id, []).append(ind_id)
    households = {o: list(h) for o, h in people.items()}
    for code, office in offices.items():
        if not households.get(office.pk):
            raise SystemExit(f"no demo households at {code}: raise --households")

    types = [t for t in CaseType.values if t != CaseType.GBV]
    states = (
        [CaseState.CLOSED] * 55
        + [CaseState.IMPLEMENTATION] * 20
        + [CaseState.CASE_PLAN] * 10
        + [CaseState.ASSESSMENT] * 8
        + [CaseState.INTAKE] * 7
    )
    risks = (
        [RiskLevel.LOW] * 35
        + [RiskLevel.MEDIUM] * 40
        + [RiskLevel.HIGH] * 20
        + [RiskLevel.CRITICAL] * 5
    )

    def day_between(start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))

    cases, chosen = [], []
    counters: Counter = Counter()
    for _i in range(n):
        gbv = rng.random() < 0.10
        code = "lago-agrio" if gbv or rng.random() < 0.35 else "quito"
        office = offices[code]
        owner = rng.choice(pools["gbv" if gbv else code])
        household = rng.choice(households[office.pk])
        members = people[office.pk][household]
        individuals = rng.sample(members, k=min(len(members), rng.choice((1, 1, 1, 2))))
        state = rng.choice(states)
        opened = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
        closed = state == CaseState.CLOSED
        counters[code] += 1
        cases.append(
            Case(
                organization=hias,
                office=office,
                reference=f"{PREFIX}{code[:3].upper()}-{counters[code]:06d}",
                type=CaseType.GBV if gbv else rng.choice(types),
                restricted=gbv,
                risk_level=rng.choice(risks),
                state=state,
                household_id=household,
                owner=owner,
                summary=GBV_SUMMARY if gbv else rng.choice(SUMMARIES),
                opened_on=opened,
                closed_on=day_between(opened, today) if closed else None,
                closure_reason=rng.choice(ClosureReason.values) if closed else "",
            )
        )
        chosen.append(individuals)

    counts: dict[str, int] = {}
    with transaction.atomic():
        with timed(f"{n:,} cases"):
            Case.objects.bulk_create(cases, batch_size=2000)
            through = Case.individuals.through
            through.objects.bulk_create(
                [
                    through(case_id=c.pk, individual_id=i)
                    for c, ids in zip(cases, chosen, strict=True)
                    for i in ids
                ],
                batch_size=5000,
            )
            teams = Case.members.through
            extra = []
            for case in cases:
                pool = pools["gbv" if case.restricted else case.office.code]
                if len(pool) > 1 and rng.random() < 0.08:
                    colleague = rng.choice([u for u in pool if u.pk != case.owner_id])
                    extra.append(teams(case_id=case.pk, user_id=colleague.pk))
            teams.objects.bulk_create(extra, batch_size=5000)
            counts["cases"], counts["team members"] = len(cases), len(extra)

        with timed("plans, follow-ups"):
            plans, follow_ups = [], []
            for case in cases:
                open_ = case.state != CaseState.CLOSED
                if case.state not in (CaseState.INTAKE, CaseState.ASSESSMENT):
                    plans.append(
                        CasePlan(
                            case=case,
                            needs="Seguridad, documentación y apoyo psicosocial.",
                            goals="Reducir el riesgo en tres meses.",
                            services_planned=["legal", "psychosocial"],
                        )
                    )
                last = case.closed_on or today
                dates = sorted(day_between(case.opened_on, last) for _ in range(rng.randint(1, 3)))
                for k, date in enumerate(dates):
                    latest = k == len(dates) - 1
                    if not open_:
                        next_date = None
                    elif latest:
                        overdue = rng.random() < 0.33
                        next_date = today + datetime.timedelta(
                            days=-rng.randint(1, 60) if overdue else rng.randint(1, 30)
                        )
                    else:
                        next_date = dates[k + 1]
                    follow_ups.append(
                        FollowUp(
                            case=case,
                            date=date,
                            kind=rng.choice(FollowUp.Kind.values),
                            notes=rng.choice(NOTES),
                            next_date=next_date,
                            author_id=case.owner_id,
                        )
                    )
            CasePlan.objects.bulk_create(plans, batch_size=2000)
            actions = []
            for plan in plans:
                late = plan.case.state != CaseState.CLOSED and rng.random() < 0.15
                due = today + datetime.timedelta(
                    days=-rng.randint(1, 30) if late else rng.randint(1, 60)
                )
                actions.append(
                    PlanAction(
                        plan=plan,
                        description="Acompañar la cita en la Defensoría del Pueblo",
                        responsible_id=plan.case.owner_id,
                        due_date=due,
                        done_on=None if late or rng.random() < 0.5 else today,
                    )
                )
            PlanAction.objects.bulk_create(actions, batch_size=2000)
            FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
            counts["plans"], counts["plan actions"] = len(plans), len(actions)
            counts["follow-ups"] = len(follow_ups)

        with timed("incidents, referrals, services given"):
            lago_areas = list(Area.objects.filter(code="EC-U")) + list(
                Area.objects.filter(parent__code="EC-U")
            )
            incidents = []
            for case in cases:
                if case.restricted:
                    reported = day_between(
                        max(case.opened_on, today.replace(month=1, day=1)), today
                    )
                    incidents.append(
                        Incident(
                            case=case,
                            incident_date=reported - datetime.timedelta(days=rng.randint(0, 20)),
                            report_date=reported,
                            area=rng.choice(lago_areas),
                            type=rng.choice(IncidentType.values),
                            country="EC",
                            context=[rng.choice(IncidentContext.values)],
                            account="Relato confidencial registrado en la entrevista inicial.",
                            perpetrator_count=rng.randint(1, 2),
                            perpetrator_sex=rng.choice(Incident.PerpetratorSex.values),
                            perpetrator_age_group=rng.choice(AgeGroup.values),
                            perpetrator_relationship=rng.choice(PerpetratorRelationship.values),
                            services_received=["psychosocial"],
                            referral_consent=["health", "legal"],
                            recorded_by_id=case.owner_id,
                        )
                    )
            Incident.objects.bulk_create(incidents, batch_size=2000)
            counts["incidents"] = len(incidents)

            directory = list(
                Service.objects.filter(provider__organization=hias, is_active=True).select_related(
                    "provider__agency"
                )
            )
            hospital = [
                s
                for s in directory
                if s.provider.agency and s.provider.agency.code == "hospital-lago-agrio"
            ]
            by_area: dict[str, list] = {"quito": [], "lago-agrio": []}
            for service in directory:
                codes = set(service.areas.values_list("code", flat=True))
                if "EC-P" in codes:
                    by_area["quito"].append(service)
                if "EC-U" in codes:
                    by_area["lago-agrio"].append(service)
            referral_states = (
                [ReferralState.SERVICE_GIVEN] * 40
                + [ReferralState.ACCEPTED] * 15
                + [ReferralState.DECLINED] * 10
                + [ReferralState.NOT_REACHED] * 5
                + [ReferralState.RECEIVED] * 15
                + [ReferralState.SENT] * 15
            )
            referrals = []
            for case, individuals in zip(cases, chosen, strict=True):
                if rng.random() >= 0.15:
                    continue
                options = hospital if case.restricted and hospital else by_area[case.office.code]
                service = rng.choice(options or directory)
                urgency = rng.choice(Urgency.values)
                sent = now - datetime.timedelta(
                    days=rng.randint(0, 365), minutes=rng.randint(0, 1440)
                )
                state = rng.choice(referral_states)
                answered = state not in (ReferralState.SENT, ReferralState.RECEIVED)
                concluded = state in (ReferralState.SERVICE_GIVEN, ReferralState.NOT_REACHED)
                referrals.append(
                    Referral(
                        reference=f"BR-{len(referrals) + 1:06d}",
                        from_organization=hias,
                        from_office=case.office,
                        sent_by_id=case.owner_id,
                        case=case,
                        individual_id=individuals[0],
                        service=service,
                        to_organization_id=service.provider.agency_id,
                        urgency=urgency,
                        reason="Necesita este servicio",
                        shared_fields=["name", "sex", "age"],
                        shared_data=json.dumps({"name": "Persona", "sex": "F", "age": "31"}),
                        consent_method="verbal",
                        consent_date=sent.date(),
                        state=state,
                        sent_at=sent,
                        respond_by=sent + RESPONSE_SLA[Urgency(urgency)],
                        received_at=sent + datetime.timedelta(hours=2)
                        if state != ReferralState.SENT
                        else None,
                        responded_at=sent + datetime.timedelta(hours=20) if answered else None,
                        concluded_at=sent + datetime.timedelta(days=5) if concluded else None,
                        decline_reason="Fuera de nuestra especialidad"
                        if state == ReferralState.DECLINED
                        else "",
                        outcome="Atendida" if concluded else "",
                    )
                )
            Referral.objects.bulk_create(referrals, batch_size=2000)
            counts["referrals"] = len(referrals)
            counts["to the hospital"] = sum(r.service in hospital for r in referrals)

            sector = {
                CaseType.LEGAL: (ActivityType.LEGAL_COUNSELLING, Sector.LEGAL),
                CaseType.MHPSS: (ActivityType.PFA, Sector.MHPSS),
                CaseType.GBV: (ActivityType.INDIVIDUAL_THERAPY, Sector.GBV),
                CaseType.CHILD_PROTECTION: (ActivityType.FAMILY_THERAPY, Sector.CHILD_PROTECTION),
            }
            activities, participants = [], []
            for case, individuals in zip(cases, chosen, strict=True):
                if case.state == CaseState.INTAKE or rng.random() >= 0.25:
                    continue
                type_, sector_ = sector.get(
                    case.type, (ActivityType.DOCUMENTATION, Sector.PROTECTION)
                )
                activities.append(
                    Activity(
                        organization=hias,
                        office=case.office,
                        type=type_,
                        date=day_between(case.opened_on, case.closed_on or today),
                        programme="PRM – Protección e integración local",
                        sector=sector_,
                        case=case,
                        recorded_by_id=case.owner_id,
                    )
                )
                participants.append((individuals[0], case.owner_id))
            Activity.objects.bulk_create(activities, batch_size=2000)
            Activity.participants.through.objects.bulk_create(
                [
                    Activity.participants.through(activity_id=a.pk, individual_id=i)
                    for a, (i, _o) in zip(activities, participants, strict=True)
                ],
                batch_size=5000,
            )
            Activity.staff.through.objects.bulk_create(
                [
                    Activity.staff.through(activity_id=a.pk, user_id=o)
                    for a, (_i, o) in zip(activities, participants, strict=True)
                ],
                batch_size=5000,
            )
            counts["services given"] = len(activities)
    return counts


def load(args) -> None:
    """The demo, then the synthetic cases, unless already loaded."""
    if not load_demo(args, prefix=PREFIX, noun="benchmark cases"):
        return
    counts = add_cases(args.cases, args.seed, args.caseworkers)
    print("  added: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    vacuum_analyze()


# --- measuring --------------------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    # nearest rank: of 2 values, p95 is the larger (int() took the smaller, below the median)
    return sorted_values[max(0, math.ceil(len(sorted_values) * share) - 1)]


def measure_page(path: str, username: str, requests: int) -> dict:
    from django.db import connection
    from django.test import Client

    from amparo.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(path)  # warm up
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    body = response.content
    repeats = Counter(sql for sql, _p, _s in recorder.statements).most_common(1)
    slowest = max(recorder.statements, key=lambda s: s[2])
    return {
        "path": path,
        "user": username,
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "queries": len(recorder.statements),
        "repeats": repeats[0][1] if repeats else 0,
        "sql_ms": sum(s for _q, _p, s in recorder.statements) * 1000,
        "slowest": slowest,
        "html": len(body),
        "gzip": len(gzip.compress(body)),
    }


def profile_page(path: str, username: str, runs: int = 5, top: int = 18) -> None:
    from django.test import Client

    from amparo.core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    for order, restriction, label in (
        ("tottime", (), "own time"),
        ("cumulative", ("amparo|crypto|psycopg|sqlite3|template",), "cumulative, project code"),
    ):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(*restriction, top)
        print(f"\ncProfile of {path} as {username}, {runs} requests ({label}):")
        lines = out.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        root = str(Path(__file__).resolve().parents[1]) + "/"
        for line in lines[start : start + top + 1]:
            print(line.replace(root, "").replace(sys.prefix + "/lib/", ""))


def time_call(fn, runs: int) -> tuple[float, float, int]:
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(fn())
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), percentile(times, 0.95), rows


def explain(label: str, qs, lines: int = 14) -> None:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\nEXPLAIN ANALYZE {label}:")
    for line in plan[:lines]:
        print(f"  {line[:150]}{' …' if len(line) > 150 else ''}")
    if len(plan) > lines:
        print(f"  … ({len(plan) - lines} more lines)")
    for line in plan:
        if line.strip().startswith(("Planning Time", "Execution Time", "JIT:", "Timing:")):
            print(f"  {line.strip()}")


def case_list_queryset(user):
    """The case list's page query for `user`'s own cases, as `cases.views.case_list` builds it
    (default filters: open cases, mine)."""
    from amparo.cases import queries

    qs = queries.cases_visible_to(user)
    qs = qs.filter(owner_id=user.pk) | qs.filter(members=user)
    return qs.exclude(state="closed").distinct().order_by("-opened_on", "-id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000, help="benchmark cases to add")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--households", type=int, default=6000, help="demo registry size")
    parser.add_argument("--caseworkers", type=int, default=12, help="case holders to spread over")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", action="store_true", help=f"cProfile pages whose p50 > {SLOW_MS:.0f} ms"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from amparo.cases import queries
    from amparo.cases.models import Case, FollowUp
    from amparo.core.models import User
    from amparo.referrals import queries as referral_queries
    from amparo.referrals.models import Referral

    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    load(args)
    loaded = time.perf_counter()

    caseworker = User.objects.get(username="caso.quito")
    supervisor = User.objects.get(username="supervisora.quito")
    # A rich case of caso.quito: open, with a plan, a referral and several follow-ups.
    mine = Case.objects.filter(reference__startswith=PREFIX, owner=caseworker)
    detail = (
        mine.filter(state="implementation", referrals__isnull=False).order_by("id").first()
        or mine.exclude(state="closed").order_by("id").first()
    )
    year = timezone.localdate().year
    print(
        f"\ndatabase: {connection.vendor}; {Case.objects.count():,} cases "
        f"({mine.count():,} of caso.quito, {mine.exclude(state='closed').count():,} open), "
        f"{FollowUp.objects.count():,} follow-ups, {Referral.objects.count():,} referrals; "
        f"requests per page: {args.requests}"
    )
    pages = [
        ("/cases/", "caso.quito"),
        ("/cases/?scope=office", "supervisora.quito"),
        (f"/cases/{detail.uuid}/", detail.owner.username),
        ("/referrals/", "caso.quito"),
        ("/referrals/", "enlace.hospital"),
        (f"/cases/gbv-statistics/?year={year}", "mye.hias"),
        ("/api/v1/cases/", "caso.quito"),
        ("/activities/", "caso.quito"),
    ]
    header = (
        f"{'page':<32}{'user':<19}{'p50 ms':>8}{'p95 ms':>8}{'queries':>8}{'same':>6}"
        f"{'SQL ms':>8}{'HTML B':>8}{'gzip B':>8}"
    )
    print(header)
    results = []
    for path, username in pages:
        r = measure_page(path, username, args.requests)
        results.append(r)
        shown = "/cases/<uuid>/" if path == f"/cases/{detail.uuid}/" else path
        print(
            f"{shown[:31]:<32}{username:<19}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['queries']:>8}"
            f"{r['repeats']:>6}{r['sql_ms']:>8.1f}{r['html']:>8}{r['gzip']:>8}",
            flush=True,
        )
    print(
        "(same: how many times the most repeated SQL statement ran in one request, N+1 if it "
        "grows with the rows; SQL ms: time in the database in that request)"
    )
    print("\nslowest statement of each page (recorded request):")
    for r in results:
        sql, _params, seconds = r["slowest"]
        print(f"  {seconds * 1000:7.1f} ms  {r['path'][:40]:<40} {sql[:110]}")

    def overdue_office():
        return list(queries.overdue_for_supervisor(supervisor))

    def overdue_mine():
        return list(queries.overdue_for_caseworker(caseworker))

    runs = max(5, args.requests // 5)
    print(f"\nqueries evaluated as lists, {runs} runs (p50 / p95 ms, rows):")
    for label, fn in (
        ("overdue_for_supervisor(supervisora.quito)", overdue_office),
        ("overdue_for_caseworker(caso.quito)", overdue_mine),
        ("case list page (caso.quito, 50 rows)", lambda: list(case_list_queryset(caseworker)[:50])),
        ("case list count (caso.quito)", lambda: range(case_list_queryset(caseworker).count())),
    ):
        p50, p95, rows = time_call(fn, runs)
        print(f"  {label:<44}{p50:>8.1f}{p95:>8.1f}{rows:>8,}")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), current_setting('jit_above_cost')")
            jit, above = cursor.fetchone()
        print(f"\nPostgreSQL jit = {jit}, jit_above_cost = {above}")
        explain("case list page (caso.quito)", case_list_queryset(caseworker)[:50])
        explain(
            "case list count (caso.quito)",
            case_list_queryset(caseworker).values("pk"),  # count() wraps this distinct query
            lines=8,
        )
        explain(
            "overdue_for_supervisor(supervisora.quito)",
            queries.overdue_for_supervisor(supervisor),
        )
        explain(
            "referral list, sent (caso.quito, 50 rows)",
            referral_queries.outgoing_for(caseworker).order_by("-sent_at", "-id")[:50],
        )

    if args.profile:
        for r in results:
            if r["p50"] > SLOW_MS:
                profile_page(r["path"], r["user"])
    print(
        f"\nload {loaded - started:.1f} s, measuring {time.perf_counter() - loaded:.1f} s; "
        f"{sys.executable} {' '.join(sys.argv)}"
    )


if __name__ == "__main__":
    main()
