"""The bulk demo seeding (core.tickets.bulk) leaves the rows the services leave.

The same stories (seed 5) are written once through the services, one ticket at a time,
and once in bulk, in batches of 7; every table must come out the same, ids included, and so
must the indexes (on SQLite the bulk run drops them and creates them again at the end).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text

from core.db import unit_of_work
from core.models import Message, Survey, Ticket, TicketEvent, TicketMetrics, User
from core.tickets import bulk, search
from core.tickets import service as tickets
from demo import seed as demo
from tests.conftest import clear
from tests.core.conftest import run_command

pytestmark = pytest.mark.slow  # bulk-seeds thousands of tickets, 10-25 s a test

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TABLES = (Ticket, Message, TicketEvent, Survey, TicketMetrics)


def _rows(factory) -> dict[str, list[tuple]]:
    with factory() as session:
        found = {model.__tablename__: [tuple(row) for row in session.execute(
            select(*model.__table__.columns).order_by(*model.__table__.primary_key.columns))]
            for model in TABLES}
        found["users"] = [tuple(row) for row in session.execute(
            select(User.id, User.email, User.name, User.role, User.locale).order_by(User.id))]
        key = "rowid" if session.get_bind().dialect.name == "sqlite" else "ticket_id"
        found["search"] = [tuple(row) for row in session.execute(
            text(f"SELECT {key}, body FROM {search.TABLE} ORDER BY {key}"))]
        found["indexes"] = [tuple(row) for row in session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name" if key == "rowid" else
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"))]
    return found


def _seed(factory, settings, *, bulk: bool) -> None:
    demo.seed(factory, tickets=30, days=30, seed=5, settings=settings, now=NOW, bulk=bulk)


@pytest.fixture
def both(factory, settings, monkeypatch):
    """(service rows, bulk rows) of the same 30 stories."""
    _seed(factory, settings, bulk=False)
    service = _rows(factory)
    clear(factory.kw["bind"])
    monkeypatch.setattr(bulk, "BATCH", 7)
    monkeypatch.setattr(bulk, "INDEXES_FROM", 1)  # SQLite: drops the indexes and makes them again
    _seed(factory, settings, bulk=True)
    return service, _rows(factory)


def test_bulk_seeding_writes_the_rows_the_services_write(both):
    service, bulk = both
    assert len(service["tickets"]) == 30 and len(service["messages"]) > 60 and len(service["surveys"]) > 5
    assert {row[3] for row in service["messages"]} == {"customer", "agent", "note"}
    for table in service:
        assert bulk[table] == service[table], table


def test_bulk_metrics_equal_a_rebuild_and_events_replay_to_each_ticket(both, factory, engine, tmp_path, monkeypatch):
    before = both[1]["ticket_metrics"]
    with unit_of_work(factory) as session:
        session.execute(delete(TicketMetrics))
    assert run_command(engine, tmp_path, monkeypatch, "rebuild-metrics") == 0
    assert _rows(factory)["ticket_metrics"] == before
    with factory() as session:
        for ticket in session.scalars(select(Ticket)):
            state = tickets.replay(tickets.events_of(session, ticket.id))
            assert state["status"] == ticket.status, ticket.id
            assert state.get("assignee") == (str(ticket.assignee_id) if ticket.assignee_id else None)
            assert (ticket.solved_at is not None) == (ticket.status in ("solved", "closed"))


def test_bulk_seeded_tickets_are_found_by_a_word_of_a_message(both, factory):
    with factory() as session:
        for ticket in session.scalars(select(Ticket)):
            assert session.execute(text(f"SELECT body FROM {search.TABLE} WHERE ticket_id = :id"),
                                   {"id": ticket.id}).scalar() == search.document(session, ticket.id)
        ticket_id, body = session.execute(select(Message.ticket_id, Message.body)
                                          .where(Message.kind == "agent").order_by(Message.id)).first()
        word = max(search.normalize(body).split(), key=len)
        assert ticket_id in search.search_ids(session, word)
        # and the services keep working on a bulk-seeded database: ids continue after the seeded rows
        agent = session.scalar(select(User.id).where(User.role == "agent"))
    with unit_of_work(factory) as session:
        message = tickets.add_internal_note(session, ticket_id, agent_id=agent, body="After the bulk seed.")
        assert message.id > max(session.scalars(select(Message.id).where(Message.id != message.id)))
    assert demo.seed(factory, tickets=3, days=5, seed=1, now=NOW, bulk=True) == 3
