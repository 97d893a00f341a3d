"""The outbox: rows written in the caller's transaction, threaded per ticket (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import unit_of_work
from core.mail import outbox
from core.models import Outbox
from core.tickets import service as tickets
from tests.core.conftest import T0

CONTEXT = dict(ticket_number=1, subject="Cannot log in", requester_name="Olivia Brown",
               link="http://localhost:8501/ticket?ticket=1&token=t", summary="The app says invalid credentials.",
               first_contact=False)


def _enqueue(desk, ticket_id: int | None, minutes: int, **fields) -> Outbox:
    values = dict(template="ticket_received", to="olivia@example.com", locale="en", context=CONTEXT,
                  ticket_id=ticket_id, settings=desk.settings, now=T0 + timedelta(minutes=minutes))
    values.update(fields)
    with unit_of_work(desk.factory) as session:
        return outbox.enqueue(session, **values)


def _count(desk) -> int:
    with desk.reader() as session:
        return session.scalar(select(func.count()).select_from(Outbox))


def test_enqueue_writes_a_queued_rendered_row(desk):
    ticket = desk.new_ticket()
    row = _enqueue(desk, ticket.id, 1, locale="es")
    with desk.reader() as session:
        [stored] = outbox.pending(session)
    assert stored.id == row.id
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("queued", 0, T0 + timedelta(minutes=1))
    assert stored.subject == "[#1] Hemos recibido tu solicitud: Cannot log in"
    assert "Mesa" in stored.body_text and stored.body_html.startswith("<!DOCTYPE html>")
    assert (stored.to_address, stored.locale, stored.ticket_id) == ("olivia@example.com", "es", ticket.id)
    assert stored.headers == {"Auto-Submitted": "auto-generated", "X-Mesa-Ticket": str(ticket.id)}
    assert stored.message_id.startswith("<") and stored.message_id.endswith("@mesa.localhost>")


def test_email_without_ticket_has_no_ticket_header(desk):
    row = _enqueue(desk, None, 0, template="verify_email", context=dict(name="Olivia", link="http://x/verify"))
    assert row.headers == {"Auto-Submitted": "auto-generated"}
    assert row.in_reply_to is None and row.references is None


def _reply_and_email(desk, ticket_id: int, *, fail: bool) -> None:
    with unit_of_work(desk.factory) as session:
        tickets.add_customer_message(session, ticket_id, body="More details", settings=desk.settings, now=T0)
        outbox.enqueue(session, template="ticket_received", to="olivia@example.com", locale="en",
                       context=CONTEXT, ticket_id=ticket_id, settings=desk.settings, now=T0)
        assert _count(desk) == 0  # flushed, not committed: invisible to other sessions
        if fail:
            raise RuntimeError("the change failed after the email was queued")


def test_email_is_part_of_the_callers_transaction(desk):
    ticket = desk.new_ticket()
    events = len(desk.events(ticket.id))
    with pytest.raises(RuntimeError):
        _reply_and_email(desk, ticket.id, fail=True)
    assert _count(desk) == 0 and len(desk.events(ticket.id)) == events
    _reply_and_email(desk, ticket.id, fail=False)
    assert _count(desk) == 1 and len(desk.events(ticket.id)) > events


def test_threading_headers_chain_per_ticket(desk):
    ticket, other = desk.new_ticket(), desk.new_ticket(subject="Another one")
    first, second, third = (_enqueue(desk, ticket.id, minutes) for minutes in (1, 2, 3))
    elsewhere = _enqueue(desk, other.id, 4)
    assert (first.in_reply_to, first.references) == (None, None)
    assert (second.in_reply_to, second.references) == (first.message_id, first.message_id)
    assert third.in_reply_to == second.message_id
    assert third.references == f"{first.message_id} {second.message_id}"
    assert (elsewhere.in_reply_to, elsewhere.references) == (None, None)
    assert len({first.message_id, second.message_id, third.message_id, elsewhere.message_id}) == 4


def test_customer_email_ids_join_the_thread_in_time_order(desk):
    ticket = desk.new_ticket(channel="email", email_message_id="<start@customer.example>")
    ack = _enqueue(desk, ticket.id, 1)
    with unit_of_work(desk.factory) as session:
        tickets.add_customer_message(session, ticket.id, body="Still broken", via="email",
                                     email_message_id="later@customer.example",
                                     settings=desk.settings, now=T0 + timedelta(minutes=2))
    reply = _enqueue(desk, ticket.id, 3, template="lost_link")
    assert ack.in_reply_to == "<start@customer.example>"
    assert reply.references == f"<start@customer.example> {ack.message_id} <later@customer.example>"
    assert reply.in_reply_to == "<later@customer.example>"


@pytest.mark.parametrize("to", ["olivia@example.com\r\nBcc: x@y", "olivia@example.com\nBcc: x@y", "a@b\r"])
def test_line_breaks_in_the_recipient_are_refused(desk, to):
    with pytest.raises(ValueError, match="CR or LF"):
        _enqueue(desk, None, 0, to=to)
    assert _count(desk) == 0


def test_pending_lists_queued_rows_oldest_first(desk):
    ticket = desk.new_ticket()
    late, early = _enqueue(desk, ticket.id, 5), _enqueue(desk, ticket.id, 1)
    with unit_of_work(desk.factory) as session:
        session.get(Outbox, late.id).status = "sent"
        session.add(Outbox(template="x", to_address="a@b.c", subject="s", body_text="t", message_id="<m@x>",
                           next_attempt_at=T0, created_at=T0 + timedelta(minutes=9)))
    with desk.reader() as session:
        assert [row.message_id for row in outbox.pending(session)] == [early.message_id, "<m@x>"]
        assert len(outbox.pending(session, limit=1)) == 1
