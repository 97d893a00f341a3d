"""Knowledge dashboard (manager, admin): what the help center answered on its own, and what it is missing."""

import streamlit as st

from core import i18n
from core.help import stats
from core.reports import sheets
from ui import access, app, dashboard
from ui.app import t
from ui.downloads import Downloads

access.require(*access.MANAGERS)
st.title(t("kdash.title"))
files = Downloads("knowledge")
period = dashboard.period_picker()
with app.read() as session:  # not cached: readers' activity is no ticket change, so the dashboards' cache key misses it
    now = stats.headline(session, period)
    before = stats.headline(session, period.previous())
    missing = stats.searches_without_result(session, period)
    top = stats.by_article(session, period, app.locale())


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else 100 * ratio


a, b, c, d = st.columns(4)
a.metric(t("kdash.views"), now.views, now.views - before.views, border=True)
b.metric(t("kdash.helpful"), dashboard.percent(_pct(now.helpful_ratio)),
         dashboard.change(_pct(now.helpful_ratio), _pct(before.helpful_ratio), t("dash.points")), border=True)
c.metric(t("kdash.avoided"), now.avoided, now.avoided - before.avoided, border=True)
d.metric(t("kdash.self_service"), dashboard.percent(_pct(now.self_service_ratio)),
         dashboard.change(_pct(now.self_service_ratio), _pct(before.self_service_ratio), t("dash.points")),
         help=t("kdash.self_service_help"), border=True)
e, f, g, _ = st.columns(4)
e.metric(t("kdash.searches"), now.searches, border=True)
f.metric(t("kdash.no_result"), now.searches_without_result, border=True)
g.metric(t("kdash.suggested"), now.suggested, border=True)

st.subheader(t("kdash.top"))
shown = top[["article", "views", "votes", "helpful_pct", "answered", "tickets"]]
st.dataframe(shown.assign(helpful_pct=shown["helpful_pct"].map(dashboard.percent)), hide_index=True,  # "45,5 %"
             width="stretch", column_config={
    "article": t("kdash.col_article"), "views": t("kdash.col_views"), "votes": t("kdash.col_votes"),
    "helpful_pct": t("kdash.col_helpful"), "answered": t("kdash.col_answered"), "tickets": t("kdash.col_tickets")})
files.table(t("kdash.top"), shown, sheets.KNOWLEDGE_ARTICLES, "knowledge-articles")

st.subheader(t("kdash.missing"))
st.dataframe(missing.assign(locale=missing["locale"].map(i18n.language_name)), hide_index=True, width="stretch",
             column_config={
    "query": t("kdash.col_query"), "locale": t("kdash.col_locale"), "searches": t("kdash.col_searches")})
files.table(t("kdash.missing"), missing, sheets.KNOWLEDGE_MISSING, "knowledge-searches-without-result")
files.offer_all()
