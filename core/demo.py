"""Demo data: accounts, products and realistic tickets, made through the services.

Every ticket is played forward in time with the same service calls the pages use
(create, replies, notes, status changes, surveys), each at its own moment, so events
and metrics are exactly what real use would leave. A seed makes it reproducible.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import accounts, notify, surveys, tickets, workflow
from core.config import Settings, get_settings
from core.demo_content import CANNED, COMMENTS, CUSTOMERS, PRODUCTS, REPLIES, STAFF, TICKETS
from core.models import CannedResponse, Product, SlaPolicy, Ticket, User, utcnow

AUTO_CLOSE_DAYS = 4
SLA_DEFAULTS = {  # priority: (first reply, resolution) in minutes
    "urgent": (60, 8 * 60), "high": (4 * 60, 24 * 60),
    "normal": (8 * 60, 3 * 24 * 60), "low": (24 * 60, 7 * 24 * 60),
}


def is_empty(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        return not session.scalar(select(func.count()).select_from(Ticket))


def print_accounts() -> None:
    print("Demo accounts (email / password):")
    for email, _name, role, password in STAFF:
        print(f"  {role:<8} {email:<24} {password}")


def ensure_basics(session: Session) -> tuple[list[User], list[int]]:
    """Staff accounts, products and SLA targets, created once."""
    staff = []
    for email, name, role, password in STAFF:
        user = accounts.find_by_email(session, email) or accounts.create_user(
            session, email=email, name=name, role=role, password=password)
        staff.append(user)
    for name in PRODUCTS:
        if session.scalar(select(Product).where(Product.name == name)) is None:
            session.add(Product(name=name))
    for locale, title, body in CANNED:
        if session.scalar(select(CannedResponse).where(CannedResponse.title == title)) is None:
            session.add(CannedResponse(title=title, body=body, locale=locale))
    for priority, (first, resolution) in SLA_DEFAULTS.items():
        if session.scalar(select(SlaPolicy).where(SlaPolicy.priority == priority)) is None:
            session.add(SlaPolicy(priority=priority, first_reply_minutes=first, resolution_minutes=resolution))
    session.flush()
    product_ids = list(session.scalars(select(Product.id).order_by(Product.id)))
    return staff, product_ids


def _email_for(name: str, locale: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".") + ("@example.com" if locale == "en" else "@example.es")


def seed(factory: sessionmaker[Session], *, tickets: int = 300, days: int = 90, seed: int = 7,
         settings: Settings | None = None, now: datetime | None = None) -> int:
    settings = settings or get_settings()
    now = now or utcnow()
    rng = random.Random(seed)
    with factory() as session, session.begin():
        staff, product_ids = ensure_basics(session)
    agents = [u.id for u in staff if u.role in ("agent", "manager")]
    for _ in range(tickets):
        created = _working_time(rng, now - timedelta(days=days), now)
        with factory() as session, session.begin(), notify.muted():
            _play_ticket(session, rng, created, now, agents, product_ids, settings)
    return tickets


def _working_time(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random moment, mostly on weekdays during office hours."""
    for _ in range(20):
        moment = start + (end - start) * rng.random()
        if (moment.weekday() < 5 and 7 <= moment.hour < 19) or rng.random() < 0.15:
            return moment
    return moment


class _Clock:
    """Moves a ticket's story forward; stops the story once it would pass `now`."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime) -> None:
        self.rng, self.at, self.now = rng, start, now

    def wait(self, low_minutes: float, high_minutes: float) -> bool:
        self.at += timedelta(minutes=self.rng.uniform(low_minutes, high_minutes))
        return self.at < self.now


def _play_ticket(session: Session, rng: random.Random, created: datetime, now: datetime,
                 agents: list[int], product_ids: list[int], settings: Settings) -> None:
    locale = "es" if rng.random() < 0.45 else "en"
    name = rng.choice(CUSTOMERS[locale])
    kind, subject, description = rng.choice(TICKETS[locale])
    priority = rng.choices(workflow.PRIORITIES, weights=(2, 6, 3, 1))[0]
    ticket = tickets.create_ticket(
        session, name=name, email=_email_for(name, locale), subject=subject, description=description,
        kind=kind, product_id=rng.choice(product_ids), priority=priority,
        channel=rng.choices(workflow.CHANNELS, weights=(7, 3))[0], locale=locale,
        settings=settings, now=created)
    words, first = REPLIES[locale], name.split()[0]
    clock = _Clock(rng, created, now)
    agent = rng.choice(agents)
    if not clock.wait(10, 60 * 16):
        return  # still new and unassigned
    tickets.assign(session, ticket.id, actor_id=agent, assignee_id=agent, now=clock.at)
    if rng.random() < 0.2 and clock.wait(1, 30):
        tickets.add_internal_note(session, ticket.id, agent_id=agent, body=words["note"], now=clock.at)
    if rng.random() < 0.45:  # ask for more, the customer answers
        if not _reply(session, clock, ticket, agent, words["ask"].format(name=first), "pending", 1, 30):
            return
        if rng.random() < 0.15 or not clock.wait(30, 60 * 30):
            return  # the customer has not answered (yet)
        tickets.add_customer_message(session, ticket.id, body=words["customer_more"],
                                     via=ticket.channel, settings=settings, now=clock.at)
    if rng.random() < 0.15:  # waiting for engineering
        if not _reply(session, clock, ticket, agent, words["hold"], "on_hold", 5, 120):
            return
        if not clock.wait(60 * 4, 60 * 48):
            return
    if not _reply(session, clock, ticket, agent, words["answer"].format(name=first), "solved", 10, 60 * 8):
        return
    _survey(session, rng, clock, ticket, locale)
    if rng.random() < 0.1 and clock.wait(60, 60 * 48):  # it came back
        tickets.add_customer_message(session, ticket.id, body=words["customer_again"],
                                     via=ticket.channel, settings=settings, now=clock.at)
        if not _reply(session, clock, ticket, agent, words["solve"].format(name=first), "solved", 30, 60 * 24):
            return
    closing = ticket.solved_at + timedelta(days=AUTO_CLOSE_DAYS)
    if closing < now:
        tickets.change_status(session, ticket.id, status=workflow.CLOSED, actor_id=None, now=closing)


def _reply(session: Session, clock: _Clock, ticket: Ticket, agent: int, body: str, status: str,
           low: float, high: float) -> bool:
    if not clock.wait(low, high):
        return False
    tickets.add_agent_reply(session, ticket.id, agent_id=agent, body=body, status=status, now=clock.at)
    return True


def _survey(session: Session, rng: random.Random, clock: _Clock, ticket: Ticket, locale: str) -> None:
    surveys.send(session, ticket, now=clock.at)
    if rng.random() < 0.45:
        answered = clock.at + timedelta(minutes=rng.uniform(5, 60 * 24))
        if answered < clock.now:
            score = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 5, 11))[0]
            comment = rng.choice(COMMENTS[locale]) if rng.random() < 0.6 else None
            surveys.respond(session, ticket.id, score=score, comment=comment, now=answered)
