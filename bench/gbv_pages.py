"""The GBV screens as their users meet them: through the served app, over HTTP, signed in.

    .venv/bin/python bench/gbv_pages.py [--cases 2000] [--incidents 5000] [--months 24]
        [--requests 30] [--seed 2026] [--workers W] [--only NAME ...]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench_gbv \
        .venv/bin/python bench/gbv_pages.py --cases 2000 --incidents 5000

Builds (or reuses) its own database: a SQLite file in AMPARO_HOME (default
/tmp/amparo-bench-gbv), or the PostgreSQL database named by DATABASE_URL (created when
missing). Migrates, loads the demo (organizations, a registry of `--households`, the directory
and the San Lorenzo network, the demo cases), then the Lago Agrio GBV office's caseload
(`gbv_caseload.py`, seeded, bulk rows as the actions write them): N GBV cases over `--months` months
(about one in ten for a walk-in survivor, whose identity is encrypted in the case), M GBVIMS
incidents (every IRF field; most with consent to statistics, a few abroad or reported to
another GBVIMS agency), decisions per service, child consents for the girls, safety and safe
contact, referrals to the Lago Agrio hospital and the hospital's onward referrals (chains of
one or two), and each ended month's tables prepared and approved through the actions
(`prepare_monthly_release`, `approve_monthly_release`). A database that already holds the same
number of benchmark GBV cases is reused. PostgreSQL tables are VACUUM ANALYZEd after the load.

Then it starts `amparo serve` (gunicorn, DEBUG off; `--workers` or AMPARO_WORKERS or 2) on a
free port, signs the demo users in through `/login/` (and `/two-factor/` with their
authenticator's code where the GBV team's second factor applies) and times each screen: a
warm-up, then R requests one after the other, from sending the request to the last byte
(gzip asked for, as browsers do). The screens:

- the case page of a GBV case with child consent, service decisions, safety and safe contact,
  incidents and a referral with an onward chain (vbg.lagoagrio, who holds it);
- the incident form, new and of a recorded incident (IRF fields; an audited view);
- GBV statistics of the year (the GBV coordinator; the organization's M&E officer);
- monthly releases: the list, a release page and its XLSX; preparing a month's tables
  (`monthly_tables`, POST by the GBV specialist; each prepared release is withdrawn by the
  coordinator, untimed, so the month can be prepared again);
- the Incident Recorder export (POST, XLSX, a month of incidents; the GBV coordinator);
- the network directory (admin.divina, a focal point of the San Lorenzo network; and
  vbg.lagoagrio, whose organization is a member);
- a referral page with its onward chain (its sender, vbg.lagoagrio).

Prints per screen p50 / p95 / max ms over HTTP, the answer's bytes on the wire (gzip) and
unpacked, and the SQL statements of one request (counted in this process with Django's test
client: the timing stays over HTTP) with the most repeated one (an N+1 shows there) and their
ms, and the median CPU time of 5 such requests in this process (other work sharing the machine
changes it far less than the time over HTTP); then the command that reproduces the run. The
server is stopped at the end, after an error, Ctrl+C or SIGTERM; its log is
`gbv_pages.serve.log` in AMPARO_HOME. The tables it prepared (and withdrew) are deleted at the
end, so each run sees the same release list. It never asserts timings.

Field keys: unless AMPARO_FIELD_KEYS is set, a fixed key for this synthetic data is used, so a
reused database stays readable.
"""

import argparse
import datetime
import gzip
import html
import http.client
import math
import os
import re
import signal
import statistics
import sys
import time
import urllib.parse
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-gbv")
os.environ.setdefault("AMPARO_FIELD_KEYS", "YW1wYXJvLWJlbmNoLWdidi1maXhlZC1rZXktMDAwMDA=")
os.environ["AMPARO_DEBUG"] = "0"  # as `amparo serve`: the in-process query count must match it
# In this process only (the query count): `amparo serve` collects the static files itself.
os.environ["AMPARO_STATIC_FROM_FINDERS"] = "1"

from benchdb import Recorder  # noqa: E402
from gbv_caseload import ORG, PREFIX, load  # noqa: E402 - the caseload of the screens
from registry_http import Server  # noqa: E402 - after the environment it reads

CPU_RUNS = 5  # in-process requests per screen whose CPU time is measured


