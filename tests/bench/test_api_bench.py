"""python -m bench.api, small (300 tickets, two timed runs, one second of mixed reads from each load generator):
it keeps working and prints its table. The timings are never asserted (docs/benchmarks.md holds them)."""

import json
import re
import shutil

import pytest

from bench import api as bench_api
from core import config

pytestmark = pytest.mark.slow  # seeds a database, starts a real uvicorn


def test_the_api_bench_runs_and_prints_every_row(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MESA_SECRET_KEY", "b" * 40)
    config.get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    try:
        assert bench_api.main(["--tickets", "300", "--repeat", "2", "--database", url, "--seconds", "1",
                               "--client", "python", "--json", str(tmp_path / "api.json")]) == 0
        report = json.loads((tmp_path / "api.json").read_text())
        assert report["load"]["client"] == "python" and report["load"]["failures"] == 0
        assert report["load"]["requests"] > 0 and report["load"]["server_cpu_ms"] > 0
        if shutil.which("wrk"):  # Debian's wrk, when installed (apt-get install wrk)
            assert bench_api.main(["--tickets", "300", "--repeat", "2", "--database", url, "--seconds", "1",
                                   "--client", "wrk"]) == 0
    finally:
        config.get_settings.cache_clear()
    out = capsys.readouterr().out
    for name in bench_api.TARGETS:
        assert re.search(rf"\| {name} \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", out), out
    assert re.search(r"Mixed reads.*python.*: \d+ requests/s", out), out
    if shutil.which("wrk"):
        assert re.search(r"Mixed reads.*wrk.*: \d+ requests/s.*, 0 failed", out), out


def test_the_mix_reads_each_kind_in_equal_shares():
    import random

    paths = bench_api.mix(1000, random.Random(1), size=60)
    kinds = [p.split("?")[0].rstrip("0123456789/").split("/")[-1] + ("?" + p.split("?")[1][:9] if "?" in p else "")
             for p in paths]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "tickets": 10, "messages": 10, "tickets?view=open": 10, "tickets?view=unas": 10, "tags": 10,
        **{f"search?q={word}"[:16]: 10 // len(bench_api.WORDS) + (i < 10 % len(bench_api.WORDS))
           for i, word in enumerate(bench_api.WORDS)}}


def test_wrk_percentiles_come_from_the_latency_distribution():
    # wrk's report, written here in its layout; the thread stats end in "89.50%" and "99.00%", which an unanchored
    # "50%" or "99%" search took for the percentile lines
    out = ("Running 1s test @ http://127.0.0.1:1/api/v1\n  1 threads and 8 connections\n"
           "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
           "    Latency     2.14ms    1.05ms  14.63ms   89.50%\n"
           "    Req/Sec     3.70k   210.00     3.90k    99.00%\n"
           "  Latency Distribution\n     50%    1.98ms\n     75%    2.40ms\n     90%    3.10ms\n"
           "     99%  750.00us\n  3700 requests in 1.00s, 2.10MB read\n  Non-2xx or 3xx responses: 2\n"
           "Requests/sec:   3700.00\nTransfer/sec:      2.10MB\n")
    assert bench_api.parse_wrk(out) == {"requests": 3700, "seconds": 1.0, "failures": 2, "p50": 1.98, "p99": 0.75}
