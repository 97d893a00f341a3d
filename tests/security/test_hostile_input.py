"""Hostile text through the public form, the agent composer, search and email: stored as given,
shown as text, never a header, a template or a query."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import unit_of_work
from core.errors import ValidationError
from core.mail import sender
from core.models import Message, Outbox, Ticket
from core.portal import service as portal
from core.tickets import queues
from core.tickets import service as tickets
from tests.conftest import row_counts
from tests.core.conftest import T0
from tests.security.corpus import HOSTILE, MEGABYTE
from ui.text import plain

CASES = sorted(HOSTILE.items())


def kept(text: str) -> str:
    """What is stored: the text as typed, less NUL characters (PostgreSQL cannot hold them)."""
    return text.replace("\x00", "")


def _send(desk, *, subject: str, description: str, name: str = "Olivia"):
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(session, visitor=portal.Visitor("10.0.0.9"), name=name, email="olivia@example.com",
                                  subject=subject, description=description, kind="question", product_id=None,
                                  locale="en", uploads=[], settings=desk.settings, now=T0)


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[k for k, _ in CASES])
def test_hostile_text_is_stored_as_given_and_never_reaches_a_header(desk, kind, text):
    with unit_of_work(desk.factory) as session:  # a known requester: the confirmation shows what they wrote (M4)
        olivia = accounts.create_user(session, email="olivia@example.com", name=f"Olivia {text}"[:120])
        accounts.mark_verified(session, olivia.id, T0)
    sent = _send(desk, subject=f"Help {text}", description=f"Body {text}", name=f"Olivia {text}"[:120])
    with desk.reader() as session:
        ticket = session.get(Ticket, sent.ticket_id)
        first = session.scalars(select(Message).where(Message.ticket_id == ticket.id)).one()
        assert first.body == kept(f"Body {text}".strip()), "the description is kept exactly"
        assert ticket.subject == kept(" ".join(f"Help {text}".split())), "a subject is one line, nothing else changes"
        row = session.scalars(select(Outbox)).one()
        message = email.message_from_bytes(sender.build_message(row, desk.settings).as_bytes(),
                                           policy=email.policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    body = re.sub(r"https?://\S+", "", message.get_body(preferencelist=("plain",)).get_content())  # tokens are random
    assert "7*7" not in text or ("49" not in body and "{{ 7*7 }}" in body), "a template in user text is text"


@pytest.mark.parametrize(("kind", "text"), CASES, ids=[k for k, _ in CASES])
def test_hostile_text_in_an_agent_reply_and_a_search(desk, kind, text):
    sent = _send(desk, subject="Printer", description="It is on fire.")
    with unit_of_work(desk.factory) as session:
        reply = tickets.add_agent_reply(session, sent.ticket_id, agent_id=desk.ana, body=text, settings=desk.settings,
                                        now=T0)
        reply_id = reply.id
    with desk.reader() as session:
        assert session.get(Message, reply_id).body == kept(text.strip())
        rows = queues.page(session, "open", user_id=desk.ana, filters=queues.Filters(text=text), limit=5)
    assert all(r.id == sent.ticket_id for r in rows), "a search for hostile text finds nothing else and does not fail"


def test_the_page_escapes_what_markdown_would_run():
    for text in HOSTILE.values():
        shown = plain(text)
        unescaped = re.search(r"(?<!\\)[<>\[\]()!:*_`$]", shown)
        assert unescaped is None, (text, shown)


def test_a_megabyte_subject_is_refused_next_to_the_field_and_nothing_is_saved(desk):
    before = row_counts(desk.factory)
    with pytest.raises(ValidationError) as refused:
        _send(desk, subject=MEGABYTE, description=MEGABYTE)
    assert set(refused.value.errors) >= {"subject", "description"}
    assert row_counts(desk.factory) == before
