"""Inbound email: store the raw message first, then put it on the right ticket.

Matching, in order (DESIGN.md): In-Reply-To/References hit a Message-ID we sent or stored;
a plus-address token (support+TOKEN@…); `[#N]` in the subject only when the sender is the
ticket's requester. Anything else opens a new ticket from the email channel.

Automatic mail (auto-replies, bounces, lists, our own address) is stored and shown to staff
as a note on its ticket, but never answered and never reopens anything. A sender past the
hourly limit is still stored and threaded, only no longer answered. Past LOOP_FACTOR times
that limit the sender is in a mail loop: its mail is kept as received, flagged "looped" with
the ticket it belongs to, and its ticket gets one note (at most one an hour, however long the
loop lasts; a warning is logged too), but it is no longer added to tickets
(each message added makes the next one slower to add, and buries the conversation). A
message that cannot be processed keeps its raw row, flagged "failed" for an admin; nothing
is dropped. Held, oversized and failed rows are listed on the email log and can be applied
again with `reprocess` (python -m core reprocess-inbound ID).

A message above MESA_INBOUND_MAX_MB is not parsed: only its headers are read, so it can
still be threaded. Its row keeps the headers and the first KEEP_BYTES of the body (not
hundreds of megabytes in the database), its ticket gets a note for staff, and the sender
is told once, with the same loop and hourly protections as any other answer.

A customer's email is never refused for a length: a subject longer than the form allows (long
"Fwd: Re:" chains) or a sender name longer than an account name is cut at a word, with "…",
for the ticket and the customer; the raw email keeps every character.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core import events, i18n
from core.accounts.service import MAX_NAME, limit_key
from core.config import Settings
from core.errors import Collector
from core.mail import inbound, outbox
from core.mail.inbound import Parsed
from core.mail.templates import summarize
from core.models import InboundMail, Message, Outbox, Ticket, utcnow
from core.portal import ratelimit
from core.tickets import attachments, followers, workflow
from core.tickets import service as tickets
from core.tickets.attachments import Upload

RECEIVED, PROCESSED, AUTO, DUPLICATE, FAILED = "received", "processed", "auto", "duplicate", "failed"
OVERSIZED, LOOPED = "oversized", "looped"
REPROCESSING = "reprocessing"  # claimed by `reprocess`, being applied again
STRANDED = timedelta(minutes=10)  # a row still received this long after arriving was left by a stopped process
LOOP_FACTOR = 5  # this many times MESA_INBOUND_PER_SENDER_HOUR in an hour is a mail loop, not a person
HOUR = timedelta(hours=1)
KEEP_BYTES = 64 * 1024  # of an oversized email's body, kept after its headers for an admin to look at
START_BYTES = inbound.MAX_HEAD_BYTES + KEEP_BYTES  # all of an oversized email that is ever read
MB = 1024 * 1024
UNSEEN = (LOOPED, OVERSIZED, FAILED)  # what no ticket shows in full: listed for an admin (the email log)
_MARKER = re.compile(r"oversized: (\d+) bytes[^()]*")
log = logging.getLogger(__name__)


class NotReprocessable(Exception):
    """The stored email cannot be applied again (unknown, or already applied)."""


@dataclass(frozen=True)
class Result:
    status: str
    inbound_id: int | None = None
    ticket_id: int | None = None


def store_raw(factory: sessionmaker[Session], raw: bytes, parsed: Parsed, now: datetime,
              error: str | None = None) -> int | None:
    """Keep the message as received (own transaction); None when its Message-ID is already here."""
    try:
        with factory() as session, session.begin():
            row = InboundMail(message_id=parsed.message_id, from_address=parsed.from_address,
                              subject=parsed.subject[:998], raw=raw, status=RECEIVED, error=error, received_at=now)
            session.add(row)
            session.flush()
            return row.id
    except IntegrityError:
        return None


def ingest(factory: sessionmaker[Session], raw: bytes, settings: Settings, now: datetime | None = None) -> Result:
    """Store one raw email and apply it; safe to call twice with the same message."""
    if len(raw) > settings.inbound_max_bytes:
        return ingest_oversized(factory, raw, len(raw), settings, now)
    now = now or utcnow()
    parsed = inbound.parse(raw)
    inbound_id = store_raw(factory, raw, parsed, now)
    if inbound_id is None:
        return Result(DUPLICATE)
    return _applied(factory, inbound_id, lambda session: _apply(session, parsed, settings, now))


def ingest_oversized(factory: sessionmaker[Session], start: bytes, size: int, settings: Settings,
                     now: datetime | None = None) -> Result:
    """Record an email of `size` bytes, over the limit, from its `start` (its header block at least).

    IMAP and the command line pass only the start, so the rest is never downloaded or held.
    """
    now = now or utcnow()
    parsed = inbound.parse_head(start)
    head = inbound.header_section(start)
    marker = _oversized_marker(size, settings.inbound_max_bytes, len(head))
    inbound_id = store_raw(factory, bytes(start[: len(head) + KEEP_BYTES]), parsed, now, error=marker)
    if inbound_id is None:
        return Result(DUPLICATE)
    return _applied(factory, inbound_id, lambda session: _apply_oversized(session, parsed, size, inbound_id,
                                                                          settings, now))


def reprocess(factory: sessionmaker[Session], inbound_id: int, settings: Settings,
              now: datetime | None = None) -> Result:
    """Apply a stored raw email again through the normal path (held, oversized or failed mail).

    Its own row is reused (no duplicate of itself); a row already on its ticket (processed, auto,
    or oversized with its ticket: the note and the notice are out) is refused, and the row is
    claimed with a conditional update so that two runs cannot both apply it. The loop hold and the
    hourly limits count as of `now`.
    """
    now = now or utcnow()
    with factory() as session, session.begin():
        row = session.get(InboundMail, inbound_id)
        if row is None:
            raise NotReprocessable(f"inbound email #{inbound_id} does not exist")
        if row.status in (PROCESSED, AUTO) or (row.status == OVERSIZED and row.ticket_id is not None):
            raise NotReprocessable(f"inbound email #{inbound_id} was already applied (status {row.status}, "
                                   f"ticket #{row.ticket_id or '—'}); it is not applied twice")
        if row.status == REPROCESSING or (row.status == RECEIVED and row.received_at > now - STRANDED):
            raise NotReprocessable(f"inbound email #{inbound_id} is being applied now (status {row.status}); "
                                   "it is not applied twice")
        raw, old = bytes(row.raw), row.status
        size, marker = _oversized_size(row.error)  # an oversized email stays recorded as one
        # claimed into a status of its own: a second run, or a live ingest, never matches it
        claimed = session.execute(update(InboundMail).where(InboundMail.id == inbound_id, InboundMail.status == old)
                                  .values(status=REPROCESSING, error=marker)).rowcount
        if not claimed:
            raise NotReprocessable(f"inbound email #{inbound_id} is being processed by another run")
    if size is not None:
        parsed = inbound.parse_head(raw)
        return _applied(factory, inbound_id, lambda session: _apply_oversized(session, parsed, size, inbound_id,
                                                                              settings, now))
    parsed = inbound.parse(raw)
    return _applied(factory, inbound_id, lambda session: _apply(session, parsed, settings, now))


def _oversized_marker(size: int, limit: int, kept: int) -> str:
    """What the error column says of an oversized email (a later failure keeps it, in brackets)."""
    return f"oversized: {size} bytes, limit {limit} bytes; kept {kept} bytes of headers"


def _oversized_size(error: str | None) -> tuple[int | None, str | None]:
    """The size and the marker `_oversized_marker` wrote into `error`, or (None, None)."""
    found = _MARKER.search(error or "")
    return (int(found.group(1)), found.group(0).strip()) if found else (None, None)


def unseen_page(session: Session, offset: int = 0, limit: int = 50,
                now: datetime | None = None) -> list[dict[str, object]]:
    """Held, oversized and failed inbound mail, mail being applied again, and mail a stopped process left
    unapplied (still received after STRANDED), newest first, one page (read in SQL, raw bytes left out)."""
    now = now or utcnow()
    columns = (InboundMail.id, InboundMail.received_at, InboundMail.from_address, InboundMail.subject,
               InboundMail.status, InboundMail.error, InboundMail.ticket_id)
    stranded = and_(InboundMail.status == RECEIVED, InboundMail.received_at < now - STRANDED)
    query = (select(*columns).where(or_(InboundMail.status.in_((*UNSEEN, REPROCESSING)), stranded))
             .order_by(InboundMail.received_at.desc(), InboundMail.id.desc()).offset(offset).limit(limit))
    return [dict(row._mapping) for row in session.execute(query)]


def _applied(factory: sessionmaker[Session], inbound_id: int,
             apply: Callable[[Session], tuple[str, int | None]]) -> Result:
    """Run `apply` in one transaction and record its outcome on the raw row; a failure only marks the row."""
    try:
        with factory() as session, session.begin():
            status, ticket_id = apply(session)
            row = session.get(InboundMail, inbound_id)
            row.status, row.ticket_id = status, ticket_id
        return Result(status, inbound_id, ticket_id)
    except Exception as exc:  # any failure leaves the raw message for an admin
        with factory() as session, session.begin():
            row = session.get(InboundMail, inbound_id)
            marker = f" ({row.error})" if row.error else ""  # an oversized email keeps saying so
            row.status, row.error = FAILED, f"{exc.__class__.__name__}: {exc}{marker}"[:4000]
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
        if _from_requester(ticket, parsed) or (ticket and followers.find(session, ticket.id, parsed.from_address)):
            return ticket
    return None


def _apply(session: Session, parsed: Parsed, settings: Settings, now: datetime) -> tuple[str, int | None]:
    ticket = match(session, parsed, settings)
    earlier = _counted(session, "inbound_any", parsed.from_address, now, stop=_loop(settings))
    if earlier >= _loop(settings):
        return _held(session, ticket, parsed, earlier, settings, now)
    reason = parsed.auto_reason or ("own address" if _from_us(parsed, settings) else None)
    if reason or not parsed.from_address:
        if ticket is not None:
            tickets.add_system_note(session, ticket.id, now=now, body=i18n.t(
                "mail.auto_note", settings.locale, reason=reason or "no sender", sender=parsed.from_address or "?",
                subject=parsed.subject))
        return AUTO, ticket.id if ticket else None
    flooding = _counted(session, "inbound_sender", parsed.from_address, now) >= settings.inbound_per_sender_hour
    files, refused = _checked_files(parsed.attachments, settings)
    body = _body(parsed, settings)
    if flooding:
        events.quiet(session)  # stored, but a flood of mail gets no answers
    ticket_id = _store(session, ticket, parsed, body, files, settings, now)
    if refused:
        tickets.add_system_note(session, ticket_id, now=now, body=i18n.t("mail.refused_files", settings.locale)
                                + "\n" + "\n".join(refused))
    return PROCESSED, ticket_id


def _apply_oversized(session: Session, parsed: Parsed, size: int, inbound_id: int, settings: Settings,
                     now: datetime) -> tuple[str, int | None]:
    """A note for staff on the email's ticket (a new one for a new conversation) and one notice to the sender."""
    ticket = match(session, parsed, settings)
    if _counted(session, "inbound_any", parsed.from_address, now, stop=_loop(settings)) >= _loop(settings):
        return OVERSIZED, ticket.id if ticket else None
    person = bool(parsed.from_address) and not parsed.auto_reason and not _from_us(parsed, settings)
    limit = settings.inbound_per_sender_hour
    answerable = person and _counted(session, "inbound_sender", parsed.from_address, now) < limit
    facts = dict(size=_mb(size), limit=_mb(settings.inbound_max_bytes), subject=_subject(parsed, settings))
    thread_id = parsed.message_id  # on the note, so that replies to the big email find the ticket
    said = i18n.t("mail.too_large_description", settings.locale, **facts)
    if not answerable:
        events.quiet(session)
    if ticket is None and person:
        ticket = tickets.create_ticket(
            session, name=_name(parsed), email=parsed.from_address, subject=facts["subject"], channel="email",
            locale=settings.locale, email_message_id=thread_id, description=said, settings=settings, now=now)
        thread_id = None
    elif person and _from_requester(ticket, parsed):
        # the requester wrote: customer activity like any reply (pending, on hold and solved reopen; a closed
        # ticket gets a follow-up, which then holds the note and is the one the notice links to)
        message = tickets.add_customer_message(session, ticket.id, body=said, via="email",
                                               email_message_id=thread_id, settings=settings, now=now)
        ticket, thread_id = tickets.get_ticket(session, message.ticket_id), None
    if answerable:  # replaces the confirmation of a ticket this email opened (core.notify)
        own = ticket if _from_requester(ticket, parsed) else None
        events.record(session, events.MailTooLarge(parsed.from_address, own, facts), settings, now)
    if ticket is not None:
        told = i18n.t("mail.too_large_told" if answerable else "mail.too_large_not_told", settings.locale)
        tickets.add_system_note(session, ticket.id, now=now, email_message_id=thread_id, body=i18n.t(
            "mail.too_large_note", settings.locale, sender=parsed.from_address or "?", kept=KEEP_BYTES // 1024,
            inbound=inbound_id, told=told, **facts))
    return OVERSIZED, ticket.id if ticket else None


