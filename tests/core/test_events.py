"""Domain events on the unit of work: told once at commit, never after a rollback, never when quiet."""

from __future__ import annotations

import typing

import pytest
from sqlalchemy import select

from core import events, notify
from core.db import unit_of_work
from core.models import Outbox
from core.tickets import service as tickets
from tests.core.conftest import T0


def _templates(desk) -> list[str]:
    with desk.reader() as session:
        return list(session.scalars(select(Outbox.template).order_by(Outbox.id)))


def _reply(session, desk, ticket_id: int, status: str = "open") -> None:
    tickets.add_agent_reply(session, ticket_id, agent_id=desk.ana, body="Try again, please.", status=status,
                            settings=desk.settings, now=T0)


def test_events_are_told_once_when_the_unit_of_work_commits(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        _reply(session, desk, ticket.id)
        assert _templates(desk) == [], "nothing is written before the commit"
        session.flush()
        with session.begin_nested():  # a savepoint's release is not the commit
            pass
        assert session.scalar(select(Outbox.id)) is None
    assert _templates(desk) == ["agent_replied"]


def test_a_rolled_back_change_tells_nobody_and_leaves_nothing_for_the_next_one(desk):
    ticket = desk.new_ticket()
    session = desk.factory()
    try:
        with session.begin():
            _reply(session, desk, ticket.id)
            raise RuntimeError("the change fails")
    except RuntimeError:
        pass
    with session.begin():
        tickets.add_internal_note(session, ticket.id, agent_id=desk.ana, body="Only a note", now=T0)
    session.close()
    assert _templates(desk) == []


def test_quiet_drops_its_own_transaction_only(desk):
    first, second = desk.new_ticket().id, desk.new_ticket().id
    session = desk.factory()
    with session.begin():
        events.quiet(session)
        _reply(session, desk, first)
    with session.begin():
        _reply(session, desk, second)
    session.close()
    with desk.reader() as reader:
        assert list(reader.scalars(select(Outbox.ticket_id))) == [second]


def test_the_solving_reply_goes_out_inside_the_solve_notice_one_email_not_two(desk):
    """Issue 19: the reply and the "solved + survey" notice arrived as two emails in the same second."""
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        _reply(session, desk, ticket.id, status="solved")
    assert _templates(desk) == ["ticket_solved"]
    with desk.reader() as session:
        body = session.scalar(select(Outbox.body_text).where(Outbox.template == "ticket_solved"))
    assert "We marked your ticket" in body and "How did we do?" in body
    assert "Try again, please." in body


def test_a_customer_who_solves_it_reads_that_they_did(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.mark_solved_by_customer(session, ticket.id, requester_id=ticket.requester_id, settings=desk.settings)
    with desk.reader() as session:
        body = session.scalar(select(Outbox.body_text).where(Outbox.template == "ticket_solved"))
    assert "You marked your ticket" in body and "We marked" not in body


def test_every_event_has_a_handler():
    assert set(notify.HANDLERS) == set(typing.get_args(events.Event))


@pytest.mark.parametrize("reason", ["spam", "merged"])
def test_closing_with_a_reason_passes_through_solved_and_closed_and_tells_nobody(desk, reason):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.close_as(session, ticket.id, reason=reason, actor_id=desk.ana, now=T0)
    assert _templates(desk) == []
