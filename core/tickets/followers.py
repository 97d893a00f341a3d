"""Followers: the other people on a ticket's conversation, as help desks treat CC'd people.

A person in To or CC of a customer's email (other than us, the requester and the sender) becomes a
follower of its ticket, and so does an address an agent adds. Followers get each public answer by
email (no link to the customer page: that link acts as the requester); their email replies on the
thread become public messages under their own name. Anyone else writing on a thread stays an internal
note for staff, as before. At most MAX_FOLLOWERS per ticket, MAX_FROM_ONE_EMAIL from one email.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from email_validator import EmailNotValidError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts import service as accounts
from core.errors import Collector, DomainError, NotFound
from core.models import Ticket, TicketFollower, User, utcnow

MAX_FOLLOWERS = 20
MAX_FROM_ONE_EMAIL = 10


def of(session: Session, ticket_id: int) -> list[User]:
    """The ticket's followers, in the order they were added (active accounts only)."""
    return list(session.scalars(
        select(User).join(TicketFollower, TicketFollower.user_id == User.id)
        .where(TicketFollower.ticket_id == ticket_id, User.active)
        .order_by(TicketFollower.added_at, User.id)))


def find(session: Session, ticket_id: int, email: str | None) -> User | None:
    """The follower of this ticket with this address, or None."""
    if not email:
        return None
    return session.scalar(select(User).join(TicketFollower, TicketFollower.user_id == User.id)
                          .where(TicketFollower.ticket_id == ticket_id, User.email == email.strip().lower(),
                                 User.active))


def add(session: Session, ticket_id: int, email: str, *, actor_id: int | None = None, name: str = "",
        locale: str = "en", now: datetime | None = None) -> User:
    """Make `email` a follower (an agent's action, or a CC of the customer's email); the follower.

    Refused next to the field: not an address, the requester, or the ticket already has MAX_FOLLOWERS.
    Adding someone already on it changes nothing.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what="Ticket", id=ticket_id)
    errors = Collector()
    address = accounts.check_email(errors, email, "follower")
    if address and address == ticket.requester.email:
        errors.add("follower", "errors.follower_requester")
    count = session.scalar(select(func.count()).select_from(TicketFollower)
                           .where(TicketFollower.ticket_id == ticket_id)) or 0
    if count >= MAX_FOLLOWERS and not (address and find(session, ticket_id, address)):
        errors.add("follower", "errors.followers_full", max=MAX_FOLLOWERS)
    errors.raise_if_any()
    user = accounts.customer_for(session, email=address, name=name.strip() or address.split("@")[0],
                                 locale=locale)
    if session.get(TicketFollower, (ticket_id, user.id)) is None:
        session.add(TicketFollower(ticket_id=ticket_id, user_id=user.id, added_by_id=actor_id,
                                   added_at=now or utcnow()))
        session.flush()
    return user


def remove(session: Session, ticket_id: int, user_id: int) -> None:
    row = session.get(TicketFollower, (ticket_id, user_id))
    if row is not None:
        session.delete(row)
        session.flush()


def add_from_email(session: Session, ticket: Ticket, addresses: Iterable[str], *, ours: Iterable[str],
                   sender: str | None, locale: str, now: datetime) -> list[User]:
    """The To and CC people of a customer's email become followers (not us, the requester or the sender)."""
    us = {accounts.limit_key(address) for address in ours if address}  # support+TOKEN@ is us too
    skip = {ticket.requester.email, (sender or "").strip().lower()}
    added: list[User] = []
    for raw in dict.fromkeys(address.strip().lower() for address in addresses if address):
        if len(added) >= MAX_FROM_ONE_EMAIL:
            break
        if raw in skip or accounts.limit_key(raw) in us:
            continue
        try:
            accounts.normalize_email(raw)
            with session.begin_nested():
                added.append(add(session, ticket.id, raw, locale=locale, now=now))
        except (EmailNotValidError, DomainError):  # a CC that is odd or one too many never costs the email
            continue
    return added
