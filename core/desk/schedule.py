"""Business hours: the desk's schedule and minutes counted inside it.

A schedule is working days (0 = Monday), one daily window in local wall-clock time
(minutes after midnight, end after start, 1440 = midnight at the end of the day), a time
zone and holidays (local dates). Windows are turned into UTC per day, so a day on which
the clocks change still counts its real minutes. The schedule and the automation
timings are stored in `desk_settings` (one row, edited on the admin page).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.config import Settings, get_settings
from core.models import DeskSettings

ROW_ID = 1
WEEKDAYS = (0, 1, 2, 3, 4)
DAY_START, DAY_END = 9 * 60, 17 * 60
TIMINGS = ("close_after_days", "reminder_after_days", "auto_solve_after_days", "survey_delay_minutes")


@dataclass(frozen=True)
class Schedule:
    days: frozenset[int] = frozenset(WEEKDAYS)
    start: int = DAY_START
    end: int = DAY_END
    timezone: str = "Europe/Madrid"
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def day_minutes(self) -> int:
        """How long a working day is (an end of 00:00 is midnight at the day's end)."""
        return (self.end or 24 * 60) - self.start

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def works_on(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of a local date, in UTC."""
        return _window(self, day)


@lru_cache(maxsize=8192)
def _window(schedule: Schedule, day: date) -> tuple[datetime, datetime]:
    """Schedule.window, remembered: metrics ask for the same days over and over (bulk seeding, rebuilds)."""
    midnight = datetime(day.year, day.month, day.day)
    zone = schedule.zone
    return tuple((midnight + timedelta(minutes=m)).replace(tzinfo=zone).astimezone(UTC)
                 for m in (schedule.start, schedule.end))  # type: ignore[return-value]


def _windows(schedule: Schedule, first: date) -> Iterator[tuple[datetime, datetime]]:
    day = first
    while True:
        if schedule.works_on(day):
            yield schedule.window(day)
        day += timedelta(days=1)


def business_minutes(start: datetime, end: datetime, schedule: Schedule) -> int:
    """Whole working minutes between two aware datetimes (0 when end is not after start)."""
    if end <= start:
        return 0
    zone = schedule.zone
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    total = timedelta(0)
    day = first
    while day <= last:
        if schedule.works_on(day):
            open_at, close_at = schedule.window(day)
            total += max(min(end, close_at) - max(start, open_at), timedelta(0))
        day += timedelta(days=1)
    return total // timedelta(minutes=1)


def add_business_minutes(start: datetime, minutes: int, schedule: Schedule) -> datetime:
    """The moment `minutes` working minutes after `start` (start itself for 0)."""
    if minutes <= 0:
        return start
    if not schedule.days & set(range(7)) or schedule.end <= schedule.start:
        raise ValueError("the schedule has no working time")
    left = timedelta(minutes=minutes)
    for open_at, close_at in _windows(schedule, start.astimezone(schedule.zone).date()):
        begin = max(start, open_at)
        if begin >= close_at:
            continue
        if begin + left <= close_at:
            return begin + left
        left -= close_at - begin
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- stored settings

def row(session: Session) -> DeskSettings | None:
    return session.get(DeskSettings, ROW_ID)


def default_schedule(settings: Settings | None = None) -> Schedule:
    return Schedule(timezone=(settings or get_settings()).timezone)


def load(session: Session) -> Schedule:
    """The stored schedule; Monday to Friday 09:00-17:00 in MESA_TIMEZONE when there is none."""
    stored = row(session)
    if stored is None:
        return default_schedule()
    return Schedule(days=frozenset(stored.work_days), start=stored.day_start, end=stored.day_end,
                    timezone=stored.timezone, holidays=frozenset(date.fromisoformat(d) for d in stored.holidays))


def timing(session: Session, settings: Settings, name: str) -> int:
    """One automation timing: the admin's value, else the environment setting."""
    return _timing(row(session), settings, name)


def _timing(stored: DeskSettings | None, settings: Settings, name: str) -> int:
    value = getattr(stored, name) if stored is not None else None
    return getattr(settings, name) if value is None else value


def with_timings(session: Session, settings: Settings) -> Settings:
    """`settings` with the automation timings the admin stored (the row read once)."""
    stored = row(session)
    return settings.model_copy(update={name: _timing(stored, settings, name) for name in TIMINGS})
