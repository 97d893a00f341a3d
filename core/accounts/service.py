"""Users and roles, password hashing, and the customer behind an email address."""

from __future__ import annotations

import base64
import hashlib
import unicodedata
from datetime import datetime

import bcrypt
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Collector, NotFound, ValidationError
from core.models import User, utcnow

ROLES = ("customer", "agent", "manager", "admin")
STAFF_ROLES = ("agent", "manager", "admin")
MIN_PASSWORD = 10
MAX_PASSWORD = 1000  # characters: a long passphrase fits, a megabyte of text does not reach the hash
MAX_NAME = 120
# A password is NFC-normalised, hashed with SHA-256 and base64-encoded (44 bytes) before bcrypt, which reads
# only 72 bytes (bcrypt 5 refuses more): every character of a long passphrase counts, at creation, sign-in,
# registration and reset alike. Hashes written before this scheme (no prefix) still verify, and are
# replaced by a hash in this scheme at the next sign-in (needs_rehash).
SCHEME = "bcrypt-sha256$"
_DUMMY_HASH = None


def _prepared(password: str) -> bytes:
    text = unicodedata.normalize("NFC", password or "")
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest())


def hash_password(password: str) -> str:
    return SCHEME + bcrypt.hashpw(_prepared(password), bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        return False
    if password_hash.startswith(SCHEME):
        return bcrypt.checkpw(_prepared(password), password_hash.removeprefix(SCHEME).encode("ascii"))
    return bcrypt.checkpw((password or "").encode("utf-8")[:72], password_hash.encode("ascii"))  # the older scheme


def needs_rehash(password_hash: str | None) -> bool:
    return bool(password_hash) and not password_hash.startswith(SCHEME)


def spend_a_password_check() -> None:
    """Cost what verifying a password costs, for an account that does not exist (same answer time)."""
    global _DUMMY_HASH
    _DUMMY_HASH = _DUMMY_HASH or hash_password("no account has this password")
    verify_password("not the password", _DUMMY_HASH)


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
    except EmailNotValidError:
        errors.add(field, email_problem(email))
        return ""


def email_problem(email: str) -> str:
    """What is wrong with an address, as a key of ours: email-validator explains it only in English."""
    text = email.strip()
    local, _, domain = text.rpartition("@")
    if "@" not in text:
        return "errors.email_no_at"
    if text.count("@") > 1:
        return "errors.email_one_at"
    if not local:
        return "errors.email_no_name"
    if not domain or "." not in domain.strip(".") or domain.startswith(".") or domain.endswith("."):
        return "errors.email_domain"
    return "errors.email"


def check_name(errors: Collector, name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        errors.add(field, "errors.required")
    elif len(name) > MAX_NAME:
        errors.add(field, "errors.too_long", max=MAX_NAME, length=len(name))
    return name


def find_by_email(session: Session, email: str) -> User | None:
    """Addresses are stored in lower case (normalize_email; migration 0014): the unique index answers."""
    return session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def find_by_sso_email(session: Session, email: str) -> User | None:
    """The staff account an admin mapped the identity provider's address to (core.desk.admin.map_sso)."""
    return session.scalar(select(User).where(User.sso_email == (email or "").strip().lower()))


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
    """The i18n key of what is wrong with a new password, or None when it will do (any Unicode, counted
    in characters after NFC normalisation, so an accented letter typed two ways counts once)."""
    password = unicodedata.normalize("NFC", password or "")
    if len(password) < MIN_PASSWORD:
        return "errors.password_short"
    if len(password) > MAX_PASSWORD:
        return "errors.password_long"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "errors.password_common"
    return None


def credentials(session: Session, emails: set[str]) -> dict:
    """The active accounts among `emails`, in streamlit-authenticator's shape (email is the username).

    Only the accounts a run needs (the one its cookie names, the one signed in): a run's cost does not
    grow with the number of accounts. Single sign-on accounts need no password.
    """
    wanted = sorted({(email or "").strip().lower() for email in emails} - {""})
    users = session.scalars(select(User).where(User.active, User.email.in_(wanted))) if wanted else ()
    return {"usernames": {
        user.email: {"email": user.email, "first_name": user.name, "last_name": "",
                     "password": user.password_hash or "", "roles": [user.role], "failed_login_attempts": 0,
                     "logged_in": False}
        for user in users
    }}


def check_sign_in(session: Session, email: str, password: str) -> User | None:
    """The active account `email` names when `password` is its password, else None.

    An unknown address costs a password check too, so the answer takes as long either way. A hash in
    the older scheme is replaced by one in the current scheme (the caller commits).
    """
    user = find_by_email(session, email) if "@" in (email or "") else None
    if user is None or not user.password_hash:
        spend_a_password_check()
        return None
    if not verify_password(password, user.password_hash) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


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
