"""The people who open tickets, as staff (and the REST API) find, add and correct them.

A requester is a customer account, with or without a password; staff accounts are not requesters here.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import i18n
from core.accounts import service as accounts
from core.errors import Collector, NotFound, ValidationError
from core.models import User

UNSET = object()


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.role != "customer":
        raise NotFound(what="Requester", id=user_id)
    return user


def find(session: Session, text: str, limit: int = 25) -> list[User]:
    """Customers whose address or name contains `text` (an exact address first)."""
    text = (text or "").strip().lower()
    if not text:
        return []
    exact = accounts.find_by_email(session, text)
    like = f"%{text.replace('%', '').replace('_', '')}%"
    found = list(session.scalars(select(User).where(User.role == "customer", or_(
        User.email.like(like), User.name.ilike(like))).order_by(User.name, User.id).limit(limit)))
    if exact is not None and exact.role == "customer":
        found = [exact, *(u for u in found if u.id != exact.id)][:limit]
    return found


def _locale(errors: Collector, locale: str) -> None:
    if locale not in i18n.LOCALES:
        errors.add("locale", "errors.choice", choices=", ".join(i18n.LOCALES))


def create(session: Session, *, email: str, name: str, locale: str = "en") -> User:
    """A new customer without a password (they may register with the same address later)."""
    errors = Collector()
    _locale(errors, locale)
    try:
        user = accounts.create_user(session, email=email, name=name, role="customer", locale=locale)
    except ValidationError as refused:  # every problem at once: the address and name's too
        for field, problems in refused.errors.items():
            errors.errors.setdefault(field, []).extend(problems)
    errors.raise_if_any()  # (a user flushed with a bad language is rolled back with the unit of work)
    return user


def update(session: Session, user_id: int, *, name: str | object = UNSET, locale: str | object = UNSET) -> User:
    """Correct a requester's name or language; only the given ones."""
    user = get(session, user_id)
    errors = Collector()
    clean = accounts.check_name(errors, str(name)) if name is not UNSET else None
    if locale is not UNSET:
        _locale(errors, str(locale))
    errors.raise_if_any()
    if clean is not None:
        user.name = clean
    if locale is not UNSET:
        user.locale = str(locale)
    session.flush()
    return user
