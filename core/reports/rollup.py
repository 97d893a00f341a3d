"""Exact response-time numbers of long periods from `ticket_metric_days` (migration 0022) and the value indexes.

`ticket_metric_days` counts, per milestone, UTC day of its moment, priority and bucket of the minutes, the
tickets, their SLA targets and the targets met; triggers on ticket_metrics keep it in step with every write.
A period is its whole UTC days (read there: a few rows a day) and the parts of a day at each end (read from
ticket_metrics). That gives the counts, the SLA attainment and which bucket holds each percentile's values;
the exact minutes inside those buckets come from one short range of an index of ticket_metrics. So every
number is the one the full scan gives (common.percentile): only the reading is shorter. If a bucket's minutes
do not add up to its count, the caller gets None and takes the full scan.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, Integer, String, and_, case, column, func, literal, not_, select, table
from sqlalchemy.orm import Session

from core.models import TicketMetrics
from core.reports.common import Period, within

DAYS = table("ticket_metric_days", column("milestone", String), column("day", Date), column("priority", String),
             column("bucket", Integer), column("tickets", Integer), column("targets", Integer),
             column("met", Integer))
SHARES = (50, 90)


def bucket(value: int) -> int:
    """The bucket of a number of minutes, as migration 0022's triggers compute it: below 16 the value itself,
    above it the value with all but its 4 leading bits cleared (8 buckets per doubling)."""
    if value < 16:
        return value
    shift = value.bit_length() - 4
    return value >> shift << shift


def bucket_end(start: int) -> int:
    """The first value after the bucket that starts at `start`."""
    return start + 1 if start < 16 else start + (1 << (start.bit_length() - 4))


def split(period: Period) -> tuple[date, date, list[Period]] | None:
    """The period's whole UTC days (first, end) and its parts outside them; None without a whole day."""
    first = period.start.astimezone(UTC).date()
    if datetime.combine(first, time.min, UTC) < period.start:
        first += timedelta(days=1)
    end = period.end.astimezone(UTC).date()
    if end <= first:
        return None
    start_at, end_at = datetime.combine(first, time.min, UTC), datetime.combine(end, time.min, UTC)
    edges = [p for p in (Period(period.start, start_at), Period(end_at, period.end)) if p.start < p.end]
    return first, end, edges


Counts = dict[object, dict[int, list[int]]]  # key -> bucket -> [tickets, targets, met]


def _add(counts: Counts, key: object, start: int, n: int, targets: int, met: int) -> None:
    cell = counts[key].setdefault(start, [0, 0, 0])
    cell[0] += int(n)
    cell[1] += int(targets or 0)
    cell[2] += int(met or 0)


def day_rows(session: Session, name: str, first: date, end: date, *, by_priority: bool = False, by_day: bool = False):
    """(key, day or None, bucket, tickets, targets, met) of the rollup's days first <= day < end."""
    key = DAYS.c.priority if by_priority else literal(0)
    day = DAYS.c.day if by_day else literal(None)
    groups = [key, DAYS.c.bucket, *([DAYS.c.day] if by_day else [])]
    query = (select(key, day, DAYS.c.bucket, func.sum(DAYS.c.tickets), func.sum(DAYS.c.targets),
                    func.sum(DAYS.c.met))
             .where(DAYS.c.milestone == name, DAYS.c.day >= first, DAYS.c.day < end).group_by(*groups))
    return session.connection().execute(query)


def add_edges(session: Session, counts: Counts, m, minutes, edges: list[Period], by_priority: bool) -> None:
    """The buckets of the tickets in `edges` (parts of days), read from ticket_metrics."""
    key = func.coalesce(TicketMetrics.ticket_priority, "") if by_priority else literal(0)
    target = and_(m.due.is_not(None), m.reached.is_not(None))
    for edge in edges:
        query = (select(key, minutes, func.count(), func.sum(case((target, 1), else_=0)),
                        func.sum(case((and_(target, not_(m.breached)), 1), else_=0)))
                 .where(within(m.copy, edge), minutes.is_not(None)).group_by(key, minutes))
        for k, value, n, targets, met in session.connection().execute(query):
            _add(counts, k, bucket(value), n, targets, met)


