"""`python -m core worker` killed with SIGKILL at the two worst moments, then started again.

(a) Between claiming and sending: the SMTP server holds the message in DATA without answering
    when the kill lands; nothing was accepted, so after the lease every email goes out once.
(b) Between sending and marking sent: the server accepts the message (250) while the test holds
    the lock the worker needs to mark the row sent (SQLite: the write lock; PostgreSQL: the row);
    the kill lands before that commit. After the lease that one email goes out a second time:
    the at-least-once window of docs/deploy.md, and the only duplicate.

The lease (5 minutes) is made to expire by moving lease_until into the past, as time would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from core.db import unit_of_work
from core.mail import outbox
from core.models import Outbox, utcnow
from tests.faults.checks import deliveries
from tests.faults.checks import outbox_rows as all_outbox_rows
from tests.mailserver import Inbox, MailServer

pytestmark = pytest.mark.slow  # tests/faults: fault injection, out of make test-fast

ROOT = Path(__file__).resolve().parents[2]
EMAILS = 3


class GatedInbox(Inbox):
    """An inbox whose DATA answer the test controls. hold=True: say nothing until released (the
    message is not accepted). on_accept: called with the message before the 250 goes back."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = False
        self.on_accept = None
        self.in_data = threading.Event()
        self.accepted = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.in_data.set()
        if self.hold:
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 try again later"
        answer = await super().handle_DATA(server, session, envelope)
        if self.on_accept is not None:
            self.on_accept()
            self.on_accept = None
        self.accepted.set()
        return answer


def outbox_rows(desk) -> dict[int, Outbox]:
    """Our emails only: the worker's automations may queue others (the managers' weekly digest)."""
    return {k: r for k, r in all_outbox_rows(desk).items() if r.template == "verify_email"}


def _queue(desk) -> None:
    with unit_of_work(desk.factory) as session:
        for i in range(EMAILS):
            outbox.enqueue(session, template="verify_email", to=f"user{i}@example.com", locale="en",
                           settings=desk.settings, now=utcnow(), context={"name": "U", "link": "http://x/y"})


def _worker(desk, port: int, tmp_path: Path, name: str) -> subprocess.Popen:
    engine = desk.factory.kw["bind"]
    env = {**os.environ, "MESA_DATA_DIR": str(tmp_path), "MESA_SECRET_KEY": "w" * 40,
           "MESA_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "MESA_SMTP_HOST": "127.0.0.1", "MESA_SMTP_PORT": str(port), "MESA_SMTP_SECURITY": "none",
           "MESA_SMTP_TIMEOUT_SECONDS": "10", "MESA_IMAP_HOST": "", "MESA_WORKER_INTERVAL_SECONDS": "0.2",
           "MESA_EMBEDDED_WORKER": "0"}
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
    return subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def _wait(event: threading.Event, process: subprocess.Popen, what: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + 30
    while not event.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            logs = "".join(p.read_text() for p in tmp_path.glob("*.log"))
            pytest.fail(f"the worker never reached {what}: {logs}")


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


def _expire_leases(desk) -> None:
    with unit_of_work(desk.factory) as session:
        session.execute(update(Outbox).where(Outbox.status == "sending")
                        .values(lease_until=utcnow() - timedelta(seconds=1)))


def _restart_until_all_sent(desk, port: int, tmp_path: Path) -> None:
    process = _worker(desk, port, tmp_path, "second")
    try:
        deadline = time.monotonic() + 30
        while any(r.status != "sent" for r in outbox_rows(desk).values()):
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "second.log").read_text()
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def _lock_the_row_against_the_worker(desk, row_id: int):
    """Take the lock the worker needs to mark `row_id` sent; returns how to let go of it."""
    engine = desk.factory.kw["bind"]
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(engine.url.database, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN IMMEDIATE")
        return lambda: (connection.execute("ROLLBACK"), connection.close())
    connection = engine.connect()
    connection.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": row_id})
    return lambda: (connection.rollback(), connection.close())


@pytest.fixture
def gated():
    server = MailServer()
    server.inbox = GatedInbox()
    server.start()
    yield server
    server.inbox.release.set()
    server.stop()


def test_killed_between_claiming_and_sending_every_email_goes_out_once(desk, gated, tmp_path):
    _queue(desk)
    gated.inbox.hold = True
    process = _worker(desk, gated.port, tmp_path, "first")
    try:
        _wait(gated.inbox.in_data, process, "DATA", tmp_path)
    finally:
        _kill(process)
    gated.inbox.release.set()
    rows = outbox_rows(desk)
    assert [r.status for r in rows.values()] == ["sending"] * EMAILS  # claimed as one batch, leased
    assert gated.inbox.ids() == []  # the server never accepted anything
    gated.inbox.hold = False
    _expire_leases(desk)
    _restart_until_all_sent(desk, gated.port, tmp_path)
    rows = outbox_rows(desk)
    ours = {r.message_id for r in rows.values()}
    assert {k: v for k, v in deliveries(gated.inbox).items() if k in ours} == dict.fromkeys(ours, 1)  # no duplicate
    assert [r.attempts for r in rows.values()] == [2] * EMAILS


def test_killed_between_sending_and_marking_sent_only_that_email_goes_out_twice(desk, gated, tmp_path):
    _queue(desk)
    first = min(outbox_rows(desk))
    unlock = []
    gated.inbox.on_accept = lambda: unlock.append(_lock_the_row_against_the_worker(desk, first))
    process = _worker(desk, gated.port, tmp_path, "first")
    try:
        _wait(gated.inbox.accepted, process, "the server's 250", tmp_path)
        time.sleep(0.2)  # the 250 reaches the worker, which now waits for the lock to mark the row sent
    finally:
        _kill(process)
        for let_go in unlock:
            let_go()
    rows = outbox_rows(desk)
    assert [r.status for r in rows.values()] == ["sending"] * EMAILS and rows[first].sent_at is None
    assert gated.inbox.ids() == [rows[first].message_id]  # accepted, not marked sent
    _expire_leases(desk)
    _restart_until_all_sent(desk, gated.port, tmp_path)
    rows = outbox_rows(desk)
    counts = deliveries(gated.inbox)  # other emails the worker may have sent are not ours
    counts = {k: v for k, v in counts.items() if k in {r.message_id for r in rows.values()}}
    assert counts == {r.message_id: 2 if r.id == first else 1 for r in rows.values()}  # one duplicate, no more
