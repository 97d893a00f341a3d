import threading
from datetime import timedelta
from html import escape

import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.mail import outbox, sender
from core.models import Outbox
from core.portal import service as portal
from core.portal import tokens
from core.tickets import service as tickets
from tests.core.conftest import T0
from tests.links import query_value
from tests.mailserver import MailServer, free_port, smtp_settings


@pytest.fixture
def mailserver():
    server = MailServer().start()
    yield server
    server.stop()


def _send_ticket(desk, email="lucia@example.es", locale="es"):
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(
            session, visitor=portal.Visitor("10.0.0.1"), name="Lucía", email=email, subject="No puedo entrar",
            description="Dice credenciales no válidas", kind="incident", product_id=None, locale=locale,
            uploads=[], settings=desk.settings, now=T0)


def _rows(desk):
    with desk.reader() as session:
        return {row.id: row for row in session.scalars(select(Outbox).order_by(Outbox.id))}


def _clock(start):
    return lambda: start


def test_sends_both_parts_with_threading_headers_in_the_requesters_language(desk, mailserver):
    sent = _send_ticket(desk)
    with unit_of_work(desk.factory) as session:
        outbox.enqueue(session, template="lost_link", to="lucia@example.es", locale="es", ticket_id=sent.ticket_id,
                       settings=desk.settings, now=T0 + timedelta(minutes=1),
                       context={"ticket_number": sent.ticket_id, "subject": "No puedo entrar",
                                "requester_name": "Lucía", "link": sent.link})
    report = sender.dispatch(desk.factory, smtp_settings(desk.settings, mailserver.port),
                             now=_clock(T0 + timedelta(minutes=2)))
    assert len(report.sent) == 2 and not report.retry, [r.last_error for r in _rows(desk).values()]
    first, second = mailserver.inbox.messages
    rows = list(_rows(desk).values())
    assert first["To"] == "lucia@example.es" and first["Subject"].startswith(f"[#{sent.ticket_id}] ")
    assert first["Message-ID"] == rows[0].message_id and first["Auto-Submitted"] == "auto-generated"
    assert second["In-Reply-To"] == rows[0].message_id and rows[0].message_id in second["References"]
    text = first.get_body(("plain",)).get_content()
    html = first.get_body(("html",)).get_content()
    assert "Hemos recibido" in first["Subject"] and sent.link in text
    assert f'href="{escape(sent.link)}"' in html
    raw_token = query_value(sent.link, "token")
    with desk.reader() as session:
        assert tokens.ticket_access(session, sent.ticket_id, raw_token, now=T0)
    assert all(r.status == "sent" and r.smtp_response.startswith("250 OK queued as") and r.sent_at for r in rows)


def test_nothing_pretends_to_send_without_an_smtp_server_configured(desk):
    _send_ticket(desk)
    assert sender.dispatch(desk.factory, desk.settings).sent == []
    assert [r.status for r in _rows(desk).values()] == ["queued"]


def test_smtp_down_then_up_every_email_goes_out_once_in_order(desk):
    port = free_port()
    settings = smtp_settings(desk.settings, port)
    first = _send_ticket(desk)
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, first.ticket_id, agent_id=desk.ana, body="¿A qué hora?", now=T0)
        for n in range(3):
            outbox.enqueue(session, template="lost_link", to="lucia@example.es", locale="es",
                           ticket_id=first.ticket_id, settings=desk.settings, now=T0 + timedelta(seconds=n + 1),
                           context={"ticket_number": first.ticket_id, "subject": "s", "requester_name": "L",
                                    "link": first.link})
    down = sender.dispatch(desk.factory, settings, now=_clock(T0 + timedelta(seconds=10)))
    assert down.sent == [] and len(down.retry) == 5  # confirmation, agent reply, three more
    rows = _rows(desk)
    assert all(r.status == "queued" and r.attempts == 1 and "Error" in r.last_error for r in rows.values())
    assert all(r.next_attempt_at == T0 + timedelta(seconds=70) for r in rows.values())
    server = MailServer(port).start()
    try:
        assert sender.dispatch(desk.factory, settings, now=_clock(T0 + timedelta(seconds=60))).sent == []  # not due
        up = sender.dispatch(desk.factory, settings, now=_clock(T0 + timedelta(minutes=2)))
        again = sender.dispatch(desk.factory, settings, now=_clock(T0 + timedelta(hours=30)))
    finally:
        server.stop()
    assert len(up.sent) == 5 and again.sent == []
    assert server.inbox.ids() == [r.message_id for r in rows.values()]  # each once, in order


def test_a_refused_recipient_is_retried_and_dies_after_the_last_try(desk, mailserver):
    _send_ticket(desk, email="gone@example.com", locale="en")
    _send_ticket(desk, email="fine@example.com", locale="en")
    mailserver.inbox.refuse.add("gone@example.com")
    settings = smtp_settings(desk.settings, mailserver.port)
    moment = T0
    report = sender.dispatch(desk.factory, settings, now=_clock(moment))
    assert len(report.sent) == 1 and len(report.retry) == 1
    for _ in range(sender.MAX_ATTEMPTS - 1):
        moment += timedelta(days=1)
        report = sender.dispatch(desk.factory, settings, now=_clock(moment))
    assert len(report.dead) == 1
    dead = [r for r in _rows(desk).values() if r.status == "dead"]
    assert len(dead) == 1 and dead[0].attempts == sender.MAX_ATTEMPTS and "550" in dead[0].last_error
    assert [e[1] for e in mailserver.inbox.envelopes] == [["fine@example.com"]]


def test_a_claim_is_leased_and_expires_when_its_worker_dies(desk):
    _send_ticket(desk)
    assert len(sender.claim(desk.factory, now=T0)) == 1  # this worker "dies" here
    assert sender.claim(desk.factory, now=T0 + timedelta(minutes=4)) == []
    assert len(sender.claim(desk.factory, now=T0 + timedelta(minutes=6))) == 1


def test_retry_now_brings_a_dead_email_back(desk):
    _send_ticket(desk)
    with unit_of_work(desk.factory) as session:
        row = session.scalars(select(Outbox)).one()
        row.status, row.attempts = "dead", sender.MAX_ATTEMPTS
    with unit_of_work(desk.factory) as session:
        sender.retry_now(session, row.id, now=T0)
    assert sender.claim(desk.factory, now=T0) == [row.id]


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_two_dispatchers_send_each_email_exactly_once(desk, mailserver):
    with unit_of_work(desk.factory) as session:
        for n in range(500):
            outbox.enqueue(session, template="verify_email", to=f"user{n}@example.com", locale="en",
                           settings=desk.settings, now=T0, context={"name": "User", "link": "http://x/y"})
    settings = smtp_settings(desk.settings, mailserver.port)
    results = []

    def work():
        while True:
            report = sender.dispatch(desk.factory, settings, now=_clock(T0), limit=20)
            results.append(report)
            if not report.sent and not report.retry:
                return

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    ids = mailserver.inbox.ids()
    assert len(ids) == 500 and len(set(ids)) == 500
    assert sum(len(r.sent) for r in results) == 500
    assert all(r.status == "sent" for r in _rows(desk).values())
