"""What every dashboard shares: the period, the filters, and SQL that means the same on SQLite and PostgreSQL.

Times are stored as naive UTC. Buckets (day, week, weekday, hour) are taken in a time zone:
PostgreSQL converts with its own zone data; SQLite has none, so the UTC offsets in force during
the period are computed here and applied with a CASE on the timestamp (exact across DST changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session

from core.models import Message, Product, Survey, Ticket, TicketEvent, TicketMetrics, User

DIMENSIONS = {"agent": Ticket.assignee_id, "product": Ticket.product_id, "kind": Ticket.kind,
              "channel": Ticket.channel, "priority": Ticket.priority}
# the same fields as copied into ticket_metrics (core.tickets.metrics.row_values), for aggregates of that table alone
METRIC_DIMENSIONS = {"agent": TicketMetrics.ticket_assignee_id, "product": TicketMetrics.ticket_product_id,
                     "kind": TicketMetrics.ticket_kind, "channel": TicketMetrics.ticket_channel,
                     "priority": TicketMetrics.ticket_priority}


@dataclass(frozen=True)
class Period:
    """start <= moment < end, aware UTC datetimes."""

    start: datetime
    end: datetime

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)

    @classmethod
    def last(cls, days: int, now: datetime) -> Period:
        return cls(now - timedelta(days=days), now)


@dataclass(frozen=True)
class Filters:
    """Narrowing of every dashboard by the ticket's current fields; empty tuples mean "any"."""

    agent_ids: tuple[int, ...] = ()
    product_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()


ANY = Filters()


def _conditions(filters: Filters, columns: dict) -> list[ColumnElement[bool]]:
    chosen = (("agent", filters.agent_ids), ("product", filters.product_ids), ("kind", filters.kinds),
              ("channel", filters.channels), ("priority", filters.priorities))
    return [columns[name].in_(values) for name, values in chosen if values]


def ticket_filters(filters: Filters) -> list[ColumnElement[bool]]:
    return _conditions(filters, DIMENSIONS)


def metric_filters(filters: Filters) -> list[ColumnElement[bool]]:
    """`ticket_filters` on ticket_metrics' copies of the ticket's fields.

    The priority is compared as `ticket_priority || ''`: an expression no index serves, so SQLite keeps
    to the period's range instead of walking a (priority, value, ...) index across all time.
    """
    return _conditions(filters, {**METRIC_DIMENSIONS, "priority": TicketMetrics.ticket_priority.concat("")})


