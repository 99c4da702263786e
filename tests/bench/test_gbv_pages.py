"""`bench/gbv_pages.py` runs end to end at a tiny size, so it cannot rot unnoticed: it signs
the GBV team in through the served app, times every GBV screen and stops the server."""

import re
import subprocess
import sys

from tests.bench.test_registry_http import ROOT, SERVED, assert_server_gone, bench_env

TINY = ["--cases", "30", "--incidents", "70", "--households", "400", "--requests", "2"]
SCREENS = [
    ("case page (GBV, full)", "vbg.lagoagrio"),
    ("incident form, new", "vbg.lagoagrio"),
    ("incident form, recorded", "vbg.lagoagrio"),
    ("GBV statistics, year", "coord.vbg.lagoagrio"),
    ("GBV statistics (M&E, org)", "mye.hias"),
    ("monthly releases, list", "coord.vbg.lagoagrio"),
    ("monthly release page", "coord.vbg.lagoagrio"),
    ("monthly release XLSX", "coord.vbg.lagoagrio"),
    ("prepare monthly tables", "vbg.lagoagrio"),
    ("Incident Recorder XLSX", "coord.vbg.lagoagrio"),
    ("network directory", "admin.divina"),
    ("directory (member org)", "vbg.lagoagrio"),
    ("referral + onward chain", "vbg.lagoagrio"),
]
FIGURES = (
    r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d,]+)\s+([\d,]+)\s+(\d+)\s+(\d+)\s+([\d.]+)"
    r"\s+([\d.]+)$"
)


def test_gbv_pages_bench_times_every_gbv_screen_over_http_and_stops_the_server(tmp_path):
    command = [sys.executable, "bench/gbv_pages.py", *TINY, "--workers", "1"]

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
    assert "30 bench cases" in out and "70 incidents over 24 months" in out
    assert "1 sync workers" in out
    for screen, user in SCREENS:
        line = re.search(rf"^{re.escape(screen)}\s+{re.escape(user)}{FIGURES}", out, re.M)
        assert line, f"no figures for {screen}:\n{out[-3000:]}"
        p50, p95, _max, wire, _size, statements, _same, _sql_ms, cpu_ms = line.groups()
        assert 0 < float(p50) <= float(p95)
        assert int(statements) > 0 and float(cpu_ms) > 0
        if screen != "prepare monthly tables":  # a redirect: no body
            assert int(wire.replace(",", "")) > 0
    assert "server stopped (exit 0)" in out
    reproduce = (
        f"reproduce: AMPARO_HOME={tmp_path} .venv/bin/python bench/gbv_pages.py --cases 30 "
        "--incidents 70 --months 24 --households 400 --requests 2 --seed 2026 --workers 1"
    )
    assert out.rstrip().splitlines()[-1] == reproduce
    port, group = map(int, SERVED.search(out).groups())
    assert_server_gone(port, group)
