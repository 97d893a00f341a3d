"""Users and roles, password hashing, and the customer behind an email address."""

from __future__ import annotations

import bcrypt
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Collector, NotFound
from core.models import User

ROLES = ("customer", "agent", "manager", "admin")
STAFF_ROLES = ("agent", "manager", "admin")
MIN_PASSWORD = 10
MAX_NAME = 120


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8")[:72], bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    return bcrypt.checkpw(password.encode("utf-8")[:72], password_hash.encode("ascii"))


def normalize_email(email: str) -> str:
    """The address as we store it (lower case, checked for form, not deliverability)."""
    return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()


def check_email(errors: Collector, email: str, field: str = "email") -> str:
    if not (email or "").strip():
        errors.add(field, "errors.required")
        return ""
    try:
        return normalize_email(email)
    except EmailNotValidError as exc:
        errors.add(field, "errors.email", reason=str(exc).rstrip("."))
        return ""


def check_name(errors: Collector, name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        errors.add(field, "errors.required")
    elif len(name) > MAX_NAME:
        errors.add(field, "errors.too_long", max=MAX_NAME, length=len(name))
    return name


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def create_user(session: Session, *, email: str, name: str, role: str = "customer",
                password: str | None = None, locale: str = "en") -> User:
    """Create an account; the email must be new."""
    errors = Collector()
    address = check_email(errors, email)
    clean_name = check_name(errors, name)
    if role not in ROLES:
        errors.add("role", "errors.role", choices=", ".join(ROLES))
    if password is not None and len(password) < MIN_PASSWORD:
        errors.add("password", "errors.password_short", min=MIN_PASSWORD)
    if address and find_by_email(session, address):
        errors.add("email", "errors.email_taken", email=address)
    errors.raise_if_any()
    user = User(email=address, name=clean_name, role=role, locale=locale,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def customer_for(session: Session, *, email: str, name: str, locale: str) -> User:
    """The user behind a requester address, created as a customer on first contact.

    `email` must already be normalized; an existing user's name is not overwritten.
    """
    user = find_by_email(session, email)
    if user is not None:
        return user
    try:
        with session.begin_nested():  # another transaction may create the same address
            user = User(email=email, name=name, role="customer", locale=locale)
            session.add(user)
    except IntegrityError:
        user = find_by_email(session, email)
        if user is None:
            raise
    return user


def active_staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise NotFound("errors.not_staff", id=user_id)
    return user
