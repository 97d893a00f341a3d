"""Email over MESA_INBOUND_MAX_MB: read from its headers only, kept short, noted for staff, the sender told once."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.config import ROOT
from core.db import unit_of_work
from core.mail import inbound, ingest, outbox
from core.models import Attachment, InboundMail, Message, Outbox, Ticket
from core.tickets import service as tickets
from tests.core.conftest import T0
from tests.core.test_ingest import PNG, _ticket_waiting_for_lucia, mail

MB = 1024 * 1024
LIMIT_MB = 0.25  # small, so that the test mail stays a few hundred KB


def _small(desk):
    return desk.settings.model_copy(update={"inbound_max_mb": LIMIT_MB})


def _big(size=300_000, **fields):
    """An email of about `size` bytes (over LIMIT_MB): a real attachment, not a long header."""
    content = PNG + os.urandom(size * 3 // 4)  # base64 makes it 4/3 as long
    return mail(files=[("screen.png", content, "image", "png")], **fields)


def _take(desk, raw, minutes=0, settings=None):
    return ingest.ingest(desk.factory, raw, settings or _small(desk), now=T0 + timedelta(minutes=minutes))


def _count(desk, model):
    with desk.reader() as session:
        return session.scalar(select(func.count()).select_from(model))


def _notes(desk, ticket_id):
    with desk.reader() as session:
        return session.scalars(select(Message.body).where(Message.ticket_id == ticket_id, Message.kind == "note")
                               .order_by(Message.id)).all()


def _notices(desk):
    with desk.reader() as session:
        return session.scalars(select(Outbox).where(Outbox.template == "mail_too_large").order_by(Outbox.id)).all()


def _row(desk, inbound_id):
    with desk.reader() as session:
        return session.get(InboundMail, inbound_id)


def test_headers_are_read_without_the_body():
    raw = _big(in_reply_to="<ours@mesa.localhost>", subject="Re: [#7] Vídeo del fallo")
    head, full = inbound.parse_head(raw), inbound.parse(raw)
    assert (head.text, head.attachments) == ("", []) and len(full.attachments) == 1
    for name in ("message_id", "in_reply_to", "references", "from_address", "from_name", "subject", "ticket_number",
                 "auto_reason", "plus_tokens"):
        assert getattr(head, name) == getattr(full, name), name
    assert inbound.parse_head(inbound.header_section(raw)) == head
    assert inbound.header_section(raw).endswith(b"\n\n") and len(inbound.header_section(raw)) < 2000


def test_an_oversized_reply_is_kept_short_noted_on_its_ticket_and_the_sender_told_once(desk):
    ticket_id, ours = _ticket_waiting_for_lucia(desk)
    raw = _big(size=MB, subject="Re: " + ours.subject, in_reply_to=ours.message_id)
    result = _take(desk, raw, minutes=30)
    assert (result.status, result.ticket_id) == ("oversized", ticket_id)
    row = _row(desk, result.inbound_id)
    head = inbound.header_section(raw)
    assert row.raw == raw[: len(head) + ingest.KEEP_BYTES] and len(row.raw) < len(raw) // 4
    assert row.error.startswith(f"oversized: {len(raw)} bytes") and row.ticket_id == ticket_id
    size = f"{round(len(raw) / MB, 2):g}"
    [note] = _notes(desk, ticket_id)
    assert f"An email of {size} MB from lucia@example.es" in note and f"over the {LIMIT_MB} MB limit" in note
    assert "The sender was told by email." in note
    [notice] = _notices(desk)
    assert (notice.to_address, notice.ticket_id) == ("lucia@example.es", ticket_id)
    assert notice.subject == f"[#{ticket_id}] Your email was too large: Re: {ours.subject}"
    assert f"was {size} MB, more than the {LIMIT_MB} MB" in notice.body_text
    assert notice.headers["Auto-Submitted"] == "auto-generated"
    assert f"/ticket?ticket={ticket_id}&token=" in notice.body_text  # a link to add the files on the ticket
    assert _count(desk, Attachment) == 0  # nothing of it was taken
    assert desk.ticket(ticket_id).status == "open"  # the requester wrote: no reminder, no auto-solve on pending
    before = (_count(desk, Message), _count(desk, Outbox), _count(desk, InboundMail))
    assert _take(desk, raw, minutes=31).status == "duplicate"
    assert (_count(desk, Message), _count(desk, Outbox), _count(desk, InboundMail)) == before


def test_an_oversized_new_email_opens_a_ticket_that_says_so(desk):
    result = _take(desk, _big(sender="james@example.com", subject="Crash video"))
    ticket = desk.ticket(result.ticket_id)
    assert (result.status, ticket.subject, ticket.channel) == ("oversized", "Crash video", "email")
    with desk.reader() as session:
        first = session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)).first()
    assert first.kind == "customer" and "could not be taken" in first.body
    assert len(_notes(desk, ticket.id)) == 1
    [notice] = _notices(desk)
    assert notice.to_address == "james@example.com" and notice.subject.startswith(f"[#{ticket.id}] ")
    follow = _take(desk, mail(sender="james@example.com", subject="Re: Crash video", in_reply_to=first.email_message_id,
                              body="Here is a link instead."), minutes=5)
    assert (follow.status, follow.ticket_id) == ("processed", ticket.id)  # a reply to the big email threads


@pytest.mark.parametrize("sender, headers", [
    ("lucia@example.es", {"Auto-Submitted": "auto-replied"}),
    ("MAILER-DAEMON@mx.example.com", {}),
    ("support@mesa.localhost", {}),
])
def test_oversized_automatic_mail_is_noted_never_answered(desk, sender, headers):
    ticket_id, ours = _ticket_waiting_for_lucia(desk)
    result = _take(desk, _big(sender=sender, in_reply_to=ours.message_id, headers=headers), minutes=30)
    assert (result.status, result.ticket_id) == ("oversized", ticket_id)
    assert _notices(desk) == [] and "The sender was not told" in _notes(desk, ticket_id)[-1]
    unthreaded = _take(desk, _big(sender=sender, subject="Delivery failure", headers=headers), minutes=31)
    assert (unthreaded.status, unthreaded.ticket_id) == ("oversized", None)  # no ticket for a robot
    assert _notices(desk) == [] and _count(desk, Ticket) == 1


def test_a_sender_past_the_hourly_limit_is_not_told_again(desk):
    settings = _small(desk)
    for n in range(settings.inbound_per_sender_hour):
        _take(desk, _big(sender="flood@noisy.example", subject=f"Big {n}"), minutes=n)
    assert len(_notices(desk)) == settings.inbound_per_sender_hour
    last = _take(desk, _big(sender="flood@noisy.example", subject="One too many"), minutes=30)
    assert last.status == "oversized" and len(_notices(desk)) == settings.inbound_per_sender_hour
    assert "The sender was not told" in _notes(desk, last.ticket_id)[-1]


def test_the_limit_itself_is_taken_and_one_byte_more_is_not(desk):
    raw = _big(size=200_000)
    exact = desk.settings.model_copy(update={"inbound_max_mb": len(raw) / MB})
    assert exact.inbound_max_bytes == len(raw)
    assert _take(desk, raw, settings=exact).status == "processed"
    assert _count(desk, Attachment) == 1
    other = _big(size=200_000)
    over = desk.settings.model_copy(update={"inbound_max_mb": (len(other) - 1) / MB})
    assert _take(desk, other, settings=over).status == "oversized"


def test_a_failure_half_way_leaves_only_the_marked_raw_row(desk, monkeypatch):
    _ticket_id, ours = _ticket_waiting_for_lucia(desk)
    before = (_count(desk, Message), _count(desk, Outbox), _count(desk, Ticket))

    def smtp_queue_broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "enqueue", smtp_queue_broken)
    result = _take(desk, _big(in_reply_to=ours.message_id), minutes=30)
    assert result.status == "failed"
    assert (_count(desk, Message), _count(desk, Outbox), _count(desk, Ticket)) == before
    row = _row(desk, result.inbound_id)
    assert row.status == "failed" and "outbox unavailable" in row.error and "oversized" in row.error


def test_the_command_line_reads_no_more_than_the_limit_and_drains_the_rest(desk, tmp_path):
    raw = _big(size=3 * MB, sender="pipe@example.com", subject="Through the MTA")
    env = {**os.environ, "MESA_DATABASE_URL": desk.factory.kw["bind"].url.render_as_string(hide_password=False),
           "MESA_DATA_DIR": str(tmp_path), "MESA_SECRET_KEY": "r" * 40, "MESA_INBOUND_MAX_MB": "1"}
    done = subprocess.run([sys.executable, "-m", "core", "ingest-email"], input=raw, env=env, cwd=ROOT,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().startswith("oversized: ticket ")
    with desk.reader() as session:
        row = session.scalars(select(InboundMail)).one()
    assert row.error.startswith(f"oversized: {len(raw)} bytes") and len(row.raw) <= 2 * MB
    assert [n.to_address for n in _notices(desk)] == ["pipe@example.com"]
    again = subprocess.run([sys.executable, "-m", "core", "ingest-email"], input=raw, env=env, cwd=ROOT,
                           capture_output=True, timeout=120)
    assert again.stdout.decode().startswith("duplicate") and _count(desk, InboundMail) == 1


@pytest.mark.parametrize("status", ["on_hold", "solved"])
def test_an_oversized_reply_from_the_requester_reopens_the_ticket(desk, status):
    ticket_id, ours = _ticket_waiting_for_lucia(desk)
    with unit_of_work(desk.factory) as session:
        if status == "solved":
            tickets.change_status(session, ticket_id, status="solved", actor_id=desk.ana, settings=desk.settings,
                                  now=T0 + timedelta(minutes=10))
        else:
            tickets.change_status(session, ticket_id, status="on_hold", actor_id=desk.ana, settings=desk.settings,
                                  now=T0 + timedelta(minutes=10))
    result = _take(desk, _big(subject="Re: " + ours.subject, in_reply_to=ours.message_id), minutes=30)
    assert (result.status, result.ticket_id) == ("oversized", ticket_id)
    assert desk.ticket(ticket_id).status == "open" and len(_notes(desk, ticket_id)) == 1


def test_an_oversized_reply_on_a_closed_ticket_opens_a_follow_up_that_holds_the_note(desk):
    ticket_id, ours = _ticket_waiting_for_lucia(desk)
    with unit_of_work(desk.factory) as session:
        for status in ("solved", "closed"):
            tickets.change_status(session, ticket_id, status=status, actor_id=None, settings=desk.settings,
                                  now=T0 + timedelta(minutes=10))
    raw = _big(subject="Re: " + ours.subject, in_reply_to=ours.message_id)
    result = _take(desk, raw, minutes=30)
    follow = desk.ticket(result.ticket_id)
    assert result.status == "oversized" and follow.id != ticket_id and follow.follow_up_of_id == ticket_id
    assert follow.status in ("new", "open") and desk.ticket(ticket_id).status == "closed"
    assert _notes(desk, ticket_id) == [] and len(_notes(desk, follow.id)) == 1
    assert _row(desk, result.inbound_id).ticket_id == follow.id
    [notice] = _notices(desk)
    assert notice.ticket_id == follow.id and f"/ticket?ticket={follow.id}&token=" in notice.body_text
    later = _take(desk, mail(subject="Re: big", in_reply_to=inbound.parse_head(raw).message_id, body="A link."),
                  minutes=40)
    assert later.ticket_id == follow.id  # a reply to the big email finds the follow-up


def test_the_too_large_notice_to_an_address_we_do_not_know_repeats_none_of_its_words(desk):
    """N1: the notice repeated a forged sender's subject (up to 200 characters) to the address it named."""
    phishing = "Your account is locked, call +1 555 0100 now"
    result = _take(desk, _big(sender="victim@example.com", subject=phishing))
    [notice] = _notices(desk)
    assert notice.to_address == "victim@example.com"
    assert notice.subject == f"[#{result.ticket_id}] Your email was too large"
    assert phishing not in notice.body_text and phishing not in (notice.body_html or "")
