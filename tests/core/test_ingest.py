from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.db import unit_of_work
from core.mail import inbound, ingest, outbox
from core.models import InboundMail, Message, Outbox, Ticket, User
from core.tickets import service as tickets
from tests.core.conftest import T0

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def mail(sender="lucia@example.es", subject="No puedo entrar", body="Hola, no puedo entrar.",
         to="support@mesa.localhost", in_reply_to=None, headers=None, files=(), message_id=None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Lucía García <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.es")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, maintype, subtype in files:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def _take(desk, raw, minutes=0):
    return ingest.ingest(desk.factory, raw, desk.settings, now=T0 + timedelta(minutes=minutes))


def _outbox(desk, template=None):
    with desk.reader() as session:
        query = select(Outbox).order_by(Outbox.id)
        if template:
            query = query.where(Outbox.template == template)
        return list(session.scalars(query))


def _messages(desk, ticket_id):
    with desk.reader() as session:
        return list(session.scalars(select(Message).where(Message.ticket_id == ticket_id)
                                    .options(selectinload(Message.attachments)).order_by(Message.id)))


def test_a_new_email_opens_a_ticket_with_its_confirmation(desk):
    result = _take(desk, mail(files=[("shot.png", PNG, "image", "png")]))
    assert result.status == "processed"
    with desk.reader() as session:
        ticket = session.get(Ticket, result.ticket_id)
        assert (ticket.channel, ticket.subject, ticket.status) == ("email", "No puedo entrar", "new")
        requester = session.get(User, ticket.requester_id)
        assert (requester.email, requester.role, requester.email_verified_at) == ("lucia@example.es", "customer", None)
    [message] = _messages(desk, result.ticket_id)
    assert message.via == "email" and message.email_message_id and message.body == "Hola, no puedo entrar."
    [confirmation] = _outbox(desk)
    assert confirmation.template == "ticket_received" and confirmation.in_reply_to == message.email_message_id


def _ticket_waiting_for_lucia(desk):
    first = _take(desk, mail())
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, first.ticket_id, agent_id=desk.ana, body="¿Nos mandas el log?",
                                status="pending", settings=desk.settings, now=T0 + timedelta(minutes=5))
    reply = _outbox(desk, "info_needed")[0]
    return first.ticket_id, reply


def test_a_reply_threads_by_in_reply_to_strips_the_quote_and_reopens(desk):
    ticket_id, our_email = _ticket_waiting_for_lucia(desk)
    body = ("Aquí va el log.\n\nEl lun, 2 mar 2026 a las 10:05, Soporte <support@mesa.localhost> escribió:\n"
            "> ¿Nos mandas el log?\n")
    result = _take(desk, mail(subject="Re: " + our_email.subject, body=body, in_reply_to=our_email.message_id,
                              files=[("app.log", b"ERROR boom\n", "text", "plain")]), minutes=30)
    assert result.ticket_id == ticket_id
    last = _messages(desk, ticket_id)[-1]
    assert (last.kind, last.body) == ("customer", "Aquí va el log.")
    assert [a.filename for a in last.attachments] == ["app.log"]
    assert desk.ticket(ticket_id).status == "open"


def test_plus_address_token_finds_the_ticket(desk):
    ticket_id, _email = _ticket_waiting_for_lucia(desk)
    to = outbox.reply_address(desk.settings, ticket_id)
    assert _take(desk, mail(to=to, subject="sin asunto"), minutes=30).ticket_id == ticket_id
    other = _take(desk, mail(sender="james@example.com", subject="James's problem"), minutes=31).ticket_id
    forged = to.replace(f"+t{ticket_id}.", f"+t{other}.")  # right ticket number, wrong MAC
    assert _take(desk, mail(to=forged, subject="otro"), minutes=32).ticket_id not in (ticket_id, other)
    assert len(_messages(desk, other)) == 1


def test_ticket_number_in_subject_counts_only_from_the_requester(desk):
    ticket_id, _email = _ticket_waiting_for_lucia(desk)
    mine = _take(desk, mail(subject=f"Re: [#{ticket_id}] algo"), minutes=20)
    stranger = _take(desk, mail(sender="mallory@evil.example", subject=f"[#{ticket_id}] gimme"), minutes=21)
    assert mine.ticket_id == ticket_id and stranger.ticket_id != ticket_id
    assert all("gimme" not in m.body for m in _messages(desk, ticket_id))


