"""The database is locked just after the SMTP server took the email: the dispatcher waits and marks
it sent, instead of leaving it to go out a second time when its lease expires (found by bench/load.py)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import select

from core.db import make_engine, session_factory
from core.mail import sender
from core.models import Outbox
from tests.core.conftest import T0
from tests.core.test_sender import _send_ticket
from tests.faults.test_database_faults import _impatient_factory
from tests.mailserver import Inbox, MailServer, smtp_settings

pytestmark = pytest.mark.slow  # tests/faults: fault injection, out of make test-fast


class LockingInbox(Inbox):
    """Accepts the email, and at that moment another writer takes SQLite's write lock for a second."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database
        self.holder: threading.Thread | None = None

    async def handle_DATA(self, server, session, envelope):
        held = threading.Event()

        def hold() -> None:
            connection = sqlite3.connect(self.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            held.set()
            threading.Event().wait(1.0)
            connection.execute("COMMIT")
            connection.close()

        self.holder = threading.Thread(target=hold)
        self.holder.start()
        held.wait(5)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # PostgreSQL waits on the row lock instead
def test_a_busy_database_after_sending_is_waited_out_and_the_email_goes_once(desk, monkeypatch):
    engine = desk.factory.kw["bind"]
    _send_ticket(desk)
    impatient_engine, impatient = _impatient_factory(desk, monkeypatch, wait_ms=200)
    server = MailServer()
    server.inbox = LockingInbox(engine.url.database)
    server.start()
    try:
        report = sender.dispatch(impatient, smtp_settings(desk.settings, server.port), now=lambda: T0)
        server.inbox.holder.join(5)
        report_again = sender.dispatch(session_factory(make_engine(str(engine.url))),
                                       smtp_settings(desk.settings, server.port), now=lambda: T0)
    finally:
        server.stop()
        impatient_engine.dispose()
    with desk.reader() as session:
        row = session.scalars(select(Outbox)).one()
    assert report.sent == [row.id] and row.status == sender.SENT and row.smtp_response.startswith("250")
    assert report_again.sent == [] and len(server.inbox.messages) == 1
