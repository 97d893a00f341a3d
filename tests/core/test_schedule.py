"""Business hours: exact minutes on hand-built histories, properties, and the metrics they fill."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.db import unit_of_work
from core.desk import admin, schedule
from core.desk.schedule import Schedule, add_business_minutes, business_minutes
from core.errors import ValidationError
from core.models import SlaPolicy, TicketEvent, TicketMetrics
from core.tickets import metrics
from core.tickets import service as tickets
from tests.core.conftest import T0

HOUR = timedelta(hours=1)
MADRID = Schedule(timezone="Europe/Madrid")  # Monday to Friday, 09:00-17:00
WEDNESDAY = date(2026, 3, 4)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------- exact minutes

def test_minutes_inside_one_working_day_and_outside_it():
    # T0 is Monday 2026-03-02 09:00 UTC = 10:00 in Madrid
    assert business_minutes(T0, T0 + HOUR, MADRID) == 60
    assert business_minutes(T0, T0 + 10 * HOUR, MADRID) == 7 * 60  # stops at 17:00 local
    assert business_minutes(utc(2026, 3, 2, 5), utc(2026, 3, 2, 8, 30), MADRID) == 30  # opens at 08:00 UTC
    assert business_minutes(T0 + HOUR, T0, MADRID) == 0


def test_a_weekend_and_a_holiday_count_nothing():
    friday_close, monday_open = utc(2026, 3, 6, 16), utc(2026, 3, 9, 8)
    assert business_minutes(friday_close, monday_open, MADRID) == 0
    week = business_minutes(T0, utc(2026, 3, 9, 9), MADRID)
    assert week == 5 * 8 * 60
    with_holiday = Schedule(timezone="Europe/Madrid", holidays=frozenset({WEDNESDAY}))
    assert business_minutes(T0, utc(2026, 3, 9, 9), with_holiday) == 4 * 8 * 60
    assert business_minutes(utc(2026, 3, 4, 8), utc(2026, 3, 4, 16), with_holiday) == 0


def test_a_clock_change_keeps_the_local_hours():
    """New York moves to summer time on Sunday 2026-03-08: 09:00-17:00 local shifts by an hour in UTC."""
    new_york = Schedule(timezone="America/New_York")
    assert new_york.window(date(2026, 3, 6)) == (utc(2026, 3, 6, 14), utc(2026, 3, 6, 22))
    assert new_york.window(date(2026, 3, 9)) == (utc(2026, 3, 9, 13), utc(2026, 3, 9, 21))
    assert business_minutes(utc(2026, 3, 6, 21), utc(2026, 3, 9, 14), new_york) == 120
    assert add_business_minutes(utc(2026, 3, 6, 21), 120, new_york) == utc(2026, 3, 9, 14)
    # the same moments in another time zone of the schedule
    assert business_minutes(utc(2026, 3, 6, 21), utc(2026, 3, 9, 14), MADRID) == 6 * 60


def test_adding_minutes_skips_closed_time_and_lands_on_the_close_when_it_fits():
    assert add_business_minutes(T0, 0, MADRID) == T0
    assert add_business_minutes(T0, 7 * 60, MADRID) == utc(2026, 3, 2, 16)
    assert add_business_minutes(T0, 7 * 60 + 1, MADRID) == utc(2026, 3, 3, 8, 1)
    assert add_business_minutes(utc(2026, 3, 6, 15), 120, MADRID) == utc(2026, 3, 9, 9)  # over the weekend
    assert add_business_minutes(utc(2026, 3, 7, 12), 1, MADRID) == utc(2026, 3, 9, 8, 1)


def test_a_schedule_without_working_time_is_refused():
    with pytest.raises(ValueError):
        add_business_minutes(T0, 10, Schedule(days=frozenset()))


# ---------------------------------------------------------------- properties

ZONES = ["UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
MOMENTS = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31),
                       timezones=st.just(UTC))


@st.composite
def schedules(draw) -> Schedule:
    start = draw(st.integers(0, 23 * 60))
    end = draw(st.integers(start + 60, 24 * 60))
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    holidays = draw(st.sets(st.dates(date(2025, 12, 1), date(2027, 1, 31)), max_size=20))
    return Schedule(days=frozenset(days), start=start, end=end, timezone=draw(st.sampled_from(ZONES)),
                    holidays=frozenset(holidays))


@settings(max_examples=300, deadline=None)
@given(start=MOMENTS, minutes=st.integers(0, 5000), plan=schedules())
def test_adding_then_counting_gives_the_minutes_back(start, minutes, plan):
    assert business_minutes(start, add_business_minutes(start, minutes, plan), plan) == minutes


@settings(max_examples=200, deadline=None)
@given(start=MOMENTS, a=st.integers(0, 5000), b=st.integers(0, 5000), plan=schedules())
def test_more_minutes_land_later(start, a, b, plan):
    low, high = sorted((a, b))
    assert add_business_minutes(start, low, plan) <= add_business_minutes(start, high, plan)


@settings(max_examples=200, deadline=None)
@given(start=MOMENTS, a=st.timedeltas(timedelta(0), timedelta(days=40)),
       b=st.timedeltas(timedelta(0), timedelta(days=40)), plan=schedules())
def test_counting_is_monotonic_and_never_more_than_the_calendar(start, a, b, plan):
    low, high = sorted((a, b))
    counted = business_minutes(start, start + low, plan)
    assert 0 <= counted <= business_minutes(start, start + high, plan)
    assert counted <= low // timedelta(minutes=1)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(2026, 1, 1), date(2026, 12, 31)), plan=schedules(),
       offsets=st.tuples(st.integers(0, 24 * 60), st.integers(0, 24 * 60)))
def test_a_holiday_or_a_day_off_counts_zero(day, plan, offsets):
    plan = Schedule(days=plan.days - {day.weekday()} or frozenset({(day.weekday() + 1) % 7}), start=plan.start,
                    end=plan.end, timezone=plan.timezone, holidays=plan.holidays)
    holiday = Schedule(days=frozenset(range(7)), start=plan.start, end=plan.end, timezone=plan.timezone,
                       holidays=frozenset({day}))
    midnight = datetime(day.year, day.month, day.day, tzinfo=plan.zone)
    first, last = (midnight + timedelta(minutes=m) for m in sorted(offsets))
    if last.astimezone(plan.zone).date() != day:
        last = midnight + timedelta(hours=23, minutes=59)
    assert business_minutes(first, last, plan) == 0
    assert business_minutes(first, last, holiday) == 0


# ---------------------------------------------------------------- stored schedule and admin checks

def _store(desk, **changes):
    values = dict(days=[0, 1, 2, 3, 4], start=time(9), end=time(17), timezone="Europe/Madrid",
                  holidays=[WEDNESDAY.isoformat()])
    values.update(changes)
    with unit_of_work(desk.factory) as session:
        return admin.save_schedule(session, settings=desk.settings, **values)


def test_the_admin_stores_the_schedule_and_bad_fields_are_named(desk):
    with desk.reader() as session:
        assert schedule.load(session) == Schedule(timezone=desk.settings.timezone)  # no row: the default
    stored = _store(desk, end=time(0), holidays=["2026-12-25", " ", "2026-01-06"])
    assert stored.end == 24 * 60 and stored.holidays == {date(2026, 1, 6), date(2026, 12, 25)}
    with pytest.raises(ValidationError) as caught:
        _store(desk, days=[], start=time(18), end=time(9), timezone="Mars/Olympus", holidays=["soon", "2026-02-30"])
    assert set(caught.value.errors) == {"days", "end", "timezone", "holidays"}
    assert "soon, 2026-02-30" in caught.value.messages("en")["holidays"]


def test_the_admin_stores_timings_that_override_the_environment(desk):
    with desk.reader() as session:
        assert schedule.with_timings(session, desk.settings).close_after_days == desk.settings.close_after_days
    with unit_of_work(desk.factory) as session:
        admin.save_timings(session, settings=desk.settings, close_after_days=9, survey_delay_minutes=15)
    with desk.reader() as session:
        effective = schedule.with_timings(session, desk.settings)
    assert (effective.close_after_days, effective.survey_delay_minutes) == (9, 15)
    assert effective.reminder_after_days == desk.settings.reminder_after_days
    with pytest.raises(ValidationError) as caught, unit_of_work(desk.factory) as session:
        admin.save_timings(session, settings=desk.settings, close_after_days=0, auto_solve_after_days=-1)
    assert set(caught.value.errors) == {"close_after_days", "auto_solve_after_days"}


# ---------------------------------------------------------------- metrics in business minutes

def _row(desk, ticket_id):
    with desk.reader() as session:
        return session.get(TicketMetrics, ticket_id)


def test_every_business_column_on_a_hand_built_history(desk):
    """Created Monday 10:00 Madrid; answered as pending on Friday at 17:00; the customer writes on
    Monday 09:00; on hold 09:30-10:00; solved 11:00. Wednesday is a holiday."""
    _store(desk)
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Which browser?", status="pending",
                                settings=desk.settings, now=utc(2026, 3, 6, 16))
    with unit_of_work(desk.factory) as session:
        tickets.add_customer_message(session, ticket.id, body="Firefox", settings=desk.settings,
                                     now=utc(2026, 3, 9, 8))
    for status, at in (("on_hold", utc(2026, 3, 9, 8, 30)), ("open", utc(2026, 3, 9, 9)),
                       ("solved", utc(2026, 3, 9, 10))):
        with unit_of_work(desk.factory) as session:
            tickets.change_status(session, ticket.id, status=status, actor_id=desk.ana, settings=desk.settings,
                                  now=at)
    row = _row(desk, ticket.id)
    first_week = 7 * 60 + 8 * 60 + 8 * 60 + 8 * 60  # Monday 10-17, Tuesday, Thursday, Friday
    assert row.first_reply_business_minutes == first_week
    assert row.agent_wait_business_minutes == 0
    assert row.on_hold_business_minutes == 30
    assert row.requester_wait_business_minutes == first_week + 120
    assert row.first_resolution_business_minutes == row.full_resolution_business_minutes == first_week + 120
    assert row.first_reply_minutes == 4 * 24 * 60 + 7 * 60  # calendar minutes are unchanged
    assert row.agent_wait_minutes == 64 * 60


def test_sla_due_times_follow_the_policy_flag(desk):
    _store(desk)
    with unit_of_work(desk.factory) as session:
        session.add_all([SlaPolicy(priority="urgent", first_reply_minutes=60, resolution_minutes=8 * 60,
                                   business_hours=True),
                         SlaPolicy(priority="high", first_reply_minutes=60, resolution_minutes=8 * 60,
                                   business_hours=False)])
    friday = utc(2026, 3, 6, 15, 30)  # 16:30 in Madrid: half an hour before closing
    urgent = desk.new_ticket(priority="urgent", now=friday).id
    high = desk.new_ticket(priority="high", now=friday).id
    row = _row(desk, urgent)
    assert row.first_reply_due_at == utc(2026, 3, 9, 8, 30)
    assert row.resolution_due_at == utc(2026, 3, 9, 15, 30)
    row = _row(desk, high)
    assert row.first_reply_due_at == friday + HOUR and row.resolution_due_at == friday + 8 * HOUR
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, urgent, agent_id=desk.ana, body="On it", settings=desk.settings,
                                now=utc(2026, 3, 9, 8, 15))
    assert not _row(desk, urgent).first_reply_breached


def test_stored_rows_match_compute_with_the_schedule(desk):
    _store(desk)
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Done", status="solved",
                                settings=desk.settings, now=T0 + 30 * HOUR)
    with desk.reader() as session:
        events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
        stored = session.get(TicketMetrics, ticket.id)
        values = metrics.compute(T0, events, schedule.load(session))
    assert values["first_reply_business_minutes"] == 7 * 60 + 7 * 60  # Monday 10-17, Tuesday 9-16
    for key, value in values.items():
        assert getattr(stored, key) == value, key


def test_without_a_stored_schedule_the_default_one_counts(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Hi", settings=desk.settings,
                                now=T0 + 30 * HOUR)
    expected = business_minutes(T0, T0 + 30 * HOUR, schedule.default_schedule())
    assert _row(desk, ticket.id).first_reply_business_minutes == expected > 0
