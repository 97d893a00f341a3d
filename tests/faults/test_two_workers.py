"""Two `python -m core worker --once` processes at the same moment on one PostgreSQL: every due
automation is applied once — one close, one reminder, one weekly digest — never twice."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import unit_of_work
from core.models import Outbox, TicketEvent, User, utcnow
from core.reports import digest
from core.tickets import service as tickets

pytestmark = pytest.mark.slow  # tests/faults: fault injection, out of make test-fast

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_two_workers_racing_apply_each_automation_once(desk, tmp_path):
    now = utcnow()
    solved, pending = [], []
    with unit_of_work(desk.factory) as session:
        session.get(User, desk.manager).locale = "en"
    for n in range(8):
        ticket = desk.new_ticket(subject=f"Solved {n}", now=now - timedelta(days=6))
        with unit_of_work(desk.factory) as session:
            tickets.change_status(session, ticket.id, status="solved", actor_id=desk.ana, settings=desk.settings,
                                  now=now - timedelta(days=5))
        solved.append(ticket.id)
        ticket = desk.new_ticket(subject=f"Pending {n}", now=now - timedelta(days=5))
        with unit_of_work(desk.factory) as session:
            tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Can you send the log?",
                                    status="pending", settings=desk.settings, now=now - timedelta(days=4))
        pending.append(ticket.id)
    url = desk.factory.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "MESA_DATABASE_URL": url, "MESA_DATA_DIR": str(tmp_path), "MESA_SECRET_KEY": "t" * 40,
           "MESA_SMTP_HOST": "", "MESA_IMAP_HOST": ""}
    workers = [subprocess.Popen([sys.executable, "-m", "core", "worker", "--once"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    with desk.reader() as session:
        closes = dict(session.execute(select(TicketEvent.ticket_id, func.count())
                                      .where(TicketEvent.field == "status", TicketEvent.new == "closed")
                                      .group_by(TicketEvent.ticket_id)).all())
        reminders = dict(session.execute(select(TicketEvent.ticket_id, func.count())
                                         .where(TicketEvent.field == "reminder").group_by(TicketEvent.ticket_id)).all())
        mails = dict(session.execute(select(Outbox.template, func.count()).group_by(Outbox.template)).all())
    assert closes == {ticket_id: 1 for ticket_id in solved}, outputs
    assert reminders == {ticket_id: 1 for ticket_id in pending}, outputs
    assert mails.get("pending_reminder") == len(pending) and mails.get("ticket_closed") == len(solved)
    assert mails.get("manager_digest", 0) == (1 if digest.due_since(now, desk.settings.timezone) else 0)