def within(column, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def data_version(session: Session) -> tuple:
    """A value that changes whenever a dashboard number can: the newest ticket, event, message and
    survey, and the latest survey answer (a changed score or comment moves responded_at). Each is the
    max of a primary key or of an indexed column: one query of five index lookups, cheap on every run."""
    newest = [select(func.max(column)).scalar_subquery() for column in (
        Ticket.id, TicketEvent.id, Message.id, Survey.id, Survey.responded_at)]
    return tuple(session.execute(select(*newest)).one())


# ---------------------------------------------------------------- time zones and buckets

def offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(from, UTC offset in minutes) pieces covering start..end; a DST change starts a new piece."""

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds() // 60)

    pieces = [(start, offset(start))]
    day = start.replace(second=0, microsecond=0)  # transitions fall on whole minutes
    while day < end:
        following = day + timedelta(days=1)
        if offset(following) != offset(day):
            low, high = 0, 24 * 60  # minutes after `day`: the change happens at `high`
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(day + timedelta(minutes=middle)) == offset(day) else (low, middle)
            change = day + timedelta(minutes=high)
            pieces.append((change, offset(change)))
        day = following
    return pieces


def local(session: Session, column, period: Period, zone: str):
    """`column` (naive UTC) as the wall-clock time in `zone`, for moments within `period`."""
    if is_postgres(session):
        return func.timezone(zone, func.timezone("UTC", column))
    pieces = offsets(ZoneInfo(zone), period.start, period.end)
    modifiers = [f"{minutes:+d} minutes" for _start, minutes in pieces]
    if len(pieces) == 1:
        return func.datetime(column, modifiers[0])
    whens = [(column < pieces[i + 1][0], modifiers[i]) for i in range(len(pieces) - 1)]
    return func.datetime(column, case(*whens, else_=modifiers[-1]))


def bucket(session: Session, unit: str, moment):
    """A local time cut to `unit`: "day" and "week" (its Monday) as YYYY-MM-DD text,
    "weekday" as 0 (Monday) to 6, "hour" as 0 to 23."""
    if is_postgres(session):
        parts = {"day": lambda: func.to_char(moment, "YYYY-MM-DD"),
                 "week": lambda: func.to_char(func.date_trunc("week", moment), "YYYY-MM-DD"),
                 "weekday": lambda: cast(func.extract("isodow", moment), Integer) - 1,
                 "hour": lambda: cast(func.extract("hour", moment), Integer)}
    else:
        parts = {"day": lambda: func.strftime("%Y-%m-%d", moment),
                 "week": lambda: func.date(moment, "weekday 0", "-6 days"),
                 "weekday": lambda: (cast(func.strftime("%w", moment), Integer) + 6) % 7,
                 "hour": lambda: cast(func.strftime("%H", moment), Integer)}
    return parts[unit]()


def weeks(period: Period, zone: str) -> list[tuple[str, Period]]:
    """The local ISO weeks the period touches: each one's Monday (YYYY-MM-DD) and its part of the period
    (from local Monday midnight, as UTC, cut to the period)."""
    tz = ZoneInfo(zone)
    day = period.start.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    found = []
    start = period.start
    while start < period.end:
        following = monday + timedelta(days=7)
        end = min(datetime.combine(following, time.min, tz).astimezone(UTC), period.end)
        found.append((monday.isoformat(), Period(start, end)))
        monday, start = following, end
    return found


def utc_hour(session: Session, column, period: Period, zone: str):
    """`column`'s UTC hour as a group key, or None when a local bucket cannot be told from it.

    When every UTC offset of `zone` during the period is a whole number of hours and changes on a whole
    hour, all moments of one UTC hour fall in one local hour: grouping by the UTC hour (a cut of the
    stored text, no per-row time zone arithmetic) and turning the few thousand groups into local days,
    weeks or hours in Python gives the same counts exactly. SQLite only: PostgreSQL converts faster itself.
    """
    if is_postgres(session):
        return None  # PostgreSQL converts zones natively, faster than returning every hour to Python
    pieces = offsets(ZoneInfo(zone), period.start, period.end)
    if any(minutes % 60 for _start, minutes in pieces) or any(
            start.minute or start.second or start.microsecond for start, _minutes in pieces[1:]):
        return None
    return func.substr(column, 1, 13)  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]"


def local_hour(value: str, zone: str) -> datetime:
    """A `utc_hour` key ("YYYY-MM-DD HH") as an aware datetime in `zone`; parsed by hand, as strptime
    would cost more than the query."""
    moment = datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]), tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone))


def local_days(period: Period, zone: str) -> list[str]:
    """Every local day the period touches, as YYYY-MM-DD."""
    tz = ZoneInfo(zone)
    day, last = period.start.astimezone(tz).date(), (period.end - timedelta(microseconds=1)).astimezone(tz).date()
    days = []
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


# ---------------------------------------------------------------- percentiles

def percentile(counts: list[tuple[int, int]], n: int, share: int) -> float | None:
    """The `share` percentile of `n` values given as sorted (value, how many) pairs, interpolated like
    PostgreSQL's percentile_cont and rounded to one decimal: exact, from the counts alone."""
    if not n:
        return None
    exact = share * (n - 1)  # position times 100: integer arithmetic, no float surprises
    position = exact // 100
    seen, low, high = 0, None, None
    for value, count in counts:
        if low is None and position < seen + count:
            low = value
        if position + 1 < seen + count:
            high = value
            break
        seen += count
    high = low if high is None else high
    return round(low + (high - low) * (exact % 100) / 100, 1)


def keyed(rows: list, columns: list[str]) -> pd.DataFrame:
    """A DataFrame whose first column keeps its Python values (ids and None stay ints and None)."""
    table = pd.DataFrame(rows, columns=columns)
    table[columns[0]] = pd.Series([row[0] for row in rows], dtype=object)
    return table


def labels(session: Session, by: str, keys: list) -> dict[object, str | None]:
    """Names for a dimension's keys: staff and product names; codes stay codes (the page translates)."""
    if by == "agent":
        ids = [k for k in keys if k is not None]
        return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    if by == "product":
        ids = [k for k in keys if k is not None]
        return dict(session.execute(select(Product.id, Product.name).where(Product.id.in_(ids))).all()) if ids else {}
    return {k: k for k in keys}
