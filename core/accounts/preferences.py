"""Choices a person makes once and finds again in every browser: each has a name, its allowed values and a default."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import formats, i18n
from core.errors import NotFound
from core.models import User
from core.tickets.queues import SORTS

ALLOWED: dict[str, tuple[str, ...]] = {"queue_sort": SORTS}  # name -> values; the first is the default


def get(user: User, name: str) -> str:
    """The person's choice for `name`, or its default when they made none (or one no longer offered)."""
    value = (user.preferences or {}).get(name)
    return value if value in ALLOWED[name] else ALLOWED[name][0]


def choose(session: Session, user_id: int, name: str, value: str) -> None:
    """Keep `value` for `name`; a name or a value that is not offered is refused with ValueError."""
    if value not in ALLOWED.get(name, ()):
        raise ValueError(f"{value!r} is not a choice for {name!r}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.preferences = {**(user.preferences or {}), name: value}  # a new dict: the JSON column sees the change


def zone(user: User | None, desk_zone: str) -> str | None:
    """The zone a staff member reads times in: the one they picked on their account page, else the desk's. None for
    customers and visitors, who read their browser's."""
    if user is None or user.role == "customer":
        return None
    own = (user.preferences or {}).get("timezone")
    return own if own in formats.time_zones() else desk_zone


def choose_zone(session: Session, user_id: int, zone: str | None) -> None:
    """A staff member's own time zone (an IANA name, such as America/Bogota); None or "" goes back to the desk's.
    A name that is not a zone is refused with ValueError."""
    if zone and zone not in formats.time_zones():
        raise ValueError(f"{zone!r} is not a time zone")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    kept = {name: value for name, value in (user.preferences or {}).items() if name != "timezone"}
    user.preferences = {**kept, "timezone": zone} if zone else kept  # a new dict: the JSON column sees the change


def choose_language(session: Session, user_id: int, locale: str) -> None:
    """The language the person reads Mesa and its emails in (one of core/locales); another is refused."""
    code = i18n.match(locale)
    if code is None:
        raise ValueError(f"{locale!r} is not one of {i18n.LOCALES}")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.locale = code