# --- signing in and requests over HTTP --------------------------------------------------------


class Browser:
    """One signed-in user's browser: cookies, the CSRF token, gzip accepted."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method: str, path: str, form: dict | None = None):
        """(status, ms, bytes on the wire, body unpacked, Location)."""
        headers = {"Accept": "text/html", "Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        plain = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        return response.status, ms, len(raw), plain, response.getheader("Location") or ""

    def csrf(self, page: bytes) -> str:
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not found:
            raise SystemExit("no CSRF token on the page")
        return html.unescape(found[1].decode())

    def post(self, path: str, form: dict, page: str | None = None):
        """POST `form` to `path` with the CSRF token of `page` (default: `path`)."""
        _s, _ms, _w, body, _l = self.request("GET", page or path)
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": self.csrf(body)})

    def sign_in(self, username: str, password: str, device=None) -> None:
        status, _ms, _w, _b, location = self.post(
            "/login/", {"username": username, "password": password}
        )
        if status != 302:
            raise SystemExit(f"signing in as {username} failed ({status})")
        if device is not None:
            from django_otp.oath import totp

            code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
            status, _ms, _w, body, _l = self.post("/two-factor/", {"otp": code})
            if status != 302:
                raise SystemExit(f"{username}'s second factor was refused ({status}): {body[:300]}")
        status, *_rest = self.request("GET", "/")
        if status != 200:
            raise SystemExit(f"{username} signed in but the home page answered {status}")

    def close(self) -> None:
        self.connection.close()


def prepare_user(username: str):
    """A fresh password, and a confirmed authenticator when the user needs a second factor."""
    import secrets

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amparo.core import twofactor
    from amparo.core.models import User

    user = User.objects.get(username=username)
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save(update_fields=["password"])
    device = None
    if twofactor.required_for(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True, name="bench").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, confirmed=True, name="bench")
    return user, password, device


# --- in-process query count -------------------------------------------------------------------


def in_process_client(user, device):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def count_queries(client, method: str, path: str, form: dict | None) -> tuple[int, int, float]:
    """(statements, runs of the most repeated one, ms in the database) of one request."""
    from django.db import connection

    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        response = client.post(path, form) if method == "POST" else client.get(path)
    if response.status_code not in (200, 302):
        raise SystemExit(f"{method} {path} answered {response.status_code} in this process")
    repeats = Counter(sql for sql, _p, _s in recorder.statements).most_common(1)
    return (
        len(recorder.statements),
        repeats[0][1] if repeats else 0,
        sum(s for _q, _p, s in recorder.statements) * 1000,
    )


# --- the screens ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def screens(year: int):
    """(name, user, method, path, form or None, after) for every screen timed; `after(browser,
    answer)` undoes what a POST did (untimed)."""
    from amparo.cases import actions as case_actions
    from amparo.cases.models import Case, MonthlyRelease
    from amparo.core.models import Office, User
    from amparo.referrals.models import Referral

    showcase = Case.objects.get(reference=f"{PREFIX}LAG-000001")
    incident = showcase.incidents.order_by("id").first()
    referral = Referral.objects.filter(case=showcase).order_by("id").first()
    lago = Office.objects.get(organization__code=ORG, code="lago-agrio")
    approved = (
        MonthlyRelease.objects.filter(office=lago, state="approved").order_by("-month").first()
    )
    month = approved.month
    tables_month = f"{month:%Y-%m}"
    # The month before is prepared again and again (withdrawn in between, and before the
    # first time): a month of the caseload, so `monthly_tables` counts what a month holds.
    again = (month - datetime.timedelta(days=1)).replace(day=1)
    coordinator = User.objects.get(username="coord.vbg.lagoagrio")
    for held in MonthlyRelease.objects.filter(office=lago, month=again).exclude(state="withdrawn"):
        case_actions.withdraw_monthly_release(actor=coordinator, release=held)
    prepare_month = f"{again:%Y-%m}"

    def withdraw(coordinator: "Browser", location: str) -> None:
        release = location.rstrip("/").rsplit("/", 1)[-1]
        status, *_rest = coordinator.post(
            f"/cases/gbv-releases/{release}/withdraw/", {}, page=f"/cases/gbv-releases/{release}/"
        )
        if status != 302:
            raise SystemExit(f"withdrawing the prepared tables answered {status}")

    case = f"/cases/{showcase.uuid}/"
    return [
        ("case page (GBV, full)", "vbg.lagoagrio", "GET", case, None, None),
        ("incident form, new", "vbg.lagoagrio", "GET", f"{case}incidents/", None, None),
        (
            "incident form, recorded",
            "vbg.lagoagrio",
            "GET",
            f"{case}incidents/{incident.uuid}/",
            None,
            None,
        ),
        (
            "GBV statistics, year",
            "coord.vbg.lagoagrio",
            "GET",
            f"/cases/gbv-statistics/?year={year}",
            None,
            None,
        ),
        (
            "GBV statistics (M&E, org)",
            "mye.hias",
            "GET",
            f"/cases/gbv-statistics/?year={year}",
            None,
            None,
        ),
        (
            "monthly releases, list",
            "coord.vbg.lagoagrio",
            "GET",
            "/cases/gbv-releases/",
            None,
            None,
        ),
        (
            "monthly release page",
            "coord.vbg.lagoagrio",
            "GET",
            f"/cases/gbv-releases/{approved.uuid}/",
            None,
            None,
        ),
        (
            "monthly release XLSX",
            "coord.vbg.lagoagrio",
            "GET",
            f"/cases/gbv-releases/{approved.uuid}/?format=xlsx",
            None,
            None,
        ),
        (
            "prepare monthly tables",
            "vbg.lagoagrio",
            "POST",
            "/cases/gbv-releases/",
            {"scope": str(lago.uuid), "month": prepare_month},
            withdraw,
        ),
        (
            "Incident Recorder XLSX",
            "coord.vbg.lagoagrio",
            "POST",
            "/cases/incident-recorder/",
            {"offices": [str(lago.uuid)], "month": tables_month},
            None,
        ),
        ("network directory", "admin.divina", "GET", "/referrals/directory/", None, None),
        ("directory (member org)", "vbg.lagoagrio", "GET", "/referrals/directory/", None, None),
        (
            "referral + onward chain",
            "vbg.lagoagrio",
            "GET",
            f"/referrals/{referral.uuid}/",
            None,
            None,
        ),
    ]


def forget_prepared(since: datetime.datetime) -> None:
    """Delete the tables this run prepared and withdrew (bench rows only), so that the next
    run's release list is the same size."""
    from amparo.cases.models import MonthlyRelease

    MonthlyRelease.objects.filter(state="withdrawn", prepared_at__gte=since).delete()


