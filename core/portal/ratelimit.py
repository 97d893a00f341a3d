"""Rate limits kept in the database, so every replica and worker sees the same counts.

Keys (an email, a client address) are stored only as a keyed hash.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.models import RateEvent, utcnow

KEEP = timedelta(days=1)  # no limit looks further back than this


def _hash(bucket: str, key: str) -> str:
    return hashlib.sha256(f"{bucket}\x00{key.strip().lower()}".encode()).hexdigest()


def count(session: Session, bucket: str, key: str, window: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    return session.scalar(select(func.count()).select_from(RateEvent).where(
        RateEvent.bucket == bucket, RateEvent.key_hash == _hash(bucket, key), RateEvent.at > now - window)) or 0


def hit(session: Session, bucket: str, key: str, now: datetime | None = None) -> None:
    """Count one attempt; older rows of the same key are dropped on the way."""
    now = now or utcnow()
    key_hash = _hash(bucket, key)
    session.execute(delete(RateEvent).where(
        RateEvent.bucket == bucket, RateEvent.key_hash == key_hash, RateEvent.at < now - KEEP))
    session.add(RateEvent(bucket=bucket, key_hash=key_hash, at=now))
    session.flush()


def over(session: Session, bucket: str, key: str, limit: int, window: timedelta,
         now: datetime | None = None) -> bool:
    return count(session, bucket, key, window, now) >= limit