def test_spoofed_requester_without_thread_headers_is_a_new_ticket(desk):
    ticket_id, _email = _ticket_waiting_for_lucia(desk)
    assert _take(desk, mail(subject="Otra cosa"), minutes=20).ticket_id != ticket_id


def test_a_duplicate_message_id_is_ignored(desk):
    raw = mail(message_id="<same@example.es>")
    first, second = _take(desk, raw), _take(desk, raw, minutes=1)
    assert (first.status, second.status) == ("processed", "duplicate")
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        assert session.scalar(select(func.count()).select_from(InboundMail)) == 1


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"X-Autoreply": "yes"},
    {"List-Unsubscribe": "<mailto:leave@list.example>"},
])
def test_automatic_mail_is_kept_as_a_note_never_answered_never_reopens(desk, headers):
    ticket_id, our_email = _ticket_waiting_for_lucia(desk)
    before = len(_outbox(desk))
    result = _take(desk, mail(body="I am out of office", in_reply_to=our_email.message_id, headers=headers), 40)
    assert (result.status, result.ticket_id) == ("auto", ticket_id)
    assert desk.ticket(ticket_id).status == "pending" and len(_outbox(desk)) == before
    assert _messages(desk, ticket_id)[-1].kind == "note"


def test_a_bounce_from_the_mailer_daemon_is_not_answered(desk):
    result = _take(desk, mail(sender="MAILER-DAEMON@mx.example.com", subject="Undelivered Mail"))
    assert result.status == "auto" and _outbox(desk) == []


def test_mail_from_our_own_address_is_not_answered(desk):
    assert _take(desk, mail(sender="support@mesa.localhost")).status == "auto"
    assert _outbox(desk) == []


def test_a_mail_loop_stops_being_answered_after_the_hourly_limit(desk):
    for n in range(25):
        _take(desk, mail(subject=f"Loop {n}"), minutes=n)
    confirmations = _outbox(desk, "ticket_received")
    assert len(confirmations) == desk.settings.inbound_per_sender_hour
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 25  # stored all the same


def test_refused_attachments_are_listed_in_a_note(desk):
    result = _take(desk, mail(files=[("shot.png", PNG, "image", "png"),
                                     ("invoice.pdf", b"MZ\x90\x00 not a pdf", "application", "pdf")]))
    customer, note = _messages(desk, result.ticket_id)
    assert [a.filename for a in customer.attachments] == ["shot.png"]
    assert note.kind == "note" and "invoice.pdf: the content is not a pdf file" in note.body


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(desk):
    ticket_id, our_email = _ticket_waiting_for_lucia(desk)
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, ticket_id, status="solved", actor_id=desk.ana, settings=desk.settings)
        tickets.change_status(session, ticket_id, status="closed", actor_id=None, settings=desk.settings)
    result = _take(desk, mail(body="Vuelve a fallar", in_reply_to=our_email.message_id), minutes=60)
    assert result.ticket_id != ticket_id
    assert desk.ticket(result.ticket_id).follow_up_of_id == ticket_id
    assert [row.ticket_id for row in _outbox(desk, "follow_up_opened")] == [result.ticket_id]


def test_garbage_is_stored_and_never_dropped(desk):
    result = _take(desk, b"\x00\xff not an email at all \x00")
    with desk.reader() as session:
        row = session.get(InboundMail, result.inbound_id)
        assert row.raw.startswith(b"\x00\xff") and row.status in ("auto", "failed", "processed")


def test_agents_are_told_of_new_tickets_when_the_desk_wants_it(desk):
    settings = desk.settings.model_copy(update={"notify_agents_new_tickets": True})
    ingest.ingest(desk.factory, mail(), settings, now=T0)
    notices = _outbox(desk, "agent_new_ticket")
    assert sorted(n.to_address for n in notices) == ["ana@mesa.example", "boss@mesa.example", "liam@mesa.example"]
    assert all("Hola, no puedo entrar." in n.body_text for n in notices)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=3000))
