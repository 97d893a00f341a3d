"""Secret links: 256 random bits, stored only as a hash, bound to one purpose and target.

A ticket link stays valid `ticket_link_days` after it was issued (not after the ticket's last
activity: a leaked link does not live as long as the conversation) and can be revoked.
Single-use tokens (email verification, password reset) are spent on use.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import AccessToken, Ticket, utcnow

TICKET_VIEW, SURVEY, VERIFY_EMAIL, PASSWORD_RESET, SET_PASSWORD = (
    "ticket_view", "survey", "verify_email", "password_reset", "set_password")
LIFETIME = {
    TICKET_VIEW: timedelta(days=90), SURVEY: timedelta(days=30), VERIFY_EMAIL: timedelta(hours=48),
    PASSWORD_RESET: timedelta(hours=1), SET_PASSWORD: timedelta(days=7),
}


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def issue(session: Session, purpose: str, *, ticket_id: int | None = None, user_id: int | None = None,
          now: datetime | None = None) -> str:
    """Create a token and return it; only its hash is kept."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)  # 256 bits
    session.add(AccessToken(token_hash=digest(raw), purpose=purpose, ticket_id=ticket_id, user_id=user_id,
                            created_at=now, expires_at=now + LIFETIME[purpose]))
    session.flush()
    return raw


def _find(session: Session, raw: str, purpose: str) -> AccessToken | None:
    if not raw or len(raw) > 200:
        return None
    token = session.scalar(select(AccessToken).where(AccessToken.token_hash == digest(raw)))
    if token is None or token.purpose != purpose or token.revoked_at is not None:
        return None
    return token


def ticket_access(session: Session, ticket_id: int, raw: str, *, purpose: str = TICKET_VIEW,
                  link_days: int = 90, now: datetime | None = None) -> bool:
    """True when `raw` opens ticket `ticket_id` for `purpose` right now."""
    now = now or utcnow()
    token = _find(session, raw, purpose)
    if token is None or token.ticket_id != ticket_id:
        return False
    if purpose == TICKET_VIEW:  # a fixed time after it was issued, however busy the ticket (each email has a fresh one)
        return session.get(Ticket, ticket_id) is not None and now < token.created_at + timedelta(days=link_days)
    return now < token.expires_at


def spend(session: Session, raw: str, purpose: str, now: datetime | None = None) -> AccessToken | None:
    """Use a single-use token: returns it once, while unexpired; None ever after."""
    now = now or utcnow()
    token = _find(session, raw, purpose)
    if token is None or token.used_at is not None or now >= token.expires_at:
        return None
    token.used_at = now
    session.flush()
    return token


def revoke_ticket_links(session: Session, ticket_id: int, now: datetime | None = None) -> int:
    """Revoke every link to a ticket; returns how many were live."""
    result = session.execute(update(AccessToken).where(
        AccessToken.ticket_id == ticket_id, AccessToken.purpose == TICKET_VIEW, AccessToken.revoked_at.is_(None),
    ).values(revoked_at=now or utcnow()))
    return result.rowcount or 0


def ticket_link(session: Session, ticket: Ticket, base_url: str, now: datetime | None = None) -> str:
    """The customer's link to the ticket, in the ticket's language.

    One link per ticket per unit of work: the confirmation page and the email of the same change
    carry the same token; each later change (each later email) issues its own.
    """
    issued = session.info.setdefault("mesa_ticket_links", {})
    if ticket.id not in issued:
        raw = issue(session, TICKET_VIEW, ticket_id=ticket.id, now=now)
        issued[ticket.id] = f"{base_url}/ticket?ticket={ticket.id}&token={raw}&lang={ticket.locale}"
    return issued[ticket.id]


def forget_links(session: Session) -> None:
    """At the end of a unit of work: its links were sent (or rolled back)."""
    session.info.pop("mesa_ticket_links", None)
