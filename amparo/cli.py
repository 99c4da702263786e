"""The ``amparo`` command: ``amparo serve``, ``amparo demo``, ``amparo createuser`` …

Every Django management command is available too (``amparo migrate``); dashes in
sub-command names become underscores (``amparo import-areas`` → ``import_areas``).
"""

import argparse
import os
import shutil
import subprocess
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    import django

    django.setup()


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="amparo serve", description="Serve Amparo with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("AMPARO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("AMPARO_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("AMPARO_WORKERS", "2")))
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
    os.execv(  # noqa: S606 - replaces this process with the server
        gunicorn,
        [
            gunicorn,
            "amparo.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("AMPARO_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            # gunicorn's control socket lives with the instance, not in the user's home.
            "--control-socket",
            str(settings.AMPARO_HOME / "gunicorn.ctl"),
        ],
    )
    return 0  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        print(
            "\nCommands: serve, demo, createuser, createadmin, reset-two-factor, import-areas, "
            "migrate, check, grant-app-role, purge-audit, and every Django management command."
        )
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["amparo", command.replace("-", "_"), *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