def test_random_bytes_never_crash_ingestion_and_are_always_kept(desk, raw):
    result = ingest.ingest(desk.factory, raw, desk.settings, now=T0)
    assert result.status in ("processed", "auto", "failed", "duplicate")
    if result.status != "duplicate":
        with desk.reader() as session:
            assert session.get(InboundMail, result.inbound_id).raw == raw


def test_a_sender_in_a_loop_is_kept_raw_and_off_the_ticket_until_the_hour_is_over(desk):
    settings = desk.settings.model_copy(update={"inbound_per_sender_hour": 2})
    loop = 2 * ingest.LOOP_FACTOR
    ticket_id, our_email = _ticket_waiting_for_lucia(desk)  # her email and our reply; her email counts too
    results = [ingest.ingest(desk.factory, mail(body=f"Auto {n}", in_reply_to=our_email.message_id), settings,
                             now=T0 + timedelta(minutes=10 + n)) for n in range(loop + 5)]
    assert [r.status for r in results] == ["processed"] * (loop - 1) + ["looped"] * 6
    assert {r.ticket_id for r in results} == {ticket_id}
    messages = _messages(desk, ticket_id)
    assert len(messages) == 2 + (loop - 1) + 1 and "a mail loop" in messages[-1].body  # one note, not six
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(InboundMail)) == 1 + loop + 5
    later = ingest.ingest(desk.factory, mail(body="Back to normal", in_reply_to=our_email.message_id), settings,
                          now=T0 + timedelta(minutes=75))  # the first emails of the run are over an hour old
    assert later.status == "processed" and _messages(desk, ticket_id)[-1].body == "Back to normal"


def _rows(desk):
    with desk.reader() as session:
        return {row.id: (row.status, row.ticket_id) for row in session.scalars(select(InboundMail))}


def test_a_failed_email_is_reprocessed_once_on_its_own_row_never_twice(desk):
    raw = mail(subject="Reprocess me", body="Hola, otra vez.")
    inbound_id = ingest.store_raw(desk.factory, raw, inbound.parse(raw), T0)
    with unit_of_work(desk.factory) as session:  # as a crash half way leaves it
        row = session.get(InboundMail, inbound_id)
        row.status, row.error = "failed", "OperationalError: database is locked"
    result = ingest.reprocess(desk.factory, inbound_id, desk.settings, now=T0 + timedelta(minutes=5))
    assert (result.status, result.inbound_id) == ("processed", inbound_id) and result.ticket_id
    assert desk.ticket(result.ticket_id).subject == "Reprocess me"
    assert [m.body for m in _messages(desk, result.ticket_id)] == ["Hola, otra vez."]
    with desk.reader() as session:
        row = session.get(InboundMail, inbound_id)
        assert (row.status, row.ticket_id, row.error) == ("processed", result.ticket_id, None)
        assert session.scalar(select(func.count()).select_from(InboundMail)) == 1  # no duplicate of itself
    with pytest.raises(ingest.NotReprocessable, match="already applied"):
        ingest.reprocess(desk.factory, inbound_id, desk.settings, now=T0 + timedelta(minutes=6))
    with pytest.raises(ingest.NotReprocessable, match="does not exist"):
        ingest.reprocess(desk.factory, inbound_id + 100, desk.settings)
    assert len(_messages(desk, result.ticket_id)) == 1 and len(_outbox(desk, "ticket_received")) == 1


def test_a_row_a_stopped_process_left_received_is_listed_and_applied_once(desk):
    """A row still "received" may be one a live ingest is applying: refused at first, listed and
    reprocessable once it is stranded; a run's claim ("reprocessing") keeps any other run out."""
    raw = mail(subject="Left behind", body="Hola.")
    inbound_id = ingest.store_raw(desk.factory, raw, inbound.parse(raw), T0)  # the process stopped here
    with pytest.raises(ingest.NotReprocessable, match="being applied now"):
        ingest.reprocess(desk.factory, inbound_id, desk.settings, now=T0 + timedelta(minutes=1))
    later = T0 + ingest.STRANDED + timedelta(minutes=1)
    with desk.reader() as session:
        assert [r["id"] for r in ingest.unseen_page(session, now=T0 + timedelta(minutes=1))] == []
        assert [(r["id"], r["status"]) for r in ingest.unseen_page(session, now=later)] == [(inbound_id, "received")]
    with unit_of_work(desk.factory) as session:  # another run has claimed it
        session.get(InboundMail, inbound_id).status = ingest.REPROCESSING
    with pytest.raises(ingest.NotReprocessable, match="being applied now"):
        ingest.reprocess(desk.factory, inbound_id, desk.settings, now=later)
    with unit_of_work(desk.factory) as session:
        session.get(InboundMail, inbound_id).status = ingest.RECEIVED
    result = ingest.reprocess(desk.factory, inbound_id, desk.settings, now=later)
    assert result.status == "processed" and desk.ticket(result.ticket_id).subject == "Left behind"
    with pytest.raises(ingest.NotReprocessable, match="already applied"):
        ingest.reprocess(desk.factory, inbound_id, desk.settings, now=later)


