"""M5: a ticket sent in the name of an account without signing in to it is marked, and its link goes
only to the address: the impersonator never reads the agents' answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import unit_of_work
from core.models import Message, Outbox
from core.portal import service as portal
from tests.core.conftest import T0


def _send(desk, email, user_id=None):
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(session, visitor=portal.Visitor("10.0.0.9", user_id=user_id), name="Someone",
                                  email=email, subject="Refund please", description="Send it to my new IBAN.",
                                  kind="question", product_id=None, locale="en", uploads=[], settings=desk.settings,
                                  now=T0)


def _first_message(desk, ticket_id):
    with desk.reader() as session:
        return session.scalars(select(Message).where(Message.ticket_id == ticket_id)).one()


def _confirmation_to(desk, ticket_id):
    with desk.reader() as session:
        return session.scalars(select(Outbox.to_address).where(Outbox.ticket_id == ticket_id,
                                                               Outbox.template == "ticket_received")).all()


@pytest.fixture
def olivia(desk):
    with unit_of_work(desk.factory) as session:
        return accounts.create_user(session, email="olivia@example.com", name="Olivia Brown",
                                    password="a long passphrase").id


def test_a_ticket_in_an_account_holders_name_without_signing_in_is_marked_and_its_link_only_emailed(desk, olivia):
    sent = _send(desk, "Olivia@Example.com")
    assert sent.link is None, "the confirmation page shows no link"
    assert _first_message(desk, sent.ticket_id).sender_unverified
    assert _confirmation_to(desk, sent.ticket_id) == ["olivia@example.com"], "the owner gets the link"


def test_the_account_holder_signed_in_is_not_marked(desk, olivia):
    sent = _send(desk, "olivia@example.com", user_id=olivia)
    assert sent.link is not None and not _first_message(desk, sent.ticket_id).sender_unverified


def test_a_staff_address_is_protected_too(desk):
    sent = _send(desk, "ana@mesa.example")
    assert sent.link is None and _first_message(desk, sent.ticket_id).sender_unverified


def test_an_address_without_an_account_gets_its_link_as_before(desk):
    desk.new_ticket(email="walk.in@example.com")  # wrote before, never registered
    sent = _send(desk, "walk.in@example.com")
    assert sent.link is not None and not _first_message(desk, sent.ticket_id).sender_unverified
