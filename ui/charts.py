"""The dashboards' charts: colours a colour-blind reader tells apart, values on the marks, counts beside rates,
no dead space, and the numbers behind each chart one toggle away ("as a table"). Plotly's own English (its
toolbar's tooltips, its notices) and its number and month formats come in the reader's language (`plotly_config`:
plotly.js takes a locale's dictionary and format in the chart's config, Streamlit bundles only English).

Colours are the Okabe-Ito palette (distinct under the common colour-vision deficiencies); ordered buckets get
an ordered single-hue scale, the oldest the darkest. Texts on the marks come formatted from the caller
(ui.dashboard's formats), so numbers are written in one place. Figures are built once per data and shared
(plotly takes 50–150 ms to build one, the most of a cached rerun): st.plotly_chart reads a figure, never
changes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core import formats, i18n
from ui import dashboard
from ui.app import locale, t
from ui.dashboard import hover, percent

ORANGE, SKY_BLUE, GREEN, YELLOW, BLUE, VERMILLION, PURPLE, GREY = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
OKABE_ITO = (BLUE, ORANGE, GREEN, VERMILLION, SKY_BLUE, PURPLE, YELLOW, GREY)
SCORES = {1: VERMILLION, 2: ORANGE, 3: GREY, 4: SKY_BLUE, 5: BLUE}  # bad to good, diverging
AGES = ("#C6DBEF", "#6BAED6", "#2171B5", "#08306B")  # ColorBrewer Blues: the youngest pale, the oldest dark
HEAT = "Blues"
HEIGHT = 320
MARGIN = {"t": 8, "r": 8, "b": 8, "l": 8}
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title_text": ""}
# days on an axis: plotly's d3 format ("%-d %b"), its months from plotly_config's locale; in hovers, core.formats

LABELLED = 16  # up to this many points or bars carry their value; more would overlap (a year has 53 weeks)

NO_EXTRA = "<extra></extra>"  # no trace name box beside a hover
cached = st.cache_resource(ttl=dashboard.CACHE_SECONDS, max_entries=64, show_spinner=False)


def _tight(figure: go.Figure, *, legend: bool = False, height: int = HEIGHT) -> go.Figure:
    """No title (the page's subheader names the chart) and thin margins; a legend on one line above the plot."""
    figure.update_layout(margin={**MARGIN, "t": 36 if legend else MARGIN["t"]}, height=height, title=None,
                         showlegend=legend, legend=LEGEND, hoverlabel={"namelength": -1})
    return figure


@functools.cache
def plotly_config(code: str) -> dict:
    """st.plotly_chart's config in `code`: plotly.js's English (the [plotly] strings, in en.toml as plotly writes
    them) said in the language, and its numbers and months written as Babel writes them."""
    config: dict = {"displaylogo": False, "locale": code}
    if i18n.normalize(code) == i18n.DEFAULT_LOCALE:
        return config
    english, said = i18n.catalog(i18n.DEFAULT_LOCALE), i18n.catalog(code)
    babel = i18n.babel_locale(code)
    months, days = babel.months["format"], babel.days["format"]
    config["locales"] = {code: {
        "dictionary": {english[key]: said[key] for key in english if key.startswith("plotly.")},
        "format": {"decimal": babel.number_symbols["latn"]["decimal"],
                   "thousands": babel.number_symbols["latn"]["group"],
                   "months": [months["wide"][m] for m in range(1, 13)],
                   "shortMonths": [months["abbreviated"][m] for m in range(1, 13)],
                   "days": [days["wide"][(d + 6) % 7] for d in range(7)],  # Sunday first; Babel's Monday is 0
                   "shortDays": [days["abbreviated"][(d + 6) % 7] for d in range(7)]}}}
    return config


def _said(value: object, code: str) -> object:
    if value is None:
        return formats.MISSING
    if isinstance(value, datetime):
        return formats.datetime(value, code, value.tzinfo)  # in the zone its column names
    if isinstance(value, date):
        return formats.date(value, code)
    return value


def readable(sheet: pd.DataFrame, code: str) -> pd.DataFrame:
    """A sheet (typed cells, for the files) as the reader reads it: decimals and days in `code`'s way ("7,53",
    "9 nov 2026"), whole numbers left as numbers."""
    shown = sheet.copy()
    for name in shown.columns:
        if pd.api.types.is_float_dtype(shown[name]):
            shown[name] = [formats.MISSING if pd.isna(v) else formats.amount(v, code) for v in shown[name]]
        elif shown[name].dtype == object:
            shown[name] = [_said(v, code) for v in shown[name]]
    return shown


def shown(key: str, figure: Callable[[], go.Figure], table: Callable[[], pd.DataFrame]) -> None:
    """The chart, or the numbers behind it (its sheet, ui.downloads) when its "as a table" toggle is on."""
    if st.toggle(t("report.as_table"), key=f"{key}_as_table"):
        st.dataframe(readable(table(), locale()), hide_index=True, width="stretch")
    else:
        st.plotly_chart(figure(), width="stretch", key=key, config=plotly_config(locale()))


@cached
def _csat_trend(data: pd.DataFrame, names: dict) -> go.Figure:
    """The weekly CSAT line over the bars of its responses, so a week of one answer does not pass for twenty.
    `data`: week, csat, responses, text (the CSAT as written), hover."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.06)
    labelled = len(data) <= LABELLED
    figure.add_scatter(x=data["week"], y=data["csat"], mode="lines+markers+text" if labelled else "lines+markers",
                       text=data["text"], textposition="top center", name=names["csat"],
                       line={"color": BLUE, "width": 2}, marker={"size": 8}, hovertext=data["hover"],
                       hoverinfo="text", row=1, col=1)
    figure.add_bar(x=data["week"], y=data["responses"], text=data["responses"] if labelled else None,
                   textposition="outside", name=names["responses"], marker_color=ORANGE, hovertext=data["hover"],
                   hoverinfo="text", cliponaxis=False, row=2, col=1)
    figure.update_yaxes(title_text=names["csat"], range=[0, 112], ticksuffix=" %", row=1, col=1)
    top = max(1, int(data["responses"].max()))
    figure.update_yaxes(title_text=names["responses"], range=[0, top * 1.35], row=2, col=1)
    figure.update_xaxes(title_text=names["week"], tickformat=names["ticks"], row=2, col=1)
    return _tight(figure, height=380)


@cached
def _score_bars(data: pd.DataFrame, names: dict) -> go.Figure:
    """How many gave each score, 1 (vermillion) to 5 (blue), the count and share on each bar.
    `data`: score, responses, text."""
    figure = go.Figure(go.Bar(x=data["score"], y=data["responses"], text=data["text"], textposition="outside",
                              marker_color=[SCORES[int(s)] for s in data["score"]], cliponaxis=False,
                              hovertemplate="%{x}: %{y}<extra></extra>"))
    figure.update_xaxes(title_text=names["score"], dtick=1)
    figure.update_yaxes(title_text=names["responses"], range=[0, max(1, int(data["responses"].max())) * 1.2])
    return _tight(figure)


@cached
def _rate_bars(data: pd.DataFrame, names: dict) -> go.Figure:
    """A rate per row (CSAT by agent, ...), one horizontal bar each in the table's order, the rate and its
    count written on it. `data`: name, rate, text, hover."""
    figure = go.Figure(go.Bar(y=data["name"], x=data["rate"], orientation="h", text=data["text"],
                              textposition="outside", marker_color=BLUE, cliponaxis=False,
                              hovertext=data["hover"], hoverinfo="text"))
    ticks = [0, 25, 50, 75, 100]
    figure.update_xaxes(title_text=names["rate"], range=[0, 125], tickvals=ticks,
                        ticktext=[percent(v, 0) for v in ticks])
    figure.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return _tight(figure, height=max(160, 60 + 34 * len(data)))


@cached
def _lines(data: pd.DataFrame, names: dict) -> go.Figure:
    """Two or more series over time, each its own Okabe-Ito colour, dash and marker (told apart without
    colour too). `data`: x, series (the legend's name), y, hover."""
    figure = go.Figure()
    dashes, symbols = ("solid", "dash", "dot"), ("circle", "diamond", "square")
    for i, (series, rows) in enumerate(data.groupby("series", sort=False)):
        figure.add_scatter(x=rows["x"], y=rows["y"], name=series, mode="lines+markers",
                           line={"color": OKABE_ITO[i % len(OKABE_ITO)], "dash": dashes[i % 3], "width": 2},
                           marker={"symbol": symbols[i % 3], "size": 7}, hovertext=rows["hover"], hoverinfo="text")
    figure.update_xaxes(title_text=names["x"], tickformat=names["ticks"])
    figure.update_yaxes(title_text=names["y"], rangemode="tozero")
    return _tight(figure, legend=True)


@cached
def _backlog_bars(data: pd.DataFrame, names: dict, ages: tuple) -> go.Figure:
    """Live tickets by status (one horizontal bar each: long status names stay readable), stacked by age in
    order, the oldest darkest; counts on the segments. `data`: status, age, tickets (translated)."""
    figure = go.Figure()  # graph_objects, not plotly.express: the same bars in a fraction of the time
    for age, color in zip(ages, AGES, strict=False):
        rows = data[data["age"] == age]
        figure.add_bar(y=rows["status"], x=rows["tickets"], name=age, orientation="h", marker_color=color,
                       text=rows["tickets"].where(rows["tickets"] > 0), textposition="inside",
                       insidetextanchor="middle", hovertemplate=hover(
                           (names["status"], "%{y}"), (names["tickets"], "%{x}"), (names["age"], age)) + NO_EXTRA)
    figure.update_layout(barmode="stack", legend_title_text=names["age"])
    figure.update_xaxes(title_text=names["tickets"])
    figure.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    if data.groupby("status")["tickets"].sum().max() <= 10:
        figure.update_xaxes(dtick=1)  # whole tickets, not 0.5
    return _tight(figure, legend=True, height=max(200, 90 + 40 * data["status"].nunique()))


@cached
def _heatmap(cells: pd.DataFrame, names: dict) -> go.Figure:
    """New tickets per weekday (rows) and hour (columns), darker for more."""
    figure = go.Figure(go.Heatmap(  # graph_objects, not plotly.express: the same map in a fraction of the time
        z=cells.to_numpy(), x=list(cells.columns), y=list(cells.index), colorscale=HEAT,
        colorbar={"title": {"text": names["tickets"]}},
        hovertemplate="%{y}<br>" + hover((names["hour"], "%{x}"), (names["tickets"], "%{z}")) + NO_EXTRA))
    figure.update_xaxes(title_text=names["hour"], dtick=2)
    figure.update_yaxes(autorange="reversed")
    return _tight(figure, height=280)


# ---------------------------------------------------------------- the dashboards' charts, from their queries' tables

def _day(value: object) -> str:
    """A day of a chart's data ("2026-11-09", a date or a timestamp) as the reader writes it: "9 nov 2026"."""
    return formats.date(date.fromisoformat(str(value)[:10]), locale())


def satisfaction_trend(trend: pd.DataFrame) -> go.Figure:
    """core.reports.satisfaction.trend: the CSAT line and the responses under it."""
    names = {k: t(f"dash.{k}") for k in ("csat", "responses", "week", "average", "ticks")}
    drawn = trend.assign(text=trend["csat"].map(percent), hover=[hover(
        (names["week"], _day(w)), (names["csat"], percent(p)), (names["responses"], n),
        (names["average"], dashboard.average(m)))
        for w, p, n, m in zip(trend["week"], trend["csat"], trend["responses"], trend["average"], strict=True)])
    return _csat_trend(drawn, names)


def scores(distribution: pd.DataFrame) -> go.Figure:
    """core.reports.satisfaction.distribution: responses per score, with their share."""
    total = max(1, int(distribution["responses"].sum()))
    drawn = distribution.assign(text=[t("report.share", n=n, share=percent(100 * n / total))
                                      for n in distribution["responses"]])
    return _score_bars(drawn, {"score": t("dash.score"), "responses": t("dash.responses")})


def satisfaction_breakdown(found: pd.DataFrame, by: str) -> go.Figure:
    """core.reports.satisfaction.breakdown with its `name` column: CSAT per row, with its responses."""
    csat, responses, average = t("dash.csat"), t("dash.responses"), t("dash.average")
    drawn = found.assign(rate=found["csat"], text=[t("report.sample", value=percent(p), n=n) for p, n in zip(
        found["csat"], found["responses"], strict=True)], hover=[hover(
            (t(f"dash.{by}"), name), (csat, percent(p)), (responses, n), (average, dashboard.average(m)))
            for name, p, n, m in zip(found["name"], found["csat"], found["responses"], found["average"], strict=True)])
    return _rate_bars(drawn, {"rate": csat})


def times_trend(trend: pd.DataFrame) -> go.Figure:
    """core.reports.times.trend: the weekly medians of first reply and full resolution, in hours."""
    series = []
    week = t("dash.week")  # each label translated once, not once a point
    for name, count in (("first_reply", "first_reply_count"), ("resolution", "resolution_count")):
        label, counted = t(f"report.{name}_hours"), t(f"dash.{count}")
        series.append(pd.DataFrame({"x": trend["week"], "series": label, "y": trend[f"{name}_median"] / 60,
                                    "hover": [hover((week, _day(w)), (label, dashboard.duration(m)), (counted, n))
                                              for w, m, n in zip(trend["week"], trend[f"{name}_median"],
                                                                 trend[count], strict=True)]}))
    return _lines(pd.concat(series, ignore_index=True), {"x": week, "y": t("report.hours_axis"),
                                                         "ticks": t("dash.ticks")})


def created_vs_solved(days: pd.DataFrame) -> go.Figure:
    """core.reports.times.created_vs_solved: tickets created and solved per day."""
    day, names = t("dash.day"), {name: t(f"dash.{name}") for name in ("created", "solved")}  # once, not a point
    series = [pd.DataFrame({"x": days["day"], "series": names[name], "y": days[name],
                            "hover": [hover((day, _day(d)), (names[name], n)) for d, n in zip(days["day"], days[name],
                                                                                             strict=True)]})
              for name in ("created", "solved")]
    return _lines(pd.concat(series, ignore_index=True), {"x": day, "y": t("dash.tickets"), "ticks": t("dash.ticks")})


def backlog(found: pd.DataFrame, ages: tuple[str, ...]) -> go.Figure:
    """core.reports.times.backlog: statuses and age buckets translated, the buckets in `ages` order."""
    drawn = found.assign(status=dashboard.translated(found["status"], "status.agent."),
                         age=dashboard.translated(found["age"], "dash.age_"))
    names = {k: t(f"dash.{k}") for k in ("status", "tickets", "age")}
    return _backlog_bars(drawn, names, tuple(t(f"dash.age_{a}") for a in ages))


def hours_heatmap(cells: pd.DataFrame) -> go.Figure:
    """core.reports.times.heatmap pivoted (weekday rows named, hour columns)."""
    return _heatmap(cells, {"hour": t("dash.hour"), "tickets": t("dash.tickets")})
