"""Webhook endpoints: a URL, the events it wants and the secret its deliveries are signed with."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import Collector, NotFound
from core.models import WebhookEndpoint, utcnow

EVENTS = ("ticket.created", "ticket.status_changed", "ticket.public_reply", "ticket.internal_note",
          "survey.answered", "sla.breached")
PING = "ping"  # "send test": any endpoint, whatever its events
URL_MAX = 2000
DESCRIPTION_MAX = 200
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)  # 256 bits


def url_problem(url: str) -> tuple[str, dict[str, object]] | None:
    """Why `url` cannot receive webhooks (an i18n key and its parameters), or None when it can."""
    if not url:
        return "hooks.url_missing", {}
    if len(url) > URL_MAX:
        return "errors.too_long", {"max": URL_MAX, "length": len(url)}
    if any(char.isspace() or ord(char) < 32 for char in url):
        return "hooks.url_spaces", {}
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "hooks.url_invalid", {}
    if parts.scheme.lower() not in ("http", "https"):
        return "hooks.url_scheme", {"scheme": parts.scheme or "—"}
    if not parts.hostname:
        return "hooks.url_host", {}
    if parts.username is not None or parts.password is not None:
        return "hooks.url_credentials", {}
    if parts.fragment:
        return "hooks.url_fragment", {}
    if port == 0:
        return "hooks.url_invalid", {}
    return None


def _checked(errors: Collector, url: str, description: str, events: Sequence[str]) -> tuple[str, str, list[str]]:
    url, description = url.strip(), description.strip()
    problem = url_problem(url)
    if problem:
        errors.add("url", problem[0], **problem[1])
    if len(description) > DESCRIPTION_MAX:
        errors.add("description", "errors.too_long", max=DESCRIPTION_MAX, length=len(description))
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        errors.add("events", "errors.choice", choices=", ".join(EVENTS))
    elif not events:
        errors.add("events", "hooks.events_missing")
    return url, description, [e for e in EVENTS if e in events]


def add(session: Session, *, url: str, events: Sequence[str], description: str = "", actor_id: int | None = None,
        now: datetime | None = None) -> WebhookEndpoint:
    """A new endpoint with a fresh secret (the page shows it once; admins can reveal it later)."""
    errors = Collector()
    url, description, events = _checked(errors, url, description, events)
    errors.raise_if_any()
    endpoint = WebhookEndpoint(url=url, description=description, events=events, secret=new_secret(), active=True,
                               created_at=now or utcnow(), created_by_id=actor_id)
    session.add(endpoint)
    session.flush()
    return endpoint


def get(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(what="Webhook", id=endpoint_id)
    return endpoint


def update(session: Session, endpoint_id: int, *, url: str, events: Sequence[str], description: str = "",
           active: bool = True) -> WebhookEndpoint:
    """Change an endpoint; its secret stays (rotate_secret changes it)."""
    endpoint = get(session, endpoint_id)
    errors = Collector()
    url, description, events = _checked(errors, url, description, events)
    errors.raise_if_any()
    endpoint.url, endpoint.description, endpoint.events, endpoint.active = url, description, events, active
    session.flush()
    return endpoint


def set_active(session: Session, endpoint_id: int, active: bool) -> WebhookEndpoint:
    endpoint = get(session, endpoint_id)
    endpoint.active = active
    session.flush()
    return endpoint


def rotate_secret(session: Session, endpoint_id: int) -> WebhookEndpoint:
    """A new secret: deliveries from now on (retries too) are signed with it, the old one stops working."""
    endpoint = get(session, endpoint_id)
    endpoint.secret = new_secret()
    session.flush()
    return endpoint


def delete(session: Session, endpoint_id: int) -> None:
    """The endpoint and its delivery log."""
    session.delete(get(session, endpoint_id))
    session.flush()


def all_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def listening(session: Session) -> list[WebhookEndpoint]:
    """The active endpoints (a handful: read whole, filtered by event in Python)."""
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
                                .order_by(WebhookEndpoint.id)))
