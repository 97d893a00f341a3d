"""python -m bench.imports, small: it keeps working, and its second import adds nothing. The timings are never
asserted: the numbers come from running it (docs/benchmarks.md)."""

from __future__ import annotations

from bench import imports


def test_the_import_bench_imports_then_adds_nothing(capsys):
    assert imports.main(["--tickets", "40"]) == 0
    out = capsys.readouterr().out
    assert "| rows | tickets 40, messages " in out
    assert "Added: 40 tickets" in out and "Added: nothing." in out and "Skipped 40: ticket already imported" in out
