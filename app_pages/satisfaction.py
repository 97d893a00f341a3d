"""Satisfaction dashboard (manager, admin): CSAT, scores, breakdowns, comments and unanswered low scores."""

import streamlit as st

from core.reports import satisfaction as sat
from core.reports import sheets
from ui import access, app, charts, dashboard
from ui.app import t
from ui.dashboard import percent
from ui.downloads import Downloads, buttons

access.require(*access.MANAGERS)
st.title(t("dash.satisfaction"))
files = Downloads("satisfaction")
period = dashboard.period_picker()
filters, _business = dashboard.filters_picker()
query = dashboard.queries()

now = query(sat.summary, period, filters)
before = query(sat.summary, period.previous(), filters)
a, b, c, d = st.columns(4)
a.metric(t("dash.csat"), percent(now.csat), dashboard.change(now.csat, before.csat, t("dash.points")),
         help=t("dash.csat_help"), border=True)
b.metric(t("dash.average"), dashboard.average(now.average), dashboard.change(now.average, before.average),
         border=True)
c.metric(t("dash.response_rate"), percent(now.response_rate),
         dashboard.change(now.response_rate, before.response_rate, t("dash.points")),
         help=t("dash.response_rate_help", answered=now.answered, sent=now.sent), border=True)
d.metric(t("dash.responses"), now.responses, now.responses - before.responses, border=True)
if not now.responses:
    st.info(t("dash.no_responses"), icon=":material/info:")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader(t("dash.trend"))
    trend = query(sat.trend, period, filters, zone=app.settings().timezone)
    table = files.sheet(t("dash.trend"), trend, sheets.SATISFACTION_TREND)
    charts.shown("sat_trend", lambda: charts.satisfaction_trend(trend), table)
with right:
    st.subheader(t("dash.distribution"))
    scores = query(sat.distribution, period, filters)
    table = files.sheet(t("dash.distribution"), scores, sheets.DISTRIBUTION)
    charts.shown("sat_scores", lambda: charts.scores(scores), table)

st.subheader(t("dash.breakdown"))
by = dashboard.breakdown_picker(("agent", "product", "kind", "channel"), "sat_breakdown")
found = query(sat.breakdown, period, filters, by=by)
found["name"] = [dashboard.key_label(by, k, n) for k, n in zip(found["key"], found["label"], strict=True)]
table = files.sheet(t(f"dash.by_{by}"), found, sheets.satisfaction_breakdown(by))
charts.shown(f"sat_{by}", lambda: charts.satisfaction_breakdown(found, by), table)
buttons(table, f"satisfaction-by-{by}", t(f"dash.by_{by}"))

columns = {"ticket": dashboard.ticket_column(), "subject": t("dash.subject"), "score": t("dash.score"),
           "comment": t("dash.comment"), "when": t("dash.when"), "assignee": t("dash.agent")}


def _table(rows):
    """Survey rows for st.dataframe: the ticket as a link, times local; user text stays text."""
    shown = rows.assign(ticket=dashboard.links(rows["ticket_id"]), when=rows["responded_at"].map(dashboard.local),
                        comment=rows["comment"].fillna(""))
    return shown[[c for c in ("ticket", "subject", "score", "comment", "when", "assignee") if c in shown]]


st.subheader(t("dash.low_scores"))
st.caption(t("dash.low_scores_help"))
low = query(sat.low_scores_without_follow_up, period, filters)
if low.empty:
    st.success(t("dash.low_scores_none"), icon=":material/check_circle:")
else:
    st.dataframe(_table(low), hide_index=True, width="stretch", column_config=columns)
    files.table(t("dash.low_scores"), low, sheets.present(sheets.SURVEYS, low.columns), "low-scores")

st.subheader(t("dash.comments"))
PAGE = 50
page = st.columns([1, 4])[0].number_input(t("dash.page"), min_value=1, value=1, step=1, key="dash_comments_page")
found = query(sat.comments, period, filters, limit=PAGE, offset=(page - 1) * PAGE)
if found.empty:
    st.info(t("dash.no_comments"))
else:
    st.dataframe(_table(found), hide_index=True, width="stretch", column_config=columns)
    files.table(t("dash.comments"), found, sheets.present(sheets.SURVEYS, found.columns), f"comments-{page}")
files.offer_all()
