"""Registry search and duplicate check at scale, against the database in use.

    .venv/bin/python bench/registry_search.py [--people 100000] [--queries 200] [--seed 2026]
        [--query-seed 1130] [--show-misses]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench \
        .venv/bin/python bench/registry_search.py --people 1000000

Loads about N synthetic people (N / 3.1 households from `amparo.demo.people`, validated by
`amparo.demo.registry.prepare`, written by `registry.actions.load_households` in chunks) and
prints the load throughput. A database that already holds N people of the same seed is reused,
and a partial load is resumed, so repeated runs are quick. Then it times, Q queries per kind,
as an organization-wide user of OIM Ecuador (a bench-only role with `registry.view`), real
people searched for with the errors people make (`--query-seed` picks who and how; tune on
one seed, report on another):

- search: one typo in a surname (order swapped in half), a nickname for the given name (the
  bench's own list, `NICKNAMES`, apart from the registry's table), a compound given name
  typed without its space, a common name (frequent given name and surname: hundreds of
  namesakes) with the birth date in the box, the full name with the birth date's day and
  month swapped, a document number with separators, a phone in local format;
- the duplicate check for: a typo in a surname, a nickname, a glued compound, the second
  surname left out, day and month of birth swapped (everything else the same);
- a naive baseline: `name_key__icontains` for each correctly spelled token (LIKE '%...%').

Prints p50 / p95 / max in ms, recall@10 (the intended person among the first ten results),
the share of the time spent waiting for the database, this process's CPU ms per query (p95;
less sensitive than wall time to other work on the machine; on SQLite it includes the
database) and the command that reproduces the run. The PostgreSQL database is created when
missing.
"""

import argparse
import itertools
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-home")

from benchdb import ensure_postgres_database  # noqa: E402 - after the environment

PEOPLE_PER_HOUSEHOLD = 3.1
CHUNK = 20_000  # households per load_households call: bounded memory, one transaction each
BENCH_ORG = "iom-ec"
BENCH_ROLE = "bench_registry"
BENCH_USER = "bench.registry"
LETTERS = "abcdefghijlmnoprstuvyz"


def bench_user(permissions: tuple[str, ...] = ("registry.view",)):
    """An organization-wide user of OIM Ecuador whose (bench-only) role grants `permissions`
    (registry.view; the HTTP bench adds registry.register for the duplicate check)."""
    from amparo.core.models import Organization, Role, User

    org = Organization.objects.get(code=BENCH_ORG)
    role, _created = Role.objects.update_or_create(
        organization=org,
        code=BENCH_ROLE,
        defaults={
            "name": "Benchmark: registry reader",
            "permissions": list(permissions),
            "office_bound": False,
        },
    )
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User(username=BENCH_USER, organization=org, role=role, first_name="Bench")
        user.set_unusable_password()
        user.save()
    elif user.role_id != role.pk or user.organization_id != org.pk:
        user.role, user.organization, user.office = role, org, None
        user.save(update_fields=["role", "organization", "office"])
    return User.objects.select_related("role").get(pk=user.pk)


