"""The dispatcher: sends queued outbox rows through SMTP, at least once, never twice by two workers.

Rows are claimed in a short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the
write lock of BEGIN IMMEDIATE makes select-and-mark atomic) and leased for LEASE; a worker
killed after the claim leaves a lease that expires, and the row is tried again. The one
at-least-once window: a worker killed after the server accepted the message and before the
row is marked sent; that email goes out again after the lease.

The MIME message is built here (text and HTML alternatives, our threading headers) and
yagmail keeps the SMTP connection (SSL, STARTTLS, login). yagmail's own message builder
is not used: it cannot carry a separate plain-text part, and it treats any content string
that names an existing file as an attachment.

Addresses go on the wire with their domain IDNA-encoded (ASCII); an address whose local part is
not ASCII is sent with SMTPUTF8 (RFC 6531) when the server offers it, and otherwise fails, that
row alone, with an error that says so. Nothing one row raises reaches another row: its error is
written on it, and it is retried and dies like any failure.
"""

from __future__ import annotations

import contextlib
import email.policy
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

import yagmail
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import leases
from core.config import Settings
from core.db import read_factory
from core.mail import oauth
from core.models import Outbox, utcnow

QUEUED, SENDING, SENT, DEAD = "queued", "sending", "sent", "dead"
LEASE = timedelta(minutes=5)
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)  # 8 tries over about 22 hours
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
BATCH = 50
LEASE_RAN_OUT = (f"Lease expired on try {MAX_ATTEMPTS} of {MAX_ATTEMPTS}: the dispatcher stopped while sending "
                 "this email (it may have gone out); it is not tried again.")


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)


def claim(factory: sessionmaker[Session], limit: int = BATCH, now: datetime | None = None) -> list[int]:
    """Lease up to `limit` due rows to this dispatcher and count the attempt (core.leases: a row whose
    lease ran out on its last try is dead, not claimed again)."""
    return leases.claim(factory, Outbox, limit=limit, now=now or utcnow(), lease=LEASE, max_attempts=MAX_ATTEMPTS,
                        ran_out=LEASE_RAN_OUT)


class NeedsSMTPUTF8(smtplib.SMTPNotSupportedError):
    """An address that cannot be written in ASCII, and a server that does not offer SMTPUTF8."""


def wire_address(address: str) -> str:
    """`address` as it goes to the server and in the To header: the domain IDNA-encoded when it can be.

    `ana@exämple.com` becomes `ana@xn--exmple-cua.com` (plain ASCII, any server takes it); the local
    part stays as written, so `ü@exämple.com` becomes `ü@xn--exmple-cua.com` and needs SMTPUTF8.
    A domain IDNA cannot encode is left as written (then only SMTPUTF8 carries it).
    """
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        ascii_domain = validate_email(f"x@{domain}", check_deliverability=False).ascii_domain
    except (EmailNotValidError, UnicodeError):
        return address
    return f"{local}@{ascii_domain}" if ascii_domain else address


def build_message(row: Outbox, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.mail_from_name, wire_address(settings.mail_from)))
    message["To"] = wire_address(row.to_address)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    if row.in_reply_to:
        message["In-Reply-To"] = row.in_reply_to
    if row.references:
        message["References"] = row.references
    for name, value in (row.headers or {}).items():
        message[name] = value
    # quoted-printable keeps every line under SMTP's 998-character limit, whatever the HTML
    message.set_content(row.body_text, cte="quoted-printable")
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html", cte="quoted-printable")
    return message


def connect(settings: Settings) -> yagmail.SMTP:
    """An open SMTP connection as the settings describe (no login when no user is set; XOAUTH2: core.mail.oauth).

    Every socket operation (connect, greeting, each command, DATA) waits at most
    smtp_timeout_seconds: a server that accepts and never answers fails the attempt."""
    client = yagmail.SMTP(
        user=settings.smtp_user or settings.mail_from, password=settings.smtp_password or None,
        host=settings.smtp_host, port=settings.smtp_port, smtp_ssl=settings.smtp_security == "ssl",
        smtp_starttls=settings.smtp_security == "starttls", soft_email_validation=False,
        smtp_skip_login=not settings.smtp_user or oauth.uses_oauth(settings), timeout=settings.smtp_timeout_seconds)
    client.login()
    if oauth.uses_oauth(settings):  # yagmail connected (and STARTTLS); the sign-in is XOAUTH2's
        oauth.sign_in_smtp(client, settings)
    return client


def _mail_options(smtp: smtplib.SMTP, sender: str, recipient: str) -> list[str]:
    """MAIL FROM parameters: SMTPUTF8 (and 8BITMIME) when an address is not ASCII; raises NeedsSMTPUTF8
    when the server cannot take it (yagmail's own send passes no options: we talk to its smtplib)."""
    wide = [address for address in (recipient, sender) if not address.isascii()]
    if not wide:
        return []
    if not smtp.has_extn("smtputf8"):
        raise NeedsSMTPUTF8(f"{wide[0]} is not an ASCII address (its local part, or a domain IDNA cannot "
                            "encode, has other characters) and the SMTP server does not offer SMTPUTF8 "
                            "(RFC 6531): this email cannot go out through this server")
    return ["SMTPUTF8", "BODY=8BITMIME"] if smtp.has_extn("8bitmime") else ["SMTPUTF8"]


