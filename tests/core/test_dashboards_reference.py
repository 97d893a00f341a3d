"""The dashboards' SQL equals a plain pandas computation over the exported demo rows (DESIGN.md's definitions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from core.models import Survey, Ticket, TicketMetrics
from core.reports import satisfaction, times
from core.reports.common import Filters, Period
from core.tickets import workflow
from demo import seed as demo

pytestmark = pytest.mark.slow  # a year of demo data against pandas, 10-60 s a test

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _export(factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tickets with their metrics, and surveys: every time as aware UTC."""
    with factory() as session, session.connection() as connection:
        rows = pd.read_sql(select(Ticket.id, Ticket.status, Ticket.priority, Ticket.created_at, Ticket.solved_at,
                                  Ticket.assignee_id, Ticket.product_id, Ticket.kind, Ticket.channel,
                                  TicketMetrics.first_reply_at, TicketMetrics.first_reply_minutes,
                                  TicketMetrics.first_reply_business_minutes,
                                  TicketMetrics.full_resolution_business_minutes,
                                  TicketMetrics.first_reply_due_at, TicketMetrics.first_reply_breached,
                                  TicketMetrics.full_resolution_minutes, TicketMetrics.resolution_due_at,
                                  TicketMetrics.resolution_breached)
                           .outerjoin(TicketMetrics, TicketMetrics.ticket_id == Ticket.id), connection)
        answers = pd.read_sql(select(Survey.ticket_id, Survey.sent_at, Survey.score, Survey.responded_at), connection)
    for table in (rows, answers):
        for column in [c for c in table.columns if c.endswith("_at")]:
            table[column] = pd.to_datetime(table[column], utc=True)
    return rows, answers


def _in(column: pd.Series, period: Period) -> pd.Series:
    return (column >= period.start) & (column < period.end)


def _reference_satisfaction(answers: pd.DataFrame, period: Period) -> dict:
    scored = answers[_in(answers["responded_at"], period) & answers["score"].notna()]
    sent = answers[_in(answers["sent_at"], period)]
    n = len(scored)
    return {"responses": n, "csat": round(100 * (scored["score"] >= 4).sum() / n, 1) if n else None,
            "average": round(scored["score"].mean(), 2) if n else None, "sent": len(sent),
            "response_rate": round(100 * sent["score"].notna().sum() / len(sent), 1) if len(sent) else None}


def _milestone(rows: pd.DataFrame, minutes: str, due: str, breached: str, reached: str) -> list:
    values = rows[minutes].dropna().astype(float)
    targets = rows[rows[due].notna() & rows[reached].notna()]
    sla = round(100 * (~targets[breached].astype(bool)).sum() / len(targets), 1) if len(targets) else None
    if values.empty:
        return [0, None, None, sla]
    return [len(values), round(values.quantile(0.5), 1), round(values.quantile(0.9), 1), sla]


def _reference_times(rows: pd.DataFrame, period: Period, *, business: bool = False) -> dict:
    created = rows[_in(rows["created_at"], period)]
    solved = rows[_in(rows["solved_at"], period)]
    kind = "_business" if business else ""
    first = _milestone(created, f"first_reply{kind}_minutes", "first_reply_due_at", "first_reply_breached",
                       "first_reply_at")
    full = _milestone(solved, f"full_resolution{kind}_minutes", "resolution_due_at", "resolution_breached",
                      "full_resolution_minutes")
    return dict(zip(times.COLUMNS, first + full, strict=True))


def _reference_backlog(rows: pd.DataFrame) -> list[tuple[str, str, int]]:
    live = rows[rows["status"].isin(workflow.LIVE_STATUSES) & (rows["created_at"] <= NOW)]
    age = NOW - live["created_at"]
    buckets = pd.cut(age, [pd.Timedelta(days=d) for d in (-1, 1, 3, 7, 100_000)], right=False,
                     labels=list(times.AGE_BUCKETS))
    counts = pd.crosstab(live["status"], buckets)
    return [(s, a, int(counts.at[s, a]) if s in counts.index and a in counts.columns else 0)
            for s in workflow.LIVE_STATUSES for a in times.AGE_BUCKETS]


def _approx(expected: dict) -> dict:
    return {k: v if v is None else pytest.approx(v) for k, v in expected.items()}


def test_dashboards_equal_the_pandas_reference_for_30_and_365_days(factory, settings):
    demo.seed(factory, tickets=150, days=400, seed=11, settings=settings, now=NOW)
    rows, answers = _export(factory)
    for days in (30, 365):
        period = Period.last(days, NOW)
        with factory() as session:
            sat = satisfaction.summary(session, period)
            speed = times.summary(session, period)
        found = {"responses": sat.responses, "csat": sat.csat, "average": sat.average, "sent": sat.sent,
                 "response_rate": sat.response_rate}
        expected = _reference_satisfaction(answers, period)
        assert expected["responses"] > 0 and found == _approx(expected), days
        expected = _reference_times(rows, period)
        assert expected["first_reply_count"] > 0 and expected["resolution_sla"] is not None, days
        assert speed == _approx(expected), days
    with factory() as session:
        backlog = times.backlog(session, now=NOW)
    expected = _reference_backlog(rows)
    assert sum(n for *_, n in expected) > 0 and list(backlog.itertuples(index=False, name=None)) == expected


def _reference_heatmap(rows: pd.DataFrame, period: Period, zone: str) -> list[tuple[int, int, int]]:
    local = rows[_in(rows["created_at"], period)]["created_at"].dt.tz_convert(zone)
    counts = pd.crosstab(local.dt.day_of_week, local.dt.hour)
    return [(d, h, int(counts.at[d, h]) if d in counts.index and h in counts.columns else 0)
            for d in range(7) for h in range(24)]


