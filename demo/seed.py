"""Demo data: accounts, products and realistic tickets.

Every ticket's story (`_play_ticket`) is played forward in time as a series of steps
(create, assign, notes, replies, status changes, surveys), each at its own moment, and
handed to a writer. `ServiceWriter` makes each step with the same service calls the
pages use, so events and metrics are exactly what real use would leave. For many
tickets `core.tickets.bulk.BulkWriter` turns the same steps into the same rows and writes
them in batches (Core executemany), which is what lets a million tickets load in
minutes; tests/core/test_bulk_seed.py shows both leave the same rows. A seed makes
either reproducible.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import events
from core.accounts import service as accounts
from core.config import Settings, get_settings
from core.desk import automations, schedule
from core.models import CannedResponse, Product, SlaPolicy, Ticket, User, utcnow
from core.tickets import service as tickets
from core.tickets import surveys, workflow
from demo import knowledge
from demo.content import CANNED, COMMENTS, CUSTOMERS, HELP_WRITERS, PRODUCTS, REPLIES, STAFF, TICKETS

BULK_FROM = 2000  # more tickets than this are written in bulk (core.tickets.bulk)
# random.choices' weights, summed once (the same draws as weights=...: it sums them on every call)
_PRIORITY_WEIGHTS = tuple(accumulate((2, 6, 3, 1)))
_CHANNEL_WEIGHTS = tuple(accumulate((7, 3)))
_SCORE_WEIGHTS = tuple(accumulate((1, 1, 2, 5, 11)))
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
        user.writes_help = user.writes_help or email in HELP_WRITERS
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


@lru_cache(maxsize=1024)
def _email_for(name: str, locale: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".") + ("@example.com" if locale == "en" else "@example.es")


def seed(factory: sessionmaker[Session], *, tickets: int = 300, days: int = 90, seed: int = 7,
         settings: Settings | None = None, now: datetime | None = None, bulk: bool | None = None,
         progress: Callable[[int], None] | None = None) -> int:
    """Add `tickets` demo tickets created over the last `days` days; bulk by default above BULK_FROM."""
    settings = settings or get_settings()
    now = now or utcnow()
    rng = random.Random(seed)
    with factory() as session, session.begin():
        staff, product_ids = ensure_basics(session)
        timings = schedule.with_timings(session, settings)  # the automations' part is played on the desk's
    agents = [u.id for u in staff if u.role in ("agent", "manager")]
    # created in order, as on a real desk: ticket ids follow creation time
    moments = iter(sorted(_working_time(rng, now - timedelta(days=days), now) for _ in range(tickets)))

    def play(writer: Writer) -> None:
        _play_ticket(writer, rng, next(moments), now, agents, product_ids, timings)

    if bulk if bulk is not None else tickets > BULK_FROM:
        from core.tickets import bulk as bulk_writer

        bulk_writer.seed(factory, play, tickets, settings=settings, progress=progress)
    else:
        for _ in range(tickets):
            with factory() as session, session.begin():
                events.quiet(session)  # past conversations: nobody is told
                play(ServiceWriter(session, settings))
    with factory() as session, session.begin():
        knowledge.add(session, random.Random(seed), now, days)  # after the tickets: some were sent after a suggestion
    return tickets


class DemoTicket(Protocol):
    id: int
    channel: str
    solved_at: datetime | None


class Writer(Protocol):
    """The steps of a demo ticket's story, each at its own moment."""

    def create(self, *, name: str, email: str, subject: str, description: str, kind: str, product_id: int,
               priority: str, channel: str, locale: str, now: datetime) -> DemoTicket: ...
    def assign(self, ticket: DemoTicket, agent: int, now: datetime) -> None: ...
    def note(self, ticket: DemoTicket, agent: int, body: str, now: datetime) -> None: ...
    def reply(self, ticket: DemoTicket, agent: int, body: str, status: str, now: datetime) -> None: ...
    def customer_message(self, ticket: DemoTicket, body: str, now: datetime) -> None: ...
    def remind(self, ticket: DemoTicket, now: datetime) -> None: ...
    def solve(self, ticket: DemoTicket, now: datetime) -> None: ...
    def close(self, ticket: DemoTicket, now: datetime) -> None: ...
    def send_survey(self, ticket: DemoTicket, now: datetime) -> None: ...
    def answer_survey(self, ticket: DemoTicket, score: int, comment: str | None, now: datetime) -> None: ...


