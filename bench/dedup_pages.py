"""The deduplication screens as their users meet them: through the served app, over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench1m \\
        .venv/bin/python bench/dedup_pages.py [--requests 30] [--merges 20] [--workers W]

Needs people: load them with `bench/registry_search.py --people 1000000`. A bench-only role
of the first organization (`dedup.review`, `dedup.run`, `dedup.undo`, `registry.view`,
`registry.register`, organization-wide: an information manager who may also undo) is given to
a bench user with a fresh password. Unless the organization's latest run already holds
`--plant` pairs, `--plant` of its household heads are registered a second time with the
demo's slips (`demo.dedup.second_record`: a dropped given name or second surname, a typo,
swapped surnames or day and month, a new document) and a deduplication run over the
organization gives the queue its pairs. Then `amparo serve` (gunicorn, DEBUG off;
`--workers` or AMPARO_WORKERS or 2) starts on a free port, the user signs in through
`/login/`, and each screen is timed: two requests to warm up, then R one after the other,
from sending the request to the last byte (gzip asked for, as browsers do):

- the review queue, its first page and a page deep in it (both count the pairs left, over
  the whole registry the user may see);
- a pair side by side (two audited views of a person);
- merging a pair (POST, the survivor keeping its own values), each time another pair from the
  top of the queue, then the survivor's page with both histories, then undoing the merge
  (POST): `--merges` of each, and the database is as before at the end;
- the list of merges.

Prints per screen p50 / p95 / max ms over HTTP, the answer's bytes on the wire and unpacked,
and the SQL statements of one request counted in this process (Django's test client) with the
most repeated one and their ms; then the command that reproduces the run. The server is
stopped at the end, after an error, Ctrl+C or SIGTERM; its log is `dedup_pages.serve.log` in
AMPARO_HOME. It never asserts timings.
"""

import argparse
import os
import signal
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")

from gbv_pages import Browser, count_queries, in_process_client, percentile  # noqa: E402
from registry_http import Server  # noqa: E402 - after the environment it reads

BENCH_USER = "bench.dedup"
BENCH_ROLE = "bench-dedup"
PERMISSIONS = ["dedup.review", "dedup.run", "dedup.undo", "registry.view", "registry.register"]


def bench_user(organization):
    """The bench's reviewer, with a fresh password: (user, password)."""
    import secrets

    from amparo.core import twofactor
    from amparo.core.models import Role, User

    role, _created = Role.objects.update_or_create(
        organization=organization,
        code=BENCH_ROLE,
        defaults={
            "name": "Benchmark: duplicates reviewer",
            "permissions": PERMISSIONS,
            "office_bound": False,
        },
    )
    user = User.objects.filter(username=BENCH_USER).first() or User(username=BENCH_USER)
    user.organization, user.role, user.office, user.first_name = organization, role, None, "Bench"
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save()
    user = User.objects.select_related("role").get(pk=user.pk)
    if twofactor.required_for(user):
        raise SystemExit(f"{user.username} would need a second factor to sign in; see its role")
    return user, password


def plant(user, organization, count: int) -> None:
    """`count` heads of households of `organization` registered a second time (the demo's
    slips: `demo.dedup.second_record`), then a deduplication run over the organization: a
    queue to review. Skipped when the organization's latest run holds enough pairs."""
    from amparo.core.models import Office
    from amparo.dedup import actions, queries
    from amparo.demo.dedup import second_record
    from amparo.registry.actions import register_household
    from amparo.registry.models import Individual

    run = queries.latest_run(user)
    if run is not None and run.pairs >= count:
        return
    office = Office.objects.filter(organization=organization).order_by("pk").first()
    heads = Individual.objects.filter(
        organization=organization, is_head=True, dob_estimated=False
    ).order_by("pk")[:count]
    for kind, person in enumerate(heads):
        register_household(actor=user, office=office, members=[second_record(person, kind)])
    people = Individual.objects.filter(organization=organization)
    run = actions.run_deduplication(organization=organization, people=people, started_by=user)
    print(f"planted {count:,} people registered twice; the run found {run.pairs:,} pairs")


