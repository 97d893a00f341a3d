"""The database misbehaves under the app: another writer holds the lock for seconds, PostgreSQL
drops our connections (a restart), an attachment write fails half-way through a ticket.

Each change either completes, or fails as errors.Busy ("try again") with nothing half-written."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from core import db
from core.db import make_engine, session_factory, unit_of_work
from core.errors import Busy
from core.portal import service as portal
from core.tickets import attachments
from core.tickets import service as tickets
from core.tickets.attachments import Upload
from tests.conftest import row_counts
from tests.core.conftest import T0

pytestmark = pytest.mark.slow  # tests/faults: fault injection, out of make test-fast

FILES = [Upload("first.txt", b"first file\n" * 100), Upload("second.txt", b"second file\n" * 100)]


def _url(desk) -> str:
    return desk.factory.kw["bind"].url.render_as_string(hide_password=False)


def _reply(factory, desk, ticket_id, body="We are on it."):
    with unit_of_work(factory) as session:
        return tickets.add_agent_reply(session, ticket_id, agent_id=desk.ana, body=body, settings=desk.settings,
                                       now=T0)


@contextmanager
def _writer_holding_the_lock(desk, ticket_id: int) -> Iterator[threading.Event]:
    """Another writer takes the lock our reply needs (SQLite: the database write lock with BEGIN
    IMMEDIATE; PostgreSQL: the ticket's row) and keeps it until the yielded event is set."""
    held, release = threading.Event(), threading.Event()
    engine = desk.factory.kw["bind"]

    def hold() -> None:
        if engine.dialect.name == "sqlite":
            connection = sqlite3.connect(engine.url.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(30)
            connection.execute("COMMIT")
            connection.close()
        else:
            with engine.connect() as connection, connection.begin():
                connection.execute(text("SELECT id FROM tickets WHERE id = :id FOR UPDATE"), {"id": ticket_id})
                held.set()
                release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)


def _impatient_factory(desk, monkeypatch, wait_ms: int = 300):
    """Sessions that give up on a lock after `wait_ms` (SQLite busy timeout; PostgreSQL lock_timeout)."""
    if desk.factory.kw["bind"].dialect.name == "sqlite":
        monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", wait_ms)
        engine = make_engine(_url(desk))
    else:
        engine = make_engine(_url(desk))

        @event.listens_for(engine, "connect")
        def _short_lock_wait(dbapi_connection, _record) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{wait_ms}ms'")
            dbapi_connection.commit()
    return engine, session_factory(engine)


def test_a_reply_waits_for_a_writer_holding_the_lock_and_succeeds(desk):
    ticket = desk.new_ticket()
    with _writer_holding_the_lock(desk, ticket.id) as release:
        threading.Timer(1.5, release.set).start()  # the other writer commits after 1.5 s
        started = time.monotonic()
        message = _reply(desk.factory, desk, ticket.id)
        waited = time.monotonic() - started
    assert 1.2 < waited < db.SQLITE_BUSY_TIMEOUT_MS / 1000, waited
    assert desk.ticket(ticket.id).status == "open" and message.id


def test_a_lock_held_past_the_timeout_fails_as_busy_with_nothing_written(desk, monkeypatch):
    ticket = desk.new_ticket()
    before = row_counts(desk.factory)
    engine, impatient = _impatient_factory(desk, monkeypatch)
    try:
        with _writer_holding_the_lock(desk, ticket.id):
            started = time.monotonic()
            with pytest.raises(Busy) as caught:
                _reply(impatient, desk, ticket.id)
            assert time.monotonic() - started < 5
        assert isinstance(caught.value.__cause__, OperationalError)
        assert "try again" in caught.value.message("en") and "inténtalo de nuevo" in caught.value.message("es")
        assert row_counts(desk.factory) == before  # no message, event, outbox row, version bump
        _reply(impatient, desk, ticket.id)  # the lock is gone: trying again works
    finally:
        engine.dispose()
    assert row_counts(desk.factory)["messages"] == before["messages"] + 1


# ---------------------------------------------------------------- PostgreSQL drops our connections

def _terminate(admin_engine, application_name: str) -> int:
    with admin_engine.connect() as connection:
        killed = connection.execute(text(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name = :name"), {"name": application_name}).all()
        connection.commit()
    return len(killed)


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre_ping", "no_pre_ping"])
def test_postgres_restart_under_the_app_the_next_action_reconnects(desk, pre_ping):
    name = f"mesa-faults-{pre_ping}-{time.monotonic_ns()}"
    app_engine = make_engine(_url(desk), connect_args={"application_name": name},
                             **({} if pre_ping else {"pool_pre_ping": False}))
    try:
        app = session_factory(app_engine)
        ticket = desk.new_ticket()
        _reply(app, desk, ticket.id, "before")  # the pool now holds a live connection
        assert _terminate(desk.factory.kw["bind"], name) == 1  # what a restart does to it
        before = row_counts(desk.factory)
        if pre_ping:
            _reply(app, desk, ticket.id, "after")  # the dead connection is noticed and replaced
        else:  # without pre-ping the first action meets the dead connection: "try again", no traceback
            with pytest.raises(Busy):
                _reply(app, desk, ticket.id, "after")
            assert row_counts(desk.factory) == before
            _reply(app, desk, ticket.id, "after")
        assert row_counts(desk.factory)["messages"] == before["messages"] + 1
    finally:
        app_engine.dispose()


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_postgres_connection_lost_in_the_middle_of_a_change_writes_nothing(desk):
    name = f"mesa-faults-mid-{time.monotonic_ns()}"
    app_engine = make_engine(_url(desk), connect_args={"application_name": name})
    try:
        app = session_factory(app_engine)
        ticket = desk.new_ticket()
        before = row_counts(desk.factory)
        with pytest.raises(Busy), unit_of_work(app) as session:
            tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="half", settings=desk.settings,
                                    now=T0)
            session.flush()
            assert _terminate(desk.factory.kw["bind"], name) == 1
            tickets.add_internal_note(session, ticket.id, agent_id=desk.ana, body="never", now=T0)
            session.flush()
        assert row_counts(desk.factory) == before
        _reply(app, desk, ticket.id)
    finally:
        app_engine.dispose()


# ---------------------------------------------------------------- a failing attachment write

@pytest.fixture
def second_blob_fails(monkeypatch):
    """The database refuses the second file's content, as a full disk would."""
    real = attachments._insert_blob
    calls = []

    def insert_blob(session, sha256, content):
        calls.append({upload.content: upload.filename for upload in FILES}.get(content, "?"))
        if len(calls) == 2:
            raise OperationalError("INSERT INTO attachment_blobs", {}, sqlite3.OperationalError(
                "database or disk is full"))
        return real(session, sha256, content)

    monkeypatch.setattr(attachments, "_insert_blob", insert_blob)
    return calls


def test_a_failing_attachment_write_creates_no_ticket(desk, second_blob_fails):
    before = row_counts(desk.factory)
    with pytest.raises(OperationalError, match="disk is full"):
        desk.new_ticket(uploads=FILES)
    assert second_blob_fails == ["first.txt", "second.txt"]
    assert row_counts(desk.factory) == before  # no ticket, message, attachment, blob, outbox, event, token


def test_a_failing_attachment_write_on_the_web_form_creates_no_ticket(desk, second_blob_fails):
    before = row_counts(desk.factory)
    with pytest.raises(OperationalError), unit_of_work(desk.factory) as session:
        portal.send_ticket(session, visitor=portal.Visitor("10.0.0.9"), name="Lucía", email="lucia@example.es",
                           subject="Adjunto", description="Dos ficheros", kind="incident", product_id=None,
                           locale="es", uploads=FILES, settings=desk.settings, now=T0)
    assert second_blob_fails == ["first.txt", "second.txt"]
    assert row_counts(desk.factory) == before  # the rate-limit hits were not kept either


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_really_full_sqlite_database_creates_no_ticket(desk):
    """No monkeypatch: SQLite's max_page_count leaves room for the ticket and the first file only."""
    before = row_counts(desk.factory)
    full = make_engine(_url(desk), poolclass=NullPool)  # the limit dies with the connection
    files = [Upload("small.txt", b"small\n" * 500), Upload("big.txt", b"big file line\n" * 40_000)]
    vacuum = sqlite3.connect(full.url.database, isolation_level=None)  # no free pages left by earlier tests:
    vacuum.execute("VACUUM")  # the file must grow to take more, and it may not
    vacuum.close()
    try:
        with pytest.raises(OperationalError, match="full"), unit_of_work(session_factory(full)) as session:
            pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
            session.connection().exec_driver_sql(f"PRAGMA max_page_count = {pages + 40}")
            tickets.create_ticket(session, name="Olivia", email="olivia@example.com", subject="Files",
                                  description="Two", uploads=files, settings=desk.settings, now=T0)
    finally:
        full.dispose()
    assert row_counts(desk.factory) == before
    desk.new_ticket(uploads=files)  # with room again, the same ticket goes in whole
    assert row_counts(desk.factory)["attachments"] == before["attachments"] + 2