def test_held_mail_is_reprocessed_only_once_the_loop_is_over(desk):
    settings = desk.settings.model_copy(update={"inbound_per_sender_hour": 2})
    loop = 2 * ingest.LOOP_FACTOR
    ticket_id, our_email = _ticket_waiting_for_lucia(desk)
    results = [ingest.ingest(desk.factory, mail(body=f"Auto {n}", in_reply_to=our_email.message_id), settings,
                             now=T0 + timedelta(minutes=10 + n)) for n in range(loop + 1)]
    held = results[-1]
    assert held.status == "looped"
    again = ingest.reprocess(desk.factory, held.inbound_id, settings, now=T0 + timedelta(minutes=30))
    assert (again.status, _rows(desk)[held.inbound_id]) == ("looped", ("looped", ticket_id))  # still looping
    count = len(_messages(desk, ticket_id))
    later = ingest.reprocess(desk.factory, held.inbound_id, settings, now=T0 + timedelta(hours=3))
    assert (later.status, later.ticket_id) == ("processed", ticket_id)
    assert len(_messages(desk, ticket_id)) == count + 1 and _messages(desk, ticket_id)[-1].body == f"Auto {loop}"


def test_a_failed_oversized_email_is_reprocessed_from_its_headers_and_stays_marked(desk):
    settings = desk.settings.model_copy(update={"inbound_max_mb": 0.01})
    raw = mail(sender="james@example.com", subject="Big", files=[("a.png", PNG + b"\x01" * 20_000, "image", "png")])
    marker = f"oversized: {len(raw)} bytes, limit {settings.inbound_max_bytes} bytes; kept 600 bytes of headers"
    stored = raw[: len(inbound.header_section(raw)) + 4000]
    inbound_id = ingest.store_raw(desk.factory, stored, inbound.parse_head(raw), T0, error=marker)
    with unit_of_work(desk.factory) as session:  # as a failure half way leaves it
        row = session.get(InboundMail, inbound_id)
        row.status, row.error = "failed", f"OperationalError: locked ({marker})"
    again = ingest.reprocess(desk.factory, inbound_id, settings, now=T0 + timedelta(minutes=5))
    with desk.reader() as session:
        row = session.get(InboundMail, inbound_id)
        assert (row.status, bytes(row.raw), row.error) == ("oversized", stored, marker)
    assert again.status == "oversized" and desk.ticket(again.ticket_id).subject == "Big"
    assert [n.to_address for n in _outbox(desk, "mail_too_large")] == ["james@example.com"]
    with pytest.raises(ingest.NotReprocessable, match="already applied"):  # its note and notice are out
        ingest.reprocess(desk.factory, inbound_id, settings, now=T0 + timedelta(minutes=6))


def test_a_hold_without_a_ticket_is_still_logged_once(desk, caplog):
    settings = desk.settings.model_copy(update={"inbound_per_sender_hour": 1})
    loop = ingest.LOOP_FACTOR
    results = [ingest.ingest(desk.factory, mail(sender="bot@loop.example", subject=f"New {n}"), settings,
                             now=T0 + timedelta(minutes=n)) for n in range(loop + 3)]
    assert [r.status for r in results[loop:]] == ["looped"] * 3 and {r.ticket_id for r in results[loop:]} == {None}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING" and "Mail loop" in r.getMessage()]
    assert len(warnings) == 1 and "bot@loop.example" in warnings[0] and "ticket none" in warnings[0]
