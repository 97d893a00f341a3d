"""The dashboards' SQL equals a plain pandas computation over the exported demo rows (DESIGN.md's definitions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from core import demo, workflow
from core.dashboards import Period, satisfaction, times
from core.models import Survey, Ticket, TicketMetrics

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _export(factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tickets with their metrics, and surveys: every time as aware UTC."""
    with factory() as session, session.connection() as connection:
        rows = pd.read_sql(select(Ticket.id, Ticket.status, Ticket.created_at, Ticket.solved_at,
                                  TicketMetrics.first_reply_at, TicketMetrics.first_reply_minutes,
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


def _reference_times(rows: pd.DataFrame, period: Period) -> dict:
    created = rows[_in(rows["created_at"], period)]
    solved = rows[_in(rows["solved_at"], period)]
    first = _milestone(created, "first_reply_minutes", "first_reply_due_at", "first_reply_breached",
                       "first_reply_at")
    full = _milestone(solved, "full_resolution_minutes", "resolution_due_at", "resolution_breached",
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
