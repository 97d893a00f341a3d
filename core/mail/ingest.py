"""Inbound email: store the raw message first, then put it on the right ticket.

Matching, in order (DESIGN.md): In-Reply-To/References hit a Message-ID we sent or stored;
a plus-address token (support+TOKEN@…); `[#N]` in the subject only when the sender is the
ticket's requester. Anything else opens a new ticket from the email channel.

Automatic mail (auto-replies, bounces, lists, our own address) is stored and shown to staff
as a note on its ticket, but never answered and never reopens anything. A sender past the
hourly limit is still stored and threaded, only no longer answered. A message that cannot
be processed keeps its raw row, flagged "failed" for an admin; nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core import attachments, i18n, notify, ratelimit, tickets
from core.attachments import Upload
from core.config import Settings
from core.errors import Collector
from core.mail import inbound, outbox
from core.mail.inbound import Parsed
from core.models import InboundMail, Message, Outbox, Ticket, utcnow

RECEIVED, PROCESSED, AUTO, DUPLICATE, FAILED = "received", "processed", "auto", "duplicate", "failed"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Result:
    status: str
    inbound_id: int | None = None
    ticket_id: int | None = None


def store_raw(factory: sessionmaker[Session], raw: bytes, parsed: Parsed, now: datetime) -> int | None:
    """Keep the message as received (own transaction); None when its Message-ID is already here."""
    try:
        with factory() as session, session.begin():
            row = InboundMail(message_id=parsed.message_id, from_address=parsed.from_address,
                              subject=parsed.subject[:998], raw=raw, status=RECEIVED, received_at=now)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def ingest(factory: sessionmaker[Session], raw: bytes, settings: Settings, now: datetime | None = None) -> Result:
    """Store one raw email and apply it; safe to call twice with the same message."""
    now = now or utcnow()
    parsed = inbound.parse(raw)
    inbound_id = store_raw(factory, raw, parsed, now)
    if inbound_id is None:
        return Result(DUPLICATE)
    try:
        with factory() as session, session.begin():
            status, ticket_id = _apply(session, parsed, settings, now)
            row = session.get(InboundMail, inbound_id)
            row.status, row.ticket_id = status, ticket_id
        return Result(status, inbound_id, ticket_id)
    except Exception as exc:  # any failure leaves the raw message for an admin
        with factory() as session, session.begin():
            row = session.get(InboundMail, inbound_id)
            row.status, row.error = FAILED, f"{exc.__class__.__name__}: {exc}"[:4000]
        return Result(FAILED, inbound_id)


def match(session: Session, parsed: Parsed, settings: Settings) -> Ticket | None:
    ids = inbound.thread_ids(parsed)
    if ids:
        found = session.scalar(select(Outbox.ticket_id).where(Outbox.message_id.in_(ids),
                                                               Outbox.ticket_id.is_not(None)).limit(1))
        found = found or session.scalar(select(Message.ticket_id).where(Message.email_message_id.in_(ids)).limit(1))
        if found:
            return session.get(Ticket, found)
    for token in parsed.plus_tokens:
        ticket_id = outbox.ticket_of_token(settings, token)
        if ticket_id and (ticket := session.get(Ticket, ticket_id)):
            return ticket
    if parsed.ticket_number and parsed.from_address:
        ticket = session.get(Ticket, parsed.ticket_number)
        if ticket is not None and ticket.requester.email == parsed.from_address:
            return ticket
    return None


def _apply(session: Session, parsed: Parsed, settings: Settings, now: datetime) -> tuple[str, int | None]:
    ticket = match(session, parsed, settings)
    reason = parsed.auto_reason or ("own address" if _from_us(parsed, settings) else None)
    if reason or not parsed.from_address:
        if ticket is not None:
            tickets.add_system_note(session, ticket.id, now=now, body=i18n.t(
                "mail.auto_note", settings.locale, reason=reason or "no sender", sender=parsed.from_address or "?",
                subject=parsed.subject))
        return AUTO, ticket.id if ticket else None
    flooding = ratelimit.over(session, "inbound_sender", parsed.from_address, settings.inbound_per_sender_hour,
                              HOUR, now)
    ratelimit.hit(session, "inbound_sender", parsed.from_address, now)
    files, refused = _checked_files(parsed.attachments, settings)
    body = _body(parsed, settings)
    if flooding:
        with notify.muted():
            ticket_id = _store(session, ticket, parsed, body, files, settings, now)
    else:
        ticket_id = _store(session, ticket, parsed, body, files, settings, now)
    if refused:
        tickets.add_system_note(session, ticket_id, now=now, body=i18n.t("mail.refused_files", settings.locale)
                                + "\n" + "\n".join(refused))
    return PROCESSED, ticket_id


def _store(session: Session, ticket: Ticket | None, parsed: Parsed, body: str, files: list[Upload],
           settings: Settings, now: datetime) -> int:
    if ticket is not None and ticket.requester.email == parsed.from_address:
        message = tickets.add_customer_message(session, ticket.id, body=body, uploads=files, via="email",
                                               email_message_id=parsed.message_id, settings=settings, now=now)
        if message.ticket_id != ticket.id:  # the ticket was closed: a follow-up opened
            notify.received(session, tickets.get_ticket(session, message.ticket_id), body, settings, now)
        return message.ticket_id
    if ticket is not None:  # someone else wrote on the thread: staff decide what to do with it
        tickets.add_system_note(session, ticket.id, now=now, uploads=files, email_message_id=parsed.message_id,
                                body=i18n.t("mail.other_sender", settings.locale, sender=parsed.from_address)
                                + "\n\n" + body)
        return ticket.id
    created = tickets.create_ticket(
        session, name=parsed.from_name or parsed.from_address.split("@")[0], email=parsed.from_address,
        subject=parsed.subject or "(no subject)", description=body, channel="email", locale=settings.locale,
        uploads=files, email_message_id=parsed.message_id, settings=settings, now=now)
    notify.received(session, created, body, settings, now)
    return created.id


def _from_us(parsed: Parsed, settings: Settings) -> bool:
    return inbound.is_own_address(parsed, [settings.mail_from])


def _body(parsed: Parsed, settings: Settings) -> str:
    text = (parsed.visible or parsed.text).strip() or "(—)"
    limit = settings.max_body_chars
    return text if len(text) <= limit else text[: limit - 40].rstrip() + "\n[…]"


def _checked_files(uploads: list[Upload], settings: Settings) -> tuple[list[Upload], list[str]]:
    """Files that pass the web form's checks, and a line for each refused one."""
    kept: list[Upload] = []
    refused: list[str] = []
    total = 0
    for upload in uploads:
        errors = Collector()
        attachments.check_uploads([upload], settings, errors)
        too_many = len(kept) >= settings.max_attachments
        too_big = total + len(upload.content) > settings.max_ticket_bytes
        if errors.errors or too_many or too_big:
            problems = errors.errors.get("attachments", [])
            reason = "; ".join(i18n.t(key, settings.locale, **params) for key, params in problems)
            refused.append(f"- {upload.filename}: {reason or i18n.t('mail.over_limits', settings.locale)}")
            continue
        kept.append(upload)
        total += len(upload.content)
    return kept, refused
