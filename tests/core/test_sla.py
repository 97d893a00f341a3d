"""SLA due times and "met late" flags: the pure function, then through the services."""

from datetime import timedelta

from sqlalchemy import select

from core.db import unit_of_work
from core.models import SlaPolicy, TicketEvent, TicketMetrics
from core.tickets import metrics
from core.tickets import service as tickets
from tests.core.conftest import T0

HOUR = timedelta(hours=1)


def _sla(first=60, resolution=480, first_reply_at=None, resolved_at=None):
    return metrics.sla(T0, first, resolution, first_reply_at=first_reply_at, resolved_at=resolved_at)


def test_due_times_are_calendar_minutes_from_creation():
    values = _sla(60, 3 * 24 * 60)
    assert values["first_reply_due_at"] == T0 + HOUR
    assert values["resolution_due_at"] == T0 + timedelta(days=3)
    assert values["first_reply_breached"] is False and values["resolution_breached"] is False


def test_without_a_policy_there_is_no_due_time_and_no_breach():
    values = _sla(None, None, first_reply_at=T0 + 100 * HOUR, resolved_at=T0 + 200 * HOUR)
    assert values == {"first_reply_due_at": None, "resolution_due_at": None,
                      "first_reply_breached": False, "resolution_breached": False}


def test_a_first_reply_after_its_due_time_is_a_breach():
    assert _sla(first_reply_at=T0 + 61 * timedelta(minutes=1))["first_reply_breached"] is True
    assert _sla(first_reply_at=T0 + HOUR)["first_reply_breached"] is False  # exactly on time is on time
    assert _sla(first_reply_at=T0 + timedelta(minutes=5))["first_reply_breached"] is False


def test_a_resolution_after_its_due_time_is_a_breach():
    assert _sla(resolved_at=T0 + 9 * HOUR)["resolution_breached"] is True
    assert _sla(resolved_at=T0 + 8 * HOUR)["resolution_breached"] is False
    assert _sla(resolved_at=T0 + 2 * HOUR)["resolution_breached"] is False


def test_unmet_targets_are_not_flagged_however_late_it_is():
    """The flags say "met late"; a live ticket past due is 'breached' in the queues instead."""
    values = _sla(first_reply_at=None, resolved_at=None)
    assert values["first_reply_breached"] is False and values["resolution_breached"] is False


def test_sla_does_not_change_what_compute_returns(desk):
    ticket = desk.new_ticket()
    events = desk.events(ticket.id)
    assert not set(metrics.compute(T0, events)) & set(_sla())


# ---------------------------------------------------------------- through the services

def _policies(desk):
    with unit_of_work(desk.factory) as session:
        session.add_all([SlaPolicy(priority="urgent", first_reply_minutes=60, resolution_minutes=480,
                                   business_hours=False),
                         SlaPolicy(priority="normal", first_reply_minutes=480, resolution_minutes=3 * 24 * 60,
                                   business_hours=False)])


def _metrics(desk, ticket_id):
    with desk.reader() as session:
        return session.get(TicketMetrics, ticket_id)


def test_refresh_fills_due_times_from_the_policy_of_the_priority(desk):
    _policies(desk)
    ticket = desk.new_ticket(priority="urgent")
    row = _metrics(desk, ticket.id)
    assert row.first_reply_due_at == T0 + HOUR and row.resolution_due_at == T0 + 8 * HOUR
    assert not row.first_reply_breached and not row.resolution_breached
    low = desk.new_ticket(priority="low")  # no policy for low
    row = _metrics(desk, low.id)
    assert row.first_reply_due_at is None and row.resolution_due_at is None


def test_a_late_reply_and_a_late_solve_are_flagged(desk):
    _policies(desk)
    ticket = desk.new_ticket(priority="urgent")
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Looking", now=T0 + 2 * HOUR)
    row = _metrics(desk, ticket.id)
    assert row.first_reply_breached and not row.resolution_breached
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, ticket.id, status="solved", actor_id=desk.ana, now=T0 + 9 * HOUR)
    assert _metrics(desk, ticket.id).resolution_breached
    with unit_of_work(desk.factory) as session:  # reopened: the target is unmet again, no longer "met late"
        tickets.add_customer_message(session, ticket.id, body="Still broken", settings=desk.settings,
                                     now=T0 + 10 * HOUR)
    assert not _metrics(desk, ticket.id).resolution_breached


def test_on_time_targets_are_not_flagged(desk):
    _policies(desk)
    ticket = desk.new_ticket(priority="urgent")
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Fixed", status="solved",
                                now=T0 + 30 * timedelta(minutes=1))
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, ticket.id, status="closed", actor_id=desk.ana, now=T0 + 20 * HOUR)
    row = _metrics(desk, ticket.id)
    assert not row.first_reply_breached and not row.resolution_breached


def test_a_priority_change_moves_the_due_times(desk):
    _policies(desk)
    ticket = desk.new_ticket(priority="normal")
    assert _metrics(desk, ticket.id).first_reply_due_at == T0 + 8 * HOUR
    with unit_of_work(desk.factory) as session:
        tickets.update_fields(session, ticket.id, actor_id=desk.ana, priority="urgent", now=T0 + HOUR / 2)
    row = _metrics(desk, ticket.id)
    assert row.first_reply_due_at == T0 + HOUR and row.resolution_due_at == T0 + 8 * HOUR


def test_metrics_still_match_a_rebuild_with_sla_policies(desk):
    _policies(desk)
    ticket = desk.new_ticket(priority="urgent")
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Done", status="solved",
                                now=T0 + 3 * HOUR)
    with desk.reader() as session:
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        stored = session.get(TicketMetrics, ticket.id)
        for key, value in metrics.compute(T0, events).items():
            assert getattr(stored, key) == value, key