def load_people(n: int, seed: int) -> None:
    """Load about `n` people of `seed`, resuming after the households already there."""
    from django.db import connection

    from amparo.demo import people
    from amparo.demo import registry as demo_registry
    from amparo.registry import actions
    from amparo.registry.models import Household, Individual

    prefix = f"demo:{seed}:"  # demo.registry.prepare's source_ref, seed-specific
    target = max(1, round(n / PEOPLE_PER_HOUSEHOLD))
    have_people = Individual.objects.filter(household__source_ref__startswith=prefix).count()
    if have_people >= n:
        print(f"load: skipped, the database already holds {have_people:,} people of seed {seed}")
        return
    done = Household.objects.filter(source_ref__startswith=prefix).count()
    if done >= target:
        print(f"load: skipped, {done:,} households of seed {seed} already loaded")
        return
    if done:
        print(f"load: resuming after {done:,} households of seed {seed}")
    generated = itertools.islice(people.generate_households(target, seed=seed), done, None)
    source = f"bench/registry_search.py, seed {seed}"
    loaded = 0
    prepare_s = write_s = 0.0
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        chunk = demo_registry.prepare(itertools.islice(generated, CHUNK), seed=seed)
        t1 = time.perf_counter()
        if not chunk:
            break
        counts = actions.load_households(actor=None, households=chunk, source=source)
        t2 = time.perf_counter()
        prepare_s += t1 - t0
        write_s += t2 - t1
        loaded += counts["individuals"]
        done += len(chunk)
        elapsed = time.perf_counter() - start
        print(
            f"  {done:>9,} households, {loaded:>10,} people loaded, "
            f"{loaded / elapsed:>7,.0f} people/s",
            flush=True,
        )
        del chunk
    elapsed = time.perf_counter() - start
    print(
        f"load: {loaded:,} people in {elapsed:.1f} s = {loaded / max(elapsed, 1e-9):,.0f} people/s "
        f"(generate + prepare {prepare_s:.1f} s, load_households {write_s:.1f} s "
        f"= {loaded / max(write_s, 1e-9):,.0f} people/s)"
    )
    # Statistics (and, on PostgreSQL, the GIN pending lists) as autovacuum would leave them.
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("registry_household", "registry_individual", "registry_document"):
            if connection.vendor == "postgresql":
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"ANALYZE {table}")
    print(f"(VACUUM) ANALYZE after the load: {time.perf_counter() - t0:.1f} s")


def typo(word: str, rng: random.Random) -> str:
    """`word` with one letter (not the first) replaced by a different one."""
    from amparo.registry.normalize import fold

    spots = [i for i, c in enumerate(word) if i > 0 and c.isalpha()]
    i = rng.choice(spots)
    current = fold(word[i])
    letter = rng.choice([c for c in LETTERS if c != current])
    return word[:i] + letter + word[i + 1 :]


def misspell_surname(person, rng: random.Random) -> tuple[str, str]:
    """(first, second) surnames with a one-letter change in the longer word of one of them."""
    surnames = [person.first_surname, person.second_surname]
    which = [i for i, s in enumerate(surnames) if max((len(w) for w in s.split()), default=0) >= 4]
    i = rng.choice(which)
    words = surnames[i].split()
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    words[longest] = typo(words[longest], rng)
    surnames[i] = " ".join(words)
    return surnames[0], surnames[1]


def with_separators(key: str, rng: random.Random) -> str:
    """A document key as someone might type it: dashes, dots or spaces in two places."""
    spots = sorted(rng.sample(range(1, len(key)), min(2, len(key) - 1)), reverse=True)
    for spot in spots:
        key = key[:spot] + rng.choice("-. ") + key[spot:]
    return key


# The bench's own nickname list (written apart from `registry/nicknames.py`, so the figures
# also show nicknames that table lacks): full given name (folded) → nicknames people type.
NICKNAMES = {
    "francisco": ("Pancho", "Paco", "Curro"),
    "jose": ("Pepe", "Chepe"),
    "rosario": ("Charo", "Chayo"),
    "concepcion": ("Conchi", "Concha"),
    "maria jose": ("Majo",),
    "ignacio": ("Nacho",),
    "guadalupe": ("Lupe",),
    "jesus": ("Chuy", "Chucho"),
    "guillermo": ("Memo",),
    "enrique": ("Quique", "Kike"),
    "dolores": ("Lola",),
    "maria teresa": ("Maite",),
    "antonio": ("Toño",),
    "jose maria": ("Chema",),
    "alberto": ("Beto",),
    "eduardo": ("Lalo",),
    "manuel": ("Manolo",),
    "fernando": ("Nando",),
    "rafael": ("Rafa",),
    "patricia": ("Paty",),
    "isabel": ("Chabela",),
    "mercedes": ("Meche",),
    "alejandro": ("Alejo",),
    "luis": ("Lucho",),
    "juan jose": ("Juanjo",),
    "juan carlos": ("Juanca",),
}

