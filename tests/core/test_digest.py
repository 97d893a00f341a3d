"""The managers' weekly digest on frozen time: Monday 08:00 in the schedule's zone, once a week, caught up late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import unit_of_work
from core.desk import automations
from core.models import DeskSettings, Outbox
from core.reports import digest
from core.tickets import service as tickets

ZONE = "America/New_York"
MONDAY_8 = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # Monday 9 March 2026, 08:00 EDT (DST began on the 8th)
MINUTE = timedelta(minutes=1)


def _setup(desk):
    with unit_of_work(desk.factory) as session:
        session.add(DeskSettings(id=1, work_days=[0, 1, 2, 3, 4], day_start=540, day_end=1020, timezone=ZONE,
                                 holidays=[]))
        accounts.create_user(session, email="lucia@mesa.example", name="Lucía", role="manager", locale="es")
        gone = accounts.create_user(session, email="gone@mesa.example", name="Gone", role="manager")
        gone.active = False
    desk.new_ticket(now=datetime(2026, 2, 24, 15, 0, tzinfo=UTC))  # the week before
    desk.new_ticket(now=datetime(2026, 3, 3, 15, 0, tzinfo=UTC))  # last week: two new, one solved
    solved = desk.new_ticket(now=datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, solved.id, status="solved", actor_id=desk.ana, settings=desk.settings,
                              now=datetime(2026, 3, 4, 16, 0, tzinfo=UTC))


def _digests(desk):
    with desk.reader() as session:
        return list(session.scalars(select(Outbox).where(Outbox.template == "manager_digest").order_by(Outbox.id)))


def _send(desk, now):
    return digest.send_weekly(desk.factory, desk.settings, now)


def test_nothing_before_monday_8_then_one_per_active_manager_in_their_language(desk):
    _setup(desk)
    assert _send(desk, MONDAY_8 - MINUTE) == []
    assert _send(desk, MONDAY_8) == ["boss@mesa.example", "lucia@mesa.example"]
    assert _send(desk, MONDAY_8) == [] and _send(desk, MONDAY_8 + timedelta(minutes=90)) == []
    english, spanish = _digests(desk)
    assert english.subject == "Your weekly help-desk summary: Mar 2 – 8, 2026"  # CLDR span (a subject is one line)
    assert spanish.subject == "Tu resumen semanal del soporte: 2–8 mar 2026"
    assert spanish.subject.startswith("Tu resumen semanal del soporte") and spanish.locale == "es"
    assert english.headers["Auto-Submitted"] == "auto-generated" and english.ticket_id is None
    assert "- New tickets: 2 (+1 vs. last week)" in english.body_text
    assert "- Solved: 1 (+1 vs. last week)" in english.body_text
    assert "- Open backlog: 2 (+1 vs. last week)" in english.body_text
    assert "- CSAT: no data\n" in english.body_text
    assert "- Tickets nuevos: 2 (+1 frente a la semana anterior)" in spanish.body_text
    for email in (english, spanish):
        assert f"{desk.settings.base_url}/satisfaction" in email.body_text
        assert f"{desk.settings.base_url}/response-times" in email.body_html


def test_a_worker_down_on_monday_catches_up_later_that_week_never_twice(desk):
    _setup(desk)
    tuesday = MONDAY_8 + timedelta(days=1, hours=2)
    assert len(_send(desk, tuesday)) == 2
    assert _send(desk, tuesday + timedelta(days=3)) == []
    assert _send(desk, MONDAY_8 + timedelta(days=7) - MINUTE) == []  # next Monday 07:59
    assert len(_send(desk, MONDAY_8 + timedelta(days=7))) == 2
    assert len(_digests(desk)) == 4


def test_from_monday_midnight_to_eight_nothing_is_due():
    monday_7 = datetime(2026, 3, 9, 11, 59, tzinfo=UTC)
    assert digest.due_since(monday_7, ZONE) is None
    assert digest.due_since(monday_7 + MINUTE, ZONE) == MONDAY_8
    assert digest.due_since(MONDAY_8 + timedelta(days=6, hours=11), ZONE) == MONDAY_8  # Sunday 23:59


def test_the_worker_pass_sends_it_on_frozen_time_and_two_passes_send_one(desk):
    _setup(desk)
    with time_machine.travel(MONDAY_8 + timedelta(minutes=5), tick=False):
        first = automations.run(desk.factory, desk.settings)
        second = automations.run(desk.factory, desk.settings)
    assert first.digests == ["boss@mesa.example", "lucia@mesa.example"] and second.digests == []
    assert [e.to_address for e in _digests(desk)] == ["boss@mesa.example", "lucia@mesa.example"]
