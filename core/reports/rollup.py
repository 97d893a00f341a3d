"""Exact response-time numbers of long periods from `ticket_metric_days` (migration 0022) and the value indexes.

`ticket_metric_days` counts, per milestone, UTC day of its moment, priority (or '*', all) and bucket of the
minutes, the tickets, their SLA targets and the targets met; triggers on ticket_metrics keep it in step with
every write.
A period (or each week of a trend) is its whole UTC days, read there (a few rows a day), and the parts of a
day at its ends, read from ticket_metrics' period index and bucketed in SQL. That gives the counts, the SLA
attainment and which bucket holds each percentile's values; the exact minutes inside those buckets come from
the value index, one seek per value to the period's range of it. So every number is the one the full scan
gives (common.percentile): only the reading is shorter. If a bucket's minutes do not add up to its count,
the caller gets None and reads the full way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from core.models import TicketMetricDay, TicketMetrics
from core.reports.common import Period, within

DAYS = TicketMetricDay.__table__
SHARES = (50, 90)
WIDEST = 1024  # a bucket of more values than this (rare large minutes) is read as a range, not value by value

Counts = dict[tuple[int, object], dict[int, list[int]]]  # (piece, key) -> bucket -> [tickets, targets, met]


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


def bucket_sql(value: str) -> str:
    """`bucket` of the column `value` in SQL, as the triggers write it (integer division truncates on both)."""
    whens = " ".join(f"WHEN {value} < {1 << (k + 1)} THEN {value} / {1 << (k - 3)} * {1 << (k - 3)}"
                     for k in range(4, 31))
    return f"CASE WHEN {value} < 16 THEN {value} {whens} ELSE {value} / {1 << 27} * {1 << 27} END"


def _which(value, ranges: list[tuple[object, object, int]]):
    """The number of the range (start, end, number; sorted, disjoint) holding `value`, else NULL: a CASE that
    halves the ranges at each step, so a row takes a few comparisons, not one per range."""
    if len(ranges) == 1:
        start, end, number = ranges[0]
        return case((and_(value >= start, value < end), number), else_=null())
    middle = len(ranges) // 2
    return case((value < ranges[middle][0], _which(value, ranges[:middle])), else_=_which(value, ranges[middle:]))


def split(period: Period) -> tuple[date, date, list[Period]] | None:
    """The period's whole UTC days (first, end) and its parts outside them; None without a whole day."""
    first = period.start.astimezone(UTC).date()
    if datetime.combine(first, time.min, UTC) < period.start:
        first += timedelta(days=1)
    end = period.end.astimezone(UTC).date()
    if end <= first:
        return None
    start_at, end_at = datetime.combine(first, time.min, UTC), datetime.combine(end, time.min, UTC)
    return first, end, [p for p in (Period(period.start, start_at), Period(end_at, period.end)) if p.start < p.end]


def _add(counts: Counts, key: tuple[int, object], start: int, n: int, targets: int, met: int) -> None:
    cell = counts[key].setdefault(start, [0, 0, 0])
    cell[0] += int(n)
    cell[1] += int(targets or 0)
    cell[2] += int(met or 0)


def _name(m, business: bool) -> str:
    return m.name + ("_business" if business else "")


def _days(session: Session, counts: Counts, name: str, ranges: list[tuple[int, date, date]],
          by_priority: bool) -> None:
    """Each piece's whole days from the rollup, summed in SQL per piece (and priority) and bucket."""
    if not ranges:
        return
    piece = _which(DAYS.c.day, sorted((first, end, number) for number, first, end in ranges))
    key = DAYS.c.priority if by_priority else literal(0)
    inner = (select(piece.label("piece"), key.label("key"), DAYS.c.bucket, DAYS.c.tickets, DAYS.c.targets,
                    DAYS.c.met)
             .where(DAYS.c.milestone == name, DAYS.c.priority != "*" if by_priority else DAYS.c.priority == "*",
                    DAYS.c.day >= min(r[1] for r in ranges), DAYS.c.day < max(r[2] for r in ranges)).subquery("days"))
    query = (select(inner.c.piece, inner.c.key, inner.c.bucket, func.sum(inner.c.tickets), func.sum(inner.c.targets),
                    func.sum(inner.c.met))
             .where(inner.c.piece.is_not(None)).group_by(inner.c.piece, inner.c.key, inner.c.bucket))
    for number, k, start, n, targets, met in session.connection().execute(query).all():
        _add(counts, (number, k), start, n, targets, met)


def _edges(session: Session, counts: Counts, m, minutes, edges: list[tuple[int, Period]], by_priority: bool) -> None:
    """The parts of days at the pieces' ends, from ticket_metrics (a range of its period index each), bucketed in
    SQL. Two edges that meet within a UTC day (a week ending and the next one starting) are one range."""
    merged: list[list] = []  # [start, cut, end, piece before the cut, piece from it]
    for number, edge in sorted(edges, key=lambda e: e[1].start):
        last = merged[-1] if merged else None
        if last and last[2] == edge.start and last[1] == last[2] and edge.end - last[0] <= timedelta(days=1):
            last[1:] = [edge.start, edge.end, last[3], number]
        else:
            merged.append([edge.start, edge.end, edge.end, number, number])
    copy, value = m.copy.key, minutes.key
    target = f"{m.due.key} IS NOT NULL AND {m.reached.key} IS NOT NULL"
    key = "coalesce(ticket_priority, '')" if by_priority else "0"
    query = text(
        f"SELECT CASE WHEN {copy} < :cut THEN :before ELSE :after END, {key}, {bucket_sql(value)}, count(*),"
        f" sum(CASE WHEN {target} THEN 1 ELSE 0 END), sum(CASE WHEN {target} AND NOT {m.breached.key} THEN 1 ELSE 0"
        f" END) FROM ticket_metrics WHERE {copy} >= :start AND {copy} < :end AND {value} IS NOT NULL"
        f" GROUP BY 1, 2, 3").bindparams(*[bindparam(name, type_=m.copy.type) for name in ("start", "cut", "end")])
    for start, cut, end, before, after in merged:
        for number, k, bucket_start, n, targets, met in session.connection().execute(
                query, {"start": start, "cut": cut, "end": end, "before": before, "after": after}).all():
            _add(counts, (int(number), k), bucket_start, n, targets, met)