SEARCH_KINDS = [
    ("name", "search: one typo in a surname, order swapped in half"),
    ("nickname", "search: nickname for the given name"),
    ("glued", "search: compound given name without its space"),
    ("namesake_date", "search: common name + birth date in the box"),
    ("swapped_date", "search: full name + birth date, day/month swapped"),
    ("document", "search: document no. with separators"),
    ("phone", "search: phone, local format"),
]
DUPLICATE_KINDS = [
    ("duplicate", "duplicate: one typo in a surname, same DOB"),
    ("dup_nickname", "duplicate: nickname, same DOB"),
    ("dup_glued", "duplicate: glued compound, same DOB"),
    ("dup_no_second", "duplicate: second surname left out, same DOB"),
    ("dup_swapped", "duplicate: same name, day/month swapped"),
]


def nickname_of(person, rng: random.Random) -> str | None:
    """The given names with their first (or first two) words replaced by a nickname."""
    from amparo.registry.normalize import fold

    words = person.given_names.split()
    for size in (2, 1):
        key = fold(" ".join(words[:size]))
        if len(words) >= size and key in NICKNAMES:
            return " ".join([rng.choice(NICKNAMES[key]), *words[size:]])
    return None


def sample_targets(user, q: int, seed: int):
    """Random people the bench user may see, per kind of query (`q` each)."""
    from collections import Counter

    from django.db.models import Max, Min

    from amparo.registry.models import Individual
    from amparo.registry.normalize import name_tokens

    rng = random.Random(seed)
    scope = Individual.objects.filter(organization_id=user.organization_id)
    bounds = scope.aggregate(lo=Min("id"), hi=Max("id"))
    # Common names: the most frequent first given word and first surname of a sample.
    sample = scope.filter(pk__in=[rng.randint(bounds["lo"], bounds["hi"]) for _ in range(20000)])
    firsts, surnames = Counter(), Counter()
    for given, surname in sample.values_list("given_names", "first_surname"):
        firsts.update(name_tokens(given)[:1])
        surnames.update(name_tokens(surname)[:1])
    common_first = {w for w, _n in firsts.most_common(10)}
    common_surname = {w for w, _n in surnames.most_common(15)}
    pools: dict[str, list] = {
        k: [] for k in ("name", "document", "phone", "nickname", "glued", "common", "swappable")
    }
    seen: set[int] = set()
    for _round in range(200):
        ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(q * 4)]
        batch = scope.filter(pk__in=set(ids) - seen).prefetch_related("documents")
        for person in sorted(batch, key=lambda p: p.pk):
            seen.add(person.pk)
            given = name_tokens(person.given_names)
            has_long = any(
                len(w) >= 4 for w in f"{person.first_surname} {person.second_surname}".split()
            )
            candidates = {
                "name": has_long and bool(given),
                "document": bool(docs := list(person.documents.all()))
                and len(docs[0].number_key) >= 5,
                "phone": person.phone.startswith("+593"),
                "nickname": nickname_of(person, random.Random(0)) is not None,
                "glued": len(person.given_names.split()) >= 2,
                "common": bool(given)
                and given[0] in common_first
                and bool(set(name_tokens(person.first_surname)[:1]) & common_surname),
                "swappable": bool(person.second_surname)
                and person.date_of_birth.day <= 12
                and person.date_of_birth.day != person.date_of_birth.month
                and not person.dob_estimated,
            }
            for kind, ok in candidates.items():
                if ok and len(pools[kind]) < q:
                    pools[kind].append((person, docs[0]) if kind == "document" else person)
        if min(len(v) for v in pools.values()) >= q:
            break
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def build_queries(user, q: int, seed: int):
    """Per kind: a list of (operation, argument, intended person id, label). The operation is
    "search" (the argument is the text typed in the box), "duplicates" (the person's data as
    a registration gives it) or "naive" (the name tokens of the baseline)."""
    import phonenumbers

    from amparo.registry.normalize import name_tokens

    rng = random.Random(seed + 1)
    pools = sample_targets(user, q, seed)

    def person_data(person, **changes):
        data = {
            "given_names": person.given_names,
            "first_surname": person.first_surname,
            "second_surname": person.second_surname,
            "sex": person.sex,
            "date_of_birth": person.date_of_birth.isoformat(),
            "dob_estimated": person.dob_estimated,
            **changes,
        }
        label = " ".join(
            str(data[k])
            for k in ("given_names", "first_surname", "second_surname", "date_of_birth")
        )
        return "duplicates", data, person.pk, label

    def text_case(person, text):
        return "search", text, person.pk, text

    def full(given, person):
        return " ".join(p for p in (given, person.first_surname, person.second_surname) if p)

    cases: dict[str, list] = {k: [] for k, _label in SEARCH_KINDS + DUPLICATE_KINDS}
    cases["naive"] = []
    for n, person in enumerate(pools["name"]):
        first, second = misspell_surname(person, rng)
        order = (first, second) if n % 2 == 0 else (second, first)
        text = " ".join(p for p in (person.given_names, *order) if p)
        cases["name"].append(text_case(person, text))
        tokens = name_tokens(person.first_surname)[:1] + name_tokens(person.given_names)[:1]
        cases["naive"].append(("naive", tokens, person.pk, " & ".join(tokens)))
        first, second = misspell_surname(person, rng)
        cases["duplicate"].append(person_data(person, first_surname=first, second_surname=second))
        # The second surname left out of a new registration (when there is one to leave out).
        if person.second_surname:
            cases["dup_no_second"].append(person_data(person, second_surname=""))
    for person in pools["nickname"]:
        nick = nickname_of(person, rng)
        cases["nickname"].append(text_case(person, full(nick, person)))
        cases["dup_nickname"].append(person_data(person, given_names=nick))
    for person in pools["glued"]:
        words = person.given_names.split()
        glued = words[0] + (words[1].lower() if rng.random() < 0.5 else words[1])
        glued = " ".join([glued, *words[2:]])
        cases["glued"].append(text_case(person, full(glued, person)))
        cases["dup_glued"].append(person_data(person, given_names=glued))
    for n, person in enumerate(pools["common"]):
        born = person.date_of_birth
        date = born.strftime("%d/%m/%Y") if n % 2 == 0 else born.isoformat()
        given = person.given_names.split()[0]
        cases["namesake_date"].append(text_case(person, f"{given} {person.first_surname} {date}"))
    for person in pools["swappable"]:
        born = person.date_of_birth
        swapped = f"{born.month:02d}/{born.day:02d}/{born.year}"
        text = f"{full(person.given_names, person)} {swapped}"
        cases["swapped_date"].append(text_case(person, text))
        iso = f"{born.year}-{born.day:02d}-{born.month:02d}"
        cases["dup_swapped"].append(person_data(person, date_of_birth=iso))
    for person, document in pools["document"]:
        text = with_separators(document.number_key, rng)
        cases["document"].append(text_case(person, text))
    for person in pools["phone"]:
        local = phonenumbers.format_number(
            phonenumbers.parse(person.phone), phonenumbers.PhoneNumberFormat.NATIONAL
        )
        cases["phone"].append(text_case(person, local))
    return cases


