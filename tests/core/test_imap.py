"""Replies fetched from a real IMAP server (Dovecot on loopback), stored before they are marked seen."""

import imaplib
import os
import shutil
import socket
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import unit_of_work
from core.mail import imap, inbound, ingest
from core.models import InboundMail, Message, Outbox
from core.tickets import service as tickets
from tests.core.conftest import T0
from tests.core.test_ingest import PNG, mail
from tests.imapserver import PASSWORD, USER, ImapServer, available

pytestmark = pytest.mark.skipif(not available(), reason="Debian's dovecot-imapd is not installed")


@pytest.fixture
def dovecot():
    root = Path(tempfile.mkdtemp(prefix="mesa-dovecot-"))  # not under pytest's 0700 folder: Dovecot drops root
    server = ImapServer(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _settings(desk, server):
    return desk.settings.model_copy(update={"imap_host": "127.0.0.1", "imap_port": server.port,
                                            "imap_security": "none", "imap_user": USER, "imap_password": PASSWORD})


def _count(desk, model):
    with desk.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_replies_are_fetched_threaded_and_marked_seen_after_storage(desk, dovecot):
    first = ingest.ingest(desk.factory, mail(), desk.settings, now=T0)
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, first.ticket_id, agent_id=desk.ana, body="¿El log?", status="pending",
                                settings=desk.settings, now=T0 + timedelta(minutes=1))
    with desk.reader() as session:
        ours = session.scalars(select(Outbox.message_id).where(Outbox.template == "info_needed")).one()
    dovecot.append(mail(body="Aquí está", in_reply_to=ours, files=[("app.log", b"ERROR\n", "text", "plain")]))
    dovecot.append(mail(sender="james@example.com", subject="Another question"))
    report = imap.fetch(desk.factory, _settings(desk, dovecot))
    assert (report.stored, report.duplicates, report.failed) == (2, 0, 0)
    assert dovecot.unseen() == 0
    assert desk.ticket(first.ticket_id).status == "open"
    with desk.reader() as session:
        bodies = session.scalars(select(Message.body).where(Message.ticket_id == first.ticket_id)).all()
    assert "Aquí está" in bodies
    assert imap.fetch(desk.factory, _settings(desk, dovecot)).stored == 0


def test_dovecot_stopped_mid_poll_loses_nothing_and_stores_nothing_twice(desk, dovecot, monkeypatch):
    for n in range(3):
        dovecot.append(mail(sender=f"user{n}@example.com", subject=f"Question {n}"))
    settings = _settings(desk, dovecot)
    real_ingest, real_connect = ingest.ingest, imap.connect
    clients, calls = [], []

    def connect_and_keep(settings):
        clients.append(real_connect(settings))
        return clients[-1]

    def ingest_then_cut(factory, raw, settings, now=None):
        result = real_ingest(factory, raw, settings, now)
        calls.append(result)
        if len(calls) == 1:  # the first message is stored; before it is marked seen the server goes away
            dovecot.stop()
            clients[-1].socket().shutdown(socket.SHUT_RDWR)
        return result

    monkeypatch.setattr(imap, "connect", connect_and_keep)
    monkeypatch.setattr(ingest, "ingest", ingest_then_cut)
    with pytest.raises((imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError)):
        imap.fetch(desk.factory, settings)
    assert _count(desk, InboundMail) == 1
    monkeypatch.setattr(ingest, "ingest", real_ingest)
    monkeypatch.setattr(imap, "connect", real_connect)
    dovecot.start()
    report = imap.fetch(desk.factory, settings)
    assert (report.stored, report.duplicates) == (2, 1)
    assert _count(desk, InboundMail) == 3 and dovecot.unseen() == 0


def test_an_unreachable_server_raises_and_changes_nothing(desk):
    settings = desk.settings.model_copy(update={"imap_host": "127.0.0.1", "imap_port": 1, "imap_security": "none",
                                                "imap_user": USER, "imap_password": PASSWORD})
    with pytest.raises(OSError):
        imap.fetch(desk.factory, settings)
    assert _count(desk, InboundMail) == 0


def test_an_oversized_message_is_never_downloaded_only_its_headers_and_first_64_kb(desk, dovecot, monkeypatch):
    settings = _settings(desk, dovecot).model_copy(update={"inbound_max_mb": 1})
    big = mail(sender="james@example.com", subject="Screen recording",
               files=[("screen.png", PNG + os.urandom(3 * 1024 * 1024), "image", "png")])
    dovecot.append(big)
    dovecot.append(mail(sender="olivia@example.com", subject="A small question"))
    real_connect, literals = imap.connect, []

    def connect_and_count(settings):
        client = real_connect(settings)
        read = client.read

        def counted(size):  # every literal the server sends (message bytes) goes through read()
            data = read(size)
            literals.append(len(data))
            return data

        client.read = counted
        return client

    monkeypatch.setattr(imap, "connect", connect_and_count)
    report = imap.fetch(desk.factory, settings)
    assert (report.stored, report.duplicates, report.failed) == (2, 0, 0) and dovecot.unseen() == 0
    # the header block, the first 64 KB of the body and the small message; none of the rest of the 4 MB
    assert ingest.KEEP_BYTES < sum(literals) < ingest.KEEP_BYTES + 50_000
    with desk.reader() as session:
        row = session.scalars(select(InboundMail).where(InboundMail.status == "oversized")).one()
        note = session.scalars(select(Message.body).where(Message.ticket_id == row.ticket_id,
                                                           Message.kind == "note")).one()
        notice = session.scalars(select(Outbox).where(Outbox.template == "mail_too_large")).one()
    size = len(big.replace(b"\n", b"\r\n"))  # as stored by the server
    assert row.error.startswith(f"oversized: {size} bytes") and row.raw.startswith(b"From: ")
    stored = big.replace(b"\n", b"\r\n")  # what ingest would keep of the whole message: the same bytes
    assert row.raw == stored[: len(inbound.header_section(stored)) + ingest.KEEP_BYTES]
    assert "james@example.com" in note and notice.to_address == "james@example.com"
    assert imap.fetch(desk.factory, settings).stored == 0
    dovecot.append(big)  # delivered twice: recorded once
    assert imap.fetch(desk.factory, settings).duplicates == 1 and _count(desk, InboundMail) == 2