def describe_data(args) -> None:
    from django.db import connection

    from amparo.cases.models import Case, Incident, MonthlyRelease
    from amparo.referrals.models import Referral

    gbv = Case.objects.filter(reference__startswith=PREFIX)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        engine = f"SQLite {connection.Database.sqlite_version}"
    print(
        f"\ndatabase: {engine}; Lago Agrio GBV: {gbv.count():,} bench cases "
        f"({gbv.filter(household__isnull=True).count():,} walk-in), "
        f"{Incident.objects.filter(case__in=gbv).count():,} incidents over {args.months} months, "
        f"{Referral.objects.filter(case__in=gbv).count():,} referrals "
        f"(+{Referral.objects.filter(parent__isnull=False).count():,} onward), "
        f"{MonthlyRelease.objects.count():,} monthly releases; {args.requests} requests per screen"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="GBV cases of Lago Agrio")
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--months", type=int, default=24, help="the caseload's span")
    parser.add_argument("--households", type=int, default=6000, help="demo registry size")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per screen")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: amparo serve's)")
    parser.add_argument("--only", nargs="*", help="screens whose name starts so")
    args = parser.parse_args()

    # SIGTERM ends the bench as Ctrl+C does, through the `finally` that stops the server; Ctrl+C
    # is set too, since a background process of a non-interactive shell inherits it ignored.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    import django

    django.setup()
    from django.conf import settings
    from django.db import close_old_connections
    from django.utils import timezone

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load(args)
    describe_data(args)
    year = timezone.localdate().year
    chosen = [
        s for s in screens(year) if not args.only or any(s[0].startswith(o) for o in args.only)
    ]
    wanted = [*(s[1] for s in chosen), "coord.vbg.lagoagrio"]  # the coordinator withdraws
    users = {name: prepare_user(name) for name in dict.fromkeys(wanted)}

    run_started = timezone.now()
    # SQL statements per screen, in this process (the same code and settings as served).
    counted = {}
    for name, username, method, path, form, after in chosen:
        user, _password, device = users[username]
        client = in_process_client(user, device)
        if method == "POST":
            client.get(path)
        cpu = []
        for run in range(CPU_RUNS + 1):  # the first one also counts the statements
            started_cpu = time.process_time()
            if run == 0:
                counted[name] = count_queries(client, method, path, form)
            else:
                client.post(path, form) if method == "POST" else client.get(path)
                cpu.append((time.process_time() - started_cpu) * 1000)
            if after is not None:  # the tables just prepared: withdrawn, the month free again
                from amparo.cases import actions as case_actions
                from amparo.cases.models import MonthlyRelease

                prepared = MonthlyRelease.objects.filter(state="prepared").order_by("-id").first()
                case_actions.withdraw_monthly_release(
                    actor=users["coord.vbg.lagoagrio"][0], release=prepared
                )
        counted[name] = (*counted[name], statistics.median(cpu))
    forget_prepared(run_started)  # not in the release list timed next
    close_old_connections()

    server = Server(Path(settings.AMPARO_HOME), args.workers, log_name="gbv_pages.serve.log")
    browsers: dict[str, Browser] = {}
    try:
        started = time.perf_counter()
        server.wait_until_healthy()
        print(
            f"served by amparo serve at http://127.0.0.1:{server.port}/ ({server.workers()}, "
            f"DEBUG off; process group {server.process.pid}), up in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for username, (_user, password, device) in users.items():
            browsers[username] = Browser(server.port)
            browsers[username].sign_in(username, password, device)
        coordinator = browsers.get("coord.vbg.lagoagrio")
        print(
            f"{'screen':<28}{'user':<21}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}"
            f"{'gzip B':>9}{'B':>9}{'SQL':>5}{'same':>5}{'SQL ms':>8}{'CPU ms':>8}"
        )
        for name, username, method, path, form, after in chosen:
            browser = browsers[username]
            times, wire, size = [], 0, 0
            for run in range(args.requests + 2):  # two to warm up
                token = {}
                if method == "POST":
                    _s, _ms, _w, page, _l = browser.request("GET", path)
                    token = {"csrfmiddlewaretoken": browser.csrf(page)}
                status, ms, wire, body, location = browser.request(
                    method, path, {**form, **token} if form else None
                )
                expected = 302 if after is not None else 200
                if status != expected:
                    raise SystemExit(f"{name}: {method} {path} answered {status}: {body[:300]}")
                if after is not None:
                    after(coordinator, location)
                if run >= 2:
                    times.append(ms)
                size = len(body)
            statements, repeats, sql_ms, cpu_ms = counted[name]
            print(
                f"{name:<28}{username:<21}{statistics.median(times):>8.1f}"
                f"{percentile(times, 0.95):>8.1f}{max(times):>8.1f}{wire:>9,}{size:>9,}"
                f"{statements:>5}{repeats:>5}{sql_ms:>8.1f}{cpu_ms:>8.1f}",
                flush=True,
            )
        print(
            "(gzip B: the answer on the wire; B: unpacked; in this process, with Django's test "
            "client: SQL, the statements of one request; same, runs of the most repeated one, an "
            "N+1 if it grows with the rows; SQL ms, their time; CPU ms, this process's CPU time "
            f"per request, median of {CPU_RUNS}: what other work on the machine hardly changes)"
        )
    finally:
        for browser in browsers.values():
            browser.close()
        server.stop()
        forget_prepared(run_started)
    print(f"server stopped (exit {server.process.returncode})")
    command = (
        f".venv/bin/python bench/gbv_pages.py --cases {args.cases} --incidents {args.incidents} "
        f"--months {args.months} --households {args.households} --requests {args.requests} "
        f"--seed {args.seed}"
    )
    if args.workers:
        command += f" --workers {args.workers}"
    if args.only:
        command += " --only " + " ".join(f"'{o}'" for o in args.only)
    where = os.environ.get("DATABASE_URL")
    prefix = f"DATABASE_URL={where}" if where else f"AMPARO_HOME={settings.AMPARO_HOME}"
    print(f"reproduce: {prefix} {command}")


if __name__ == "__main__":
    main()
