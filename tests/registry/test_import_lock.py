"""On SQLite an import must not lock other users out while it writes (import_lock_driver.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).with_name("import_lock_driver.py")


def test_other_users_sign_in_and_open_pages_between_the_batches_of_an_import(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "AMPARO_DEBUG"}}
    env["AMPARO_HOME"] = str(tmp_path)  # a fresh SQLite file, WAL, as `amparo serve` runs it

    done = subprocess.run(
        [sys.executable, str(DRIVER)], env=env, capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    # 20 households in batches of 5: another user comes in before batches 2, 3 and 4.
    assert outcome["batched"] == {"pages": ["200", "200", "200"], "imported": 20}
    # What the single transaction did on SQLite (and still does on PostgreSQL, where it
    # blocks nobody): the other user's sign-in could not write its session.
    assert outcome["one_transaction"] == {
        "pages": ["OperationalError: database is locked"] * 3,
        "imported": 20,
    }
    assert outcome["saved"] == 40
