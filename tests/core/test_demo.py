from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.desk import automations
from core.models import Message, Survey, Ticket, TicketEvent, TicketMetrics, User
from core.tickets import metrics
from core.tickets import service as tickets
from demo import seed as demo

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _fingerprint(factory):
    with factory() as session:
        rows = session.execute(select(Ticket.id, Ticket.subject, Ticket.status, Ticket.priority,
                                      Ticket.created_at, Ticket.version).order_by(Ticket.id)).all()
        events = session.execute(select(TicketEvent.ticket_id, TicketEvent.field, TicketEvent.new,
                                        TicketEvent.at).order_by(TicketEvent.id)).all()
    return rows, events


@pytest.mark.slow  # seeds the demo twice: 15-45 s
def test_demo_is_reproducible_and_covers_the_life_of_a_ticket(factory, settings):
    demo.seed(factory, tickets=60, days=30, seed=3, settings=settings, now=NOW)
    with factory() as session:
        statuses = set(session.scalars(select(Ticket.status)))
        locales = set(session.scalars(select(Ticket.locale)))
        kinds = set(session.scalars(select(Message.kind)))
        reopens = session.scalar(select(func.sum(TicketMetrics.reopens)))
        answered = session.scalar(select(func.count()).select_from(Survey).where(Survey.score.is_not(None)))
        staff = set(session.scalars(select(User.role).where(User.role != "customer")))
        pending_events = session.scalar(select(func.count()).select_from(TicketEvent)
                                        .where(TicketEvent.field == "status", TicketEvent.new == "pending"))
        future = session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.at > NOW))
    assert {"closed", "solved"} <= statuses and len(statuses) >= 4
    assert locales == {"en", "es"} and kinds == {"customer", "agent", "note"}
    assert reopens > 0 and answered > 0 and pending_events > 0 and future == 0
    assert staff == {"admin", "manager", "agent"}
    first = _fingerprint(factory)

    from tests.conftest import clear
    clear(factory.kw["bind"])
    demo.seed(factory, tickets=60, days=30, seed=3, settings=settings, now=NOW)
    assert _fingerprint(factory) == first


def test_demo_events_replay_to_each_ticket_and_metrics_match_a_rebuild(factory, settings):
    demo.seed(factory, tickets=40, days=20, seed=11, settings=settings, now=NOW)
    with factory() as session:
        for ticket in session.scalars(select(Ticket)):
            events = tickets.events_of(session, ticket.id)
            state = tickets.replay(events)
            assert state["status"] == ticket.status and state.get("assignee") == (
                str(ticket.assignee_id) if ticket.assignee_id else None)
            stored = session.get(TicketMetrics, ticket.id)
            for key, value in metrics.compute(ticket.created_at, events).items():
                assert getattr(stored, key) == value, (ticket.id, key)


@pytest.mark.parametrize("bulk", [pytest.param(False, id="services", marks=pytest.mark.slow),  # 40-80 s
                                  pytest.param(True, id="bulk")])
def test_demo_plays_the_automations_so_a_worker_pass_finds_nothing_due(factory, settings, bulk):
    """Unanswered pending tickets are reminded, solved and closed on the desk's schedule, as the worker
    would have done; tickets are created in order (ids follow created_at)."""
    settings = settings.model_copy(update={"reminder_after_days": 2, "auto_solve_after_days": 5,
                                           "close_after_days": 3})
    demo.seed(factory, tickets=250, days=60, seed=5, settings=settings, now=NOW, bulk=bulk)
    assert automations.close_solved(factory, settings, NOW) == []
    assert automations.auto_solve_pending(factory, settings, NOW) == []
    assert automations.remind_pending(factory, settings, NOW) == []
    with factory() as session:
        created = list(session.scalars(select(Ticket.created_at).order_by(Ticket.id)))
        auto_solved = session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.field == "status", TicketEvent.new == "solved", TicketEvent.actor_id.is_(None)))
        reminders = session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.field == automations.REMINDER_FIELD))
    assert created == sorted(created)
    assert auto_solved > 0 and reminders >= auto_solved


@pytest.mark.slow  # 40-50 s
def test_with_auto_solve_off_the_unanswered_stay_pending_reminded_once(factory, settings):
    settings = settings.model_copy(update={"auto_solve_after_days": 0})
    demo.seed(factory, tickets=250, days=60, seed=5, settings=settings, now=NOW)
    assert automations.remind_pending(factory, settings, NOW) == []
    with factory() as session:
        reminded = set(session.scalars(select(TicketEvent.ticket_id).where(
            TicketEvent.field == automations.REMINDER_FIELD)))
        solved_by_nobody = session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.field == "status", TicketEvent.new == "solved", TicketEvent.actor_id.is_(None)))
        statuses = set(session.scalars(select(Ticket.status).where(Ticket.id.in_(reminded))))
    assert reminded and solved_by_nobody == 0 and statuses == {"pending"}