def _inside(session: Session, m, minutes, period: Period, priority: str | None, starts: list[int],
            index: str) -> dict[int, list[tuple[int, int]]]:
    """{bucket: sorted (value, how many)} of the tickets of `period` whose minutes fall in the buckets `starts`,
    from the value index `index` ((priority,) value, moment, ...): each value one seek to the period's range of
    it (a bucket wider than WIDEST, of rare large values, read as a range)."""
    narrow = [v for s in starts if bucket_end(s) - s <= WIDEST for v in range(s, bucket_end(s))]
    ranges = [and_(minutes >= s, minutes < bucket_end(s)) for s in starts if bucket_end(s) - s > WIDEST]
    listed = text(f"{minutes.key} IN ({', '.join(map(str, narrow))})") if narrow else false()  # ints, written out
    where = [or_(listed, *ranges), within(m.copy, period)]
    if priority is not None:
        where.append(TicketMetrics.ticket_priority == priority if priority else TicketMetrics.ticket_priority.is_(None))
    query = (select(minutes, func.count()).where(*where).group_by(minutes).order_by(minutes)
             .with_hint(TicketMetrics, f"INDEXED BY {index}", "sqlite"))
    found: dict[int, list[tuple[int, int]]] = {s: [] for s in starts}
    for value, count in session.connection().execute(query).all():
        found[bucket(value)].append((value, int(count)))
    return found


def _numbers(session: Session, m, minutes, period: Period, key: object, buckets: dict[int, list[int]], index: str,
             by_priority: bool) -> list | None:
    """[count, median, p90, SLA %] of one piece and key from its buckets' counts and the minutes of the buckets
    holding the percentiles; None when those minutes do not add up to their buckets' counts."""
    starts = sorted(s for s, cell in buckets.items() if cell[0] or cell[1])
    n = sum(buckets[s][0] for s in starts)
    targets, met = sum(buckets[s][1] for s in starts), sum(buckets[s][2] for s in starts)
    sla = round(100 * met / targets, 1) if targets else None
    if not n:
        return [0, None, None, sla]
    below, seen = {}, 0
    for s in starts:
        below[s] = seen
        seen += buckets[s][0]

    def holding(position: int) -> int:
        return next(s for s in starts if below[s] <= position < below[s] + buckets[s][0])

    positions = [p for share in SHARES for p in (share * (n - 1) // 100, share * (n - 1) // 100 + 1) if p < n]
    needed = sorted({holding(p) for p in positions})
    values = _inside(session, m, minutes, period, key if by_priority else None, needed, index)
    if any(sum(c for _v, c in values[s]) != buckets[s][0] for s in needed):
        return None

    def at(position: int) -> int:
        s = holding(position)
        seen = below[s]
        for value, count in values[s]:
            if position < seen + count:
                return value
            seen += count
        raise AssertionError("the bucket's minutes add up to its count")

    shares = []
    for share in SHARES:
        exact = share * (n - 1)
        low = at(exact // 100)
        high = at(exact // 100 + 1) if exact // 100 + 1 < n else low
        shares.append(round(low + (high - low) * (exact % 100) / 100, 1))
    return [n, *shares, sla]


def pieces(session: Session, m, business: bool, periods: list[Period], *,
           by_priority: bool = False) -> list[dict[object, list]] | None:
    """For each of `periods` (one, or the weeks of a trend), `times._milestone` without a filter: {key: [count,
    median, p90, SLA %]}, the key 0 or the priority. None when the rollup disagrees with ticket_metrics."""
    minutes = m.business_minutes if business else m.minutes
    counts: Counts = defaultdict(dict)
    ranges, edges = [], []
    for number, period in enumerate(periods):
        parts = split(period)
        if parts is None:
            edges.append((number, period))
        else:
            ranges.append((number, parts[0], parts[1]))
            edges += [(number, edge) for edge in parts[2]]
    _days(session, counts, _name(m, business), ranges, by_priority)
    _edges(session, counts, m, minutes, edges, by_priority)
    index = f"ix_ticket_metrics_{'priority_' if by_priority else ''}{_name(m, business)}"
    found: list[dict[object, list]] = [{} for _period in periods]
    for (number, key), buckets in sorted(counts.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if not any(cell[0] or cell[1] for cell in buckets.values()):
            continue
        numbers = _numbers(session, m, minutes, periods[number], key, buckets, index, by_priority)
        if numbers is None:
            return None
        found[number][(key or None) if by_priority else key] = numbers
    return found


def milestone(session: Session, m, business: bool, period: Period, *,
              by_priority: bool = False) -> dict[object, list] | None:
    """`pieces` of one period; None also for a period of less than a whole UTC day (the period index is quicker)."""
    if split(period) is None:
        return None
    found = pieces(session, m, business, [period], by_priority=by_priority)
    return None if found is None else found[0]