def _from_requester(ticket: Ticket | None, parsed: Parsed) -> bool:
    """Whether the email comes from the requester of the ticket it threads onto."""
    return ticket is not None and ticket.requester.email == parsed.from_address


def _mb(size: int) -> str:
    """Megabytes as people write them: 70, 0.25, 120.5."""
    return f"{size / MB:.2f}".rstrip("0").rstrip(".")


def _store(session: Session, ticket: Ticket | None, parsed: Parsed, body: str, files: list[Upload],
           settings: Settings, now: datetime) -> int:
    follower = None if ticket is None or ticket.status == workflow.CLOSED \
        else followers.find(session, ticket.id, parsed.from_address)
    if _from_requester(ticket, parsed) or follower is not None:
        message = tickets.add_customer_message(session, ticket.id, body=body, uploads=files, via="email",
                                               email_message_id=parsed.message_id, settings=settings, now=now,
                                               sender_unverified=parsed.sender_failed_checks,
                                               author_id=follower.id if follower else None)
        _copied(session, tickets.get_ticket(session, message.ticket_id), parsed, settings, now)
        return message.ticket_id
    if ticket is not None:  # someone else wrote on the thread: staff decide what to do with it
        tickets.add_system_note(session, ticket.id, now=now, uploads=files, email_message_id=parsed.message_id,
                                body=i18n.t("mail.other_sender", settings.locale, sender=parsed.from_address)
                                + "\n\n" + body)
        return ticket.id
    created = tickets.create_ticket(
        session, name=_name(parsed), email=parsed.from_address, subject=_subject(parsed, settings), description=body,
        channel="email", locale=settings.locale, uploads=files, email_message_id=parsed.message_id,
        sender_unverified=parsed.sender_failed_checks, settings=settings, now=now)
    _copied(session, created, parsed, settings, now)
    return created.id


