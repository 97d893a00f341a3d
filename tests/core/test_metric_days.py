"""ticket_metric_days (migration 0022) stays equal to ticket_metrics through every kind of write, on SQLite and
PostgreSQL, and the response-time numbers read through it are the exact ones of the full scan."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import delete, select, text, update

from core.db import unit_of_work
from core.models import SlaPolicy, Ticket, TicketMetrics
from core.reports import rollup, times
from core.reports.common import ANY, Period, weeks
from core.tickets import service as tickets
from demo import seed as demo
from tests.core.conftest import T0

NOW = datetime(2026, 6, 1, 12, 30, tzinfo=UTC)
SPECS = (  # as in migration 0022: milestone, minutes, moment, due, breached, reached
    ("first_reply", "first_reply_minutes", "ticket_created_at", "first_reply_due_at", "first_reply_breached",
     "first_reply_at"),
    ("first_reply_business", "first_reply_business_minutes", "ticket_created_at", "first_reply_due_at",
     "first_reply_breached", "first_reply_at"),
    ("resolution", "full_resolution_minutes", "ticket_solved_at", "resolution_due_at", "resolution_breached",
     "full_resolution_minutes"),
    ("resolution_business", "full_resolution_business_minutes", "ticket_solved_at", "resolution_due_at",
     "resolution_breached", "full_resolution_minutes"),
)


def _expected(session) -> Counter:
    """The rollup recomputed in Python from ticket_metrics."""
    found: Counter = Counter()
    for row in session.scalars(select(TicketMetrics)):
        for name, minutes, moment, due, breached, reached in SPECS:
            value, at = getattr(row, minutes), getattr(row, moment)
            if value is None or at is None:
                continue
            target = getattr(row, due) is not None and getattr(row, reached) is not None
            for priority in (row.ticket_priority or "", "*"):
                key = (name, at.date().isoformat(), priority, rollup.bucket(value))
                found[(*key, "tickets")] += 1
                found[(*key, "targets")] += target
                found[(*key, "met")] += target and not getattr(row, breached)
    return +found


def _stored(session) -> Counter:
    found: Counter = Counter()
    for name, day, priority, start, n, targets, met in session.execute(text(
            "SELECT milestone, day, priority, bucket, tickets, targets, met FROM ticket_metric_days")):
        day = day if isinstance(day, str) else day.isoformat()
        for part, count in (("tickets", n), ("targets", targets), ("met", met)):
            found[(name, day, priority, start, part)] += count
    return +found  # rows a change emptied stay, with zeros


def _same(factory) -> None:
    with factory() as session:
        expected = _expected(session)
        assert expected, "nothing to compare"
        assert _stored(session) == expected


def test_buckets_hold_their_values_and_follow_each_other():
    for value in [*range(0, 300), 1023, 1024, 1100, 11_087, 99_999, 10**6, 2**31 - 1]:
        start = rollup.bucket(value)
        assert start <= value < rollup.bucket_end(start)
        assert rollup.bucket(start) == start and rollup.bucket(rollup.bucket_end(start)) == rollup.bucket_end(start)
    assert [rollup.bucket(v) for v in (15, 16, 17, 18, 1000, 1023, 1024)] == [15, 16, 16, 18, 960, 960, 1024]


def test_the_rollup_follows_each_service_write(desk):
    with unit_of_work(desk.factory) as session:
        session.add(SlaPolicy(priority="normal", first_reply_minutes=60, resolution_minutes=480, business_hours=False))
    ids = [desk.new_ticket(priority="normal", now=T0 + timedelta(hours=h)).id for h in range(4)]
    with unit_of_work(desk.factory) as session:
        for number, ticket_id in enumerate(ids):
            tickets.add_agent_reply(session, ticket_id, agent_id=desk.ana, body="Here is how.", settings=desk.settings,
                                    status="solved", now=T0 + timedelta(hours=number, minutes=10 + 47 * number))
    _same(desk.factory)
    with unit_of_work(desk.factory) as session:  # a reopen takes the resolution away, a new solve moves it
        tickets.change_status(session, ids[0], status="open", actor_id=desk.ana, settings=desk.settings,
                              now=T0 + timedelta(days=1))
        tickets.update_fields(session, ids[1], priority="urgent", actor_id=desk.ana, now=T0 + timedelta(days=1))
    _same(desk.factory)
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, ids[0], status="solved", actor_id=desk.ana, settings=desk.settings,
                              now=T0 + timedelta(days=2, minutes=5))
        session.execute(delete(Ticket).where(Ticket.id == ids[2]))  # its metrics go with it (ON DELETE CASCADE)
        session.execute(delete(TicketMetrics).where(TicketMetrics.ticket_id == ids[3]))
    _same(desk.factory)
    with unit_of_work(desk.factory) as session:  # every bucket boundary, written straight to the table
        for value in (0, 15, 16, 17, 31, 32, 1023, 1024, 11_087, 10**6):
            session.execute(update(TicketMetrics).where(TicketMetrics.ticket_id == ids[0])
                            .values(first_reply_minutes=value, full_resolution_business_minutes=value))
            session.flush()
    _same(desk.factory)


@pytest.mark.parametrize("bulk", [False, True])
def test_the_rollup_follows_the_demo_seeding(factory, settings, bulk):
    demo.seed(factory, tickets=120, days=90, seed=5, settings=settings, now=NOW, bulk=bulk)
    _same(factory)


@pytest.fixture
def year(factory, settings):
    demo.seed(factory, tickets=240, days=400, seed=11, settings=settings, now=NOW)
    return factory


PERIODS = [Period.last(365, NOW), Period.last(30, NOW), Period(datetime(2026, 1, 5, tzinfo=UTC),
                                                                  datetime(2026, 4, 1, tzinfo=UTC))]


@pytest.mark.slow
def test_long_periods_through_the_rollup_give_the_full_scans_numbers(year):
    with year() as session:
        for period in PERIODS:
            for name, m in times.MILESTONES.items():
                for business in (False, True):
                    for by_priority in (False, True):
                        key = (lambda _when: TicketMetrics.ticket_priority) if by_priority else None
                        exact = times._grouped(session, name, period, ANY, key, business)
                        assert exact
                        rolled = rollup.milestone(session, m, business, period, by_priority=by_priority)
                        assert rolled == exact, (period, name, business, by_priority)


@pytest.mark.slow
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_the_weekly_trend_through_the_rollup_gives_the_full_scans_numbers(year, zone):
    period = Period.last(365, NOW)
    pieces = [days for _monday, days in weeks(period, zone)]
    with year() as session:
        for name, m in times.MILESTONES.items():
            for business in (False, True):
                rolled = rollup.pieces(session, m, business, pieces)
                assert rolled is not None
                assert rolled == [times._grouped(session, name, p, ANY, None, business) for p in pieces]
                assert any(rolled)


def test_a_rollup_that_disagrees_with_the_metrics_is_not_used(year):
    period = Period.last(365, NOW)
    m = times.MILESTONES["first_reply"]
    with year() as session:
        exact = times._grouped(session, "first_reply", period, ANY, None, False)
    with unit_of_work(year) as session:
        session.execute(text("UPDATE ticket_metric_days SET tickets = tickets + 1 WHERE milestone = 'first_reply'"))
    with year() as session:
        assert rollup.milestone(session, m, False, period, by_priority=False) is None
        summary = times.summary(session, period)
    assert [summary[c] for c in times.COLUMNS[:4]] == exact[0]


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Asia/Kolkata"])
def test_arrivals_are_created_vs_solved_and_the_heatmap(year, zone):
    period = Period.last(365, NOW)
    with year() as session:
        days, cells = times.arrivals(session, period, zone=zone)
        pd.testing.assert_frame_equal(days, times.created_vs_solved(session, period, zone=zone))
        pd.testing.assert_frame_equal(cells, times.heatmap(session, period, zone=zone))
        assert cells["tickets"].sum() == days["created"].sum() > 0
