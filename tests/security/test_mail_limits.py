"""M4: the per-email limits count a mailbox, not a spelling.

`Lucía@Example.ES`, the same typed with a combining accent (NFD) and `lucia+anything@example.es`
reach one mailbox: the form's per-email limit and the inbound per-sender limits count them as one
key (accounts.limit_key), so spelling an address differently is no way around a limit.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import unit_of_work
from core.errors import ValidationError
from core.mail import ingest
from core.models import Outbox
from core.portal import service as portal
from tests.core.conftest import T0


def _send(desk, email, *, visitor, minutes):
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(session, visitor=portal.Visitor(visitor), name="Lucía", email=email,
                                  subject="No puedo entrar", description="Falla", kind="question", product_id=None,
                                  locale="es", uploads=[], settings=desk.settings, now=T0 + timedelta(minutes=minutes))


NFD = unicodedata.normalize("NFD", "lucía@example.es")


def test_one_mailbox_typed_many_ways_is_one_key():
    keys = {accounts.limit_key(address) for address in ["lucía@example.es", NFD, "lucía+x@example.es",
                                                        "Lucía+a+b@EXAMPLE.ES", " lucía@example.es "]}
    assert keys == {"lucía@example.es"}
    assert accounts.limit_key("ana@exämple.com") == accounts.limit_key("ana@xn--exmple-cua.com")
    assert accounts.limit_key("lucia@example.es") != accounts.limit_key("lucía@example.es")
    assert accounts.limit_key("not an address") == "not an address"


def test_the_per_email_limit_counts_the_mailbox_not_the_spelling(desk):
    limit = desk.settings.tickets_per_email_hour
    typed = [NFD, "lucía+1@example.es", "Lucía+2@EXAMPLE.ES", NFD, "lucía+x@example.es", "LUCÍA@Example.es"]
    for n in range(limit):
        _send(desk, typed[n % len(typed)], visitor=f"10.0.1.{n}", minutes=n)
    for n, address in enumerate(typed):
        with pytest.raises(ValidationError) as refused:
            _send(desk, address, visitor=f"10.0.2.{n}", minutes=limit)
        assert "several tickets in the last hour from this email" in refused.value.messages("en")["form"]
    _send(desk, "otra@example.es", visitor="10.0.3.1", minutes=limit)  # another mailbox is not held back


def test_inbound_mail_from_tagged_variants_is_answered_as_one_sender(desk):
    settings = desk.settings.model_copy(update={"inbound_per_sender_hour": 3})
    for n in range(6):
        message = EmailMessage()
        message["From"] = f"lucia+{n}@example.es"
        message["To"] = "support@mesa.localhost"
        message["Subject"] = f"Question {n}"
        message["Message-ID"] = make_msgid(domain="example.es")
        message.set_content("Hola.")
        assert ingest.ingest(desk.factory, message.as_bytes(), settings, now=T0 + timedelta(minutes=n)).ticket_id
    with desk.reader() as session:
        answered = session.scalars(select(Outbox.to_address).where(Outbox.template == "ticket_received")).all()
    assert len(answered) == 3
