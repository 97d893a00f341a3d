"""Per-ticket metrics, derived from the ticket's events (DESIGN.md, "Metrics").

`refresh` runs in the transaction of every change, so dashboards aggregate the
`ticket_metrics` rows instead of replaying history. Only finished periods count
towards waits, so rebuilding later gives the same numbers.

Calendar minutes only for now: the business-hours columns stay empty (NULL) until
the schedule lands with the dashboards. SLA due times are calendar times too (see `sla`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import workflow
from core.models import SlaPolicy, Ticket, TicketEvent, TicketMetrics

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


def sla(created_at: datetime, first_reply_minutes: int | None, resolution_minutes: int | None, *,
        first_reply_at: datetime | None, resolved_at: datetime | None) -> dict[str, object]:
    """Due times and "met late" flags of a ticket's SLA targets (no target: no due time).

    Calendar minutes from creation for now, even when the policy says business hours:
    the schedule (days, hours, time zone, holidays) comes later with the dashboards.
    `resolved_at` is when the ticket was last solved, None while it is live. A flag is
    set only when the target was met after its due time; a live ticket past its due
    time is "breached" in the queues (core.queues), which know the current time.
    """
    first_due = None if first_reply_minutes is None else created_at + timedelta(minutes=first_reply_minutes)
    resolution_due = None if resolution_minutes is None else created_at + timedelta(minutes=resolution_minutes)
    return {
        "first_reply_due_at": first_due,
        "resolution_due_at": resolution_due,
        "first_reply_breached": first_due is not None and first_reply_at is not None and first_reply_at > first_due,
        "resolution_breached": resolution_due is not None and resolved_at is not None and resolved_at > resolution_due,
    }


def refresh(session: Session, ticket: Ticket, now: datetime) -> TicketMetrics:
    """Recompute the ticket's metrics row from its events, and its SLA from its priority's policy."""
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.priority == ticket.priority))
    row = session.get(TicketMetrics, ticket.id)
    if row is None:
        row = TicketMetrics(ticket_id=ticket.id)
        session.add(row)
    values = compute(ticket.created_at, events)
    first, resolution = (policy.first_reply_minutes, policy.resolution_minutes) if policy else (None, None)
    resolved_at = ticket.solved_at if ticket.status in (workflow.SOLVED, workflow.CLOSED) else None
    values.update(sla(ticket.created_at, first, resolution,
                      first_reply_at=values["first_reply_at"], resolved_at=resolved_at))
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    return row