def _copied(session: Session, ticket: Ticket, parsed: Parsed, settings: Settings, now: datetime) -> None:
    """The people in To and CC of a customer's (or follower's) email follow its ticket."""
    followers.add_from_email(session, ticket, [*parsed.to, *parsed.cc], ours=[settings.mail_from, settings.imap_user],
                             sender=parsed.from_address, locale=settings.locale, now=now)


def _shortened(text: str, limit: int) -> str:
    """`text` on one line, cut at a word to at most `limit` characters with "…" when it is longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else summarize(text, limit - 1)


def _subject(parsed: Parsed, settings: Settings) -> str:
    """The ticket's subject: the email's, within the form's limit (a long Fwd: Re: chain is ordinary)."""
    return _shortened(parsed.subject, settings.max_subject_chars) or "(no subject)"


def _name(parsed: Parsed) -> str:
    """The requester's name for a new customer: the display name within an account name's limit,
    else the address's local part."""
    address = parsed.from_address or ""
    return _shortened(parsed.from_name, MAX_NAME) or _shortened(address.split("@")[0], MAX_NAME) or address


def _counted(session: Session, bucket: str, address: str | None, now: datetime, stop: int | None = None) -> int:
    """How many emails of `bucket` the sender sent in the last hour before this one, which is counted too.

    The sender is counted as a mailbox (accounts.limit_key): its `+tag` variants and spellings are one.

    Buckets: "inbound_sender" counts the mail we would answer, "inbound_any" all of it (for loops).
    Past `stop` nothing more is recorded (the first email past it is, so that it alone sees exactly
    `stop`): a loop of 10,000 emails leaves `stop` + 1 rows an hour, the count stays cheap, and the
    window opens again an hour after the first of them.
    """
    if not address:
        return 0
    mailbox = limit_key(address)  # lucia+1@…, lucia+2@… are one sender: one mailbox gets the answers
    earlier = ratelimit.count(session, bucket, mailbox, HOUR, now)
    if stop is None or earlier <= stop:
        ratelimit.hit(session, bucket, mailbox, now)
    return earlier


def _loop(settings: Settings) -> int:
    """Emails from one sender in an hour that make a mail loop."""
    return settings.inbound_per_sender_hour * LOOP_FACTOR


def _held(session: Session, ticket: Ticket | None, parsed: Parsed, earlier: int, settings: Settings,
          now: datetime) -> tuple[str, int | None]:
    """Keep a looping sender's email out of the tickets; only the start of a hold says so.

    The count of a held sender hovers at the threshold (nothing more is recorded past it), so it
    cannot tell a new hold from a long one: the note is rate-limited on its own ("loop_noted"),
    once per sender an hour, whatever the count does while the loop goes on.
    """
    address = parsed.from_address or ""
    mailbox = limit_key(address)
    if ratelimit.count(session, "loop_noted", mailbox, HOUR, now) == 0:
        ratelimit.hit(session, "loop_noted", mailbox, now)
        log.warning("Mail loop: holding the mail of %s (%d emails in the last hour), ticket %s",
                    address, earlier, ticket.id if ticket else "none")
        if ticket is not None:
            tickets.add_system_note(session, ticket.id, now=now, body=i18n.t(
                "mail.loop_note", settings.locale, count=earlier, sender=address))
    return LOOPED, ticket.id if ticket else None


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
