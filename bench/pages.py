"""Page weight and server time of the core pages, against the database in use.

    .venv/bin/python bench/pages.py [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/amparo_bench .venv/bin/python bench/pages.py

Uses Django's test client in-process (no network), so the figures are the application's own
time per request: routing, access policy, queries, audit write, template. Prints p50/p95 in ms,
queries per request and the HTML size (raw and gzip) a phone has to download.

Then the bytes of a family registration journey (4 members, to the saved household's page):
without the page's script (each "Add a member" posts the form and reloads it) and with it
(members added in the browser), each as received with and without gzip. `--journey` runs
only that part.
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-home")
os.environ["AMPARO_STATIC_FROM_FINDERS"] = "1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--journey", action="store_true", help="only the registration journey")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from amparo.core import twofactor
    from amparo.core.models import User
    from amparo.demo import organizations

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    organizations.load()
    if args.journey:
        registration_journey()
        return
    css = (
        Path(__file__).resolve().parents[1] / "amparo/core/static/amparo/amparo.css"
    ).read_bytes()
    print(f"database: {connection.vendor}; requests per page: {args.requests}")
    print(
        f"stylesheet: {len(css)} B raw, {len(gzip.compress(css))} B gzip (cached after first page)"
    )
    print(
        f"{'page':<28}{'user':<20}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'queries':>8}{'HTML B':>8}{'gzip B':>8}"
    )
    cases = [
        ("/", "caso.quito"),
        ("/team/", "admin.oim"),
        ("/offices/", "admin.oim"),
        ("/audit/", "admin.hias"),
        (f"/team/{User.objects.get(username='caso.quito').uuid}/", "admin.hias"),
        ("/api/v1/users/", "admin.oim"),
    ]
    for path, username in cases:
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        if twofactor.required_for(user):  # admin.oim: signed in with a code, as served
            device, _new = TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "bench"}
            )
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        client.get(path)  # warm up
        times = []
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            response = client.get(path)
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        body = response.content
        print(
            f"{path[:27]:<28}{username:<20}{statistics.median(times):>8.1f}{p95:>8.1f}"
            f"{len(queries):>8}{len(body):>8}{len(gzip.compress(body)):>8}"
        )

    registration_journey()


def registration_journey(members: int = 4) -> None:
    """Bytes a phone receives to register a family of `members`, by path and encoding."""
    import secrets

    from django.test import Client

    from amparo.core.models import User

    def member(index: int, token: str) -> dict:
        data = {
            "given_names": f"Prueba {token}{index}",
            "first_surname": f"Banco {token}",
            "sex": "F" if index % 2 else "M",
            "age": str(40 - index * 9),
            "nationality": "VE",
            "population_group": "asylum_seeker",
            "relationship": "head" if index == 0 else "child",
        }
        return {f"form-{index}-{k}": v for k, v in data.items()}

    def management(total: int) -> dict:
        return {
            "form-TOTAL_FORMS": str(total),
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "20",
        }

    print(f"\nregistration of a family of {members}, to the saved household's page")
    print(f"{'path':<40}{'requests':>9}{'raw B':>10}{'received B':>12}{'last form B':>12}")
    officer = User.objects.get(username="registro.tulcan")
    for scripted in (False, True):
        for encoding in ("", "gzip"):
            client = Client(HTTP_ACCEPT_ENCODING=encoding) if encoding else Client()
            client.force_login(officer)
            token = secrets.token_hex(3)
            responses = [client.get("/registry/register/")]
            data = management(1) | member(0, token)
            if not scripted:
                for total in range(1, members):
                    data |= {"add_member": "1"}
                    responses.append(client.post("/registry/register/", data))
                    data = management(total + 1) | data | member(total, token)
                    data.pop("add_member")
            data = management(members) | data
            for index in range(members):
                data |= member(index, token)
            saved = client.post("/registry/register/", data | {"save": "1"})
            assert saved.status_code == 302, saved.status_code
            responses += [saved, client.get(saved["Location"])]
            received = sum(len(r.content) for r in responses)
            raw = sum(len(_plain(r)) for r in responses)
            last_form = len(responses[-3].content)
            label = ("with the script" if scripted else "without script (reloads)") + (
                ", gzip" if encoding else ""
            )
            print(f"{label:<40}{len(responses):>9}{raw:>10}{received:>12}{last_form:>12}")


def _plain(response) -> bytes:
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    return response.content


if __name__ == "__main__":
    main()
