"""Claiming rows of an outbox-like table (the email outbox, the webhook deliveries) for one worker.

Rows are claimed in a short transaction (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the write lock
of BEGIN IMMEDIATE makes select-and-mark atomic) and leased; a worker killed after the claim leaves a
lease that expires, and the row is tried again. The table needs the columns id, status, attempts,
next_attempt_at, lease_until and last_error, and the statuses queued, sending and dead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.db import is_try_again

QUEUED, SENDING, DEAD = "queued", "sending", "dead"
RECORD_TRIES = 6  # the database busy for longer than this is rare; then the lease brings the row back
T = TypeVar("T")


def claim(factory: sessionmaker[Session], table: Any, *, limit: int, now: datetime, lease: timedelta,
          max_attempts: int, ran_out: str) -> list[int]:
    """Lease up to `limit` due rows of `table` to this worker and count the attempt.

    A row whose lease ran out on its last try (its worker stopped while sending it, every time) is
    dead with the reason `ran_out`, not claimed again: a row that kills its worker is not tried forever."""
    with factory() as session, session.begin():
        expired = (table.status == SENDING) & (table.lease_until < now)
        spent = list(session.scalars(select(table.id).where(expired, table.attempts >= max_attempts)
                                     .with_for_update(skip_locked=True)))
        if spent:
            session.execute(update(table).where(table.id.in_(spent)).values(
                status=DEAD, lease_until=None, last_error=ran_out))
        due = or_((table.status == QUEUED) & (table.next_attempt_at <= now),
                  expired & (table.attempts < max_attempts))
        ids = list(session.scalars(select(table.id).where(due).order_by(table.next_attempt_at, table.id)
                                   .limit(limit).with_for_update(skip_locked=True)))
        if ids:
            session.execute(update(table).where(table.id.in_(ids)).values(
                status=SENDING, lease_until=now + lease, attempts=table.attempts + 1))
    return ids


def record(write: Callable[[], T]) -> T:
    """Write a send's outcome, waiting out a busy database: once the other side has it, giving up here
    would send it again when the lease expires (found by bench/load.py on SQLite)."""
    for attempt in range(RECORD_TRIES - 1):
        try:
            return write()
        except Exception as exc:
            if not is_try_again(exc):
                raise
            time.sleep(0.2 * 2 ** attempt)
    return write()
