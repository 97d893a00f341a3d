"""The overview strip on the staff home: five numbers, each with its value one period before.

- open backlog and unassigned: live tickets now, and a week ago;
- breaching today: live tickets with a first reply or resolution unmet and due before the end
  of today (in `zone`), and the same at the end of yesterday;
- CSAT of the last 30 days, and of the 30 days before;
- first reply median of the last 7 days, and of the 7 days before.

Past values are the tickets' state at that moment, read from their events (the last status and
assignee event up to then); due times are today's (a later priority change is not replayed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, union_all
from sqlalchemy.orm import Session

from core.models import Ticket, TicketEvent, TicketMetrics, utcnow
from core.reports import satisfaction, times
from core.reports.common import Period
from core.tickets import workflow


@dataclass(frozen=True)
class Change:
    now: float | None
    before: float | None

    @property
    def delta(self) -> float | None:
        return None if self.now is None or self.before is None else round(self.now - self.before, 1)


@dataclass(frozen=True)
class Overview:
    backlog: Change
    unassigned: Change
    breaching_today: Change
    csat_30d: Change
    first_reply_median_7d: Change


def _last(field: str, moment: datetime):
    """The value the ticket's `field` had at `moment`: its last event up to then."""
    return (select(TicketEvent.new).where(TicketEvent.ticket_id == Ticket.id, TicketEvent.field == field,
                                          TicketEvent.at <= moment)
            .order_by(TicketEvent.version.desc(), TicketEvent.id.desc()).limit(1).correlate(Ticket).scalar_subquery())


def live_counts(session: Session, moment: datetime, due_before: datetime) -> tuple[int, int, int]:
    """(live, live and unassigned, live with an unmet target due before `due_before`) as of `moment`.

    A ticket with no status or assignee event after `moment` was then as it is now, so only the few
    tickets changed since are replayed from their events; the rest are read from their columns.
    """
    changed = (select(TicketEvent.ticket_id).where(TicketEvent.field.in_(("status", "assignee")),
                                                   TicketEvent.at > moment).distinct())
    as_now = (select(Ticket.status.label("status"), Ticket.assignee_id.is_(None).label("unassigned"),
                     TicketMetrics.first_reply_at, TicketMetrics.first_reply_due_at, TicketMetrics.resolution_due_at)
              .select_from(Ticket).outerjoin(TicketMetrics, TicketMetrics.ticket_id == Ticket.id)
              .where(Ticket.status.in_(workflow.LIVE_STATUSES), Ticket.created_at <= moment,
                     Ticket.id.not_in(changed)))
    replayed = (select(_last("status", moment).label("status"),
                       _last("assignee", moment).is_(None).label("unassigned"),
                       TicketMetrics.first_reply_at, TicketMetrics.first_reply_due_at,
                       TicketMetrics.resolution_due_at)
                .select_from(Ticket).outerjoin(TicketMetrics, TicketMetrics.ticket_id == Ticket.id)
                .where(Ticket.id.in_(changed), Ticket.created_at <= moment))
    state = union_all(as_now, replayed).subquery("state")
    live = state.c.status.in_(workflow.LIVE_STATUSES)
    unanswered = or_(state.c.first_reply_at.is_(None), state.c.first_reply_at > moment)
    due = or_(and_(unanswered, state.c.first_reply_due_at < due_before), state.c.resolution_due_at < due_before)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    found = session.execute(select(count(live), count(and_(live, state.c.unassigned)),
                                   count(and_(live, due)))).one()
    return int(found[0]), int(found[1]), int(found[2])


def overview(session: Session, *, now: datetime | None = None, zone: str = "UTC") -> Overview:
    now = now or utcnow()
    tz = ZoneInfo(zone)
    today = datetime.combine(now.astimezone(tz).date(), time.min, tz)
    end_of_today = datetime.combine(today.date() + timedelta(days=1), time.min, tz)
    live_now, unassigned_now, breaching_now = live_counts(session, now, end_of_today)
    week_ago = now - timedelta(days=7)
    live_before, unassigned_before, _ = live_counts(session, week_ago, week_ago)
    _, _, breaching_before = live_counts(session, today, today)
    csat = Period.last(30, now)
    first_reply = Period.last(7, now)
    return Overview(
        backlog=Change(live_now, live_before),
        unassigned=Change(unassigned_now, unassigned_before),
        breaching_today=Change(breaching_now, breaching_before),
        csat_30d=Change(satisfaction.summary(session, csat).csat, satisfaction.summary(session, csat.previous()).csat),
        first_reply_median_7d=Change(times.summary(session, first_reply)["first_reply_median"],
                                     times.summary(session, first_reply.previous())["first_reply_median"]))