def build_cases(user, q: int, seed: int, region: str):
    """Per kind: a list of (callable returning the result ids, intended person id, query)."""
    from amparo.registry.duplicates import find_duplicates
    from amparo.registry.queries import individuals_visible_to
    from amparo.registry.search import search_individuals

    base = individuals_visible_to(user)

    def search(text):
        return lambda: [h.individual.pk for h in search_individuals(user, text, region=region)]

    def duplicates(data):
        return lambda: [
            c.individual.pk for c in find_duplicates(user, data, region=region).candidates
        ]

    def naive(tokens):
        def run():
            qs = base
            for token in tokens:
                qs = qs.filter(name_key__icontains=token)
            return [p.pk for p in qs[:50]]

        return run

    runners = {"search": search, "duplicates": duplicates, "naive": naive}
    return {
        kind: [(runners[op](argument), target, label) for op, argument, target, label in queries]
        for kind, queries in build_queries(user, q, seed).items()
    }


def measure(cases) -> tuple[list[float], float, float]:
    """Latencies in ms, recall@10 (the share of queries whose intended person is among the
    first ten results), and the share of
    the time spent waiting for the database (execute; row decoding is Python time)."""
    from django.db import connection

    for run, _target, _label in cases[:5]:  # warm caches and connections
        run()
    sql = [0.0]

    def timed(execute, *args, sql=sql):
        start = time.perf_counter()
        try:
            return execute(*args)
        finally:
            sql[0] += time.perf_counter() - start

    times, hits = [], 0
    misses.clear()
    cpu.clear()
    with connection.execute_wrapper(timed):
        for run, target, label in cases:
            start, start_cpu = time.perf_counter(), time.process_time()
            found = run()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            hits += target in found[:10]
            if target not in found[:10]:
                misses.append(label)
    return times, hits / max(len(cases), 1), sql[0] * 1000 / max(sum(times), 1e-9)