def transmit(client: yagmail.SMTP, message: EmailMessage, sender: str) -> str:
    """Hand one message to the server; returns its answer to DATA (e.g. '250 OK queued as …')."""
    smtp = client.smtp
    smtp.ehlo_or_helo_if_needed()
    sender, recipient = wire_address(sender), str(message["To"])
    options = _mail_options(smtp, sender, recipient)
    code, answer = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    policy = email.policy.SMTPUTF8 if options else email.policy.SMTP  # UTF-8 headers only with SMTPUTF8
    code, answer = smtp.data(message.as_bytes(policy=policy))
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)
    return f"{code} {answer.decode('utf-8', 'replace')}"


def _record(factory: sessionmaker[Session], row_id: int, now: datetime, *, answer: str | None = None,
            error: str | None = None) -> str:
    """Write a send's outcome, waiting out a busy database (core.leases.record)."""
    return leases.record(lambda: _write_outcome(factory, row_id, now, answer=answer, error=error))


def _write_outcome(factory: sessionmaker[Session], row_id: int, now: datetime, *, answer: str | None,
                   error: str | None) -> str:
    with factory() as session, session.begin():
        row = session.get(Outbox, row_id)
        if answer is not None:
            row.status, row.sent_at, row.smtp_response, row.lease_until = SENT, now, answer, None
        elif row.attempts >= MAX_ATTEMPTS:
            row.status, row.last_error, row.lease_until = DEAD, error, None
        else:
            row.status, row.last_error, row.lease_until = QUEUED, error, None
            row.next_attempt_at = now + timedelta(minutes=RETRY_MINUTES[row.attempts - 1])
        return row.status


def dispatch(factory: sessionmaker[Session], settings: Settings, *, now: Callable[[], datetime] = utcnow,
             limit: int = BATCH) -> Report:
    """Send what is due, one connection per batch; failures are scheduled again or marked dead.

    Whatever goes wrong with one row (the server refuses it, an address it cannot take, a bug)
    is written on that row alone and the batch goes on; only a failure to connect holds the rest."""
    report = Report()
    if not settings.smtp_configured:
        return report  # nothing pretends to send: rows wait in the outbox
    ids = claim(factory, limit, now())
    if not ids:
        return report
    client = None
    reader = read_factory(factory.kw["bind"])  # reading a row takes no write lock (SQLite)
    for position, row_id in enumerate(ids):
        try:
            with reader() as session:
                message = build_message(session.get(Outbox, row_id), settings)
        except Exception as exc:  # a row that cannot be built fails alone
            _fail(factory, row_id, now(), exc, report)
            continue
        try:
            client = client or connect(settings)
        except Exception as exc:  # server down (or refusing us): the whole batch waits
            for waiting in ids[position:]:
                _fail(factory, waiting, now(), exc, report)
            return report
        try:
            answer = transmit(client, message, settings.mail_from)
        except NeedsSMTPUTF8 as exc:  # refused before MAIL FROM: the connection is as good as before
            _fail(factory, row_id, now(), exc, report)
            continue
        except Exception as exc:  # any other failure is this row's; the next one starts on a fresh connection
            _fail(factory, row_id, now(), exc, report)
            client = _close(client)
            continue
        _record(factory, row_id, now(), answer=answer)
        report.sent.append(row_id)
    _close(client)
    return report


def _fail(factory: sessionmaker[Session], row_id: int, now: datetime, exc: Exception, report: Report) -> None:
    status = _record(factory, row_id, now, error=f"{exc.__class__.__name__}: {exc}"[:2000])
    (report.dead if status == DEAD else report.retry).append(row_id)


def _close(client: yagmail.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(Exception):  # a connection that broke mid-command may not close cleanly
            client.close()


def retry_now(session: Session, row_id: int, now: datetime | None = None) -> Outbox:
    """Admin action: try a queued or dead row again at once (it keeps its Message-ID)."""
    row = session.get(Outbox, row_id)
    row.status, row.next_attempt_at, row.lease_until = QUEUED, now or utcnow(), None
    if row.attempts >= MAX_ATTEMPTS:
        row.attempts = MAX_ATTEMPTS - 1
    session.flush()
    return row


def send_again(session: Session, row_id: int, now: datetime | None = None) -> Outbox:
    """Admin action: queue a copy of an email (new Message-ID, same words and thread)."""
    from email.utils import make_msgid

    original = session.get(Outbox, row_id)
    now = now or utcnow()
    domain = original.message_id.rpartition("@")[2].rstrip(">") or "mesa.localhost"
    copy = Outbox(template=original.template, to_address=original.to_address, locale=original.locale,
                  subject=original.subject, body_text=original.body_text, body_html=original.body_html,
                  ticket_id=original.ticket_id, message_id=make_msgid(domain=domain),
                  in_reply_to=original.in_reply_to, references=original.references, headers=original.headers,
                  status=QUEUED, attempts=0, next_attempt_at=now, created_at=now)
    session.add(copy)
    session.flush()
    return copy


def log_page(session: Session, *, status: str | None = None, search: str = "", limit: int = 50,
             offset: int = 0) -> list[Outbox]:
    """Emails for the Email log, newest first; `search` matches the recipient, subject or ticket number."""
    query = select(Outbox)
    if status:
        query = query.where(Outbox.status == status)
    words = search.strip()
    if words:
        match = Outbox.to_address.contains(words.lower(), autoescape=True) | Outbox.subject.contains(
            words, autoescape=True)
        if words.lstrip("#").isdigit():
            match = match | (Outbox.ticket_id == int(words.lstrip("#")))
        query = query.where(match)
    return list(session.scalars(query.order_by(Outbox.id.desc()).limit(limit).offset(offset)))


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all())
