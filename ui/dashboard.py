"""What the dashboards share: the period and filter pickers, cached queries, number formats, ticket links."""

from __future__ import annotations

import html
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from core import formats
from core.reports.common import Filters, Period, data_version
from core.tickets import workbench, workflow
from ui import app, timeline
from ui.app import t

PRESETS = ("7", "30", "90", "365", "quarter", "custom")
# Entries are keyed by the data version, so a change shows at once; the lifetime only bounds what is kept
# and how stale the "now"-relative numbers (backlog ages, breaches) get on a desk where nothing changes.
# It must outlast a slow cold render, or the render's first entries expire before it ends (1M tickets).
CACHE_SECONDS = 300
RECENT_SECONDS = 30  # the overview strip: as fresh as the queue's counts, which redraw every 30 seconds


def period_picker() -> Period:
    """Last 7/30/90/365 days (today included), this quarter, or a custom range of local days."""
    tz = ZoneInfo(app.settings().timezone)
    today = datetime.now(tz).date()
    names = {p: t(f"dash.preset_{p}") for p in PRESETS}
    choice = st.segmented_control(t("dash.period"), PRESETS, default="30", format_func=names.__getitem__,
                                  key="dash_period") or "30"
    first, last = today - timedelta(days=29), today
    if choice == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    elif choice == "custom":
        picked = st.date_input(t("dash.range"), value=(first, last), max_value=today, key="dash_range")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            first, last = picked
        elif isinstance(picked, tuple | list) and picked:
            first = last = picked[0]
    else:
        first = today - timedelta(days=int(choice) - 1)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    return Period(start, datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC))


def breakdown_picker(dimensions: tuple[str, ...], key: str) -> str:
    """The one breakdown shown: each is a pass over the period's tickets, and tabs would compute them all."""
    names = {by: t(f"dash.by_{by}") for by in dimensions}
    return st.segmented_control(t("dash.breakdown"), dimensions, default=dimensions[0], key=key,
                                format_func=names.__getitem__, label_visibility="collapsed") or dimensions[0]


def filters_picker(*, hours: bool = False) -> tuple[Filters, bool]:
    """The filters of every dashboard; with `hours`, the calendar / business hours switch too."""
    with app.read() as session:
        people = {u.id: u.name for u in workbench.staff(session)}
        products = {p.id: p.name for p in workbench.products(session)}
    with st.expander(t("dash.filters")):
        a, b, c = st.columns(3)
        agents = a.multiselect(t("dash.agent"), list(people), format_func=people.__getitem__, key="dash_f_agent")
        product_ids = b.multiselect(t("dash.product"), list(products), format_func=products.__getitem__,
                                    key="dash_f_product")
        kinds = c.multiselect(t("dash.kind"), workflow.KINDS, format_func=app.labels("kind.", workflow.KINDS),
                              key="dash_f_kind")
        channels = a.multiselect(t("dash.channel"), workflow.CHANNELS, key="dash_f_channel",
                                 format_func=app.labels("wb.channel_", workflow.CHANNELS))
        priorities = b.multiselect(t("dash.priority"), workflow.PRIORITIES, key="dash_f_priority",
                                   format_func=app.labels("priority.", workflow.PRIORITIES))
        business = False
        if hours:
            business = c.toggle(t("dash.business_hours"), key="dash_business", help=t("dash.business_help"))
    return Filters(tuple(agents), tuple(product_ids), tuple(kinds), tuple(channels), tuple(priorities)), business


@st.cache_data(ttl=CACHE_SECONDS, max_entries=512, show_spinner=False)
def _cached(database: str, version: tuple, module: str, name: str, args: tuple, kwargs: tuple) -> object:
    """`version` is only part of the key: a change of the data is a new entry, so it shows at once."""
    import importlib

    function = getattr(importlib.import_module(module), name)
    with app.read() as session:
        return function(session, *args, **dict(kwargs))


def queries() -> Callable:
    """`query(function, *args, **kwargs)` for one run of a page: `function(session, *args, **kwargs)` from
    core.reports, cached (CACHE_SECONDS) per database and data version. The version (a few index lookups)
    is read once here: a new ticket, event, message or survey answer misses the cache on the next run,
    repeated runs without a change hit it."""
    with app.read() as session:
        version = data_version(session)
    database = app.settings().database

    def query(function: Callable, *args: object, **kwargs: object):
        return _cached(database, version, function.__module__, function.__name__, args,
                       tuple(sorted(kwargs.items())))
    return query


