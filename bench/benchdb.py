"""What the benchmark scripts share about their database: creating it, timing load steps,
reusing a loaded one, and recording the SQL of a request. Imported after the script has set
the environment (DJANGO_SETTINGS_MODULE, AMPARO_HOME, DATABASE_URL) and, where it uses Django,
after `django.setup()`."""

import time


def ensure_postgres_database() -> None:
    """CREATE DATABASE when DATABASE_URL names a PostgreSQL database that does not exist."""
    from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return
    try:
        connection.ensure_connection()
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    import psycopg

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}")


def timed(label: str):
    """Context manager printing how long a step took."""

    class _Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            if exc[0] is None:
                print(f"  {label}: {time.perf_counter() - self.start:.1f} s", flush=True)

    return _Timer()


def load_demo(args, *, prefix: str, noun: str, network: bool = False) -> bool:
    """Migrate and load the demo (organizations, `args.households` of registry, directory,
    cases; the San Lorenzo network when `network`) into a new database; False when it already
    holds `args.cases` cases whose reference starts with `prefix` (reused as it is). Any other
    number of them is refused: the figures would mix two loads."""
    from django.core.management import call_command

    from amparo.cases.models import Case
    from amparo.demo import cases as demo_cases
    from amparo.demo import directory, organizations
    from amparo.demo import registry as demo_registry

    ensure_postgres_database()
    print("load:")
    with timed("migrate"):
        call_command("migrate", verbosity=0)
    have = Case.objects.filter(reference__startswith=prefix).count()
    if have == args.cases:
        print(f"  reused: the database already holds {have:,} {noun}")
        return False
    if have:
        raise SystemExit(
            f"the database holds {have:,} {noun}, not {args.cases:,}: use a new one "
            "(dropdb/createdb, or another AMPARO_HOME)"
        )
    with timed("demo organizations"):
        organizations.load()
    with timed(f"demo registry ({args.households:,} households, seed {args.seed})"):
        demo_registry.load(args.households, seed=args.seed)
    with timed("demo directory, network and cases" if network else "demo directory and cases"):
        directory.load()
        if network:
            directory.load_network()
        demo_cases.load()
    return True


def vacuum_analyze() -> None:
    """On PostgreSQL, fresh statistics for the planner after a bulk load."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with timed("VACUUM ANALYZE"), connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


class Recorder:
    """execute_wrapper that keeps (sql, params, seconds) of every statement."""

    def __init__(self):
        self.statements: list[tuple[str, object, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, time.perf_counter() - start))