def _reference_trend(answers: pd.DataFrame, period: Period, zone: str) -> list[tuple]:
    scored = answers[_in(answers["responded_at"], period) & answers["score"].notna()].copy()
    local = scored["responded_at"].dt.tz_convert(zone)
    scored["week"] = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    found = []
    for week, group in scored.groupby("week"):
        n = len(group)
        found.append((week, n, round(100 * (group["score"] >= 4).sum() / n, 1), round(group["score"].mean(), 2)))
    return found


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Asia/Kolkata", "UTC"])
def test_breakdowns_heatmap_and_trend_equal_the_pandas_reference(factory, settings, zone):
    """The shortcuts (percentiles walked per priority, the priority filter, business minutes, buckets
    by UTC hour where the zone allows it, else per-row conversion) give pandas' numbers."""
    demo.seed(factory, tickets=150, days=400, seed=11, settings=settings, now=NOW)
    rows, answers = _export(factory)
    for days in (30, 365):
        period = Period.last(days, NOW)
        with factory() as session:
            by_priority = times.breakdown(session, period, by="priority")
            chosen = times.summary(session, period, Filters(priorities=("high", "urgent")))
            business = times.summary(session, period, business=True)
            heatmap = times.heatmap(session, period, zone=zone)
            trend = satisfaction.trend(session, period, zone=zone)
        for record in by_priority.to_dict("records"):
            expected = _reference_times(rows[rows["priority"] == record["key"]], period)
            assert {k: record[k] for k in times.COLUMNS} == _approx(expected), (days, record["key"])
        assert set(by_priority["key"]) == set(rows[_in(rows["created_at"], period)
                                                   | _in(rows["solved_at"], period)]["priority"])
        assert chosen == _approx(_reference_times(rows[rows["priority"].isin(("high", "urgent"))], period))
        assert business == _approx(_reference_times(rows, period, business=True))
        assert list(heatmap.itertuples(index=False, name=None)) == _reference_heatmap(rows, period, zone)
        assert list(trend.itertuples(index=False, name=None)) == _reference_trend(answers, period, zone)


def _week(moments: pd.Series, zone: str) -> pd.Series:
    local = moments.dt.tz_convert(zone)
    return (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")


def _reference_groups(rows: pd.DataFrame, period: Period, group) -> dict:
    """{key: the summary numbers of the tickets whose `group` (a function of the rows and the milestone's
    moment column) is key}: first reply grouped on created_at, resolution on solved_at."""
    found: dict = {}
    for moment, columns in (("created_at", slice(0, 4)), ("solved_at", slice(4, 8))):
        placed = rows[_in(rows[moment], period)]
        keys = group(placed, moment)
        for key in keys.dropna().unique().tolist() + ([None] if keys.isna().any() else []):
            chosen = placed[keys.isna()] if key is None else placed[keys == key]
            values = list(_reference_times(chosen, period).values())[columns]
            found.setdefault(key, [0, None, None, None, 0, None, None, None])[columns] = values
    # a group with no value and no SLA target in either milestone is no row
    return {key: values for key, values in found.items() if values != [0, None, None, None] * 2}


def _as_found(table: pd.DataFrame, key: str) -> dict:
    def plain(value):  # a missing number is NaN in a float column, None elsewhere
        return None if value is None or value != value else value

    return {plain(record[key]): [plain(record[c]) for c in times.COLUMNS] for record in table.to_dict("records")}


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Asia/Kolkata"])
def test_grouped_percentiles_filters_and_weekly_trend_equal_the_pandas_reference(factory, settings, zone):
    """Breakdowns by agent, product, kind and channel, the filters and the weekly trend (local weeks across
    DST changes and a half-hour zone) read ticket_metrics' copies of the ticket's fields: pandas' numbers."""
    demo.seed(factory, tickets=150, days=400, seed=11, settings=settings, now=NOW)
    rows, _answers = _export(factory)
    column = {"agent": "assignee_id", "product": "product_id", "kind": "kind", "channel": "channel"}
    for days in (30, 365):
        period = Period.last(days, NOW)
        with factory() as session:
            tables = {by: times.breakdown(session, period, by=by) for by in column}
            trend = times.trend(session, period, zone=zone)
            filtered = times.summary(session, period, Filters(agent_ids=(2, 3), kinds=("question", "incident")))
            business = times.breakdown(session, period, Filters(channels=("email",)), by="kind", business=True)
        for by, name in column.items():
            expected = _reference_groups(rows, period, lambda placed, _moment, name=name: placed[name])
            assert len(expected) > 1 and _as_found(tables[by], "key") == _approx_groups(expected), (days, by)
        expected = _reference_groups(rows, period, lambda placed, moment: _week(placed[moment], zone))
        assert len(expected) > 3 and _as_found(trend, "week") == _approx_groups(expected), days
        chosen = rows[rows["assignee_id"].isin((2, 3)) & rows["kind"].isin(("question", "incident"))]
        assert 0 < len(chosen) < len(rows) and filtered == _approx(_reference_times(chosen, period)), days
        emailed = rows[rows["channel"] == "email"]
        expected = {key: list(_reference_times(emailed[emailed["kind"] == key], period, business=True).values())
                    for key in set(business["key"])}
        assert len(expected) > 1 and _as_found(business, "key") == _approx_groups(expected), days


def _approx_groups(expected: dict) -> dict:
    return {key: [v if v is None else pytest.approx(v) for v in values] for key, values in expected.items()}
