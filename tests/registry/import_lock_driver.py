"""Run by test_import_lock.py in its own process, on a fresh SQLite file (AMPARO_HOME).

Imports a file in batches of 5 households and, before every batch after the first, has
another user sign in and open their home page from another thread (its own database
connection), as a browser would while the import is writing. Prints what that user got.
Then the same with the single transaction PostgreSQL uses forced, to show the difference.
"""

import json
import os
import threading
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
# Another writer waits for the lock no more: a blocked page shows at once, not after 5 s.
settings.DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
settings.STORAGES["staticfiles"] = {  # no collectstatic here
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from amparo.core.models import User  # noqa: E402
from amparo.demo import organizations, people  # noqa: E402
from amparo.registry import actions, imports  # noqa: E402
from amparo.registry.models import Household  # noqa: E402


def other_user_page() -> str:
    """Sign in (a session written) and open the home page; the status, or the error."""
    answer: list[str] = []

    def visit() -> None:
        try:
            browser = Client(SERVER_NAME="localhost")
            browser.force_login(User.objects.get(username="caso.quito"))
            answer.append(str(browser.get(reverse("home")).status_code))
        except Exception as exc:  # noqa: BLE001 - what the user would have got instead
            answer.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    thread = threading.Thread(target=visit)
    thread.start()
    thread.join()
    return answer[0]


def run_import(office: str, one_transaction: bool) -> dict:
    """Import 20 households of `office` in batches of 5; what the other user got meanwhile."""
    imports.batches_commit_separately = (lambda: False) if one_transaction else separately
    path = Path(os.environ["AMPARO_HOME"]) / "registro.csv"
    people.write_csv(people.generate_households(20, seed=3, offices=(office,)), path)
    pages: list[str] = []

    def load_and_let_others_in(**kwargs):
        if kwargs["created"]:  # an earlier batch was written
            pages.append(other_user_page())
        return load(**kwargs)

    actions.load_households = load_and_let_others_in
    try:
        report = imports.import_registry(actor=None, data=path.read_bytes(), filename=path.name)
        imported = report.imported_households
    except Exception as exc:  # noqa: BLE001 - reported to the test
        imported = f"{type(exc).__name__}: {exc}"
    finally:
        actions.load_households = load
    return {"pages": pages, "imported": imported}


load = actions.load_households
separately = imports.batches_commit_separately


def main() -> None:
    call_command("migrate", verbosity=0)
    organizations.load()
    imports.BATCH_HOUSEHOLDS = imports.SEPARATE_BATCH_HOUSEHOLDS = 5
    batched = run_import("hias-ec/quito", one_transaction=False)
    one_transaction = run_import("hias-ec/lago-agrio", one_transaction=True)
    saved = Household.objects.count()
    print(json.dumps({"batched": batched, "one_transaction": one_transaction, "saved": saved}))


if __name__ == "__main__":
    main()
