"""A campaign to 100,000 people while the app keeps serving: messages/s, and the pages' p95.

    .venv/bin/python bench/messaging.py [--database postgres|sqlite] [--people 100000]
        [--workers 2] [--threads 8] [--web-workers 2] [--rate 1000] [--retry-seconds 2]
        [--latency 0.05] [--failure-rate 0.02] [--idle-rounds 10] [--pause 0.2] [--seed 2026]
    .venv/bin/python bench/messaging.py                  # DATABASE_URL, or
        # postgres://postgres@127.0.0.1:5432/amparo_bench_messaging when it names none

Builds (or reuses) its database: migrates, loads the demo organizations and, in an office of
its own at HIAS Ecuador ("bench-messaging"), synthetic households (`amparo.demo.people`,
seeded, written by `registry.actions.load_households` in chunks) until it holds `--people`
people; then, in one UPDATE each, exactly the first `--people` of them agree to be contacted
and get a phone of their own (+5939…, unique), the others none. `--database sqlite` uses the
SQLite file of AMPARO_HOME (default /tmp/amparo-bench-messaging) instead.

Then it starts `FakeProvider(latency, failure_rate)` (bench/fake_provider.py: a Twilio-style
gateway on 127.0.0.1; 2 % of the requests answer 500, which the adapter takes as temporary) in
a process of its own, 10 steps nicer, as the background workers are (`ProviderProcess`: the
gateway stands for a machine elsewhere, and its threads must not share this process's
interpreter lock with the thread that times the pages)
and points the sms channel at it through the environment (AMPARO_SMS_PROVIDER=twilio,
AMPARO_SMS_URL, _TOKEN, _ACCOUNT, _FROM), with AMPARO_MESSAGING_RETRY_SECONDS small so that
retries end within the run, AMPARO_MESSAGING_RATE high (the pace is not what is measured),
AMPARO_MESSAGING_THREADS = `--threads` per worker and AMPARO_MESSAGING_WORKERS = `--workers`
drains per campaign. It serves the app with `amparo serve` (gunicorn, `--web-workers` sync
workers, DEBUG off) and `--workers` background workers beside it (`--task-workers`), signs a
bench user in through `/login/` (a bench-only HIAS Ecuador role: registry.view,
feedback.view, messaging.campaigns; no second factor applies) and:

1. idle: times `--idle-rounds` rounds of four ordinary pages, one request after the other
   (`--pause` s between two): the home page, the registry search for a surname, the feedback
   inbox and a person's page;
2. creates an SMS template and a campaign to the bench office and schedules it now through
   the actions (`save_template`, `create_campaign`, `schedule_campaign`, in this process): the
   workers prepare one message per recipient and send them;
3. while it sends, the same pages in a loop until the campaign is finished, timed the same way.

Prints the time to prepare the messages and to finish, messages/s (recipients / time from
scheduling to finished), the messages by state, the requests the provider got (and answered
500), the retries (attempts beyond the first), **addresses the provider accepted twice** and
**recipients without a sent or failed message** (both must be 0: exit status 1 otherwise),
p50/p95/max of the pages idle and during the campaign, the load average, and the command that
reproduces the run. The server and workers are stopped at the end, after an error, Ctrl+C or
SIGTERM; their log is `messaging.serve.log` in AMPARO_HOME. It never asserts timings.
"""

import argparse
import contextlib
import http.client
import itertools
import math
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_provider import ACCOUNT, TOKEN, ProviderProcess  # noqa: E402 - after the path

