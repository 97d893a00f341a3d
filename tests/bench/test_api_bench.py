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
