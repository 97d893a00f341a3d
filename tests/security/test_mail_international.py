"""H2: internationalised addresses through the dispatcher and a real SMTP server (aiosmtpd).

`ü@exämple.com` is a valid address (the form and inbound mail accept it). Sent through a server
that offers SMTPUTF8 it is delivered (domain IDNA-encoded); through one that does not, that one
row fails with an error that says why, is retried and dies like any failure. Whatever one row
does, the rows claimed with it are delivered and nothing is left `sending`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.db import unit_of_work
from core.mail import sender
from core.models import Outbox
from core.portal import service as portal
from tests.core.conftest import T0
from tests.mailserver import MailServer, smtp_settings

GOOD_BEFORE, WIDE, GOOD_AFTER = "ana@example.com", "ü@exämple.com", "zoe@example.com"
IDNA_ONLY = "olga@exämple.com"  # only the domain is not ASCII: IDNA makes it ASCII, no SMTPUTF8 needed


class Server(MailServer):
    """The test SMTP server, offering SMTPUTF8 or not."""

    def __init__(self, smtputf8: bool) -> None:
        super().__init__()
        self.smtputf8 = smtputf8

    def start(self) -> Server:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=self.smtputf8)
        self.controller.start()
        return self


@pytest.fixture(params=[True, False], ids=["smtputf8", "ascii-only"])
def server(request):
    running = Server(smtputf8=request.param).start()
    yield running
    running.stop()


def _queue(desk, *addresses: str) -> dict[str, int]:
    """A confirmation for each address, sent through the form, in this order; {address: outbox id}."""
    ids = {}
    for n, address in enumerate(addresses):
        with unit_of_work(desk.factory) as session:
            sent = portal.send_ticket(
                session, visitor=portal.Visitor(f"10.0.0.{n + 1}"), name="Customer", email=address,
                subject="Cannot log in", description="It says invalid credentials.", kind="incident",
                product_id=None, locale="en", uploads=[], settings=desk.settings, now=T0)
        with desk.reader() as session:
            ids[address] = session.scalar(select(Outbox.id).where(Outbox.ticket_id == sent.ticket_id))
    return ids


def _rows(desk) -> dict[int, Outbox]:
    with desk.reader() as session:
        return {row.id: row for row in session.scalars(select(Outbox))}


def test_a_wide_address_between_two_good_ones_touches_only_its_own_row(desk, server):
    ids = _queue(desk, GOOD_BEFORE, WIDE, GOOD_AFTER)
    settings = smtp_settings(desk.settings, server.port)
    report = sender.dispatch(desk.factory, settings, now=lambda: T0)
    rows = _rows(desk)
    assert not [row for row in rows.values() if row.status == "sending"]
    delivered = [rcpts for _, rcpts in server.inbox.envelopes]
    if server.smtputf8:
        assert sorted(report.sent) == sorted(ids.values()) and not report.retry
        assert delivered == [[GOOD_BEFORE], ["ü@xn--exmple-cua.com"], [GOOD_AFTER]]
        message = server.inbox.messages[1]
        assert message["To"] == "ü@xn--exmple-cua.com" and message["Subject"].startswith("[#")
    else:
        assert sorted(report.sent) == [ids[GOOD_BEFORE], ids[GOOD_AFTER]] and report.retry == [ids[WIDE]]
        assert delivered == [[GOOD_BEFORE], [GOOD_AFTER]]
        wide = rows[ids[WIDE]]
        assert wide.status == "queued" and wide.attempts == 1
        assert "SMTPUTF8" in wide.last_error and "ü@xn--exmple-cua.com" in wide.last_error


def test_without_smtputf8_a_wide_address_dies_after_the_last_try(desk):
    server = Server(smtputf8=False).start()
    try:
        ids = _queue(desk, WIDE, GOOD_AFTER)
        settings = smtp_settings(desk.settings, server.port)
        moment = T0
        for _ in range(sender.MAX_ATTEMPTS):
            sender.dispatch(desk.factory, settings, now=lambda at=moment: at)
            moment += timedelta(days=1)
        assert sender.dispatch(desk.factory, settings, now=lambda: moment).sent == []
    finally:
        server.stop()
    wide = _rows(desk)[ids[WIDE]]
    assert (wide.status, wide.attempts) == ("dead", sender.MAX_ATTEMPTS)
    assert "does not offer SMTPUTF8" in wide.last_error
    assert [rcpts for _, rcpts in server.inbox.envelopes] == [[GOOD_AFTER]]


def test_an_idna_domain_is_sent_in_ascii_without_smtputf8(desk):
    server = Server(smtputf8=False).start()
    try:
        _queue(desk, IDNA_ONLY)
        report = sender.dispatch(desk.factory, smtp_settings(desk.settings, server.port), now=lambda: T0)
    finally:
        server.stop()
    assert len(report.sent) == 1
    assert server.inbox.envelopes[0][1] == ["olga@xn--exmple-cua.com"]
    assert server.inbox.messages[0]["To"] == "olga@xn--exmple-cua.com"


def test_an_unexpected_error_fails_its_own_row_only(desk, server, monkeypatch):
    """Any exception while sending one row (here a bug in a header) marks that row, with its text."""
    ids = _queue(desk, GOOD_BEFORE, "broken@example.com", GOOD_AFTER)
    real = sender.transmit

    def transmit(client, message, from_address):
        if message["To"] == "broken@example.com":
            raise RuntimeError("a bug while sending")
        return real(client, message, from_address)

    monkeypatch.setattr(sender, "transmit", transmit)
    report = sender.dispatch(desk.factory, smtp_settings(desk.settings, server.port), now=lambda: T0)
    rows = _rows(desk)
    assert sorted(report.sent) == [ids[GOOD_BEFORE], ids[GOOD_AFTER]] and report.retry == [ids["broken@example.com"]]
    broken = rows[ids["broken@example.com"]]
    assert broken.status == "queued" and broken.last_error == "RuntimeError: a bug while sending"
    assert not [row for row in rows.values() if row.status == "sending"]


def test_a_row_whose_lease_ran_out_after_the_last_try_is_dead_not_claimed_again(desk):
    """A row that kills its worker on every try (the lease runs out each time) must still end."""
    [row_id] = _queue(desk, GOOD_BEFORE).values()
    moment = T0
    for _ in range(sender.MAX_ATTEMPTS):
        assert sender.claim(desk.factory, now=moment) == [row_id]  # ...and the worker dies
        moment += sender.LEASE + timedelta(seconds=1)
    assert sender.claim(desk.factory, now=moment) == []
    row = _rows(desk)[row_id]
    assert (row.status, row.attempts) == ("dead", sender.MAX_ATTEMPTS)
    assert row.last_error.startswith(f"Lease expired on try {sender.MAX_ATTEMPTS} of {sender.MAX_ATTEMPTS}")
