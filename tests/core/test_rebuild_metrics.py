"""`python -m core rebuild-metrics` gives back exactly the rows the changes left."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import delete, func, select, update

from core.db import unit_of_work
from core.desk import admin
from core.models import SlaPolicy, Ticket, TicketMetrics
from core.tickets import service as tickets
from tests.core.conftest import T0, run_command

HOUR = timedelta(hours=1)


def _history(desk) -> None:
    """A few tickets through the services, at explicit times over two weeks, holidays and all."""
    with unit_of_work(desk.factory) as session:
        admin.save_schedule(session, days=[0, 1, 2, 3, 4], start=time(9), end=time(17), timezone="Europe/Madrid",
                            holidays=["2026-03-04"], settings=desk.settings)
        session.add_all([SlaPolicy(priority="urgent", first_reply_minutes=60, resolution_minutes=480),
                         SlaPolicy(priority="normal", first_reply_minutes=480, resolution_minutes=4320,
                                   business_hours=False)])

    def do(at: datetime, action, ticket_id: int, **kwargs) -> None:
        with unit_of_work(desk.factory) as session:
            action(session, ticket_id, now=at, **kwargs)

    reply, status, customer = tickets.add_agent_reply, tickets.change_status, tickets.add_customer_message
    for n in range(5):
        start = T0 + n * 7 * HOUR
        ticket_id = desk.new_ticket(priority=("urgent", "normal", "low")[n % 3], now=start).id
        if n == 4:
            continue  # still new
        do(start + 2 * HOUR, reply, ticket_id, agent_id=desk.ana, body="Which version?", status="pending",
           settings=desk.settings)
        if n == 3:
            continue  # still pending
        do(start + 50 * HOUR, customer, ticket_id, body="The latest.", settings=desk.settings)
        do(start + 51 * HOUR, status, ticket_id, status="on_hold", actor_id=desk.liam, settings=desk.settings)
        do(start + 80 * HOUR, reply, ticket_id, agent_id=desk.liam, body="Fixed.", status="solved",
           settings=desk.settings)
        if n == 1:
            do(start + 90 * HOUR, customer, ticket_id, body="Back again.", settings=desk.settings)
            do(start + 120 * HOUR, status, ticket_id, status="solved", actor_id=desk.ana, settings=desk.settings)
        if n == 2:
            do(start + 200 * HOUR, status, ticket_id, status="closed", actor_id=None, settings=desk.settings)


def _rows(desk) -> list[tuple]:
    columns = list(TicketMetrics.__table__.columns)
    with desk.reader() as session:
        return [tuple(row) for row in session.execute(select(*columns).order_by(TicketMetrics.ticket_id))]


def test_rebuild_metrics_gives_back_the_incremental_rows(desk, engine, tmp_path, monkeypatch, capsys):
    _history(desk)
    before = _rows(desk)
    assert len(before) == 5
    with desk.reader() as session:  # business minutes are filled, and differ from calendar ones
        assert session.scalar(select(func.count()).where(
            TicketMetrics.requester_wait_business_minutes < TicketMetrics.requester_wait_minutes)) == 4
    with unit_of_work(desk.factory) as session:
        session.execute(delete(TicketMetrics))
    assert run_command(engine, tmp_path, monkeypatch, "rebuild-metrics", "--batch", "2") == 0
    out = capsys.readouterr().out
    assert "2 tickets..." in out and "4 tickets..." in out and "Rebuilt the metrics of 5 tickets." in out
    assert _rows(desk) == before


def test_rebuild_metrics_corrects_stale_rows(desk):
    from core.tickets import metrics

    _history(desk)
    before = _rows(desk)
    with unit_of_work(desk.factory) as session:
        for row in session.scalars(select(TicketMetrics)):
            row.replies, row.first_reply_business_minutes = 99, None
    assert metrics.rebuild(desk.factory, batch=1000) == 5
    assert _rows(desk) == before
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(TicketMetrics)) == 5


def test_rebuild_metrics_equals_the_incremental_rows_on_demo_data(desk):
    from core.tickets import metrics
    from demo import seed as demo

    demo.seed(desk.factory, tickets=40, days=20, seed=11, settings=desk.settings, now=T0 + 20 * 24 * HOUR)
    before = _rows(desk)
    with unit_of_work(desk.factory) as session:
        session.execute(delete(TicketMetrics))
    assert metrics.rebuild(desk.factory, batch=7) == len(before) == 40
    assert _rows(desk) == before


def test_metrics_rows_copy_the_ticket_fields_the_dashboards_filter_on(desk):
    """created_at, solved_at and priority are copied on every change (the dashboards read them from
    ticket_metrics alone): a priority without SLA policy, a reopen and a priority change included."""
    _history(desk)
    with unit_of_work(desk.factory) as session:
        tickets.update_fields(session, 1, actor_id=desk.ana, priority="high", now=T0 + 300 * HOUR)
        tickets.add_customer_message(session, 2, body="Still broken.", settings=desk.settings, now=T0 + 300 * HOUR)

    def pairs() -> list[tuple]:
        with desk.reader() as session:
            return [tuple(r) for r in session.execute(
                select(Ticket.created_at, Ticket.solved_at, Ticket.priority, TicketMetrics.ticket_created_at,
                       TicketMetrics.ticket_solved_at, TicketMetrics.ticket_priority)
                .join(TicketMetrics, TicketMetrics.ticket_id == Ticket.id).order_by(Ticket.id))]

    found = pairs()
    assert [r[:3] for r in found] == [r[3:] for r in found]
    assert {r[2] for r in found} == {"high", "normal", "low", "urgent"} and sum(r[1] is not None for r in found) == 2
    from core.tickets import metrics

    with unit_of_work(desk.factory) as session:
        session.execute(update(TicketMetrics).values(ticket_created_at=None, ticket_solved_at=None,
                                                     ticket_priority=None))
    metrics.rebuild(desk.factory)
    assert pairs() == found
