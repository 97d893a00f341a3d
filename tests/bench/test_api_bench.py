"""python -m bench.api, small (300 tickets, two timed runs, one second of mixed reads): it keeps working and
prints its table. The timings are never asserted (docs/benchmarks.md holds them)."""

import re

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
        assert bench_api.main(["--tickets", "300", "--repeat", "2", "--database", url, "--seconds", "1"]) == 0
    finally:
        config.get_settings.cache_clear()
    out = capsys.readouterr().out
    for name in bench_api.TARGETS:
        assert re.search(rf"\| {name} \| [\d.]+ \| [\d.]+ \| [\d.]+ \|", out), out
    assert re.search(r"Mixed reads.*: \d+ requests/s", out), out