class ServiceWriter:
    """Each step through the services, in the caller's transaction."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session, self.settings = session, settings

    def create(self, *, now: datetime, **fields: object) -> Ticket:
        return tickets.create_ticket(self.session, settings=self.settings, now=now, **fields)  # type: ignore[arg-type]

    def assign(self, ticket: DemoTicket, agent: int, now: datetime) -> None:
        tickets.assign(self.session, ticket.id, actor_id=agent, assignee_id=agent, now=now)

    def note(self, ticket: DemoTicket, agent: int, body: str, now: datetime) -> None:
        tickets.add_internal_note(self.session, ticket.id, agent_id=agent, body=body, now=now)

    def reply(self, ticket: DemoTicket, agent: int, body: str, status: str, now: datetime) -> None:
        tickets.add_agent_reply(self.session, ticket.id, agent_id=agent, body=body, status=status, now=now)

    def customer_message(self, ticket: DemoTicket, body: str, now: datetime) -> None:
        tickets.add_customer_message(self.session, ticket.id, body=body, via=ticket.channel,
                                     settings=self.settings, now=now)

    def remind(self, ticket: DemoTicket, now: datetime) -> None:
        automations.record_reminder(self.session, ticket, now)  # type: ignore[arg-type]
        self.session.flush()

    def solve(self, ticket: DemoTicket, now: datetime) -> None:
        tickets.change_status(self.session, ticket.id, status=workflow.SOLVED, actor_id=None, now=now)

    def close(self, ticket: DemoTicket, now: datetime) -> None:
        tickets.change_status(self.session, ticket.id, status=workflow.CLOSED, actor_id=None, now=now)

    def send_survey(self, ticket: DemoTicket, now: datetime) -> None:
        surveys.send(self.session, ticket, now=now)  # type: ignore[arg-type]

    def answer_survey(self, ticket: DemoTicket, score: int, comment: str | None, now: datetime) -> None:
        surveys.respond(self.session, ticket.id, score=score, comment=comment, settings=self.settings, now=now)


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


def _play_ticket(writer: Writer, rng: random.Random, created: datetime, now: datetime,
                 agents: list[int], product_ids: list[int], timings: Settings) -> None:
    locale = "es" if rng.random() < 0.45 else "en"
    name = rng.choice(CUSTOMERS[locale])
    kind, subject, description = rng.choice(TICKETS[locale])
    priority = rng.choices(workflow.PRIORITIES, cum_weights=_PRIORITY_WEIGHTS)[0]
    ticket = writer.create(
        name=name, email=_email_for(name, locale), subject=subject, description=description,
        kind=kind, product_id=rng.choice(product_ids), priority=priority,
        channel=rng.choices(workflow.CHANNELS, cum_weights=_CHANNEL_WEIGHTS)[0], locale=locale, now=created)
    words, first = REPLIES[locale], name.split()[0]
    clock = _Clock(rng, created, now)
    agent = rng.choice(agents)
    if not clock.wait(10, 60 * 16):
        return  # still new and unassigned
    writer.assign(ticket, agent, clock.at)
    if rng.random() < 0.2 and clock.wait(1, 30):
        writer.note(ticket, agent, words["note"], clock.at)
    if rng.random() < 0.45:  # ask for more, the customer answers
        if not _reply(writer, clock, ticket, agent, words["ask"].format(name=first), "pending", 1, 30):
            return
        if rng.random() < 0.15:  # the customer never answers: reminded, then solved by the automations
            _unanswered(writer, rng, clock, ticket, locale, timings)
            return
        if not clock.wait(30, 60 * 30):
            return  # the customer has not answered yet
        writer.customer_message(ticket, words["customer_more"], clock.at)
    if rng.random() < 0.15:  # waiting for engineering
        if not _reply(writer, clock, ticket, agent, words["hold"], "on_hold", 5, 120):
            return
        if not clock.wait(60 * 4, 60 * 48):
            return
    if not _reply(writer, clock, ticket, agent, words["answer"].format(name=first), "solved", 10, 60 * 8):
        return
    _survey(writer, rng, clock, ticket, locale)
    if rng.random() < 0.1 and clock.wait(60, 60 * 48):  # it came back
        writer.customer_message(ticket, words["customer_again"], clock.at)
        if not _reply(writer, clock, ticket, agent, words["solve"].format(name=first), "solved", 30, 60 * 24):
            return
    _close_when_due(writer, ticket, now, timings)


def _close_when_due(writer: Writer, ticket: DemoTicket, now: datetime, timings: Settings) -> None:
    assert ticket.solved_at is not None
    closing = ticket.solved_at + timedelta(days=timings.close_after_days)
    if closing < now:
        writer.close(ticket, closing)


def _unanswered(writer: Writer, rng: random.Random, clock: _Clock, ticket: DemoTicket, locale: str,
                timings: Settings) -> None:
    """A pending ticket the customer never answers, as the desk's automations handle it: a reminder
    (unless it would be solved first), then solved with its survey (unless auto-solve is off), then closed."""
    pending_since = clock.at
    reminding = pending_since + timedelta(days=timings.reminder_after_days)
    solving = (pending_since + timedelta(days=timings.auto_solve_after_days)
               if timings.auto_solve_after_days > 0 else None)
    if reminding < clock.now and (solving is None or reminding < solving):
        writer.remind(ticket, reminding)
    if solving is None or solving >= clock.now:
        return
    clock.at = solving
    writer.solve(ticket, clock.at)
    _survey(writer, rng, clock, ticket, locale)
    _close_when_due(writer, ticket, clock.now, timings)


def _reply(writer: Writer, clock: _Clock, ticket: DemoTicket, agent: int, body: str, status: str,
           low: float, high: float) -> bool:
    if not clock.wait(low, high):
        return False
    writer.reply(ticket, agent, body, status, clock.at)
    return True


def _survey(writer: Writer, rng: random.Random, clock: _Clock, ticket: DemoTicket, locale: str) -> None:
    writer.send_survey(ticket, clock.at)
    if rng.random() < 0.45:
        answered = clock.at + timedelta(minutes=rng.uniform(5, 60 * 24))
        if answered < clock.now:
            score = rng.choices((1, 2, 3, 4, 5), cum_weights=_SCORE_WEIGHTS)[0]
            comment = rng.choice(COMMENTS[locale]) if rng.random() < 0.6 else None
            writer.answer_survey(ticket, score, comment, answered)
