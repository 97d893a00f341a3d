"""Satisfaction dashboard (manager, admin): CSAT, scores, breakdowns, comments and unanswered low scores."""

import streamlit as st

from core import formats
from core.reports import satisfaction as sat
from ui import access, app, dashboard
from ui.app import t

access.require(*access.MANAGERS)
st.title(t("dash.satisfaction"))
period = dashboard.period_picker()
filters, _business = dashboard.filters_picker()
query = dashboard.queries()

now = query(sat.summary, period, filters)
before = query(sat.summary, period.previous(), filters)
a, b, c, d = st.columns(4)
a.metric(t("dash.csat"), dashboard.percent(now.csat), dashboard.change(now.csat, before.csat, t("dash.points")),
         help=t("dash.csat_help"), border=True)
average = dashboard.no_data() if now.average is None else formats.number(now.average, app.locale(), 2)
b.metric(t("dash.average"), average,
         dashboard.change(now.average, before.average), border=True)
c.metric(t("dash.response_rate"), dashboard.percent(now.response_rate),
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
    dashboard.chart("line", trend, x="week", y="csat", markers=True, hover_data=["responses", "average"],
                    labels={"week": t("dash.week"), "csat": t("dash.csat"), "responses": t("dash.responses"),
                            "average": t("dash.average")}, yaxes={"range": [0, 105]})
with right:
    st.subheader(t("dash.distribution"))
    scores = query(sat.distribution, period, filters)
    dashboard.chart("bar", scores, x="score", y="responses", color="score", color_continuous_scale="RdYlGn",
                    labels={"score": t("dash.score"), "responses": t("dash.responses")},
                    layout={"coloraxis_showscale": False}, xaxes={"dtick": 1})

st.subheader(t("dash.breakdown"))
by = dashboard.breakdown_picker(("agent", "product", "kind", "channel"), "sat_breakdown")
table = query(sat.breakdown, period, filters, by=by)
table["name"] = [dashboard.key_label(by, k, n) for k, n in zip(table["key"], table["label"], strict=True)]
dashboard.chart("bar", table, key=f"sat_{by}", x="name", y="csat", hover_data=["responses", "average"],
                labels={"name": t(f"dash.{by}"), "csat": t("dash.csat"), "responses": t("dash.responses"),
                        "average": t("dash.average")})
shown = table[["name", "responses", "csat", "average"]]
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    "name": t(f"dash.{by}"), "responses": t("dash.responses"), "csat": t("dash.csat"), "average": t("dash.average")})
dashboard.csv(shown, f"satisfaction-by-{by}")

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
    shown = _table(low)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
    dashboard.csv(shown, "low-scores")

st.subheader(t("dash.comments"))
PAGE = 50
page = st.columns([1, 4])[0].number_input(t("dash.page"), min_value=1, value=1, step=1, key="dash_comments_page")
found = query(sat.comments, period, filters, limit=PAGE, offset=(page - 1) * PAGE)
if found.empty:
    st.info(t("dash.no_comments"))
else:
    shown = _table(found)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
    dashboard.csv(shown, f"comments-{page}")