def numbers(session: Session, m, minutes, period: Period, counts: Counts, index: str,
            by_priority: bool) -> dict[object, list] | None:
    """{key: [count, median, p90, SLA %]} from the buckets' counts, the minutes of the buckets holding the
    percentiles read over `period` through `index` (SQLite's choice; PostgreSQL plans its own); None when
    those minutes do not add up to their buckets' counts (the caller then reads the exact way)."""
    found = {}
    for key, buckets in counts.items():
        starts = sorted(s for s, cell in buckets.items() if cell[0] or cell[1])
        n = sum(buckets[s][0] for s in starts)
        targets, met = sum(buckets[s][1] for s in starts), sum(buckets[s][2] for s in starts)
        if not n and not targets:
            continue
        below, seen = {}, 0
        for s in starts:
            below[s] = seen
            seen += buckets[s][0]
        positions = {p for share in SHARES for p in (share * (n - 1) // 100, share * (n - 1) // 100 + 1) if p < n}
        needed = sorted({next(s for s in starts if below[s] <= p < below[s] + buckets[s][0]) for p in positions})
        values = _inside(session, m, minutes, period, key if by_priority else None, needed, index)
        for s in needed:
            if sum(c for _v, c in values.get(s, ())) != buckets[s][0]:
                return None
        key_out = (key or None) if by_priority else key

        def at(position: int, starts=starts, below=below, values=values, buckets=buckets) -> int:
            s = next(s for s in starts if below[s] <= position < below[s] + buckets[s][0])
            seen = below[s]
            for value, count in values[s]:
                if position < seen + count:
                    return value
                seen += count
            raise AssertionError("counted above")

        shares = []
        for share in SHARES:
            if not n:
                shares.append(None)
                continue
            exact = share * (n - 1)
            low = at(exact // 100)
            high = at(exact // 100 + 1) if exact // 100 + 1 < n else low
            shares.append(round(low + (high - low) * (exact % 100) / 100, 1))
        found[key_out] = [n, *shares, round(100 * met / targets, 1) if targets else None]
    return found


def _inside(session: Session, m, minutes, period: Period, priority: str | None, starts: list[int],
            index: str) -> dict[int, list[tuple[int, int]]]:
    """{bucket: sorted (value, how many)} of the tickets of `period` whose minutes fall in the buckets `starts`;
    adjacent buckets are read as one range."""
    ranges: list[list[int]] = []
    for s in starts:
        if ranges and ranges[-1][1] == s:
            ranges[-1][1] = bucket_end(s)
        else:
            ranges.append([s, bucket_end(s)])
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for low, high in ranges:
        where = [minutes >= low, minutes < high, within(m.copy, period)]
        if priority is not None:
            where.append(TicketMetrics.ticket_priority == priority if priority else
                         TicketMetrics.ticket_priority.is_(None))
        query = (select(minutes, func.count()).where(*where).group_by(minutes).order_by(minutes)
                 .with_hint(TicketMetrics, f"INDEXED BY {index}", "sqlite"))
        for value, count in session.connection().execute(query):
            found[bucket(value)].append((value, int(count)))
    return found


def _name(m, business: bool) -> str:
    return m.name + ("_business" if business else "")


def _period_index(m) -> str:
    return "ix_ticket_metrics_created" if m.copy is TicketMetrics.ticket_created_at else "ix_ticket_metrics_solved"


def milestone(session: Session, m, business: bool, period: Period, *, by_priority: bool,
              long: bool) -> dict[object, list] | None:
    """`times._milestone` without a filter (by priority or not); None when the period holds no whole UTC day
    or the rollup disagrees with ticket_metrics. A `long` period reads its buckets' minutes from a value
    index (value order: only the bucket's entries), a short one from the period index."""
    parts = split(period)
    if parts is None:
        return None
    first, end, edges = parts
    minutes = m.business_minutes if business else m.minutes
    counts: Counts = defaultdict(dict)
    for key, _day, start, n, targets, met in day_rows(session, _name(m, business), first, end,
                                                      by_priority=by_priority):
        _add(counts, key, start, n, targets, met)
    add_edges(session, counts, m, minutes, edges, by_priority)
    index = (f"ix_ticket_metrics_{'priority_' if by_priority else ''}{_name(m, business)}" if long
             else _period_index(m))
    return numbers(session, m, minutes, period, counts, index, by_priority)


def weekly(session: Session, m, business: bool, period: Period,
           pieces: list[Period]) -> list[dict[object, list]] | None:
    """`milestone` of each of `pieces` (the weeks of `period`, in order): one read of the rollup for all of them,
    each week's buckets' minutes from its range of the period index. None as in `milestone`."""
    minutes = m.business_minutes if business else m.minutes
    days: dict[date, list] = defaultdict(list)
    if (whole := split(period)) is not None:
        for _key, day, start, n, targets, met in day_rows(session, _name(m, business), whole[0], whole[1],
                                                          by_day=True):
            days[day if isinstance(day, date) else date.fromisoformat(day)].append((start, n, targets, met))
    found = []
    for piece in pieces:
        parts = split(piece)
        first, end, edges = parts if parts is not None else (None, None, [piece])
        counts: Counts = defaultdict(dict)
        if first is not None:
            day = first
            while day < end:
                for start, n, targets, met in days.get(day, ()):
                    _add(counts, 0, start, n, targets, met)
                day += timedelta(days=1)
        add_edges(session, counts, m, minutes, edges, False)
        week = numbers(session, m, minutes, piece, counts, _period_index(m), False)
        if week is None:
            return None
        found.append(week)
    return found