misses: list[str] = []
cpu: list[float] = []  # this process's CPU ms per query (Python and, on SQLite, the database)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def reproduce_command(args) -> str:
    env = []
    url = os.environ.get("DATABASE_URL")
    if url:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            url = urlunsplit(parts._replace(netloc=netloc))
        env.append(f"DATABASE_URL={url}")
    if os.environ.get("AMPARO_HOME") and not url:
        env.append(f"AMPARO_HOME={os.environ['AMPARO_HOME']}")
    cmd = (
        f".venv/bin/python bench/registry_search.py --people {args.people} "
        f"--queries {args.queries} --seed {args.seed} --query-seed {args.query_seed}"
    )
    return " ".join([*env, cmd])


def prepare_database(people: int, seed: int, queries: int, permissions=("registry.view",)):
    """Set Django up; create, migrate and load the database (about `people` people of `seed`,
    reused when there); print what it holds. Returns the bench user (`bench_user`)."""
    import django

    django.setup()
    ensure_postgres_database()
    from django.core.management import call_command
    from django.db import connection

    from amparo.demo import organizations
    from amparo.registry.models import Individual
    from amparo.registry.queries import individuals_visible_to

    call_command("migrate", verbosity=0)
    organizations.load()
    user = bench_user(permissions)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        engine = f"SQLite {connection.Database.sqlite_version}"
    print(f"database: {engine}; target {people:,} people, seed {seed}")
    load_people(people, seed)
    total = Individual.objects.count()
    visible = individuals_visible_to(user).count()
    print(
        f"individuals in the table: {total:,} (visible to {BENCH_USER}, OIM Ecuador "
        f"organization-wide: {visible:,}); {queries} queries per kind"
    )
    if total > people * 1.2:
        print(
            f"note: the table holds more than --people ({total:,}); the figures are for that size"
        )
    return user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026, help="the people loaded")
    parser.add_argument(
        "--query-seed",
        type=int,
        default=1130,
        help="who is searched for and how it is mistyped (tune on one, report on another)",
    )
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    user = prepare_database(args.people, args.seed, args.queries)
    cases = build_cases(user, args.queries, args.query_seed, region="EC")
    rows = [*SEARCH_KINDS, *DUPLICATE_KINDS, ("naive", "naive name_key icontains (baseline)")]
    print(
        f"{'query':<52}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'recall@10':>10}{'SQL %':>7}"
    )
    p50s: dict[str, float] = {}
    pooled: dict[str, tuple[list[float], list[float]]] = {"search": ([], []), "duplicate": ([], [])}
    for key, label in rows:
        times, hit_rate, sql_share = measure(cases[key])
        if not times:
            print(f"{label:<52}{0:>5}")
            continue
        p50s[key] = statistics.median(times)
        print(
            f"{label:<52}{len(times):>5}{p50s[key]:>9.1f}{percentile(times, 0.95):>9.1f}"
            f"{max(times):>9.1f}{hit_rate * 100:>9.1f}%{sql_share * 100:>7.0f}"
            f"{percentile(cpu, 0.95):>9.1f}",
            flush=True,
        )
        if args.show_misses:
            for label in misses:
                print(f"    missed: {label}")
        group = "search" if key in dict(SEARCH_KINDS) else "duplicate" if key != "naive" else ""
        if group:
            pooled[group][0].extend(times)
            pooled[group][1].extend([hit_rate] * len(times))
    for group, (times, rates) in pooled.items():
        if times:
            print(
                f"all {group} queries: n {len(times)}, recall@10 "
                f"{statistics.fmean(rates) * 100:.1f} %, p95 {percentile(times, 0.95):.1f} ms"
            )
    if p50s.get("name"):
        print(f"naive p50 / name search p50: {p50s['naive'] / p50s['name']:.1f}x")
    print(f"reproduce: {reproduce_command(args)}")


if __name__ == "__main__":
    main()
