"""Webhook delivery rows: queued in the caller's transaction, posted later by core.hooks.dispatcher.

Only core.notify queues deliveries of domain events (through core.hooks.payloads); an admin's
"send test" and "redeliver" manage rows here, as the email log does with emails.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.hooks import endpoints
from core.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow

QUEUED, SENDING, DELIVERED, DEAD = "queued", "sending", "delivered", "dead"
STATUSES = (QUEUED, SENDING, DELIVERED, DEAD)


def stamp(moment: datetime) -> str:
    """A time as receivers read it: ISO 8601 in UTC with a Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def enqueue(session: Session, endpoint: WebhookEndpoint, event: str, data: dict[str, Any], *, now: datetime,
            ticket_id: int | None = None) -> WebhookDelivery:
    """Queue one event for one endpoint; the body is fixed now, and its `id` is the delivery's key."""
    key = str(uuid.uuid4())
    body = json.dumps({"id": key, "type": event, "created_at": stamp(now), "data": data}, ensure_ascii=False,
                      separators=(",", ":"), default=str)
    row = WebhookDelivery(key=key, endpoint_id=endpoint.id, event=event, body=body, ticket_id=ticket_id,
                          status=QUEUED, attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)  # flushed with the commit (or by the caller that needs its id)
    return row


def send_test(session: Session, endpoint_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Admin action: a `ping` to the endpoint (active or not, whatever its events), sent by the worker."""
    endpoint = endpoints.get(session, endpoint_id)
    row = enqueue(session, endpoint, endpoints.PING, {"endpoint_id": endpoint.id, "url": endpoint.url,
                                                      "message": "A test delivery from Mesa."}, now=now or utcnow())
    session.flush()
    return row


def redeliver(session: Session, delivery_id: int, now: datetime | None = None) -> WebhookDelivery:
    """Admin action: send a delivery again at once, the same body and the same delivery id (a receiver that
    already has it can tell), with a full day of retries again."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound(what="Delivery", id=delivery_id)
    row.status, row.next_attempt_at, row.lease_until, row.attempts = QUEUED, now or utcnow(), None, 0
    row.created_at = row.next_attempt_at  # "dead after a day" counts from here
    session.flush()
    return row


def log_page(session: Session, *, endpoint_id: int | None = None, status: str | None = None, limit: int = 50,
             offset: int = 0) -> list[WebhookDelivery]:
    """Deliveries for the log, newest first."""
    query = select(WebhookDelivery)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    return list(session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)))


def attempts_of(session: Session, delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """Every try of these deliveries, oldest first (one query for a page of the log)."""
    found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        for attempt in session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
                                       .order_by(WebhookAttempt.delivery_id, WebhookAttempt.id)):
            found[attempt.delivery_id].append(attempt)
    return found


def counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all())
