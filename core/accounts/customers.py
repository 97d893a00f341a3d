"""Registered customers: verification, password reset by emailed link, and their tickets."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from core import events
from core.accounts import service as accounts
from core.config import Settings
from core.errors import Collector, ValidationError
from core.models import Ticket, User, utcnow
from core.portal import ratelimit, tokens
from core.tickets import workflow

HOUR = timedelta(hours=1)
RESETS_PER_HOUR = 5
VERIFICATIONS_PER_HOUR = 3
REGISTRATIONS_PER_HOUR = 10  # per client address


def register(session: Session, *, name: str, email: str, password: str, repeat: str, captcha_ok: bool,
             address: str, locale: str, settings: Settings, now: datetime | None = None) -> User:
    """Create a customer account from the registration form and email its verification link.

    Every field is checked at once (each refusal names its field) and nothing is saved on a refusal.
    An address that already wrote to us keeps its tickets, name and language (see register_customer).
    """
    now = now or utcnow()
    if ratelimit.over(session, "register", address, REGISTRATIONS_PER_HOUR, HOUR, now):
        raise ValidationError({"form": [("errors.rate_address", {})]})
    errors = Collector()
    accounts.check_name(errors, name)
    address_typed = accounts.check_email(errors, email)
    if problem := accounts.password_problem(password):
        errors.add("password", problem, min=accounts.MIN_PASSWORD)
    elif password != repeat:
        errors.add("repeat", "account.error_repeat")
    if not captcha_ok:
        errors.add("captcha", "account.error_captcha")
    errors.raise_if_any()
    password_hash = accounts.hash_password(password)  # before the first write: no lock held while hashing
    ratelimit.hit(session, "register", address, now)
    user = accounts.register_customer(session, email=address_typed, name=name, locale=locale,
                                      password_hash=password_hash)
    send_verification(session, user, settings, now)
    return user


def send_verification(session: Session, user: User, settings: Settings, now: datetime | None = None) -> bool:
    """Email a verification link; False (nothing sent) past VERIFICATIONS_PER_HOUR to the address, so
    registration and "send it again" cannot make our server flood a stranger's mailbox."""
    now = now or utcnow()
    if ratelimit.over(session, "verify", user.email, VERIFICATIONS_PER_HOUR, HOUR, now):
        return False
    ratelimit.hit(session, "verify", user.email, now)
    raw = tokens.issue(session, tokens.VERIFY_EMAIL, user_id=user.id, now=now)
    events.record(session, events.VerificationRequested(user, raw), settings, now)
    return True


def verify(session: Session, raw_token: str, now: datetime | None = None) -> User | None:
    """Spend a verification link; the verified user, or None for a bad or used link."""
    now = now or utcnow()
    token = tokens.spend(session, raw_token, tokens.VERIFY_EMAIL, now)
    return accounts.mark_verified(session, token.user_id, now) if token else None


def request_reset(session: Session, email: str, *, address: str, settings: Settings,
                  now: datetime | None = None) -> None:
    """Email a reset link when the address has an account; the caller says the same either way."""
    now = now or utcnow()
    if ratelimit.over(session, "reset", address, RESETS_PER_HOUR, HOUR, now):
        return
    ratelimit.hit(session, "reset", address, now)
    errors = Collector()
    wanted = accounts.check_email(errors, email)
    user = accounts.find_by_email(session, wanted) if wanted else None
    if user is None or not user.active or not user.password_hash:
        return
    raw = tokens.issue(session, tokens.PASSWORD_RESET, user_id=user.id, now=now)
    events.record(session, events.PasswordResetRequested(user, raw), settings, now)


def reset_password(session: Session, raw_token: str, password: str, now: datetime | None = None) -> User | None:
    """Set a new password through a reset link (spent only when the password is accepted)."""
    problem = accounts.password_problem(password)
    if problem:
        raise ValidationError({"password": [(problem, {"min": accounts.MIN_PASSWORD})]})
    token = tokens.spend(session, raw_token, tokens.PASSWORD_RESET, now)
    return accounts.set_password(session, token.user_id, password) if token else None


def tickets_query(user: User, *, status: str | None = None, search: str = "") -> Select:
    """The tickets of a verified customer, newest activity first (empty when unverified)."""
    query = select(Ticket).where(Ticket.requester_id == user.id)
    if user.email_verified_at is None:
        return query.where(false())
    if status:
        query = query.where(Ticket.status.in_(
            [code for code, label in workflow.CUSTOMER_STATUS.items() if label == status]))
    words = search.strip()[:100]
    if words:
        match = func.lower(Ticket.subject).contains(words.lower(), autoescape=True)
        if words.lstrip("#").isdigit():
            match = or_(match, Ticket.id == int(words.lstrip("#")))
        query = query.where(match)
    return query.order_by(Ticket.updated_at.desc())


def my_tickets(session: Session, user: User, *, status: str | None = None, search: str = "",
               limit: int = 50, offset: int = 0) -> list[Ticket]:
    return list(session.scalars(tickets_query(user, status=status, search=search).limit(limit).offset(offset)))
