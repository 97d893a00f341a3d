"""Response-times dashboard (manager, admin): first reply, resolution, SLA, created vs solved, backlog, heatmap."""

import streamlit as st

from core.reports import sheets, times
from ui import access, app, charts, dashboard
from ui.app import t
from ui.downloads import Downloads

access.require(*access.MANAGERS)
st.title(t("dash.response_times"))
files = Downloads("response-times")
period = dashboard.period_picker()
filters, business = dashboard.filters_picker(hours=True)
query = dashboard.queries()
zone = app.settings().timezone

now = query(times.summary, period, filters, business=business)
before = query(times.summary, period.previous(), filters, business=business)
for milestone in ("first_reply", "resolution"):
    for column, kind in zip(st.columns(3), ("median", "p90", "sla"), strict=True):
        key = f"{milestone}_{kind}"
        if kind == "sla":
            value, delta = dashboard.percent(now[key]), dashboard.change(now[key], before[key], t("dash.points"))
        else:
            value, delta = dashboard.duration(now[key]), dashboard.duration_change(now[key], before[key])
        column.metric(t(f"dash.{key}"), value, delta, border=True, help=t(f"dash.{key}_help"),
                      delta_color="normal" if kind == "sla" else "inverse")
st.caption(t("dash.counts", replies=now["first_reply_count"], solved=now["resolution_count"]))

st.subheader(t("dash.trend"))
trend = query(times.trend, period, filters, zone=zone, business=business)
if trend.empty:
    st.info(t("dash.no_tickets"))
else:
    table = files.sheet(t("dash.trend"), trend, sheets.TIMES_TREND)
    charts.shown("rt_trend", lambda: charts.times_trend(trend), table)

st.subheader(t("dash.breakdown"))
by = dashboard.breakdown_picker(("priority", "agent", "product", "kind", "channel"), "rt_breakdown")
table = query(times.breakdown, period, filters, by=by, business=business)
table["name"] = [dashboard.key_label(by, k, n) for k, n in zip(table["key"], table["label"], strict=True)]
for column, milestone in zip(st.columns(2), ("first_reply", "resolution"), strict=True):
    column.caption(t(f"report.{milestone}_title"))
    column.dataframe(dashboard.milestone_table(table, milestone), hide_index=True, width="stretch", column_config={
        "name": t(f"dash.{by}"), **{c: st.column_config.TextColumn(t(f"report.short_{c}"), help=t(f"dash.{c}"))
                                  for c in times.COLUMNS}})
files.table(t(f"dash.by_{by}"), table, sheets.times_breakdown(by), f"response-times-by-{by}")

days, cells = query(times.arrivals, period, filters, zone=zone)  # one count of the creations for both
left, right = st.columns(2)
with left:
    st.subheader(t("dash.created_vs_solved"))
    charts.shown("rt_days", lambda: charts.created_vs_solved(days),
                 files.sheet(t("dash.created_vs_solved"), days, sheets.CREATED_VS_SOLVED))
with right:
    st.subheader(t("dash.backlog"))
    backlog = query(times.backlog, filters)
    charts.shown("rt_backlog", lambda: charts.backlog(backlog, times.AGE_BUCKETS),
                 files.sheet(t("dash.backlog"), backlog, sheets.BACKLOG))

st.subheader(t("dash.heatmap"))
weekdays = t("dash.weekdays").split(",")
grid = cells.pivot(index="weekday", columns="hour", values="tickets")
grid.index = weekdays
charts.shown("rt_heatmap", lambda: charts.hours_heatmap(grid), files.sheet(
    t("dash.heatmap"), cells.assign(weekday=cells["weekday"].map(weekdays.__getitem__)), sheets.HEATMAP))

st.subheader(t("dash.breached"))
broken = query(times.breached, period, filters)
if broken.empty:
    st.success(t("dash.breached_none"), icon=":material/check_circle:")
else:
    shown = broken.assign(ticket=dashboard.links(broken["ticket_id"]),
                          priority=dashboard.translated(broken["priority"], "priority."),
                          target=dashboard.translated(broken["target"], "dash.target_"),
                          due=broken["due_at"].map(dashboard.local))[["ticket", "subject", "priority", "target", "due"]]
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "ticket": dashboard.ticket_column(), "subject": t("dash.subject"), "priority": t("dash.priority"),
        "target": t("dash.target"), "due": t("dash.due")})
    files.table(t("dash.breached"), broken, sheets.BREACHED, "breached")

st.subheader(t("dash.period_tickets"))
st.caption(t("dash.period_tickets_help"))
size = 100
number = st.number_input(t("dash.page"), min_value=1, value=1, step=1, key="rt_page")
rows = query(times.tickets, period, filters, business=business, limit=size, offset=(number - 1) * size)
if not rows.empty:
    def _time(minutes, breached) -> str:
        return ("🔴 " if breached else "") + ("—" if minutes is None or minutes != minutes else
                                              dashboard.duration(minutes))

    shown = rows.assign(
        ticket=dashboard.links(rows["ticket_id"]), status=dashboard.translated(rows["status"], "status.agent."),
        priority=dashboard.translated(rows["priority"], "priority."),
        first=[_time(m, b) for m, b in zip(rows["first_reply"], rows["first_reply_breached"], strict=True)],
        full=[_time(m, b) for m, b in zip(rows["full_resolution"], rows["resolution_breached"], strict=True)],
    )[["ticket", "subject", "status", "priority", "first", "full"]]
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "ticket": dashboard.ticket_column(), "subject": t("dash.subject"), "status": t("dash.status"),
        "priority": t("dash.priority"), "first": t("dash.col_first_reply"), "full": t("dash.col_resolution")})
    files.table(t("dash.period_tickets"), rows, sheets.PERIOD_TICKETS, f"tickets-{number}")
files.offer_all()
