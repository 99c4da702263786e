"""`bench/cases.py` runs end to end at a tiny size, so it cannot rot unnoticed (it did: the
incidents it wrote lacked the country the IRF fields made required, and nothing ran it)."""

import re
import subprocess
import sys

from tests.bench.test_registry_http import ROOT, bench_env

PAGES = ("/cases/", "/cases/?scope=office", "/cases/<uuid>/", "/referrals/", "/api/v1/cases/")


def test_cases_bench_loads_its_caseload_and_prints_every_page(tmp_path):
    command = [sys.executable, "bench/cases.py", "--cases", "120", "--requests", "2"]
    command += ["--households", "300", "--caseworkers", "3"]

    result = subprocess.run(
        command,
        cwd=ROOT,
        env=bench_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert re.search(r"added: 120 cases, .* \d+ incidents, \d+ referrals", out), out[-2000:]
    for page in PAGES:
        line = re.search(rf"^{re.escape(page)}\s+\S+\s+([\d.]+)\s+([\d.]+)\s+(\d+)", out, re.M)
        assert line, f"no figures for {page}:\n{out[-3000:]}"
        assert 0 < float(line[1]) <= float(line[2]) and int(line[3]) > 0