def describe(user) -> tuple:
    """The run the queue shows, how many pairs it holds, and the people in the user's scope."""
    from amparo.dedup import queries
    from amparo.registry.queries import individuals_visible_to

    run = queries.latest_run(user)
    if run is None:
        raise SystemExit(
            "no deduplication run in this database: run bench/dedupe_registry.py first"
        )
    left = queries.queue_for(user).count()
    people = individuals_visible_to(user).count()
    print(
        f"run of {run.started_at:%Y-%m-%d %H:%M}: {run.people:,} people, {run.pairs:,} pairs; "
        f"{left:,} pairs left to review; the reviewer sees {people:,} people"
    )
    return run, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per screen")
    parser.add_argument("--merges", type=int, default=20, help="pairs merged and undone")
    parser.add_argument("--plant", type=int, default=500, help="people registered twice")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: amparo serve's)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    import django

    django.setup()
    from django.conf import settings
    from django.db import close_old_connections

    from amparo.core.models import Organization
    from amparo.dedup import queries
    from amparo.dedup.models import Merge

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    organization = Organization.objects.order_by("pk").first()
    user, password = bench_user(organization)
    plant(user, organization, args.plant)
    _run, left = describe(user)
    deep = max(1, left // 25 // 2)  # a page in the middle of the queue
    top = list(queries.queue_for(user)[: args.merges + 1])
    if len(top) < args.merges + 1:
        raise SystemExit(f"the queue holds {len(top)} pairs; --merges needs {args.merges + 1}")
    pair = top[0]
    reads = [
        ("queue, first page", "/duplicates/"),
        (f"queue, page {deep:,}", f"/duplicates/?page={deep}"),
        ("a pair side by side", f"/duplicates/pairs/{pair.pk}/"),
        ("merges", "/duplicates/merges/"),
    ]
    client = in_process_client(user, None)
    counted = {name: count_queries(client, "GET", path, None) for name, path in reads}
    close_old_connections()

    server = Server(Path(settings.AMPARO_HOME), args.workers, log_name="dedup_pages.serve.log")
    header = f"{'screen':<30}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'gzip B':>9}{'B':>9}"
    try:
        server.wait_until_healthy()
        print(f"served by amparo serve at http://127.0.0.1:{server.port}/ ({server.workers()})")
        browser = Browser(server.port)
        browser.sign_in(BENCH_USER, password)
        print(f"{header}{'SQL':>5}{'same':>5}{'SQL ms':>8}")
        for name, path in reads:
            times, wire, size = [], 0, 0
            for run in range(args.requests + 2):
                status, ms, wire, body, _location = browser.request("GET", path)
                if status != 200:
                    raise SystemExit(f"{name}: GET {path} answered {status}")
                if run >= 2:
                    times.append(ms)
                size = len(body)
            statements, repeats, sql_ms = counted[name]
            print(
                f"{name:<30}{statistics.median(times):>8.1f}{percentile(times, 0.95):>8.1f}"
                f"{max(times):>8.1f}{wire:>9,}{size:>9,}{statements:>5}{repeats:>5}{sql_ms:>8.1f}",
                flush=True,
            )
        timed: dict[str, list] = {"merge (POST)": [], "the survivor's page": [], "undo (POST)": []}
        sizes: dict[str, tuple[int, int]] = {}
        for candidate in top[1 : args.merges + 1]:
            merge_path = f"/duplicates/pairs/{candidate.pk}/merge/"
            _s, _ms, _w, page, _l = browser.request("GET", f"/duplicates/pairs/{candidate.pk}/")
            form = {"keep": "first", "csrfmiddlewaretoken": browser.csrf(page)}
            status, ms, wire, body, location = browser.request("POST", merge_path, form)
            if status != 302:
                raise SystemExit(f"merging pair {candidate.pk} answered {status}: {body[:300]}")
            timed["merge (POST)"].append(ms)
            sizes["merge (POST)"] = (wire, len(body))
            status, ms, wire, body, _l = browser.request("GET", location)
            timed["the survivor's page"].append(ms)
            sizes["the survivor's page"] = (wire, len(body))
            record = Merge.objects.filter(merged_id=candidate.second_id, undone_at=None).get()
            _s, _ms, _w, page, _l = browser.request("GET", "/duplicates/merges/")
            token = {"csrfmiddlewaretoken": browser.csrf(page)}
            status, ms, wire, body, _l = browser.request(
                "POST", f"/duplicates/merges/{record.uuid}/undo/", token
            )
            if status != 302:
                raise SystemExit(f"undoing merge {record.uuid} answered {status}")
            timed["undo (POST)"].append(ms)
            sizes["undo (POST)"] = (wire, len(body))
        print(f"\n{args.merges} pairs merged, their survivors seen, the merges undone:\n{header}")
        for name, times in timed.items():
            wire, size = sizes[name]
            print(
                f"{name:<30}{statistics.median(times):>8.1f}{percentile(times, 0.95):>8.1f}"
                f"{max(times):>8.1f}{wire:>9,}{size:>9,}"
            )
        browser.close()
    finally:
        server.stop()
    print(
        "(gzip B: the answer on the wire; B: unpacked; SQL: the statements of one request in "
        "this process, same: runs of the most repeated one, SQL ms: their time)"
    )
    command = " ".join(["bench/dedup_pages.py", *sys.argv[1:]])
    print(
        f"reproduce: DATABASE_URL={os.environ.get('DATABASE_URL', '')} .venv/bin/python {command}"
    )


if __name__ == "__main__":
    main()
