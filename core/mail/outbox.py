"""The outbox: every email is a row written in the caller's transaction, sent later by the worker.

When the change that causes an email rolls back, so does the email; when SMTP is down the
row waits. Ticket emails chain Message-ID, In-Reply-To and References so a conversation
stays one thread in the customer's mail client.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from email.utils import make_msgid, parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings, get_settings
from core.mail.templates import render, template_locale
from core.models import Message, Outbox, utcnow

QUEUED = "queued"
SUBJECT_MAX = 300  # Outbox.subject is String(300)
FALLBACK_DOMAIN = "mesa.localhost"


def _domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or FALLBACK_DOMAIN


def _as_message_id(value: str | None) -> str | None:
    """A stored Message-ID as `<id>`, or None when it is empty or could break a header."""
    value = (value or "").strip()
    if not value or any(char.isspace() for char in value):
        return None
    return value if value.startswith("<") else f"<{value}>"


def thread_of(session: Session, ticket_id: int) -> list[str]:
    """Message-IDs of a ticket so far, oldest first: our emails and the customer's emails.

    On equal times the customer's message comes first: it is what our email answers.
    """
    ours = session.execute(
        select(Outbox.created_at, Outbox.id, Outbox.message_id).where(Outbox.ticket_id == ticket_id)
    ).all()
    theirs = session.execute(
        select(Message.created_at, Message.id, Message.email_message_id).where(
            Message.ticket_id == ticket_id, Message.kind == "customer", Message.email_message_id.is_not(None)
        )
    ).all()
    merged = sorted([(at, 0, row_id, mid) for at, row_id, mid in theirs] +
                    [(at, 1, row_id, mid) for at, row_id, mid in ours])
    chain: list[str] = []
    for *_, raw in merged:
        message_id = _as_message_id(raw)
        if message_id and message_id not in chain:
            chain.append(message_id)
    return chain


def reply_token(settings: Settings, ticket_id: int) -> str:
    """`t<ticket>.<mac>`: names the ticket, and cannot be made up for another one."""
    mac = hmac.new(settings.secret_key.encode(), f"reply:{ticket_id}".encode(), hashlib.sha256).hexdigest()
    return f"t{ticket_id}.{mac[:12]}"


def ticket_of_token(settings: Settings, token: str) -> int | None:
    """The ticket a plus-address token names, when its MAC is right."""
    head, _, _mac = token.partition(".")
    if not head.startswith("t") or not head[1:].isdigit() or len(head) > 15:
        return None
    ticket_id = int(head[1:])
    return ticket_id if hmac.compare_digest(reply_token(settings, ticket_id), token) else None


def reply_address(settings: Settings, ticket_id: int) -> str:
    local, _, domain = parseaddr(settings.mail_from)[1].partition("@")
    return f"{local}+{reply_token(settings, ticket_id)}@{domain}"


def enqueue(session: Session, *, template: str, to: str, locale: str, context: dict[str, Any],
            ticket_id: int | None = None, settings: Settings | None = None,
            now: datetime | None = None) -> Outbox:
    """Render `template` for `to` and queue it in the caller's transaction (flushed, not committed)."""
    if "\r" in to or "\n" in to:
        raise ValueError("The recipient address must be on one line (it contains CR or LF).")
    settings = settings or get_settings()
    now = now or utcnow()
    lang = template_locale(locale)
    rendered = render(template, lang, **{"product_name": settings.product_name, **context})
    subject = rendered.subject if len(rendered.subject) <= SUBJECT_MAX else rendered.subject[: SUBJECT_MAX - 1] + "…"
    chain = thread_of(session, ticket_id) if ticket_id is not None else []
    headers = {"Auto-Submitted": "auto-generated"}
    if ticket_id is not None:
        headers["X-Mesa-Ticket"] = str(ticket_id)
        if settings.reply_plus_address:
            headers["Reply-To"] = reply_address(settings, ticket_id)
    row = Outbox(
        template=template, to_address=to.strip(), locale=lang, subject=subject,
        body_text=rendered.text, body_html=rendered.html, ticket_id=ticket_id,
        message_id=make_msgid(domain=_domain(settings.mail_from)),
        in_reply_to=chain[-1] if chain else None, references=" ".join(chain) or None,
        headers=headers, status=QUEUED, attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def pending(session: Session, limit: int = 50) -> list[Outbox]:
    """Queued emails, oldest first."""
    query = select(Outbox).where(Outbox.status == QUEUED).order_by(Outbox.created_at, Outbox.id).limit(limit)
    return list(session.scalars(query))
