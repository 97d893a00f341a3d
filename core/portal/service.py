"""What a customer does without an account: send a ticket, follow it by its link, add to it.

The page passes what it knows of the visitor (client address, captcha result); every
check, the ticket, its link and the confirmation email happen here, in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from core import events
from core.accounts import service as accounts
from core.config import Settings
from core.db import unit_of_work
from core.desk import catalog
from core.errors import Collector, ValidationError
from core.models import Attachment, Message, Ticket, User, utcnow
from core.portal import ratelimit, tokens
from core.tickets import service as tickets
from core.tickets import workflow
from core.tickets.attachments import Upload

HOUR = timedelta(hours=1)
BAD_TOKEN_WINDOW = timedelta(minutes=15)
BAD_TOKENS_BEFORE_DELAY = 5
MAX_DELAY_SECONDS = 5.0


@dataclass(frozen=True)
class Visitor:
    """Who is at the form, as far as the page can tell."""

    address: str
    captcha_ok: bool = True
    honeypot: str = ""
    user_id: int | None = None  # the account signed in, if any


@dataclass(frozen=True)
class Sent:
    """The new ticket; `link` is None when it went only to the address (sent in an account's name
    without signing in to it: whoever typed the address may not own it)."""

    ticket_id: int
    link: str | None


def send_ticket(session: Session, *, visitor: Visitor, name: str, email: str, subject: str, description: str,
                kind: str, product_id: int | None, locale: str, uploads: Sequence[Upload],
                settings: Settings, now: datetime | None = None) -> Sent:
    """Check the visitor, open the ticket, issue its link and queue the confirmation email."""
    now = now or utcnow()
    guard = Collector()
    if visitor.honeypot.strip():
        guard.add("form", "errors.honeypot")
    if not visitor.captcha_ok:
        guard.add("captcha", "errors.captcha")
    mailbox = accounts.limit_key(email)  # counted as the mailbox, however the address is typed
    if mailbox and ratelimit.over(session, "ticket_email", mailbox, settings.tickets_per_email_hour, HOUR, now):
        guard.add("form", "errors.rate_email")
    if ratelimit.over(session, "ticket_address", visitor.address, settings.tickets_per_address_hour, HOUR, now):
        guard.add("form", "errors.rate_address")
    unproven = _unproven_account(session, email, visitor)
    try:
        ticket = tickets.create_ticket(
            session, name=name, email=email, subject=subject, description=description, kind=kind,
            product_id=product_id, priority="normal", channel="web", locale=locale, uploads=uploads,
            sender_unverified=unproven, settings=settings, now=now)
    except ValidationError as exc:
        exc.errors.update(guard.errors)
        raise
    guard.raise_if_any()  # nothing is flushed for good: the caller's transaction rolls back
    ratelimit.hit(session, "ticket_email", mailbox, now)
    ratelimit.hit(session, "ticket_address", visitor.address, now)
    return Sent(ticket.id, None if unproven else tokens.ticket_link(session, ticket, settings.base_url, now))


def _unproven_account(session: Session, email: str, visitor: Visitor) -> bool:
    """Whether the address belongs to an account (registered customer or staff) that the visitor is
    not signed in to: the ticket is kept, marked for staff, and its link only emailed."""
    address = accounts.check_email(Collector(), email)
    owner = accounts.find_by_email(session, address) if address else None
    protected = owner is not None and (owner.password_hash is not None or owner.role != "customer")
    return protected and visitor.user_id != owner.id


# ---------------------------------------------------------------- the ticket link

def open_by_link(reader: sessionmaker[Session], writer: sessionmaker[Session], ticket_id: int | None,
                 raw_token: str | None, *, address: str, settings: Settings, viewer: User | None = None,
                 now: datetime | None = None, sleep: Callable[[float], None] = time.sleep) -> int | None:
    """The id of the ticket behind a link, or None: one answer for wrong, expired, foreign or unknown.

    A signed-in customer with a verified email needs no token for their own tickets. Each miss
    from an address is counted; past a few, every further try waits longer. The checks read in a
    read-only session and the wait happens outside any transaction: only a miss is written, in a
    short unit of work of its own, so a visitor guessing links never holds the database's write lock.
    """
    now = now or utcnow()
    with reader() as session:
        if viewer is not None and viewer.email_verified_at and ticket_id is not None:
            ticket = session.get(Ticket, ticket_id)
            if ticket is not None and ticket.requester_id == viewer.id:
                return ticket.id
        misses = ratelimit.count(session, "bad_token", address, BAD_TOKEN_WINDOW, now)
    if misses >= BAD_TOKENS_BEFORE_DELAY:
        sleep(min(MAX_DELAY_SECONDS, 0.25 * 2 ** (misses - BAD_TOKENS_BEFORE_DELAY)))
    if ticket_id is not None and raw_token:
        with reader() as session:
            if tokens.ticket_access(session, ticket_id, raw_token, link_days=settings.ticket_link_days, now=now):
                return ticket_id
    with unit_of_work(writer) as session:
        ratelimit.hit(session, "bad_token", address, now)
    return None


def public_messages(session: Session, ticket_id: int) -> list[Message]:
    """The conversation the customer may see: never an internal note."""
    return list(session.scalars(
        select(Message).where(Message.ticket_id == ticket_id, Message.kind.in_(("customer", "agent")))
        .options(selectinload(Message.author)).order_by(Message.created_at, Message.id)))


def public_attachment(session: Session, ticket_id: int, attachment_id: int) -> Attachment | None:
    """An attachment of a public message of this ticket, else None."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        return None
    message = attachment.message
    if message.ticket_id != ticket_id or message.kind == "note":
        return None
    return attachment


def lost_link(session: Session, *, email: str, ticket_id: int | None, address: str, settings: Settings,
              now: datetime | None = None) -> None:
    """Email a fresh link when email and number match; the caller says the same either way."""
    now = now or utcnow()
    if ratelimit.over(session, "lost_link", address, settings.tickets_per_address_hour, HOUR, now):
        return
    ratelimit.hit(session, "lost_link", address, now)
    errors = Collector()
    address_given = accounts.check_email(errors, email)
    if errors.errors or ticket_id is None:
        return
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.requester.email != address_given:
        return
    events.record(session, events.LinkRequested(ticket), settings, now)


def customer_status(ticket: Ticket) -> str:
    """The i18n key of the status as the customer sees it."""
    return "status.customer." + workflow.CUSTOMER_STATUS[ticket.status]


def products(session: Session) -> list[tuple[int, str]]:
    """The products a customer can pick: (id, name) by name."""
    return [(p.id, p.name) for p in catalog.products(session)]


def add_information(session: Session, ticket: Ticket, *, body: str, uploads: Sequence[Upload],
                    settings: Settings, now: datetime | None = None) -> tuple[Message, str | None]:
    """The requester adds to their ticket (opened through its link).

    On a closed ticket this opens a follow-up (its confirmation email goes out as for any new
    ticket); its link is returned as the second value.
    """
    now = now or utcnow()
    message = tickets.add_customer_message(session, ticket.id, body=body, uploads=uploads, via="web",
                                           settings=settings, now=now)
    if message.ticket_id == ticket.id:
        return message, None
    follow_up = tickets.get_ticket(session, message.ticket_id)
    return message, tokens.ticket_link(session, follow_up, settings.base_url, now)
