"""The overview strip on the staff home: backlog, unassigned, breaching today, CSAT, first reply median."""

from __future__ import annotations

import streamlit as st

from core.reports.overview import overview
from ui import app, dashboard
from ui.app import t

# On a phone Streamlit stacks columns, and five cards would fill the screen before the queue: there they stay
# one row that scrolls sideways, smaller.
PHONE = """<style>@media (max-width: 640px) {
  .st-key-wb_overview [data-testid="stHorizontalBlock"] {flex-wrap: nowrap !important; overflow-x: auto;
    gap: 0.5rem; scroll-snap-type: x mandatory;}
  .st-key-wb_overview [data-testid="stColumn"] {flex: 0 0 9.5rem !important; min-width: 9.5rem !important;
    width: 9.5rem !important; scroll-snap-align: start;}
  .st-key-wb_overview [data-testid="stMetricValue"] {font-size: 1.4rem;}
}</style>"""


def show() -> None:
    """Five numbers, each with its change against the period before (see core.reports.overview)."""
    with st.container(key="wb_overview"):
        _cards()


def _cards() -> None:
    st.html(PHONE)
    found = dashboard.recent(overview, zone=app.settings().timezone)  # drawn on every run of the queues
    counts = (("backlog", found.backlog), ("unassigned", found.unassigned), ("breaching_today", found.breaching_today))
    columns = st.columns(5)
    for column, (key, change) in zip(columns[:3], counts, strict=True):
        column.metric(t(f"dash.ov_{key}"), change.now, None if change.delta is None else int(change.delta),
                      delta_color="inverse", help=t(f"dash.ov_{key}_help"), border=True)
    csat, first = found.csat_30d, found.first_reply_median_7d
    columns[3].metric(t("dash.ov_csat"), dashboard.percent(csat.now), dashboard.change(csat.now, csat.before,
                      t("dash.points")), help=t("dash.ov_csat_help"), border=True)
    columns[4].metric(t("dash.ov_first_reply"), dashboard.duration(first.now),
                      dashboard.duration_change(first.now, first.before), delta_color="inverse",
                      help=t("dash.ov_first_reply_help"), border=True)
