"""python -m bench, small (2,000 tickets, one timed run each): it keeps working, every page of the app is
rendered and checked through AppTest, a page that does not render fails the run, and the chart is drawn.
The timings are never asserted: the numbers come from running the harness (docs/benchmarks.md)."""

from __future__ import annotations

import json
import math
import re

import pytest
from sqlalchemy import select

from bench import chart, harness
from bench import pages as bench_pages
from core import config
from core.db import make_engine, migrate, read_factory, session_factory
from core.models import Ticket
from demo import seed as demo
from tests.pages.conftest import ROOT

pytestmark = pytest.mark.slow  # one harness run on 2,000 tickets, shared by the module

TICKETS = 2_000


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{folder / 'bench.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MESA_DATA_DIR", str(folder))
        patch.setenv("MESA_SECRET_KEY", "b" * 40)
        patch.setattr(harness, "EMAILS_PER_ROUND", 20)
        patch.setattr(harness, "DISPATCH_ROUNDS", 1)
        calls = []  # the order of the memory readings and the baseline, for the memory test
        read_rss, run_baseline = harness._maxrss_mb, harness.baseline
        patch.setattr(harness, "_maxrss_mb", lambda: calls.append(("rss", read_rss())) or calls[-1][1])
        patch.setattr(harness, "baseline", lambda *a, **k: calls.append(("baseline", None)) or run_baseline(*a, **k))
        config.get_settings.cache_clear()
        migrate(url)
        engine = make_engine(url)
        demo.seed(session_factory(engine), tickets=TICKETS, days=730, bulk=True)  # the harness reuses it
        engine.dispose()
        result = harness.run(url, tickets=TICKETS, repeat=1, days=730)
        result["calls"] = calls
        yield result, url
        config.get_settings.cache_clear()


def _finite(*values: float) -> bool:
    return all(isinstance(v, float) and math.isfinite(v) and v >= 0 for v in values)


def test_every_operation_is_measured_and_the_baseline_agrees(report):
    result, _url = report
    assert result["tickets"] >= TICKETS and result["seed_seconds"] is None  # reused, not seeded again
    targets = {row["target"] for row in result["rows"]}
    assert targets == set(harness.TARGETS)
    assert all(_finite(row["cold"], row["median"], row["p95"]) for row in result["rows"])
    assert [row["days"] for row in result["baseline"]] == [30, 365]
    assert all(row["agree"] for row in result["baseline"]), result["baseline"]
    assert result["dispatcher"]["per_second"] > 0


def test_every_page_home_registers_is_rendered(report):
    """A page added to Home.py without a bench row fails here."""
    result, _url = report
    registered = set(re.findall(r'st\.Page\("(app_pages/\w+\.py)"', (ROOT / "Home.py").read_text()))
    assert registered and {row["path"] for row in result["pages"]} == registered
    assert all(_finite(row["cold"], row["median"], row["p95"]) for row in result["pages"])
    roles = {row["name"]: row["role"] for row in result["pages"]}
    assert roles["workbench queues"] == "agent" and roles["admin"] == "admin"
    assert roles["response-times dashboard, 365 days"] == "manager"
    assert roles["customer's ticket, 20 messages"] == "ticket link"


def test_the_memory_peak_is_taken_before_the_pandas_baseline(report):
    result, _url = report
    calls = result["calls"]
    before = calls[:[name for name, _ in calls].index("baseline")]
    assert before and before[-1] == ("rss", result["peak_mb"]) and result["peak_mb"] > 0
    assert calls[-1] == ("rss", result["peak_with_baseline_mb"])


def test_the_table_has_the_page_rows_and_both_peaks(report):
    table = harness.markdown(report[0])
    assert "| page: workbench queues (agent) |" in table
    assert "≤ 1,500.0 ms cold, ≤ 300.0 ms median" in table
    assert "before the pandas baseline" in table and "after the pandas baseline too" in table


def test_a_page_that_does_not_render_fails_instead_of_being_timed(report):
    """The admin page opened as an agent is refused: that is no render, and the run says so."""
    _result, url = report
    engine = make_engine(url)
    with read_factory(engine)() as session:
        ticket = session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1))
    with bench_pages.app_environment(url):
        admin = next(case for case in bench_pages.cases(engine, ticket) if case.path == "app_pages/admin.py")
        admin.email = bench_pages._staff("agent")
        with pytest.raises(bench_pages.RenderFailed, match="admin"):
            bench_pages.render(admin, 0)
    engine.dispose()


def test_the_growth_chart_is_drawn_from_the_json(report, tmp_path):
    result, _url = report
    files = []
    for tickets in (10_000, 100_000):  # the same run posing as two sizes: the chart only reads the files
        path = tmp_path / f"results-{tickets}.json"
        path.write_text(json.dumps({**result, "tickets": tickets}, default=str))
        files.append(str(path))
    out = tmp_path / "growth.html"
    assert chart.main([*files, "--out", str(out)]) == 0
    html = out.read_text()
    assert "workbench queues" in html and "1.5 s cold" in html and '"type":"log"' in html
