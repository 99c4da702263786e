"""One 5W (November 2026, as `bench/reports.py`'s M&E officer), with the code of the directory
it is run from: for timing two versions as whole processes with farm-bench.

    cd /work/main && DATABASE_URL=…/amparo_reports_bench farm-bench -n 3 --timeout 400 \\
        --vs "sh -c 'cd /work/wt-old && exec .venv/bin/python /work/main/bench/reports_5w.py'" \\
        -- .venv/bin/python bench/reports_5w.py

Needs the data of `bench/reports.py` (run it first). Prints the seconds and the rows.
"""

import os
import sys
import time

sys.path.insert(0, os.getcwd())  # the version to time: the one of the working directory
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
os.environ.setdefault("AMPARO_HOME", "/tmp/amparo-bench-home")

import django  # noqa: E402 - after the path

django.setup()

from amparo.core.models import User  # noqa: E402
from amparo.reports import queries_5w  # noqa: E402

user = User.objects.get(username="bench.reports")
start = time.perf_counter()
result = queries_5w.five_w(user, user.organization, "2026-11", smallest=5)
print(f"{time.perf_counter() - start:.2f} s, {len(result.rows)} rows")