def query(function: Callable, *args: object, **kwargs: object):
    """One cached query (see `queries`), for a page that runs only one."""
    return queries()(function, *args, **kwargs)


def recent(function: Callable, *args: object, seconds: int = RECENT_SECONDS, **kwargs: object):
    """One query cached for the current `seconds`-long slot of the clock, whatever changes meanwhile: for numbers
    drawn on every run of a busy page (the workbench's overview strip), which every reply of a team would
    otherwise miss and compute again; they are at most `seconds` old."""
    slot = ("clock", seconds, int(clock.time() // seconds))
    return _cached(app.settings().database, slot, function.__module__, function.__name__, args,
                   tuple(sorted(kwargs.items())))


# ---------------------------------------------------------------- formats
# Every number a dashboard writes (cards, the values on charts, their hovers) is formatted here and only here,
# so these few functions are what changes for locale-aware formats.

def no_data() -> str:
    return t("dash.no_data")


def percent(value: float | None, decimals: int = 1) -> str:
    """42.3 as "42.3%" (en), "42,3 %" (es), "42,3%" (pt-BR); "no data" for None."""
    return no_data() if value is None or pd.isna(value) else formats.percent(value, app.locale(), decimals)


def average(value: float | None) -> str:
    """An average score, two decimals, in the reader's format."""
    return no_data() if value is None or pd.isna(value) else formats.number(value, app.locale(), 2)


def hover(*pairs: tuple[str, object]) -> str:
    """A chart's hover text: one "label: value" line each, names escaped (plotly reads a little HTML)."""
    return "<br>".join(f"{html.escape(str(label))}: {html.escape(str(value))}" for label, value in pairs)


def duration(minutes: float | None) -> str:
    """Minutes as "45 min", "9 h 36 min" or "3 d 4 h" in the reader's words (core.formats); "no data" for None."""
    return no_data() if minutes is None or pd.isna(minutes) else formats.duration(minutes, app.locale())


def change(now: float | None, before: float | None, unit: str = "") -> str | None:
    """The delta text for st.metric ("+1.5 pts", "-0,3"); None when either side has no data."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return ("+" if now >= before else "-") + formats.number(abs(now - before), app.locale(), 1) + unit


def duration_change(now: float | None, before: float | None) -> str | None:
    """A change of minutes in the same words as `duration`, with its sign."""
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return ("+" if now >= before else "-") + duration(abs(now - before))


def local(moment: datetime | None) -> str:
    """A moment in the reader's zone, as their language writes it, saying which ("9/11/26, 14:05 CET")."""
    if moment is None or pd.isna(moment):
        return ""
    return timeline.local_time(moment)  # a pandas Timestamp is a datetime


def translated(codes: pd.Series, prefix: str) -> pd.Series:
    """`t(prefix + code)` for each code, each distinct code translated once (a table has many rows, few codes)."""
    return codes.map({code: t(f"{prefix}{code}") for code in codes.unique()})


def links(ticket_ids: pd.Series) -> pd.Series:
    return ticket_ids.map(lambda n: f"/workbench?ticket={int(n)}")


def ticket_column():
    """The link column of a ticket (/workbench?ticket=N), shown as its number."""
    return st.column_config.LinkColumn(t("dash.ticket"), display_text=r"/workbench\?ticket=(\d+)", width="small")


def milestone_table(breakdown: pd.DataFrame, milestone: str) -> pd.DataFrame:
    """One milestone's columns of a response-times breakdown (with its `name`), durations and rates written out:
    two such tables side by side fit a laptop's width where one of nine columns did not."""
    shown = breakdown[["name", *(f"{milestone}_{part}" for part in ("count", "median", "p90", "sla"))]].copy()
    for part in ("median", "p90"):
        shown[f"{milestone}_{part}"] = shown[f"{milestone}_{part}"].map(duration)
    shown[f"{milestone}_sla"] = shown[f"{milestone}_sla"].map(percent)
    return shown


def key_label(by: str, key: object, label: object) -> str:
    """What a breakdown row is called on screen: a name, or a translated code."""
    if by in ("agent", "product"):
        return str(label) if label is not None and not pd.isna(label) else t(f"dash.none_{by}")
    prefix = {"kind": "kind.", "priority": "priority.", "channel": "wb.channel_"}[by]
    return t(prefix + str(key))