ORG = "hias-ec"
OFFICE = "bench-messaging"
ROLE = "bench_messaging"
USER = "bench.messaging"
PERMISSIONS = ["registry.view", "feedback.view", "messaging.campaigns"]
PEOPLE_PER_HOUSEHOLD = 3.1
CHUNK = 5_000  # households per load_households call
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/amparo_bench_messaging"
SENDER = "+15550001111"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--people", type=int, default=100_000, help="recipients")
    parser.add_argument("--workers", type=int, default=2, help="background workers")
    parser.add_argument("--threads", type=int, default=8, help="sending threads per worker")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rate", type=float, default=1000, help="messages/s per worker at most")
    parser.add_argument("--retry-seconds", type=float, default=2)
    parser.add_argument("--latency", type=float, default=0.05, help="the provider's, in s")
    parser.add_argument("--failure-rate", type=float, default=0.02)
    parser.add_argument("--idle-rounds", type=int, default=10, help="rounds of pages before")
    parser.add_argument("--pause", type=float, default=0.2, help="s between two page requests")
    parser.add_argument("--timeout", type=float, default=3600, help="s to wait for the end")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace, provider: ProviderProcess) -> None:
    """Settings are read from the environment: set it before Django starts (the server and
    workers started later inherit it)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-messaging")
    os.environ["AMPARO_DEBUG"] = "0"
    os.environ.pop("AMPARO_TASKS_IMMEDIATE", None)  # the workers send, not this process
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = DEFAULT_POSTGRES
    os.environ.update(
        {
            "AMPARO_SMS_PROVIDER": "twilio",
            "AMPARO_SMS_URL": provider.url,
            "AMPARO_SMS_TOKEN": TOKEN,
            "AMPARO_SMS_ACCOUNT": ACCOUNT,
            "AMPARO_SMS_FROM": SENDER,
            "AMPARO_MESSAGING_RETRY_SECONDS": str(args.retry_seconds),
            "AMPARO_MESSAGING_RATE": str(args.rate),
            "AMPARO_MESSAGING_THREADS": str(args.threads),
            "AMPARO_MESSAGING_WORKERS": str(max(1, args.workers)),
            "AMPARO_MESSAGING_TIMEOUT": "5",
        }
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


# --- the people -------------------------------------------------------------------------------


def prepare_people(n: int, seed: int):
    """The bench office with at least `n` people, exactly the first `n` of them reachable by
    SMS (contact consent, a phone of their own). Returns the office."""
    from benchdb import timed
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from amparo.core.models import Office, Organization
    from amparo.demo import people
    from amparo.demo import registry as demo_registry
    from amparo.registry.actions import load_households
    from amparo.registry.models import Household, Individual

    org = Organization.objects.get(code=ORG)
    quito = Office.objects.get(organization=org, code="quito")
    office, _created = Office.objects.get_or_create(
        organization=org,
        code=OFFICE,
        defaults={"name": "Benchmark messaging office", "area": quito.area},
    )
    everyone = Individual.objects.filter(household__office=office)
    have = everyone.count()
    if have < n:
        households = Household.objects.filter(office=office).count()
        target = max(households + 1, math.ceil((n - have) / PEOPLE_PER_HOUSEHOLD) + households)
        while have < n:
            generated = people.generate_households(target, seed=seed, offices=(f"{ORG}/{OFFICE}",))
            generated = itertools.islice(generated, households, None)
            with timed(f"households {households:,} → {target:,} (seed {seed})"):
                while chunk := demo_registry.prepare(itertools.islice(generated, CHUNK), seed=seed):
                    source = f"bench/messaging.py, seed {seed}"
                    load_households(actor=None, households=chunk, source=source)
            households = Household.objects.filter(office=office).count()
            have = everyone.count()
            target = households + max(1, math.ceil((n - have) / PEOPLE_PER_HOUSEHOLD) + 10)
    ordered = everyone.order_by("pk").values_list("pk", flat=True)
    last = ordered[n - 1] if n else 0
    reachable = everyone.filter(pk__lte=last, contact_consent=True, phone__startswith="+5939")
    if reachable.count() != n or everyone.filter(contact_consent=True, pk__gt=last).exists():
        with timed(f"contact consent and a phone of their own for {n:,} people"):
            everyone.filter(pk__gt=last).update(contact_consent=False)
            everyone.filter(pk__lte=last).update(
                contact_consent=True,
                phone=Concat(
                    Value("+5939"),
                    LPad(Cast("pk", CharField()), 9, Value("0")),
                    output_field=CharField(),
                ),
            )
    Household.objects.filter(office=office).exclude(status=Household.Status.ACTIVE).update(
        status=Household.Status.ACTIVE
    )
    print(f"  the bench office holds {have:,} people, {n:,} reachable by SMS", flush=True)
    return office


def prepare_user():
    """The bench user (HIAS Ecuador, organization-wide, a bench-only role) with a fresh
    password."""
    import secrets

    from amparo.core import twofactor
    from amparo.core.models import Organization, Role, User

    org = Organization.objects.get(code=ORG)
    role, _created = Role.objects.update_or_create(
        organization=org,
        code=ROLE,
        defaults={
            "name": "Benchmark: messaging",
            "permissions": PERMISSIONS,
            "office_bound": False,
        },
    )
    user = User.objects.filter(username=USER).first()
    if user is None:
        user = User(username=USER, organization=org, role=role, first_name="Bench")
    user.role, user.organization, user.office = role, org, None
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save()
    user = User.objects.select_related("role", "organization").get(pk=user.pk)
    if twofactor.required_for(user):
        raise SystemExit(f"{USER} would need a second factor to sign in; see its role")
    return user, password


# --- the pages --------------------------------------------------------------------------------


def pages(office) -> list[tuple[str, str]]:
    from amparo.registry.models import Individual

    person = Individual.objects.filter(household__office=office).order_by("pk").first()
    surname = person.first_surname
    return [
        ("home", "/"),
        ("registry search", "/registry/?" + urllib.parse.urlencode({"q": surname})),
        ("feedback inbox", "/feedback/inbox/"),
        ("a person's page", f"/registry/individuals/{person.uuid}/"),
    ]


class PageLoop:
    """One signed-in user requesting the pages in turn, `pause` s apart, until stopped."""

    def __init__(self, browser, paths: list[tuple[str, str]], pause: float) -> None:
        self.browser, self.paths, self.pause = browser, paths, pause
        self.times: dict[str, list[float]] = {name: [] for name, _p in paths}
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def one_round(self) -> None:
        for name, path in self.paths:
            try:
                status, ms, _wire, _body, _location = self.browser.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:  # the server stopped early
                self.errors.append(f"{type(exc).__name__} {path}")
                self.stop.set()
                return
            if status != 200:
                self.errors.append(f"{status} {path}")
            self.times[name].append(ms)
            if self.stop.wait(self.pause):
                return

    def run(self) -> None:
        while not self.stop.is_set():
            self.one_round()


def page_table(title: str, loops: dict[str, PageLoop]) -> None:
    print(title)
    print(f"{'page':<20}" + "".join(f"{h:>30}" for h in loops))
    print(f"{'':<20}" + "".join(f"{'n':>9}{'p50':>7}{'p95':>7}{'max ms':>7}" for _h in loops))
    names = list(next(iter(loops.values())).times)
    for name in [*names, "all pages"]:
        cells = []
        for loop in loops.values():
            times = (
                [t for values in loop.times.values() for t in values]
                if name == "all pages"
                else loop.times[name]
            )
            if times:
                cells.append(
                    f"{len(times):>9}{statistics.median(times):>7.0f}"
                    f"{percentile(times, 0.95):>7.0f}{max(times):>7.0f}"
                )
            else:
                cells.append(f"{0:>9}")
        print(f"{name:<20}" + "".join(f"{c:>30}" for c in cells))


# --- the campaign -----------------------------------------------------------------------------


def schedule(user, office):
    from amparo.messaging.actions import campaigns as actions
    from amparo.messaging.models import Template

    name = f"Bench {time.strftime('%Y-%m-%d %H:%M:%S')}"
    template = Template.objects.filter(organization=user.organization, name="Bench SMS").first()
    if template is None:
        template = actions.save_template(
            actor=user,
            name="Bench SMS",
            channel="sms",
            body_es="Hola {first_name}: la oficina {office} atiende el lunes. Responda STOP.",
            body_en="Hello {first_name}: the {office} office is open on Monday. Reply STOP.",
        )
    campaign = actions.create_campaign(
        actor=user, name=name, template=template, filters={"offices": [OFFICE]}
    )
    return actions.schedule_campaign(actor=user, campaign=campaign)


def wait_for(campaign, timeout: float, provider: ProviderProcess) -> tuple[float | None, ...]:
    """Seconds from now until the messages are prepared and until the campaign is finished."""
    from django.db import close_old_connections

    from amparo.messaging.models import Campaign, Message

    start = time.perf_counter()
    prepared = finished = None
    last_print = 0.0
    while time.perf_counter() - start < timeout:
        close_old_connections()
        state = Campaign.objects.filter(pk=campaign.pk).values_list("state", flat=True).get()
        now = time.perf_counter() - start
        if prepared is None and state in (Campaign.State.SENDING, Campaign.State.FINISHED):
            prepared = now
        if state == Campaign.State.FINISHED:
            finished = now
            break
        if state == Campaign.State.CANCELLED:
            break
        if now - last_print >= 30:
            last_print = now
            done = Message.objects.filter(
                campaign=campaign, state__in=("sent", "failed", "delivered")
            ).count()
            print(
                f"  {now:>6.0f} s: {state}, {done:,} sent or failed, "
                f"{provider.summary()['requests']:,} provider requests; {load()}",
                flush=True,
            )
        time.sleep(1)
    return prepared, finished


def check(campaign, office, provider: ProviderProcess) -> dict:
    from django.db.models import Count, Exists, OuterRef, Sum

    from amparo.messaging.models import Message
    from amparo.messaging.queries import recipients

    messages = Message.objects.filter(campaign=campaign)
    states = dict(messages.values_list("state").annotate(n=Count("id")).order_by())
    attempts = messages.aggregate(a=Sum("attempts"))["a"] or 0
    attempted = messages.filter(attempts__gt=0).count()
    audience = recipients(campaign.organization_id, {"offices": [OFFICE]}, "sms")
    settled = Message.objects.filter(
        campaign=campaign, individual_id=OuterRef("pk"), state__in=("sent", "delivered", "failed")
    )
    lost = audience.exclude(Exists(settled)).count()
    return {
        **provider.summary(),  # requests, refused, accepted, twice
        "states": states,
        "messages": sum(states.values()),
        "audience": audience.count(),
        "lost": lost,
        "retries": attempts - attempted,
    }


def describe_engine() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    return f"SQLite {connection.Database.sqlite_version}"


def reproduce_command(args) -> str:
    env = []
    url = os.environ.get("DATABASE_URL")
    if url and args.database == "postgres":
        env.append(f"DATABASE_URL={url}")
    elif args.database == "sqlite":
        env.append(f"AMPARO_HOME={os.environ['AMPARO_HOME']}")
    cmd = (
        f".venv/bin/python bench/messaging.py --database {args.database} --people {args.people} "
        f"--workers {args.workers} --threads {args.threads} --web-workers {args.web_workers} "
        f"--rate {args.rate:g} --retry-seconds {args.retry_seconds:g} --latency {args.latency:g} "
        f"--failure-rate {args.failure_rate:g}"
    )
    return " ".join([*env, cmd])


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv=None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the bench as Ctrl+C does, through the `finally` that stops the server; Ctrl+C
    # is set too, since a background process of a non-interactive shell inherits it ignored.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    provider = ProviderProcess(latency=args.latency, failure_rate=args.failure_rate)
    with provider:
        configure_environment(args, provider)
        return run(args, provider)


def run(args, provider: ProviderProcess) -> int:
    import django

    django.setup()
    from benchdb import ensure_postgres_database, timed, vacuum_analyze
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections
    from gbv_pages import Browser

    from amparo.demo import organizations

    ensure_postgres_database()
    print(f"database: {describe_engine()}; {load()}")
    print("load:")
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    with timed("demo organizations"):
        organizations.load()
    office = prepare_people(args.people, args.seed)
    user, password = prepare_user()
    paths = pages(office)
    vacuum_analyze()
    close_old_connections()

    server = start_server(Path(settings.AMPARO_HOME), args.web_workers, args.workers)
    try:
        started = time.perf_counter()
        server.wait_until_healthy()
        print(
            f"served by amparo serve at http://127.0.0.1:{server.port}/ ({server.workers()}, "
            f"{args.workers} background workers × {args.threads} sending threads, DEBUG off; "
            f"process group {server.process.pid}), up in {time.perf_counter() - started:.1f} s; "
            f"fake provider at {provider.url} (latency {args.latency * 1000:.0f} ms, "
            f"{args.failure_rate:.0%} answered 500)",
            flush=True,
        )
        browser = Browser(server.port)
        browser.sign_in(USER, password)
        idle = PageLoop(browser, paths, args.pause)
        for _name, path in paths:  # warm up
            browser.request("GET", path)
        for _ in range(args.idle_rounds):
            idle.one_round()
        print(f"idle pages timed ({load()})", flush=True)

        busy = PageLoop(browser, paths, args.pause)
        campaign = schedule(user, office)
        busy.thread.start()
        print(f"campaign {campaign.reference} scheduled: {campaign.recipients:,} recipients")
        prepared, finished = wait_for(campaign, args.timeout, provider)
        busy.stop.set()
        busy.thread.join(timeout=60)
        load_after = load()
        close_old_connections()
        figures = check(campaign, office, provider)
    finally:
        server.stop()

    print(f"\ncampaign of {campaign.recipients:,} SMS ({load_after} at its end):")
    if prepared is not None:
        print(f"  messages prepared (scheduled → sending): {prepared:.1f} s")
    if finished is None:
        print(f"  NOT FINISHED within {args.timeout:.0f} s")
    else:
        print(f"  time to finish (scheduled → finished): {finished:.1f} s")
        print(f"  messages/s: {campaign.recipients / finished:.1f}")
        if prepared is not None and finished > prepared:
            print(f"  messages/s once prepared: {campaign.recipients / (finished - prepared):.1f}")
    states = ", ".join(f"{k} {v:,}" for k, v in sorted(figures["states"].items()))
    print(f"  messages: {figures['messages']:,} ({states})")
    print(
        f"  provider requests: {figures['requests']:,} ({figures['refused']:,} answered 500, "
        f"{figures['accepted']:,} accepted)"
    )
    print(f"  retries made (attempts beyond the first): {figures['retries']:,}")
    print(f"  addresses accepted twice: {figures['twice']}")
    print(f"  recipients without a sent or failed message: {figures['lost']}")
    print()
    page_table(
        f"pages, one signed-in user, {args.pause:g} s between requests (over HTTP):",
        {"idle (before)": idle, "during the campaign": busy},
    )
    for error in (idle.errors + busy.errors)[:5]:
        print(f"  refused: {error}")
    print(f"\nreproduce: {reproduce_command(args)}")
    failed = figures["twice"] or figures["lost"] or finished is None
    failed = failed or idle.errors or busy.errors
    return 1 if failed else 0


def start_server(home: Path, web: int, background: int):
    """`amparo serve` with `web` gunicorn workers and `background` task workers beside it
    (registry_http.Server's process group, health check and stop)."""
    from registry_http import Server, free_port

    server = Server.__new__(Server)
    server.port = free_port()
    server.log_path = home / "messaging.serve.log"
    amparo = Path(sys.executable).parent / "amparo"
    command = [str(amparo), "serve", "--host", "127.0.0.1", "--port", str(server.port)]
    command += ["--no-migrate", "--workers", str(web), "--task-workers", str(background)]
    env = {**os.environ, "AMPARO_HOME": str(home)}
    with server.log_path.open("wb") as log:  # a file, not a pipe: a full pipe stops a server
        server.process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return server


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
