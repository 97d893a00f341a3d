"""SLA breaches as events: the worker notices a live ticket's target passing unmet, once per ticket and target.

A queue shows "breached" by comparing due times with the clock (core.tickets.queues); a webhook needs a
moment. This scan records `SlaBreached` (and an `sla_breaches` row, so it is told once) only while some
active endpoint wants `sla.breached`, and only for due times since the earliest of them was added, at
most LOOKBACK ago: turning webhooks on does not replay a year of old breaches.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, true
from sqlalchemy.orm import Session, sessionmaker

from core import events
from core.config import Settings
from core.hooks import endpoints
from core.models import SlaBreach, Ticket, TicketMetrics, utcnow
from core.tickets.workflow import LIVE_STATUSES

EVENT = "sla.breached"
LOOKBACK = timedelta(days=7)
BATCH = 500


def scan(factory: sessionmaker[Session], settings: Settings, now: datetime | None = None) -> int:
    """Record the breaches not told yet (at most BATCH per target a run); how many it recorded."""
    now = now or utcnow()
    found = 0
    with factory() as session, session.begin():
        wanting = [e.created_at for e in endpoints.listening(session) if EVENT in e.events]
        if not wanting:
            return 0
        since = max(min(wanting), now - LOOKBACK)
        targets = (("first_reply", TicketMetrics.first_reply_due_at, TicketMetrics.first_reply_at.is_(None)),
                   ("resolution", TicketMetrics.resolution_due_at, true()))
        for target, due, unmet in targets:
            told = exists().where(SlaBreach.ticket_id == Ticket.id, SlaBreach.target == target)
            rows = session.execute(
                select(Ticket, due).join(TicketMetrics, TicketMetrics.ticket_id == Ticket.id)
                .where(Ticket.status.in_(LIVE_STATUSES), unmet, and_(due <= now, due >= since), ~told)
                .order_by(due).limit(BATCH)).all()
            for ticket, due_at in rows:
                session.add(SlaBreach(ticket_id=ticket.id, target=target, due_at=due_at, noticed_at=now))
                events.record(session, events.SlaBreached(ticket, target, due_at), settings, now)
                found += 1
    return found
