"""A small bench database for bench.crowd's test: the demo data, plus live tickets for the queue and a reply."""

from __future__ import annotations

from sqlalchemy import select

from bench.harness import prepare
from bench.workspace import AGENT
from core import events
from core.db import session_factory, unit_of_work
from core.models import User
from core.tickets import service as tickets


def build(url: str) -> list[int]:
    """Twenty demo tickets, two new ones unassigned and one open on the demo agent; its number."""
    engine, _seconds = prepare(url, 20, 30)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        events.quiet(session)
        agent = session.scalar(select(User).where(User.email == AGENT[0]))
        made = [tickets.create_ticket(session, name=f"Crowd {n}", email=f"crowd{n}@example.com",
                                      subject=f"Crowd question {n}", description="The export stops half-way.")
                for n in range(3)]
        session.flush()
        tickets.assign(session, made[2].id, actor_id=agent.id, assignee_id=agent.id)
        mine = made[2].id
    engine.dispose()
    return [mine]
