"""The ``amparo`` command: ``amparo serve``, ``amparo worker``, ``amparo demo`` …

Every Django management command is available too (``amparo migrate``); dashes in
sub-command names become underscores (``amparo import-areas`` → ``import_areas``).
``amparo serve`` runs gunicorn and one background worker beside it (``--task-workers``);
``amparo worker`` runs another worker (on any machine that reaches the same database).
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="amparo serve", description="Serve Amparo with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("AMPARO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("AMPARO_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("AMPARO_WORKERS", "2")))
    parser.add_argument(
        "--task-workers",
        type=int,
        default=int(os.environ.get("AMPARO_TASK_WORKERS", "1")),
        help="background workers to run beside the web server (0: they run elsewhere)",
    )
    parser.add_argument("--no-migrate", action="store_true", help="skip applying migrations")
    args = parser.parse_args(argv)
    os.environ["AMPARO_DEBUG"] = "0"  # never serve with DEBUG on
    os.environ.pop("AMPARO_STATIC_FROM_FINDERS", None)
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    if not args.no_migrate and os.environ.get("DATABASE_OWNER_URL"):
        # The owner migrates and grants the app's role its rights on any new table; this
        # process then serves as that role (docs/operations.md, "A database role for the app").
        as_owner = {**os.environ, "AMPARO_AS_OWNER": "1"}
        for command in (["migrate", "--no-input", "-v", "0"], ["grant_app_role", "-v", "0"]):
            subprocess.run([sys.executable, "-m", "amparo.cli", *command], env=as_owner, check=True)  # noqa: S603
    elif not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    print(f"Amparo at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    server = [
        gunicorn,
        "amparo.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        # A care post's intake link carries its secret in the path (amparo/access_log.py).
        "--logger-class",
        "amparo.access_log.RedactingLogger",
        "--forwarded-allow-ips",
        os.environ.get("AMPARO_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # gunicorn's control socket lives with the instance, not in the user's home.
        "--control-socket",
        str(settings.AMPARO_HOME / "gunicorn.ctl"),
    ]
    if args.task_workers <= 0:
        os.execv(gunicorn, server)  # noqa: S606 - replaces this process with the server
    return _supervise(server, [_worker_command()] * args.task_workers)


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "amparo.cli", "worker", "--no-startup-delay", "--verbosity", "0"]


def _supervise(server_command: list[str], worker_commands: list[list[str]]) -> int:
    """Run the web server and the workers; a worker that dies is started again; stopping this
    process (Ctrl+C, SIGTERM) stops them all, and so does the server's end."""
    server = subprocess.Popen(server_command)  # noqa: S603 - our own command line
    workers = [subprocess.Popen(c) for c in worker_commands]  # noqa: S603
    started = [time.monotonic()] * len(workers)
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for process in (server, *workers):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while server.poll() is None:
        for index, process in enumerate(workers):
            # Started again when it stops, but not more than every 5 s (a broken database).
            due = time.monotonic() > started[index] + 5
            if process.poll() is not None and not stopping and due:
                print("amparo: a background worker stopped; starting it again", file=sys.stderr)
                workers[index] = subprocess.Popen(worker_commands[index])  # noqa: S603
                started[index] = time.monotonic()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=1)
    for process in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return server.returncode or 0


def _lower_priority(value: str) -> None:
    """Background work yields the CPU to the people using the pages: a worker beside gunicorn
    runs `AMPARO_WORKER_NICE` steps nicer (bench/messaging.py: a campaign sending at full speed
    on the web node). Before any thread starts, so that the sending threads inherit it."""
    try:
        steps = int(value)
    except ValueError:
        print(f"amparo: AMPARO_WORKER_NICE must be a whole number, not {value!r}", file=sys.stderr)
        raise SystemExit(2) from None
    if steps > 0:
        with contextlib.suppress(OSError):  # a platform without nice(): run as it is
            os.nice(steps)


def worker(argv: list[str]) -> int:
    """`amparo worker`: run queued background jobs (django-tasks' `db_worker`) until stopped."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    import django
    from django.core.management import execute_from_command_line

    _lower_priority(os.environ.get("AMPARO_WORKER_NICE", "10"))
    django.setup()
    from amparo.core import jobs

    jobs.worker_starting()
    reload = [] if any(a.startswith(("--reload", "--no-reload")) for a in argv) else ["--no-reload"]
    execute_from_command_line(["amparo", "db_worker", *reload, *argv])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        print(
            "\nCommands: serve, worker, demo, createuser, createadmin, reset-two-factor, "
            "import-registry, import-areas, dedupe, migrate, check, grant-app-role, purge-audit, "
            "and every Django management command."
        )
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return worker(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["amparo", command.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
