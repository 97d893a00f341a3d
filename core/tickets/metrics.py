"""Per-ticket metrics, derived from the ticket's events (DESIGN.md, "Metrics").

`refresh` runs in the transaction of every change, so dashboards aggregate the
`ticket_metrics` rows instead of replaying history. Only finished periods count
towards waits, so rebuilding later (`rebuild`, `python -m core rebuild-metrics`) gives
the same numbers.

Every duration is kept twice: calendar minutes and business minutes of the desk's
schedule (core.desk.schedule). SLA due times count business minutes when the priority's
policy says business hours, calendar minutes otherwise (see `sla`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, sessionmaker

from core.desk import schedule as business
from core.desk.schedule import Schedule
from core.models import SlaPolicy, Ticket, TicketEvent, TicketMetrics
from core.tickets import workflow

WAIT_STATUSES = {
    "requester_wait": (workflow.NEW, workflow.OPEN, workflow.ON_HOLD),
    "agent_wait": (workflow.PENDING,),
    "on_hold": (workflow.ON_HOLD,),
}


def minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def compute(created_at: datetime, events: Sequence[TicketEvent], schedule: Schedule | None = None) -> dict[str, object]:
    """The metrics of one ticket from its events (any order); business minutes too when given a schedule."""
    ordered = sorted(events, key=lambda e: (e.version, e.id or 0))
    periods: list[tuple[str, datetime, datetime]] = []  # finished (status, from, to)
    status, since = None, created_at
    first_reply_at = first_solved = last_solved = None
    reopens = replies = 0
    for event in ordered:
        if event.field == "message" and event.new == "agent":
            replies += 1
            first_reply_at = first_reply_at or event.at
        if event.field != "status":
            continue
        if status is not None:
            periods.append((status, since, event.at))
            reopens += workflow.is_reopen(status, event.new)
        if event.new == workflow.SOLVED:
            last_solved = event.at
            first_solved = first_solved or event.at
        status, since = event.new, event.at
    full = last_solved if status in (workflow.SOLVED, workflow.CLOSED) else None
    milestones = {"first_reply": first_reply_at, "first_resolution": first_solved, "full_resolution": full}
    values: dict[str, object] = {"first_reply_at": first_reply_at, "reopens": reopens, "replies": replies}
    measures: list[tuple[str, Callable[[datetime, datetime], int]]] = [("", minutes)]
    if schedule is not None:
        measures.append(("_business", lambda a, b: business.business_minutes(a, b, schedule)))
    for suffix, measure in measures:
        for name, at in milestones.items():
            values[f"{name}{suffix}_minutes"] = None if at is None else measure(created_at, at)
        for name, statuses in WAIT_STATUSES.items():
            values[f"{name}{suffix}_minutes"] = sum(measure(a, b) for s, a, b in periods if s in statuses)
    return values


def sla(created_at: datetime, first_reply_minutes: int | None, resolution_minutes: int | None, *,
        first_reply_at: datetime | None, resolved_at: datetime | None,
        schedule: Schedule | None = None) -> dict[str, object]:
    """Due times and "met late" flags of a ticket's SLA targets (no target: no due time).

    Targets count business minutes of `schedule` from creation, or calendar minutes without
    one. `resolved_at` is when the ticket was last solved, None while it is live. A flag is
    set only when the target was met after its due time; a live ticket past its due
    time is "breached" in the queues (core.tickets.queues), which know the current time.
    """
    def due(target: int | None) -> datetime | None:
        if target is None:
            return None
        if schedule is None:
            return created_at + timedelta(minutes=target)
        return business.add_business_minutes(created_at, target, schedule)

    first_due, resolution_due = due(first_reply_minutes), due(resolution_minutes)
    return {
        "first_reply_due_at": first_due,
        "resolution_due_at": resolution_due,
        "first_reply_breached": first_due is not None and first_reply_at is not None and first_reply_at > first_due,
        "resolution_breached": resolution_due is not None and resolved_at is not None and resolved_at > resolution_due,
    }


def row_values(created_at: datetime, status: str, solved_at: datetime | None, events: Sequence[TicketEvent],
               policy: SlaPolicy | None, schedule: Schedule, *, priority: str, assignee_id: int | None,
               product_id: int | None, kind: str, channel: str) -> dict[str, object]:
    """Every column of a ticket's metrics row but ticket_id and updated_at (`compute` plus `sla`, and the
    copies of the ticket's fields the dashboards filter and group on: created_at, solved_at, priority,
    assignee, product, kind and channel).

    `events` only need `version`, `id`, `field`, `new` and `at`: the bulk demo seeding passes
    plain tuples, the services pass TicketEvent rows, and both get the same numbers.
    """
    values = compute(created_at, events, schedule)
    values.update(ticket_created_at=created_at, ticket_solved_at=solved_at, ticket_priority=priority,
                  ticket_assignee_id=assignee_id, ticket_product_id=product_id, ticket_kind=kind,
                  ticket_channel=channel)
    first, resolution = (policy.first_reply_minutes, policy.resolution_minutes) if policy else (None, None)
    resolved_at = solved_at if status in (workflow.SOLVED, workflow.CLOSED) else None
    values.update(sla(created_at, first, resolution, first_reply_at=values["first_reply_at"],
                      resolved_at=resolved_at, schedule=schedule if policy and policy.business_hours else None))
    return values


def _fill(row: TicketMetrics, ticket: Ticket, events: Sequence[TicketEvent], policy: SlaPolicy | None,
          schedule: Schedule) -> None:
    for key, value in row_values(ticket.created_at, ticket.status, ticket.solved_at, events, policy, schedule,
                                 priority=ticket.priority, assignee_id=ticket.assignee_id,
                                 product_id=ticket.product_id, kind=ticket.kind, channel=ticket.channel).items():
        setattr(row, key, value)


def refresh(session: Session, ticket: Ticket, now: datetime) -> TicketMetrics:
    """Recompute the ticket's metrics row from its events, and its SLA from its priority's policy."""
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.priority == ticket.priority))
    row = session.get(TicketMetrics, ticket.id)
    if row is None:
        row = TicketMetrics(ticket_id=ticket.id)
        session.add(row)
    _fill(row, ticket, events, policy, business.load(session))
    row.updated_at = now
    return row


def rebuild(factory: sessionmaker[Session], *, batch: int = 1000,
            progress: Callable[[int], None] | None = None) -> int:
    """Recompute every ticket's metrics row from its events, `batch` tickets per transaction.

    A row's updated_at becomes its ticket's updated_at, the time of the change that last
    refreshed it, so a rebuild gives exactly the rows the changes left. Returns the count.
    """
    last = done = 0
    while True:
        with factory() as session, session.begin():
            schedule = business.load(session)
            policies = {p.priority: p for p in session.scalars(select(SlaPolicy))}
            batch_tickets = list(session.scalars(select(Ticket).options(lazyload(Ticket.requester))
                                                 .where(Ticket.id > last).order_by(Ticket.id).limit(batch)))
            if not batch_tickets:
                return done
            first, last = batch_tickets[0].id, batch_tickets[-1].id
            events: dict[int, list[TicketEvent]] = defaultdict(list)
            for event in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.between(first, last))):
                events[event.ticket_id].append(event)
            rows = {row.ticket_id: row for row in session.scalars(
                select(TicketMetrics).where(TicketMetrics.ticket_id.between(first, last)))}
            for ticket in batch_tickets:
                row = rows.get(ticket.id)
                if row is None:
                    row = TicketMetrics(ticket_id=ticket.id)
                    session.add(row)
                _fill(row, ticket, events[ticket.id], policies.get(ticket.priority), schedule)
                row.updated_at = ticket.updated_at
        done += len(batch_tickets)
        if progress is not None:
            progress(done)
