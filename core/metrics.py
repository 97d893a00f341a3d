"""Per-ticket metrics, derived from the ticket's events (DESIGN.md, "Metrics").

`refresh` runs in the transaction of every change, so dashboards aggregate the
`ticket_metrics` rows instead of replaying history. Only finished periods count
towards waits, so rebuilding later gives the same numbers.

Calendar minutes only for now: the business-hours columns stay empty (NULL) until
the schedule lands with the dashboards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import workflow
from core.models import Ticket, TicketEvent, TicketMetrics

WAIT_STATUSES = {
    "requester_wait_minutes": (workflow.NEW, workflow.OPEN, workflow.ON_HOLD),
    "agent_wait_minutes": (workflow.PENDING,),
    "on_hold_minutes": (workflow.ON_HOLD,),
}


def minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def compute(created_at: datetime, events: Sequence[TicketEvent]) -> dict[str, object]:
    """The calendar metrics of one ticket from its events (any order)."""
    ordered = sorted(events, key=lambda e: (e.version, e.id or 0))
    values: dict[str, object] = {key: 0 for key in WAIT_STATUSES}
    values.update(first_reply_at=None, first_reply_minutes=None, first_resolution_minutes=None,
                  full_resolution_minutes=None, reopens=0, replies=0)
    status, since = None, created_at
    last_solved = None
    for event in ordered:
        if event.field == "message" and event.new == "agent":
            values["replies"] += 1
            if values["first_reply_at"] is None:
                values["first_reply_at"] = event.at
                values["first_reply_minutes"] = minutes(created_at, event.at)
        if event.field != "status":
            continue
        if status is not None:
            for key, statuses in WAIT_STATUSES.items():
                if status in statuses:
                    values[key] += minutes(since, event.at)
        if event.new == workflow.SOLVED:
            last_solved = event.at
            if values["first_resolution_minutes"] is None:
                values["first_resolution_minutes"] = minutes(created_at, event.at)
        if status is not None and workflow.is_reopen(status, event.new):
            values["reopens"] += 1
        status, since = event.new, event.at
    if status in (workflow.SOLVED, workflow.CLOSED) and last_solved is not None:
        values["full_resolution_minutes"] = minutes(created_at, last_solved)
    return values


def refresh(session: Session, ticket: Ticket, now: datetime) -> TicketMetrics:
    """Recompute the ticket's metrics row from its events."""
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    row = session.get(TicketMetrics, ticket.id)
    if row is None:
        row = TicketMetrics(ticket_id=ticket.id)
        session.add(row)
    for key, value in compute(ticket.created_at, events).items():
        setattr(row, key, value)
    row.updated_at = now
    return row
