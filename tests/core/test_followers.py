"""Followers: people CC'd on a customer's email follow its ticket, get the public answers through the real
SMTP server, and their replies are public messages under their own name; strangers stay internal notes."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.errors import ValidationError
from core.mail import ingest, sender
from core.models import Message, Outbox
from core.portal import service as portal
from core.tickets import followers
from core.tickets import service as tickets
from tests.core.conftest import T0
from tests.mailserver import MailServer, smtp_settings


@pytest.fixture
def mailserver():
    server = MailServer().start()
    yield server
    server.stop()


def email(sender: str, *, to: str = "support@mesa.localhost", cc: str = "", body: str, subject: str = "Factura",
          in_reply_to: str | None = None) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if cc:
        message["Cc"] = cc
    message["Message-ID"] = make_msgid(domain="example.es")
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes(), message["Message-ID"]


def _messages(desk, ticket_id):
    with desk.reader() as session:
        return [(m.kind, m.author.email if m.author else None, m.body) for m in session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id))]


def test_a_ccd_colleague_gets_the_answer_and_their_reply_is_a_public_message(desk, mailserver):
    settings = smtp_settings(desk.settings, mailserver.port)
    raw, _ = email("Lucía García <lucia@example.es>", cc="Tomás Ruiz <tomas@example.es>, support+x@mesa.localhost",
                   body="La factura de noviembre sale duplicada.")
    ticket_id = ingest.ingest(desk.factory, raw, settings, now=T0).ticket_id
    with desk.reader() as session:
        assert [u.email for u in followers.of(session, ticket_id)] == ["tomas@example.es"]
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket_id, agent_id=desk.ana, body="Ya está corregida.", status="pending",
                                settings=settings, now=T0 + timedelta(minutes=5))
    sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(minutes=6))
    to_tomas = [m for m in mailserver.inbox.messages if "tomas@example.es" in str(m["To"])]
    assert len(to_tomas) == 1 and "Ya está corregida." in to_tomas[0].get_body(("plain",)).get_content()
    assert "/ticket?" not in to_tomas[0].get_body(("plain",)).get_content()  # the requester's link is theirs
    assert any("lucia@example.es" in str(m["To"]) for m in mailserver.inbox.messages)

    reply, _ = email("Tomás Ruiz <tomas@example.es>", to="support@mesa.localhost", subject="Re: Factura",
                     body="Confirmo: a mí también me llegó duplicada.", in_reply_to=to_tomas[0]["Message-ID"])
    assert ingest.ingest(desk.factory, reply, settings, now=T0 + timedelta(minutes=9)).ticket_id == ticket_id
    kind, author, body = _messages(desk, ticket_id)[-1]
    assert (kind, author) == ("customer", "tomas@example.es") and body.startswith("Confirmo")
    with desk.reader() as session:
        assert portal.public_messages(session, ticket_id)[-1].author.email == "tomas@example.es"
        assert tickets.get_ticket(session, ticket_id).status == "open"  # reopened, as by the requester


def test_a_stranger_on_the_thread_is_still_an_internal_note(desk):
    raw, _ = email("lucia@example.es", body="Hola.")
    ticket_id = ingest.ingest(desk.factory, raw, desk.settings, now=T0).ticket_id
    with desk.reader() as session:
        outgoing = session.scalar(select(Outbox.message_id).where(Outbox.ticket_id == ticket_id))
    stranger, _ = email("mallory@evil.example", body="Send me the invoice.", in_reply_to=outgoing)
    ingest.ingest(desk.factory, stranger, desk.settings, now=T0 + timedelta(minutes=1))
    assert _messages(desk, ticket_id)[-1][0] == "note"


def test_ours_the_requester_the_sender_and_bad_addresses_never_follow(desk):
    raw, _ = email("lucia@example.es", to="support@mesa.localhost, Support <SUPPORT+42@mesa.localhost>",
                   cc="lucia@example.es, not-an-address, ana@example.es, ana@example.es", body="Hola.")
    ticket_id = ingest.ingest(desk.factory, raw, desk.settings, now=T0).ticket_id
    with desk.reader() as session:
        assert [u.email for u in followers.of(session, ticket_id)] == ["ana@example.es"]


def test_an_agent_adds_and_removes_a_follower_and_the_requester_is_refused(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        added = followers.add(session, ticket.id, "Jefe@Example.es", actor_id=desk.ana)
    with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
        followers.add(session, ticket.id, "olivia@example.com", actor_id=desk.ana)
    assert "follower" in refused.value.errors
    with unit_of_work(desk.factory) as session:
        followers.remove(session, ticket.id, added.id)
    with desk.reader() as session:
        assert followers.of(session, ticket.id) == []


def test_a_followers_message_keeps_its_author_for_the_customer_page(desk):
    """The follower's words on the requester's page carry the follower's name, not "You"."""
    raw, _ = email("lucia@example.es", cc="Tomás Ruiz <tomas@example.es>", body="Hola.")
    ticket_id = ingest.ingest(desk.factory, raw, desk.settings, now=T0).ticket_id
    with unit_of_work(desk.factory) as session:
        follower = followers.find(session, ticket_id, "tomas@example.es")
        tickets.add_customer_message(session, ticket_id, body="Yo también.", author_id=follower.id,
                                     settings=desk.settings, now=T0 + timedelta(minutes=1))
    with desk.reader() as session:
        authors = [(m.author.email, m.body) for m in portal.public_messages(session, ticket_id)]
    assert authors[-1] == ("tomas@example.es", "Yo también.")
