"""Numbers, percentages, durations, sizes, dates and relative times as the reader writes them (Babel, CLDR).

Every function takes one of our locale codes ("en", "es", "pt-BR"); pages, emails and exports call these instead of
f-strings, so "9.6 h" is "9 h 36 min" and "42.3 %" is "42,3 %" in Spanish. None (and NaN) is `missing` ("—")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime as DateTime
from datetime import tzinfo
from functools import cache
from zoneinfo import available_timezones

from babel import dates, numbers, units

from core.i18n import babel_locale

MISSING = "—"
MINUTES_PER_DAY = 24 * 60


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, locale: str, digits: int = 0) -> str:
    """1234.5 -> "1,234.5" (en), "1.234,5" (es); `digits` decimals, always shown."""
    if _absent(value):
        return MISSING
    pattern = numbers.parse_pattern(babel_locale(locale).decimal_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value, babel_locale(locale))


def amount(value: float, locale: str) -> str:
    """A setting's number as typed, with the decimals it has: 20 -> "20", 0.5 -> "0,5" (es)."""
    return numbers.format_decimal(value, locale=babel_locale(locale))


def percent(value: float | None, locale: str, digits: int = 1) -> str:
    """A share given in percent points (42.3) -> "42.3%" (en), "42,3 %" (es), "42,3%" (pt-BR)."""
    if _absent(value):
        return MISSING
    pattern = numbers.parse_pattern(babel_locale(locale).percent_formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern.apply(value / 100, babel_locale(locale))


def _unit(amount: float, unit: str, locale: str) -> str:
    return units.format_unit(amount, f"duration-{unit}", length="short", locale=babel_locale(locale))


def duration(minutes: float | None, locale: str) -> str:
    """Minutes as two units at most, rounded to the smaller: "45 min", "2 h 15 min", "3 d 4 h" (each language's
    short unit names)."""
    if _absent(minutes):
        return MISSING
    sign, total = ("-" if minutes < 0 else ""), round(abs(minutes))
    if total < 60:
        return sign + _unit(total, "minute", locale)
    if total < 2 * MINUTES_PER_DAY:
        hours, rest = divmod(total, 60)
        parts = [_unit(hours, "hour", locale)] + ([_unit(rest, "minute", locale)] if rest else [])
    else:
        days, rest = divmod(round(total / 60), 24)
        parts = [_unit(days, "day", locale)] + ([_unit(rest, "hour", locale)] if rest else [])
    return sign + " ".join(parts)


def size(count: float, locale: str) -> str:
    """Bytes as "20 MB", "1,5 MB" (1024-based, as the upload limits are set)."""
    unit = "byte"
    for bigger in ("kilobyte", "megabyte", "gigabyte"):
        if count < 1024:
            break
        count, unit = count / 1024, bigger
    amount = round(count, 1) if unit != "byte" else round(count)
    if amount == int(amount):
        amount = int(amount)
    return units.format_unit(amount, f"digital-{unit}", length="short", locale=babel_locale(locale))


def date(value: Date | DateTime | None, locale: str, zone: tzinfo | None = None, length: str = "medium") -> str:
    """"Mar 5, 2026" (en), "5 mar 2026" (es), "5 de mar. de 2026" (pt-BR); a datetime in `zone` first."""
    if value is None:
        return MISSING
    if isinstance(value, DateTime):
        value = (value.astimezone(zone) if zone else value).date()
    return dates.format_date(value, length, locale=babel_locale(locale))


def date_range(first: Date, last: Date, locale: str) -> str:
    """Two days as one span, each language's way: "Mar 2 – 8, 2026" (en), "2–8 mar 2026" (es)."""
    return dates.format_interval(first, last, "yMMMd", locale=babel_locale(locale))


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (read from disk once: it is a few hundred files)."""
    return tuple(sorted(available_timezones()))


def datetime(value: DateTime | None, locale: str, zone: tzinfo | None = None, length: str = "short") -> str:
    """A moment, in `zone` (naive datetimes are UTC): "3/5/26, 2:05 PM" (en), "5/3/26, 14:05" (es)."""
    if value is None:
        return MISSING
    return dates.format_datetime(value, length, tzinfo=zone, locale=babel_locale(locale))


def relative(moment: DateTime, now: DateTime, locale: str) -> str:
    """How far `moment` is from `now`, in words: "2 hours ago", "hace 2 horas", "em 3 dias"."""
    return dates.format_timedelta(moment - now, add_direction=True, threshold=1.5, locale=babel_locale(locale))


DURATION_UNITS = ("minutes", "hours", "days")


def unit_minutes(unit: str, day_minutes: int = MINUTES_PER_DAY) -> int:
    """How many minutes one `unit` is; a day is `day_minutes` long (a working day when counting business time)."""
    return {"minutes": 1, "hours": 60, "days": day_minutes}[unit]


def in_units(minutes: int, day_minutes: int = MINUTES_PER_DAY) -> tuple[float, str]:
    """A duration in the largest unit it is a whole (or half) number of: 4320 -> (3, "days"), 90 -> (1.5, "hours")."""
    for unit in reversed(DURATION_UNITS):
        amount = minutes / unit_minutes(unit, day_minutes)
        if amount >= 1 and (amount * 2).is_integer():
            return (int(amount) if amount.is_integer() else amount), unit
    return minutes, "minutes"


def to_minutes(amount: float, unit: str, day_minutes: int = MINUTES_PER_DAY) -> int:
    return round(amount * unit_minutes(unit, day_minutes))


@dataclass(frozen=True)
class Size:
    """A number of bytes inside a message: formatted when the message is said, in its language."""

    count: int

    def said(self, locale: str) -> str:
        return size(self.count, locale)
