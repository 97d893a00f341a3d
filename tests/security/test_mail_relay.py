"""M4: the confirmation email is no relay.

Anyone may type any address into the form (or forge a From): the confirmation then goes from our
support address to someone who never wrote to us. To an address we do not know it carries the
ticket number and its link, and nothing the sender chose: no name, no subject, no description.
A requester we know (a verified account, staff, or an earlier ticket one of our agents answered)
gets the usual confirmation with the subject and what they wrote. The per-mailbox limits are in
test_mail_limits.py.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import unit_of_work
from core.mail import ingest
from core.mail.templates import render
from core.models import Outbox
from core.portal import service as portal
from core.tickets import service as tickets
from tests.core.conftest import T0

VICTIM = "victim@example.com"
NAME = "Prize Department"
SUBJECT = "Your account is locked call +1 555 0100 or visit evil.example/unlock"
DESCRIPTION = "Dear customer, pay the unlock fee at https://evil.example/pay within 24 hours."
PLANTED = ("Prize", "locked", "555 0100", "evil.example", "unlock fee", "Dear customer")


def _send(desk, email=VICTIM, *, locale="en", visitor="10.0.0.1", minutes=0, **fields):
    values = dict(name=NAME, subject=SUBJECT, description=DESCRIPTION, kind="question", product_id=None,
                  uploads=[])
    values.update(fields)
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(session, visitor=portal.Visitor(visitor), email=email, locale=locale,
                                  settings=desk.settings, now=T0 + timedelta(minutes=minutes), **values)


def _confirmation(desk, ticket_id: int) -> Outbox:
    with desk.reader() as session:
        return session.scalars(select(Outbox).where(Outbox.ticket_id == ticket_id,
                                                    Outbox.template == "ticket_received")).one()


def _carries_nothing_planted(row: Outbox, ticket_id: int) -> None:
    everything = f"{row.subject}\n{row.body_text}\n{row.body_html}"
    assert [word for word in PLANTED if word in everything] == []
    assert row.subject.startswith(f"[#{ticket_id}] ")
    assert f"#{ticket_id}" in row.body_text and f"/ticket?ticket={ticket_id}&" in row.body_text


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_confirmation_to_an_address_never_seen_carries_only_the_number_and_the_link(desk, locale):
    sent = _send(desk, locale=locale)
    row = _confirmation(desk, sent.ticket_id)
    _carries_nothing_planted(row, sent.ticket_id)
    assert row.to_address == VICTIM and sent.link in row.body_text


def test_a_second_ticket_to_the_same_address_is_no_way_around_it(desk):
    first = _send(desk)
    second = _send(desk, visitor="10.0.0.2", minutes=1)
    _carries_nothing_planted(_confirmation(desk, first.ticket_id), first.ticket_id)
    _carries_nothing_planted(_confirmation(desk, second.ticket_id), second.ticket_id)


def test_an_unverified_account_is_no_way_around_it(desk):
    with unit_of_work(desk.factory) as session:  # anyone can register any address: L1
        accounts.create_user(session, email=VICTIM, name="Victim", password="a long and rare passphrase")
    sent = _send(desk)
    _carries_nothing_planted(_confirmation(desk, sent.ticket_id), sent.ticket_id)


def test_a_forged_from_gets_the_same_bare_confirmation(desk):
    message = EmailMessage()
    message["From"] = f"{NAME} <{VICTIM}>"
    message["To"] = "support@mesa.localhost"
    message["Subject"] = SUBJECT
    message["Message-ID"] = make_msgid(domain="example.com")
    message.set_content(DESCRIPTION)
    result = ingest.ingest(desk.factory, message.as_bytes(), desk.settings, now=T0)
    assert result.status == "processed"
    _carries_nothing_planted(_confirmation(desk, result.ticket_id), result.ticket_id)


def test_a_verified_customer_gets_the_full_confirmation(desk):
    with unit_of_work(desk.factory) as session:
        user = accounts.create_user(session, email="olivia@example.com", name="Olivia Brown")
        accounts.mark_verified(session, user.id, T0)
    sent = _send(desk, "olivia@example.com", subject="Cannot log in", description="It says invalid credentials.")
    row = _confirmation(desk, sent.ticket_id)
    assert row.subject == f"[#{sent.ticket_id}] We received your request: Cannot log in"
    assert "Hi Olivia Brown," in row.body_text and "It says invalid credentials." in row.body_text


def test_a_requester_our_agents_answered_before_gets_the_full_confirmation(desk):
    earlier = _send(desk, "olivia@example.com", subject="Export fails", description="It stops at 50%.")
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, earlier.ticket_id, agent_id=desk.ana, body="Fixed, try again.",
                                settings=desk.settings, now=T0 + timedelta(minutes=5))
    sent = _send(desk, "olivia@example.com", visitor="10.0.0.2", minutes=10, subject="Cannot log in",
                 description="It says invalid credentials.")
    row = _confirmation(desk, sent.ticket_id)
    assert row.subject.endswith("We received your request: Cannot log in")
    assert "It says invalid credentials." in row.body_text and "It says invalid credentials." in row.body_html


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_first_contact_template_reads_no_text_of_the_senders(locale):
    """Whatever notify passes, the first-contact confirmation shows none of it (defence in depth)."""
    planted = dict(subject="PLANTED-SUBJECT", requester_name="PLANTED-NAME", summary="PLANTED-SUMMARY")
    rendered = render("ticket_received", locale, product_name="Mesa", ticket_number=7, first_contact=True,
                      link="http://localhost:8501/ticket?ticket=7&token=t", **planted)
    assert "PLANTED" not in rendered.subject + rendered.text + rendered.html
    assert rendered.subject == {"en": "[#7] We received your request", "es": "[#7] Hemos recibido tu solicitud"}[locale]
    known = render("ticket_received", locale, product_name="Mesa", ticket_number=7, first_contact=False,
                   link="http://localhost:8501/ticket?ticket=7&token=t", **planted)
    assert all(value in known.text for value in planted.values())
