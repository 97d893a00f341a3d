"""python -m bench.chart results-10000.json results-100000.json ... --out docs/benchmarks-growth.html [--png]

How each figure of `python -m bench --json` grows with the number of tickets: one panel per group
of operations, log-log, one line per operation (the figure its target is about: the median, or
the cold run for the 365-day dashboards and the pages' first render), the issue's target as a
dashed line. Runs on another database (PostgreSQL) are drawn dotted, as their own lines.

--png also saves a PNG next to the HTML: with kaleido when it is installed, else by a screenshot
of the HTML in headless Chromium (/usr/bin/chromium, or $CHROMIUM).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bench import harness

WIDTH, PANEL_HEIGHT = 1300, 360
COLORS = px.colors.qualitative.Dark24  # up to 24 lines in a panel without repeating a colour
# (title, y axis, log y, [(target value, label)])
PANELS = {
    "writes": ("Create a ticket (1 MB attachment), agent reply, open a ticket: median", "ms", True,
               [(30, "create, reply ≤ 30 ms"), (100, "open ≤ 100 ms")]),
    "views": ("Queue counts, first page of each view, filtered view, search: median", "ms", True,
              [(150, "views ≤ 150 ms"), (300, "search ≤ 300 ms")]),
    "dashboards": ("Dashboard aggregates: 365 days cold, 30 days and overview median", "ms", True,
                   [(1000, "365 days ≤ 1 s cold"), (300, "30 days ≤ 300 ms")]),
    "api": ("REST API (issue 21): create, get, a page of a view, server time: median", "ms", True,
            [(40, "create ≤ 40 ms"), (15, "get ≤ 15 ms")]),
    "page cold": ("Pages through AppTest: first render (cold)", "ms", True, [(1500, "≤ 1.5 s cold")]),
    "page rerun": ("Pages through AppTest: cached rerun, median", "ms", True, [(300, "≤ 300 ms")]),
    "baseline": ("Headline numbers: how many times faster than the pandas baseline (medians)", "× faster", True,
                 [(harness.BASELINE_RATIO, f"≥ {harness.BASELINE_RATIO}×")]),
    "dispatcher": ("Outbox dispatcher to a local SMTP server", "emails/s", False,
                   [(harness.EMAILS_PER_SECOND, f"≥ {harness.EMAILS_PER_SECOND}/s")]),
    "memory": ("Peak memory of the process (before the pandas baseline)", "MB", False,
               [(harness.PEAK_MB, f"< {harness.PEAK_MB} MB")]),
}
PANEL_OF_TARGET = {"create": "writes", "reply": "writes", "open": "writes", "view": "views", "search": "views",
                   "dashboard 365": "dashboards", "dashboard 30": "dashboards", "api create": "api", "api get": "api",
                   "api list": "api"}


def series(reports: list[dict]) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """panel -> line name -> [(tickets, value)], sorted by tickets."""
    lines: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    dialects = {report["dialect"] for report in reports}
    for report in reports:
        suffix = f" ({report['dialect']})" if len(dialects) > 1 else ""
        n = report["tickets"]
        for row in report["rows"]:
            _limit, figure = harness.TARGETS[row["target"]]
            label = row["name"] + (" (cold)" if figure == "cold" else "")
            lines[PANEL_OF_TARGET[row["target"]]][label + suffix].append((n, row[figure] * 1000))
        for row in report.get("pages", []):
            lines["page cold"][row["name"] + suffix].append((n, row["cold"] * 1000))
            lines["page rerun"][row["name"] + suffix].append((n, row["median"] * 1000))
        for row in report["baseline"]:
            lines["baseline"][f"{row['days']} days{suffix}"].append((n, row["ratio"]))
        lines["dispatcher"]["emails per second" + suffix].append((n, report["dispatcher"]["per_second"]))
        lines["memory"]["peak RSS" + suffix].append((n, report["peak_mb"]))
    return {panel: {name: sorted(points) for name, points in named.items()} for panel, named in lines.items()}


def figure(reports: list[dict]) -> go.Figure:
    drawn = series(reports)
    panels = [key for key in PANELS if key in drawn]
    fig = make_subplots(rows=len(panels), cols=1, subplot_titles=[PANELS[key][0] for key in panels],
                        vertical_spacing=0.3 / len(panels))
    ticks = sorted({report["tickets"] for report in reports})
    for number, key in enumerate(panels, start=1):
        _title, unit, log_y, targets = PANELS[key]
        legend = "legend" if number == 1 else f"legend{number}"
        for index, (name, points) in enumerate(drawn[key].items()):
            fig.add_trace(go.Scatter(
                x=[n for n, _ in points], y=[v for _, v in points], name=name, mode="lines+markers",
                line={"dash": "dot" if "(postgresql)" in name else "solid", "color": COLORS[index % len(COLORS)]},
                legend=legend,
                hovertemplate=f"{name}<br>%{{x:,}} tickets: %{{y:,.1f}} {unit}<extra></extra>"), row=number, col=1)
        for (value, label), dash in zip(targets, ("dash", "dashdot"), strict=False):
            # a trace, not add_hline: add_hline's annotation lands far off on a log axis
            fig.add_trace(go.Scatter(
                x=[ticks[0] / 1.25, ticks[-1] * 1.25], y=[value, value], name=f"target {label}", mode="lines",
                line={"dash": dash, "color": "firebrick", "width": 1.5}, legend=legend, hoverinfo="name"),
                row=number, col=1)
        fig.update_xaxes(type="log", tickvals=ticks, ticktext=[f"{n:,}" for n in ticks], title_text="tickets",
                         row=number, col=1)
        fig.update_yaxes(type="log" if log_y else "linear", title_text=unit, row=number, col=1,
                         rangemode="tozero" if not log_y else None)
    layout: dict[str, object] = {}
    for number, _key in enumerate(panels, start=1):
        domain = fig.get_subplot(number, 1).yaxis.domain
        layout["legend" if number == 1 else f"legend{number}"] = {
            "x": 1.01, "y": domain[1], "yanchor": "top", "xanchor": "left", "font": {"size": 10},
            "tracegroupgap": 0}
    dialects = ", ".join(sorted({report["dialect"] for report in reports}))
    entries = max(len(drawn[key]) + len(PANELS[key][3]) for key in panels)  # the longest legend fits its panel
    fig.update_layout(
        **layout, width=WIDTH, height=max(PANEL_HEIGHT, 19 * entries + 90) * len(panels), template="plotly_white",
        margin={"l": 70, "r": 420, "t": 110, "b": 40},
        title={"text": f"Mesa: how each figure grows with the number of tickets ({dialects}; "
                       "python -m bench; targets are issue 7's, set at 1M tickets)<br><sup>" + _sources(reports)
                       + "</sup>", "font": {"size": 16}})
    return fig


def _sources(reports: list[dict]) -> str:
    """Which runs the chart shows: tickets, database, runs per operation, load average before and after."""
    return "; ".join(
        f"{report['tickets']:,} {report['dialect']}, {report['repeat']} runs, load "
        f"{report['machine']['load_before'][0]:.1f}→{report['load_after'][0]:.1f}"
        for report in sorted(reports, key=lambda report: (report["dialect"], report["tickets"])))


def screenshot(html: Path, png: Path, width: int, height: int) -> None:
    """A PNG of `html` by headless Chromium."""
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--screenshot={png.resolve()}",
                        f"--window-size={width},{height}", "--virtual-time-budget=10000",
                        html.resolve().as_uri()], check=True, capture_output=True, timeout=120)


def save_png(fig: go.Figure, png: Path) -> str:
    """Write `png`; returns how (kaleido or chromium)."""
    try:
        import kaleido  # noqa: F401

        fig.write_image(png)
        return "kaleido"
    except Exception:  # not installed, or no browser it can use: fall back to Chromium
        with tempfile.TemporaryDirectory() as folder:
            html = Path(folder) / "chart.html"
            fig.write_html(html, include_plotlyjs=True, full_html=True)  # inline: no network needed
            screenshot(html, png, int(fig.layout.width) + 20, int(fig.layout.height) + 20)
        return "chromium"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chart", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="JSON files written by python -m bench --json")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks-growth.html"), help="the HTML to write")
    parser.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
    args = parser.parse_args(argv)
    reports = [json.loads(path.read_text()) for path in args.results]
    fig = figure(reports)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(args.out, include_plotlyjs="cdn", full_html=True)  # small enough to keep in docs/
    print(f"wrote {args.out}")
    if args.png:
        png = args.out.with_suffix(".png")
        how = save_png(fig, png)
        print(f"wrote {png} ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
