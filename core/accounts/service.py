"""Users and roles, password hashing, and the customer behind an email address."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import bcrypt
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Collector, NotFound, ValidationError
from core.models import User, utcnow

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


def limit_key(email: str) -> str:
    """One key for every way of typing one mailbox, for rate limits (never an identity).

    NFC (a combining accent typed or pasted is the same letter), lower case, the domain as
    email-validator writes it (`xn--` labels as Unicode), and no `+tag`: `Lucía+x@EXAMPLE.ES`
    counts as `lucía@example.es`. Text that is not an address is only normalised and lower-cased.
    """
    address = unicodedata.normalize("NFC", (email or "").strip())
    try:
        address = normalize_email(address)
    except EmailNotValidError:
        return address.lower()
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}".lower()


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
    if password is not None and (problem := password_problem(password)):
        errors.add("password", problem, min=MIN_PASSWORD)
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


def staff(session: Session, *, active_only: bool = True, roles: tuple[str, ...] = STAFF_ROLES) -> list[User]:
    """Staff by name (the deactivated too with `active_only=False`)."""
    query = select(User).where(User.role.in_(roles)).order_by(User.name, User.id)
    return list(session.scalars(query.where(User.active) if active_only else query))


def active_staff(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active or user.role not in STAFF_ROLES:
        raise NotFound("errors.not_staff", id=user_id)
    return user


COMMON_PASSWORDS = frozenset((
    "password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop", "iloveyou123",
    "letmein123", "contraseña", "contrasena", "contrasena1", "administrator", "welcome123", "passw0rd123",
))


def password_problem(password: str) -> str | None:
    """The i18n key of what is wrong with a new password, or None when it will do."""
    if len(password) < MIN_PASSWORD:
        return "errors.password_short"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "errors.password_common"
    return None


def credentials(session: Session) -> dict:
    """Active accounts with a password, in streamlit-authenticator's shape (email is the username)."""
    users = session.scalars(select(User).where(User.active, User.password_hash.is_not(None)))
    return {"usernames": {
        user.email: {"email": user.email, "first_name": user.name, "last_name": "", "password": user.password_hash,
                     "roles": [user.role], "failed_login_attempts": 0, "logged_in": False}
        for user in users
    }}


def register_customer(session: Session, *, email: str, name: str, password_hash: str, locale: str) -> User:
    """Give a customer an account; an address that already wrote to us keeps its tickets.

    The account sees those tickets only once the address is verified, and the name and language that
    customer's tickets go by are not changed by whoever registers the address (they may not own it).
    """
    errors = Collector()
    address = check_email(errors, email)
    clean_name = check_name(errors, name)
    errors.raise_if_any()
    user = find_by_email(session, address)
    if user is None:
        user = User(email=address, name=clean_name, role="customer", locale=locale)
        session.add(user)
    elif user.password_hash or user.role != "customer":
        raise ValidationError({"email": [("errors.email_taken", {"email": address})]})
    user.password_hash = password_hash
    session.flush()
    return user


def mark_verified(session: Session, user_id: int, now: datetime) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(what="User", id=user_id)
    user.email_verified_at = user.email_verified_at or now
    session.flush()
    return user


def end_sessions(session: Session, user_id: int, now: datetime | None = None) -> None:
    """Every sign-in session of the user that started before `now` is over, on every device: a copied
    sign-in cookie stops working too."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = now or utcnow()
        session.flush()


def session_is_over(user: User, started_at: datetime) -> bool:
    return user.sessions_valid_after is not None and started_at < user.sessions_valid_after


def set_password(session: Session, user_id: int, password: str) -> User:
    """Replace a password (after a reset link); checks it like a new one. Ends every earlier session."""
    problem = password_problem(password)
    if problem:
        raise ValidationError({"password": [(problem, {"min": MIN_PASSWORD})]})
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(what="User", id=user_id)
    user.password_hash = hash_password(password)
    end_sessions(session, user.id)
    return user
