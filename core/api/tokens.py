"""Personal and service API tokens: shown once, stored as the sha256 of a 256-bit secret.

A token's scopes are checked against its owner's role when it is made and again on every request (a
demoted or deactivated owner's tokens stop working at once): tickets:read and tickets:write need staff,
reports:read a manager or admin (the dashboards' rule, ui.access.MANAGERS), admin an admin.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.orm import Session, contains_eager

from core.accounts.service import STAFF_ROLES
from core.errors import Collector, DomainError, NotFound
from core.models import ApiToken, User, utcnow

PREFIX = "mesa_"
SCOPES = ("tickets:read", "tickets:write", "reports:read", "admin")
ROLES_FOR_SCOPE = {
    "tickets:read": STAFF_ROLES,
    "tickets:write": STAFF_ROLES,
    "reports:read": ("manager", "admin"),
    "admin": ("admin",),
}
KINDS = ("personal", "service")
MAX_DAYS = 365
DEFAULT_DAYS = 90


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def allowed(role: str, scope: str) -> bool:
    """Whether a person of `role` may use `scope` (the page × role rules)."""
    return role in ROLES_FOR_SCOPE.get(scope, ())


def create(session: Session, *, owner_id: int, name: str, scopes: list[str] | tuple[str, ...],
           days: int = DEFAULT_DAYS, kind: str = "personal", now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `owner_id` (staff); returns it with its secret, which is never stored nor shown again.

    A service token is an admin's token for another system (`kind="service"`)."""
    now = now or utcnow()
    owner = session.get(User, owner_id)
    if owner is None or not owner.active or owner.role not in STAFF_ROLES:
        raise NotFound("errors.not_staff", id=owner_id)
    errors = Collector()
    clean = " ".join((name or "").split())
    if not clean:
        errors.add("name", "errors.required")
    elif len(clean) > 80:
        errors.add("name", "errors.too_long", max=80, length=len(clean))
    wanted = sorted(set(scopes), key=lambda s: SCOPES.index(s) if s in SCOPES else len(SCOPES))
    if not wanted:
        errors.add("scopes", "errors.required")
    for scope in wanted:
        if scope not in SCOPES:
            errors.add("scopes", "errors.choice", choices=", ".join(SCOPES))
        elif not allowed(owner.role, scope):
            errors.add("scopes", "api.scope_role", scope=scope)
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors.add("days", "errors.number_range", min=1, max=MAX_DAYS)
    if kind not in KINDS:
        errors.add("kind", "errors.choice", choices=", ".join(KINDS))
    elif kind == "service" and owner.role != "admin":
        errors.add("kind", "api.service_admin")
    errors.raise_if_any()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=owner.id, name=clean, kind=kind, token_hash=digest(secret), prefix=secret[:12],
                     scopes=list(wanted), created_at=now, expires_at=now + timedelta(days=days))
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token behind a secret: not revoked, not expired, its owner active; None otherwise."""
    now = now or utcnow()
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return session.scalar(  # one statement, the owner loaded with it (every API request runs this)
        select(ApiToken).join(ApiToken.user).options(contains_eager(ApiToken.user))
        .where(ApiToken.token_hash == digest(raw), ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
               User.active))


# What every API request asks: one row, columns only, a statement built once (bench.api: building it and loading
# the token and its owner as objects cost more than the query).
_LIVE = (select(ApiToken.id, ApiToken.scopes, ApiToken.last_used_at, User.id.label("user_id"), User.role, User.locale)
         .join(User, User.id == ApiToken.user_id)
         .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > bindparam("now"), User.active))


def live(connection: Connection | Session, raw: str, now: datetime) -> Row | None:
    """`authenticate` for the API's every request: the live token as (id, scopes, last_used_at, user_id, role,
    locale), or None."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return connection.execute(_LIVE, {"token_hash": digest(raw), "now": now}).first()


def of(session: Session, user_id: int) -> list[ApiToken]:
    """A person's tokens, newest first, the revoked and expired too (the account page lists them)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def every(session: Session) -> list[ApiToken]:
    """Every token of every person, newest first (an admin's view)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(session: Session, token_id: int, *, actor_id: int, now: datetime | None = None) -> ApiToken:
    """End a token at once: its owner may, and any admin."""
    token = session.get(ApiToken, token_id)
    actor = session.get(User, actor_id)
    if token is None or actor is None or (token.user_id != actor_id and actor.role != "admin"):
        raise NotFound(what="Token", id=token_id)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        session.flush()
    return token


def touch(session: Session, token_id: int, now: datetime) -> None:
    """Note when a token was last used (the API writes it at most every few minutes)."""
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = now


def refuse_unless(role: str, scope: str) -> None:
    if not allowed(role, scope):
        raise DomainError("api.scope_role", scope=scope)
