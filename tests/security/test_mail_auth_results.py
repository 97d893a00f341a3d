"""L6: a forged From of the requester with [#N] was added as their message; our receiving server's
Authentication-Results (SPF, DKIM, DMARC) now marks it for staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.mail import ingest
from core.mail.inbound import auth_failed
from core.models import Message
from tests.core.conftest import T0


@pytest.mark.parametrize("header, failed", [
    ("mx.mesa.example; spf=pass smtp.mailfrom=example.es; dkim=pass header.d=example.es; dmarc=pass", False),
    ("mx.mesa.example; spf=fail smtp.mailfrom=example.es; dkim=none; dmarc=fail header.from=example.es", True),
    ("mx.mesa.example; spf=fail smtp.mailfrom=example.es; dkim=none", True),
    ("mx.mesa.example; spf=fail smtp.mailfrom=lists.example; dkim=pass header.d=example.es", False),
    ("", False),
])
def test_what_the_receiving_server_said(header, failed):
    assert auth_failed(header) is failed


def _raw(ticket_id: int, results: str, n: int) -> bytes:
    return (f"From: Olivia Brown <olivia@example.com>\r\nTo: support@mesa.localhost\r\n"
            f"Authentication-Results: {results}\r\nSubject: Re: [#{ticket_id}] Cannot log in\r\n"
            f"Message-ID: <auth-{n}@example.com>\r\n\r\nPlease send the refund to my new account.\r\n").encode()


def test_a_reply_whose_sender_failed_dmarc_is_kept_and_marked(desk):
    ticket = desk.new_ticket()
    forged = ingest.ingest(desk.factory, _raw(ticket.id, "mx.mesa.example; spf=fail; dkim=none; dmarc=fail", 1),
                           desk.settings, now=T0)
    honest = ingest.ingest(desk.factory, _raw(ticket.id, "mx.mesa.example; spf=pass; dkim=pass; dmarc=pass", 2),
                           desk.settings, now=T0)
    assert forged.ticket_id == honest.ticket_id == ticket.id
    with desk.reader() as session:
        marks = dict(session.execute(select(Message.email_message_id, Message.sender_unverified)
                                     .where(Message.ticket_id == ticket.id, Message.via == "email")).all())
    assert marks == {"<auth-1@example.com>": True, "<auth-2@example.com>": False}
