"""The response-times dashboard: first reply and full resolution (median, 90th percentile), SLA attainment,
created vs solved, the backlog now, the hour heatmap and the breached tickets. All aggregated in SQL.

Which tickets count: first reply over the tickets created in the period (that got one); full
resolution over the tickets solved in the period that are still solved or closed. SLA attainment
is the share of tickets with a target that reached the milestone without breaching it. Minutes
are calendar minutes (`business=True` reads the business-minute columns instead).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import and_, bindparam, case, func, literal, not_, or_, select, text
from sqlalchemy.orm import Session

from core.models import Ticket, TicketEvent, TicketMetrics, utcnow
from core.reports import rollup
from core.reports.common import (
    ANY,
    METRIC_DIMENSIONS,
    Filters,
    Period,
    bucket,
    is_postgres,
    keyed,
    labels,
    local,
    local_days,
    local_hour,
    metric_filters,
    percentile,
    ticket_filters,
    utc_hour,
    weeks,
    within,
)
from core.tickets import workflow

AGE_BUCKETS = ("lt_1d", "1_3d", "3_7d", "gt_7d")
COLUMNS = ["first_reply_count", "first_reply_median", "first_reply_p90", "first_reply_sla",
           "resolution_count", "resolution_median", "resolution_p90", "resolution_sla"]


@dataclass(frozen=True)
class Milestone:
    name: str  # as in the names of its ticket_metrics indexes
    copy: object  # the ticket's moment that places it in a period, as copied into ticket_metrics
    minutes: object
    business_minutes: object
    due: object
    breached: object
    reached: object  # not NULL once the milestone is met


MILESTONES = {
    "first_reply": Milestone("first_reply", TicketMetrics.ticket_created_at, TicketMetrics.first_reply_minutes,
                             TicketMetrics.first_reply_business_minutes, TicketMetrics.first_reply_due_at,
                             TicketMetrics.first_reply_breached, TicketMetrics.first_reply_at),
    "resolution": Milestone("resolution", TicketMetrics.ticket_solved_at, TicketMetrics.full_resolution_minutes,
                            TicketMetrics.full_resolution_business_minutes, TicketMetrics.resolution_due_at,
                            TicketMetrics.resolution_breached, TicketMetrics.full_resolution_minutes),
}
SHARES = (50, 90)


def _sla_percent(targets: int, met: int) -> float | None:
    return round(100 * int(met) / targets, 1) if targets else None


def _counted(session: Session, m: Milestone, minutes, period: Period, by_priority: bool) -> dict[object, list]:
    """`_milestone` of a long period without a filter, on SQLite, from one
    pass over the (value, period, due, breached) or (priority, value, ...) index. The index is already in
    group order, so nothing is sorted; minutes repeat, so the rows are few (a few thousand). A row with a
    value has reached the milestone, so its target counts when it has a due time."""
    index = (f"ix_ticket_metrics_{'priority_' if by_priority else ''}{m.name}"
             f"{'_business' if minutes is m.business_minutes else ''}")
    group = "ticket_priority, " if by_priority else ""
    sql = (f"SELECT {group or '0, '}{minutes.key}, count(*), count({m.due.key}),"
           f" count(CASE WHEN {m.due.key} IS NOT NULL AND NOT {m.breached.key} THEN 1 END)"
           f" FROM ticket_metrics INDEXED BY {index}"
           f" WHERE {m.copy.key} >= :start AND {m.copy.key} < :end AND {minutes.key} IS NOT NULL"
           f" GROUP BY {group}{minutes.key}")
    query = text(sql).bindparams(bindparam("start", period.start, type_=m.copy.type),
                                 bindparam("end", period.end, type_=m.copy.type))
    return _numbers(session.execute(query))


def _numbers(rows) -> dict[object, list]:
    """{key: [count, median, p90, SLA %]} from (key, value, how many, SLA targets, met) rows, a key's values
    in any order (a NULL value adds only its SLA counts); exact percentiles from the counts."""
    groups: dict[object, list] = {}
    for key_value, value, n, targets, met in rows:
        group = groups.setdefault(key_value, [[], 0, 0])
        if value is not None:
            group[0].append((value, int(n)))
        group[1] += int(targets)
        group[2] += int(met)
    found = {}
    for key_value, (counts, targets, met) in groups.items():
        counts.sort()
        n = sum(count for _value, count in counts)
        if n or targets:
            found[key_value] = [n, *[percentile(counts, n, share) for share in SHARES], _sla_percent(targets, met)]
    return found


def _long(session: Session, m: Milestone, period: Period) -> bool:
    """Whether the period covers a quarter or more of the time the milestone's moments span (the first and
    last read from the period index's ends): then its values are a good share of all of them, and one
    pass over a value index beats sorting them. Either way the numbers are exact; this only picks the way."""
    # two subqueries: SQLite reads a lone min() or max() from the index's end, both in one select scan it
    first, last = session.execute(select(select(func.min(m.copy)).scalar_subquery(),
                                         select(func.max(m.copy)).scalar_subquery())).one()
    if first is None or last <= first:
        return False
    covered = min(period.end, last) - max(period.start, first)
    return 4 * covered >= last - first


def _one_snapshot(session: Session) -> None:
    """The two milestones (and a trend's weeks) are separate statements: on PostgreSQL, one snapshot for all."""
    if is_postgres(session) and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _milestone(session: Session, name: str, period: Period, filters: Filters, key: Callable | None,
               business: bool, *, by_priority: bool = False) -> dict[object, list]:
    """{key: [count, median, p90, SLA %]} of one milestone; `key` maps the milestone's moment (ticket_metrics'
    copy) to a group."""
    _one_snapshot(session)
    m = MILESTONES[name]
    if (key is None or by_priority) and filters == ANY:
        rolled = rollup.milestone(session, m, business, period, by_priority=by_priority)
        if rolled is not None:
            return rolled
        if not is_postgres(session) and _long(session, m, period):
            return _counted(session, m, m.business_minutes if business else m.minutes, period, by_priority)
    return _grouped(session, name, period, filters, key, business)


def _grouped(session: Session, name: str, period: Period, filters: Filters, key: Callable | None,
             business: bool) -> dict[object, list]:
    """`_milestone` for any filter and grouping, from ticket_metrics alone (its copies of the ticket's fields).

    One range of the (period, ...) index, which holds every column read here, grouped by key and value:
    each group's values come back as (value, how many) pairs, few (minutes repeat), and each percentile
    is exact from them (common.percentile). The SLA counts come from the same pass.
    """
    m = MILESTONES[name]
    minutes = m.business_minutes if business else m.minutes
    target = and_(m.due.is_not(None), m.reached.is_not(None))
    rows = (select((key(m.copy) if key else literal(0)).label("key"), minutes.label("value"),
                   case((target, 1), else_=0).label("target"),
                   case((and_(target, not_(m.breached)), 1), else_=0).label("met"))
            .where(within(m.copy, period), *metric_filters(filters)).subquery("rows"))
    query = (select(rows.c.key, rows.c.value, func.count(rows.c.value), func.sum(rows.c.target),
                    func.sum(rows.c.met)).group_by(rows.c.key, rows.c.value))
    return _numbers(session.connection().execute(query))  # Core: no ORM row overhead


def _table(session: Session, period: Period, filters: Filters, key: Callable | None,
           business: bool, *, by_priority: bool = False) -> pd.DataFrame:
    first = _milestone(session, "first_reply", period, filters, key, business, by_priority=by_priority)
    resolution = _milestone(session, "resolution", period, filters, key, business, by_priority=by_priority)
    keys = sorted(set(first) | set(resolution), key=lambda k: (k is None, str(k)))
    empty = [0, None, None, None]
    rows = [[k, *first.get(k, empty), *resolution.get(k, empty)] for k in keys]
    return keyed(rows, ["key", *COLUMNS])


def summary(session: Session, period: Period, filters: Filters = ANY, *, business: bool = False) -> dict:
    """The headline numbers: counts, median and p90 minutes, SLA % of first reply and resolution."""
    first = _milestone(session, "first_reply", period, filters, None, business).get(0, [0, None, None, None])
    resolution = _milestone(session, "resolution", period, filters, None, business).get(0, [0, None, None, None])
    return dict(zip(COLUMNS, [*first, *resolution], strict=True))


def breakdown(session: Session, period: Period, filters: Filters = ANY, *, by: str = "priority",
              business: bool = False) -> pd.DataFrame:
    """The summary numbers per priority, agent, product, kind or channel; `label` names the key."""
    column = METRIC_DIMENSIONS[by]
    table = _table(session, period, filters, lambda _when: column, business, by_priority=by == "priority")
    names = labels(session, by, list(table["key"]))
    table.insert(1, "label", [names.get(k) for k in table["key"]])
    return table


def trend(session: Session, period: Period, filters: Filters = ANY, *, zone: str = "UTC",
          business: bool = False) -> pd.DataFrame:
    """The summary numbers per ISO week (labelled by its Monday in `zone`).

    Without a filter, the weeks are read through ticket_metric_days (core.reports.rollup: their counts in one
    query, then only the values of the buckets holding each week's percentiles). With one, each week is a short
    period of its own, summed like a filtered `summary`: one grouped pass over its range of the period index.
    Exact either way.
    """
    _one_snapshot(session)
    found = weeks(period, zone)
    pieces = [days for _monday, days in found]
    rolled = {name: rollup.pieces(session, MILESTONES[name], business, pieces) if filters == ANY else None
              for name in MILESTONES}
    rows = []
    for number, (monday, days) in enumerate(found):
        first = (rolled["first_reply"][number] if rolled["first_reply"] is not None
                 else _grouped(session, "first_reply", days, filters, None, business))
        resolution = (rolled["resolution"][number] if rolled["resolution"] is not None
                      else _grouped(session, "resolution", days, filters, None, business))
        if first or resolution:
            empty = [0, None, None, None]
            rows.append([monday, *first.get(0, empty), *resolution.get(0, empty)])
    return pd.DataFrame(rows, columns=["week", *COLUMNS])


def _hours(session: Session, moment, period: Period, zone: str, *where) -> Counter | None:
    """Moments of the period counted per UTC hour ("YYYY-MM-DD HH"), or None where `utc_hour` cannot serve."""
    hours = utc_hour(session, moment, period, zone)
    if hours is None:
        return None
    inner = select(hours.label("hour")).where(within(moment, period), *where).subquery("hours")
    return Counter({hour: int(n) for hour, n in session.execute(
        select(inner.c.hour, func.count()).group_by(inner.c.hour)).all()})


def _local_days(hours: Counter, zone: str) -> dict[str, int]:
    counted: Counter = Counter()
    for hour, n in hours.items():
        counted[local_hour(hour, zone).date().isoformat()] += n
    return dict(counted)


def _per_day(session: Session, moment, period: Period, zone: str, *where) -> dict[str, int]:
    if (hours := _hours(session, moment, period, zone, *where)) is not None:
        return _local_days(hours, zone)
    inner = select(bucket(session, "day", local(session, moment, period, zone)).label("day")).where(
        within(moment, period), *where).subquery("days")
    return {day: int(n) for day, n in session.execute(select(inner.c.day, func.count()).group_by(inner.c.day))}


def created_vs_solved(session: Session, period: Period, filters: Filters = ANY, *,
                      zone: str = "UTC") -> pd.DataFrame:
    """Tickets created and tickets solved (each solve event, reopened ones too) per local day."""
    return _created_vs_solved(session, period, filters, zone,
                              _per_day(session, Ticket.created_at, period, zone, *ticket_filters(filters)))


def _created_vs_solved(session: Session, period: Period, filters: Filters, zone: str,
                       created: dict[str, int]) -> pd.DataFrame:
    solved_where = [TicketEvent.field == "status", TicketEvent.new == workflow.SOLVED]
    if conditions := ticket_filters(filters):
        solved_where.append(TicketEvent.ticket_id.in_(select(Ticket.id).where(*conditions)))
    solved = _per_day(session, TicketEvent.at, period, zone, *solved_where)
    days = local_days(period, zone)
    return pd.DataFrame({"day": days, "created": [created.get(d, 0) for d in days],
                         "solved": [solved.get(d, 0) for d in days]})


def backlog(session: Session, filters: Filters = ANY, *, now: datetime | None = None) -> pd.DataFrame:
    """Live tickets now, by status and age (<1 d, 1–3 d, 3–7 d, >7 d since creation); every cell present."""
    now = now or utcnow()
    age = case((Ticket.created_at > now - timedelta(days=1), "lt_1d"),
               (Ticket.created_at > now - timedelta(days=3), "1_3d"),
               (Ticket.created_at > now - timedelta(days=7), "3_7d"), else_="gt_7d")
    inner = select(Ticket.status, age.label("age")).where(
        Ticket.status.in_(workflow.LIVE_STATUSES), Ticket.created_at <= now, *ticket_filters(filters)).subquery("live")
    found = {(s, a): int(n) for s, a, n in session.execute(
        select(inner.c.status, inner.c.age, func.count()).group_by(inner.c.status, inner.c.age))}
    rows = [(s, a, found.get((s, a), 0)) for s in workflow.LIVE_STATUSES for a in AGE_BUCKETS]
    return pd.DataFrame(rows, columns=["status", "age", "tickets"])


def heatmap(session: Session, period: Period, filters: Filters = ANY, *, zone: str = "UTC") -> pd.DataFrame:
    """Tickets created per local weekday (0 = Monday) and hour: all 7 × 24 cells."""
    hours = _hours(session, Ticket.created_at, period, zone, *ticket_filters(filters))
    if hours is not None:
        return _cells(hours, zone)
    moment = local(session, Ticket.created_at, period, zone)
    inner = select(bucket(session, "weekday", moment).label("weekday"), bucket(session, "hour", moment).label("hour")
                   ).where(within(Ticket.created_at, period), *ticket_filters(filters)).subquery("created")
    found = {(int(d), int(h)): int(n) for d, h, n in session.execute(
        select(inner.c.weekday, inner.c.hour, func.count()).group_by(inner.c.weekday, inner.c.hour))}
    rows = [(d, h, found.get((d, h), 0)) for d in range(7) for h in range(24)]
    return pd.DataFrame(rows, columns=["weekday", "hour", "tickets"])


def _cells(hours: Counter, zone: str) -> pd.DataFrame:
    counted: Counter = Counter()
    for hour, n in hours.items():
        moment = local_hour(hour, zone)
        counted[(moment.weekday(), moment.hour)] += n
    return pd.DataFrame([(d, h, counted[(d, h)]) for d in range(7) for h in range(24)],
                        columns=["weekday", "hour", "tickets"])


def arrivals(session: Session, period: Period, filters: Filters = ANY, *,
             zone: str = "UTC") -> tuple[pd.DataFrame, pd.DataFrame]:
    """`created_vs_solved` and `heatmap` together, the creations counted once (per UTC hour) for both."""
    hours = _hours(session, Ticket.created_at, period, zone, *ticket_filters(filters))
    if hours is None:
        return created_vs_solved(session, period, filters, zone=zone), heatmap(session, period, filters, zone=zone)
    return _created_vs_solved(session, period, filters, zone, _local_days(hours, zone)), _cells(hours, zone)


def breached(session: Session, period: Period, filters: Filters = ANY, *, now: datetime | None = None,
             limit: int = 200, offset: int = 0) -> pd.DataFrame:
    """Tickets created in the period that breached a target, newest first, one row per target:
    ticket_id, subject, priority, target ("first_reply" or "resolution"), due_at.

    Breached means met after the due time, or not met yet on a live ticket whose due time has passed.
    """
    now = now or utcnow()
    live = Ticket.status.in_(workflow.LIVE_STATUSES)
    first = or_(TicketMetrics.first_reply_breached,
                and_(live, TicketMetrics.first_reply_at.is_(None), TicketMetrics.first_reply_due_at < now))
    resolution = or_(TicketMetrics.resolution_breached, and_(live, TicketMetrics.resolution_due_at < now))
    query = (select(Ticket.id, Ticket.subject, Ticket.priority, first.label("first"), resolution.label("resolution"),
                    TicketMetrics.first_reply_due_at, TicketMetrics.resolution_due_at)
             .join(TicketMetrics, TicketMetrics.ticket_id == Ticket.id)
             .where(within(Ticket.created_at, period), or_(first, resolution), *ticket_filters(filters))
             # newest first by the created_at index itself: read backwards, it stops at the page's last breach
             .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit).offset(offset))
    rows = []
    for r in session.execute(query):
        if r.first:
            rows.append((r.id, r.subject, r.priority, "first_reply", r.first_reply_due_at))
        if r.resolution:
            rows.append((r.id, r.subject, r.priority, "resolution", r.resolution_due_at))
    return pd.DataFrame(rows, columns=["ticket_id", "subject", "priority", "target", "due_at"])


def tickets(session: Session, period: Period, filters: Filters = ANY, *, business: bool = False,
            limit: int = 100, offset: int = 0) -> pd.DataFrame:
    """The tickets behind the numbers: those created in the period, newest first, with their times:
    ticket_id, subject, status, priority, first_reply, full_resolution (minutes, None if not reached),
    first_reply_breached, resolution_breached. Paged in SQL."""
    first = TicketMetrics.first_reply_business_minutes if business else TicketMetrics.first_reply_minutes
    full = TicketMetrics.full_resolution_business_minutes if business else TicketMetrics.full_resolution_minutes
    query = (select(Ticket.id, Ticket.subject, Ticket.status, Ticket.priority, first, full,
                    TicketMetrics.first_reply_breached, TicketMetrics.resolution_breached)
             .join(TicketMetrics, TicketMetrics.ticket_id == Ticket.id)
             .where(within(Ticket.created_at, period), *ticket_filters(filters))
             .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit).offset(offset))
    return pd.DataFrame([tuple(r) for r in session.execute(query)],
                        columns=["ticket_id", "subject", "status", "priority", "first_reply", "full_resolution",
                                 "first_reply_breached", "resolution_breached"])
