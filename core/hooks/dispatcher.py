"""The worker's webhook step: posts due deliveries, signed, at least once, never twice by two workers.

Rows are claimed and leased like emails (core.leases). Each POST carries the JSON body as it was
written, `Mesa-Delivery` (the delivery id: the same on every try, the receiver's idempotency key),
`Mesa-Event`, `Mesa-Timestamp` (Unix seconds, at this try) and `Mesa-Signature: sha256=<hex>`, the
HMAC-SHA256 with the endpoint's secret of `<timestamp>.<body>` (docs/webhooks.md). A 2xx answer
delivers it; anything else (an error status, a redirect, a refused connection, no answer within the
timeout) is retried with the email outbox's backoff (1 minute to 12 hours), and after a day, or the
last try, the delivery is dead. Every try is kept (webhook_attempts: its time, status, the answer's first
characters, its duration, the error) for the admin's log; the delivery row holds the latest.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy.orm import Session, sessionmaker

from core import leases
from core.config import Settings
from core.db import read_factory
from core.hooks.deliveries import DEAD, DELIVERED, QUEUED
from core.mail.sender import RETRY_MINUTES
from core.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow

TIMEOUT_SECONDS = 10.0  # to connect, and between bytes of the answer
EXCERPT_CHARS = 1000
ATTEMPT_EXCERPT_CHARS = 300  # each try's excerpt in the log; the delivery keeps the latest's EXCERPT_CHARS
LIFETIME = timedelta(days=1)
LEASE = timedelta(minutes=5)  # longer than a batch of slow receivers: BATCH x TIMEOUT_SECONDS
BATCH = 20
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
USER_AGENT = "Mesa-Webhooks/1"
RAN_OUT = (f"Lease expired on try {MAX_ATTEMPTS} of {MAX_ATTEMPTS}: the worker stopped while posting this "
           "delivery (it may have arrived); it is not tried again.")


@dataclass
class Report:
    delivered: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    status: int | None
    excerpt: str | None
    ms: int
    error: str | None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<body>` with the endpoint's secret."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(row: WebhookDelivery, secret: str, timestamp: int) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "Mesa-Delivery": row.key, "Mesa-Event": row.event, "Mesa-Timestamp": str(timestamp),
            "Mesa-Signature": signature(secret, timestamp, row.body.encode())}


def post(url: str, body: bytes, sent_headers: dict[str, str], timeout: float) -> Answer:
    """One POST; never raises: what went wrong is the answer's error. Redirects are not followed."""
    started = time.monotonic()
    try:
        with requests.post(url, data=body, headers=sent_headers, timeout=timeout, allow_redirects=False,
                           stream=True) as response:
            raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
            excerpt = raw.decode(response.encoding or "utf-8", "replace")[:EXCERPT_CHARS]
            ms = round((time.monotonic() - started) * 1000)
            ok = 200 <= response.status_code < 300
            return Answer(response.status_code, excerpt, ms, None if ok else f"HTTP {response.status_code}")
    except requests.Timeout:
        error = f"No answer within {timeout:g} seconds"
    except requests.ConnectionError as exc:
        error = f"Could not connect: {exc.__class__.__name__}: {_reason(exc)}"
    except Exception as exc:  # a bad URL or anything else: this delivery's failure, written on it
        error = f"{exc.__class__.__name__}: {exc}"
    return Answer(None, None, round((time.monotonic() - started) * 1000), error[:2000])


def _reason(exc: Exception) -> str:
    inner = exc.args[0] if exc.args else exc
    return str(getattr(inner, "reason", inner))[:500]


def dispatch(factory: sessionmaker[Session], settings: Settings | None = None, *,
             now: Callable[[], datetime] = utcnow, limit: int = BATCH, timeout: float = TIMEOUT_SECONDS) -> Report:
    """Post what is due; failures are scheduled again or marked dead. An endpoint that did not answer
    (refused, timed out) is not tried again in this batch: its other deliveries wait for their next try."""
    report = Report()
    ids = leases.claim(factory, WebhookDelivery, limit=limit, now=now(), lease=LEASE, max_attempts=MAX_ATTEMPTS,
                       ran_out=RAN_OUT)
    reader = read_factory(factory.kw["bind"])
    silent: dict[int, str] = {}
    for row_id in ids:
        with reader() as session:
            row = session.get(WebhookDelivery, row_id)
            endpoint = row and session.get(WebhookEndpoint, row.endpoint_id)
        if endpoint is None:  # deleted with its endpoint since it was claimed
            continue
        if not endpoint.active and row.event != "ping":
            answer = Answer(None, None, 0, "The endpoint is turned off.")
        elif endpoint.id in silent:
            answer = Answer(None, None, 0, f"Not tried: {silent[endpoint.id]} on an earlier delivery of this round.")
        else:
            answer = post(endpoint.url, row.body.encode(), headers(row, endpoint.secret, int(now().timestamp())),
                          timeout)
            if answer.status is None:
                silent[endpoint.id] = answer.error or "no answer"
        status = leases.record(lambda row_id=row_id, answer=answer: _write_outcome(factory, row_id, now(), answer))
        {DELIVERED: report.delivered, DEAD: report.dead}.get(status, report.retry).append(row_id)
    return report


def _write_outcome(factory: sessionmaker[Session], row_id: int, now: datetime, answer: Answer) -> str:
    with factory() as session, session.begin():
        row = session.get(WebhookDelivery, row_id)
        row.response_status, row.response_excerpt, row.response_ms = answer.status, answer.excerpt, answer.ms
        row.last_attempt_at, row.lease_until = now, None
        session.add(WebhookAttempt(delivery_id=row_id, attempted_at=now, response_status=answer.status,
                                   response_excerpt=answer.excerpt and answer.excerpt[:ATTEMPT_EXCERPT_CHARS],
                                   duration_ms=answer.ms, error=answer.error))
        if answer.error is None:
            row.status, row.delivered_at, row.last_error = DELIVERED, now, None
        elif row.attempts >= MAX_ATTEMPTS or now - row.created_at >= LIFETIME:
            row.status, row.last_error = DEAD, answer.error
        else:
            row.status, row.last_error = QUEUED, answer.error
            row.next_attempt_at = now + timedelta(minutes=RETRY_MINUTES[row.attempts - 1])
        return row.status
