"""The weekly digest: every Monday at 08:00 in the schedule's time zone, each active manager gets the
headline numbers of the week that ended (Monday to Sunday, local) against the week before, in their language.

No table of its own: a manager has had this week's digest when the outbox holds a `manager_digest`
row to their address created since this Monday 08:00. So running the rule again, from another
worker, or later that day sends nothing more; a worker that was down on Monday catches up later in
the week (until Sunday night), never twice. From Monday 00:00 to 08:00 nothing is sent.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from core import events, formats
from core.config import Settings
from core.db import unit_of_work
from core.desk import schedule
from core.i18n import t
from core.models import Outbox, User
from core.reports import satisfaction, times
from core.reports.common import Period
from core.reports.overview import live_counts

log = logging.getLogger("mesa.digest")

TEMPLATE = "manager_digest"
SEND_AT = time(8, 0)


def due_since(now: datetime, zone: str) -> datetime | None:
    """This week's Monday 08:00 (aware, UTC) once it has passed; None from Monday 00:00 to 08:00."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    due = datetime.combine(local.date() - timedelta(days=local.weekday()), SEND_AT, tz)
    return due.astimezone(UTC) if now >= due else None


def week(monday: date, zone: str) -> Period:
    """Monday 00:00 to the next Monday 00:00, local."""
    tz = ZoneInfo(zone)
    return Period(datetime.combine(monday, time.min, tz).astimezone(UTC),
                  datetime.combine(monday + timedelta(days=7), time.min, tz).astimezone(UTC))


def headline(session: Session, period: Period, zone: str) -> dict[str, float | None]:
    """The digest's numbers for one week; None where there is no data."""
    days = times.created_vs_solved(session, period, zone=zone)
    sat = satisfaction.summary(session, period)
    speed = times.summary(session, period)
    return {"new": int(days["created"].sum()), "solved": int(days["solved"].sum()),
            "backlog": live_counts(session, period.end, period.end)[0],
            "csat": sat.csat, "responses": sat.responses,
            "first_reply": speed["first_reply_median"], "resolution": speed["resolution_median"],
            "first_reply_sla": speed["first_reply_sla"], "resolution_sla": speed["resolution_sla"]}


def _format(name: str, value: float, locale: str, *, signed: bool = False) -> str:
    sign = ("+" if value >= 0 else "-") if signed else ""
    if name in ("first_reply", "resolution"):
        return sign + formats.duration(abs(value), locale)
    if name in ("csat", "first_reply_sla", "resolution_sla"):
        return sign + (formats.number(abs(value), locale, 1) + t("dash.points", locale) if signed
                       else formats.percent(abs(value), locale))
    return sign + formats.number(abs(value), locale, 0 if float(value).is_integer() else 1)


def numbers(now: dict, before: dict, locale: str) -> list[dict[str, str]]:
    """The rows of the email: label, value and change against the week before, in `locale`."""
    rows = []
    for name, value in now.items():
        old = before[name]
        rows.append({"label": t(f"digest.{name}", locale),
                     "value": t("digest.no_data", locale) if value is None else _format(name, value, locale),
                     "change": "" if value is None or old is None else _format(name, value - old, locale,
                                                                                 signed=True)})
    return rows


def _sent_to(address, since: datetime):
    """An outbox row of this week's digest to `address` (a column or a value) exists."""
    return exists().where(Outbox.template == TEMPLATE, Outbox.to_address == address, Outbox.created_at >= since)


def send_weekly(factory: sessionmaker[Session], settings: Settings, now: datetime) -> list[str]:
    """Queue this week's digest for every active manager who has not had it; the addresses sent to."""
    with factory() as session:
        zone = schedule.load(session).timezone
        since = due_since(now, zone)
        if since is None:
            return []
        # only managers still waiting for it: once all have it, a pass costs this query, not the numbers
        managers = list(session.scalars(select(User.id).where(User.role == "manager", User.active,
                                                              ~_sent_to(User.email, since)).order_by(User.id)))
        if not managers:
            return []
        monday = since.astimezone(ZoneInfo(zone)).date()
        last, previous = week(monday - timedelta(days=7), zone), week(monday - timedelta(days=14), zone)
        this, before = headline(session, last, zone), headline(session, previous, zone)
    first, end = last.start.astimezone(ZoneInfo(zone)).date(), monday - timedelta(days=1)
    context = {"link": f"{settings.base_url}/satisfaction", "times_link": f"{settings.base_url}/response-times"}
    sent = []
    for user_id in managers:
        try:
            with unit_of_work(factory) as session:
                # lock the manager's row: a second worker waits here, then sees the queued digest
                user = session.scalars(select(User).where(User.id == user_id).with_for_update()).one()
                if not user.active or session.scalar(select(_sent_to(user.email, since))):
                    continue
                numbers_shown = numbers(this, before, user.locale)
                period = formats.date_range(first, end, user.locale)
                events.record(session, events.DigestDue(user, {**context, "period": period, "numbers": numbers_shown}),
                              settings, now)
                sent.append(user.email)
        except Exception:  # one manager's failure must not stop the others
            log.exception("weekly digest to manager %s failed; retried next pass", user_id)
    return sent
