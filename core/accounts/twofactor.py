"""Staff two-factor sign-in: time-based one-time codes (TOTP, RFC 6238, with pyotp) and recovery codes.

A staff member enrols by scanning a QR code into an authenticator app and typing one code; they get
ten single-use recovery codes, stored as SHA-256 hashes. Every new sign-in session then asks for a
code. A code is accepted once (the time step is remembered), one step early or late is allowed for
clock drift, and failures count towards the account's sign-in limit like wrong passwords.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from core.accounts.service import STAFF_ROLES
from core.errors import NotFound, ValidationError
from core.models import DeskSettings, User

RECOVERY_CODES = 10
DRIFT_STEPS = 1  # a code from the step before or after is still accepted


def required(session: Session, user: User) -> bool:
    """Does this account's sign-in ask for a second factor (enrolled, or staff while the admin requires it)?"""
    if user.totp_enabled_at is not None:
        return True
    return user.role in STAFF_ROLES and staff_must_enrol(session)


def staff_must_enrol(session: Session) -> bool:
    desk = session.get(DeskSettings, 1)
    return bool(desk and desk.staff_two_factor)


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_uri(secret: str, email: str, issuer: str) -> str:
    """What the QR code holds: an otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code is `code`, within the allowed drift, or None."""
    totp, code = pyotp.TOTP(secret), _clean(code)
    if len(code) != totp.digits or not code.isascii() or not code.isdigit():
        return None
    step = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(what="User", id=user_id)
    return user


def enrol(session: Session, user_id: int, secret: str, code: str, now: datetime) -> list[str]:
    """Turn two-factor on with `secret` once `code` proves the app has it; the new recovery codes."""
    user = _user(session, user_id)
    step = _matching_step(secret, code, now)
    if step is None:
        raise ValidationError({"code": [("errors.totp_code", {})]})
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
    user.recovery_codes = [_hash(code) for code in codes]
    session.flush()
    return codes


def check(session: Session, user_id: int, code: str, now: datetime) -> bool:
    """Is `code` this account's current one-time code (not used before) or one of its recovery codes?

    A recovery code works once: it is crossed out when used.
    """
    user = _user(session, user_id)
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # replayed: that code (or an earlier one) was already used
        user.totp_last_step = step
        session.flush()
        return True
    hashed, left = _hash(code), list(user.recovery_codes or [])
    for known in left:
        if hmac.compare_digest(known, hashed):
            left.remove(known)
            user.recovery_codes = left
            session.flush()
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return len(user.recovery_codes or [])


def turn_off(session: Session, user_id: int) -> User:
    """Remove the second factor (an admin does it for someone who lost their phone and codes); the
    account enrols again at its next sign-in if the desk requires it. Ends its sessions."""
    from core.accounts.service import end_sessions

    user = _user(session, user_id)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.recovery_codes = None
    end_sessions(session, user.id)
    return user

