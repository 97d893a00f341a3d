"""Bulk demo seeding: the demo stories of core.demo turned into rows, written in batches.

`BulkWriter` takes the same steps as core.demo.ServiceWriter and keeps, in memory, the rows
the services would leave: users (customers on first contact), tickets, messages,
ticket_events (one version per step, as core.tickets bumps them), surveys, the low-score
note, ticket_metrics (core.metrics.row_values over the same events) and the search
document (core.search.normalize of the same text). Every BATCH tickets the rows go to the
database with SQLAlchemy Core executemany inserts, one transaction per batch; ids are
given explicitly (they continue from the current maximum), so a bulk run leaves the very
rows a service run would (tests/core/test_bulk_seed.py). On PostgreSQL the id sequences
are moved past the new rows at the end, and ANALYZE refreshes the planner's statistics.

Only the seeding connection is tuned (SQLite: no fsync per batch, a bigger page cache).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from core import metrics, search, surveys, workflow
from core import schedule as business
from core.config import Settings
from core.models import Message, SlaPolicy, Survey, Ticket, TicketEvent, TicketMetrics, User, utcnow
from core.tickets import set_status_times

BATCH = 5000  # tickets per transaction
SQLITE_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-131072", "PRAGMA temp_store=MEMORY")
SEQUENCED = (User, Ticket, Message, TicketEvent, Survey)


class Event(NamedTuple):
    """A ticket_events row; also what core.metrics.compute reads (version, id, field, new, at)."""

    id: int
    ticket_id: int
    actor_id: int | None
    at: datetime
    field: str
    old: str | None
    new: str | None
    version: int


@dataclass
class _Ticket:
    id: int
    requester_id: int
    subject: str
    kind: str
    product_id: int
    priority: str
    channel: str
    locale: str
    created_at: datetime
    status: str = workflow.NEW
    assignee_id: int | None = None
    updated_at: datetime | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1
    events: list[Event] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    survey: dict | None = None

    def row(self) -> dict:
        return {"id": self.id, "requester_id": self.requester_id, "subject": self.subject, "kind": self.kind,
                "product_id": self.product_id, "priority": self.priority, "status": self.status,
                "channel": self.channel, "locale": self.locale, "assignee_id": self.assignee_id,
                "follow_up_of_id": None, "created_at": self.created_at, "updated_at": self.updated_at,
                "solved_at": self.solved_at, "closed_at": self.closed_at, "close_reason": None,
                "version": self.version}


class _Ids:
    """The next id of each table, counting on from what the database holds."""

    def __init__(self, connection: Connection) -> None:
        self.next = {model: (connection.scalar(select(func.max(model.id))) or 0) + 1 for model in SEQUENCED}

    def take(self, model: type) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class BulkWriter:
    """core.demo.Writer that keeps rows in memory until `flush` writes them."""

    def __init__(self, connection: Connection, settings: Settings) -> None:
        self.settings = settings
        self.ids = _Ids(connection)
        self.users: dict[str, int] = {}  # email -> id
        self.names: dict[int, tuple[str, str]] = {}  # id -> (name, email)
        for user_id, email, name in connection.execute(select(User.id, User.email, User.name)):
            self.users[email], self.names[user_id] = user_id, (name, email)
        with Session(bind=connection) as session:
            self.schedule = business.load(session)
            self.policies = {p.priority: p for p in session.scalars(select(SlaPolicy))}
            session.expunge_all()
        self.new_users: list[dict] = []
        self.tickets: list[_Ticket] = []
        self.messages: list[dict] = []
        self._normalized: dict[str, str] = {}

    # ------------------------------------------------------------ the steps

    def create(self, *, name: str, email: str, subject: str, description: str, kind: str, product_id: int,
               priority: str, channel: str, locale: str, now: datetime) -> _Ticket:
        requester = self._customer(email, name, locale)
        ticket = _Ticket(id=self.ids.take(Ticket), requester_id=requester, subject=" ".join(subject.split()),
                         kind=kind, product_id=product_id, priority=priority, channel=channel, locale=locale,
                         created_at=now, updated_at=now)
        for name_, value in (("status", workflow.NEW), ("priority", priority), ("kind", kind),
                             ("product", product_id), ("subject", ticket.subject), ("requester", requester),
                             ("channel", channel)):
            self._event(ticket, requester, now, name_, None, value, version=1)
        self._message(ticket, "customer", description.strip(), requester, channel, now, version=1)
        self.tickets.append(ticket)
        return ticket

    def assign(self, ticket: _Ticket, agent: int, now: datetime) -> None:
        self._event(ticket, agent, now, "assignee", ticket.assignee_id, agent)
        ticket.assignee_id = agent
        self._finish(ticket, now)

    def note(self, ticket: _Ticket, agent: int, body: str, now: datetime) -> None:
        self._message(ticket, "note", body.strip(), agent, "web", now)
        self._finish(ticket, now)

    def reply(self, ticket: _Ticket, agent: int, body: str, status: str, now: datetime) -> None:
        self._message(ticket, "agent", body.strip(), agent, "web", now)
        self._status(ticket, agent, now, workflow.status_after_agent_reply(ticket.status, status))
        self._finish(ticket, now)

    def customer_message(self, ticket: _Ticket, body: str, now: datetime) -> None:
        self._status(ticket, ticket.requester_id, now, workflow.status_after_customer_message(ticket.status))
        self._message(ticket, "customer", body.strip(), ticket.requester_id, ticket.channel, now)
        self._finish(ticket, now)

    def close(self, ticket: _Ticket, now: datetime) -> None:
        self._status(ticket, None, now, workflow.CLOSED)
        self._finish(ticket, now)

    def send_survey(self, ticket: _Ticket, now: datetime) -> None:
        if ticket.survey is None:
            ticket.survey = {"id": self.ids.take(Survey), "ticket_id": ticket.id, "sent_at": now, "score": None,
                             "comment": None, "responded_at": None, "followed_up_at": None}

    def answer_survey(self, ticket: _Ticket, score: int, comment: str | None, now: datetime) -> None:
        survey = ticket.survey
        assert survey is not None
        became_low = score in surveys.LOW_SCORES and survey["score"] not in surveys.LOW_SCORES
        survey.update(score=score, comment=(comment or "").strip() or survey["comment"], responded_at=now)
        if became_low:  # core.surveys._low_score: the system note (its emails are muted in the demo)
            body = surveys.low_score_note(score, survey["comment"], self.settings.locale)
            self._message(ticket, "note", body, None, "web", now)
            self._finish(ticket, now)

    # ------------------------------------------------------------ what core.tickets does underneath

    def _customer(self, email: str, name: str, locale: str) -> int:
        email = email.strip().lower()
        user_id = self.users.get(email)
        if user_id is None:
            user_id = self.users[email] = self.ids.take(User)
            name = " ".join(name.split())
            self.names[user_id] = (name, email)
            self.new_users.append({"id": user_id, "email": email, "name": name, "role": "customer",
                                   "password_hash": None, "locale": locale, "active": True,
                                   "email_verified_at": None, "created_at": utcnow()})
        return user_id

    def _event(self, ticket: _Ticket, actor: int | None, now: datetime, name: str, old: object, new: object,
               version: int | None = None) -> None:
        ticket.events.append(Event(self.ids.take(TicketEvent), ticket.id, actor, now, name,
                                   None if old is None else str(old), None if new is None else str(new),
                                   version or ticket.version + 1))

    def _status(self, ticket: _Ticket, actor: int | None, now: datetime, new: str) -> None:
        old = ticket.status
        if new == old:
            return
        set_status_times(ticket, old, new, now)
        ticket.status = new
        self._event(ticket, actor, now, "status", old, new)

    def _message(self, ticket: _Ticket, kind: str, body: str, author: int | None, via: str, now: datetime,
                 version: int | None = None) -> None:
        ticket.bodies.append(body)
        self._event(ticket, author, now, "message", None, kind, version=version)
        self.messages.append({"id": self.ids.take(Message), "ticket_id": ticket.id, "author_id": author,
                               "kind": kind, "body": body, "via": via, "email_message_id": None, "created_at": now})

    def _finish(self, ticket: _Ticket, now: datetime) -> None:
        ticket.updated_at = now
        ticket.version += 1

    # ------------------------------------------------------------ writing

    def _metrics(self, ticket: _Ticket) -> dict:
        values = metrics.row_values(ticket.created_at, ticket.status, ticket.solved_at, ticket.events,
                                    self.policies.get(ticket.priority), self.schedule)
        values.update(ticket_id=ticket.id, updated_at=ticket.updated_at)
        return values

    def flush(self, connection: Connection) -> int:
        """Write the kept rows in the connection's transaction; returns how many tickets."""
        if self.new_users:
            connection.execute(insert(User), self.new_users)
        if not self.tickets:
            return 0
        connection.execute(insert(Ticket), [t.row() for t in self.tickets])
        connection.execute(insert(Message), self.messages)
        connection.execute(insert(TicketEvent), [e._asdict() for t in self.tickets for e in t.events])
        found = [t.survey for t in self.tickets if t.survey is not None]
        if found:
            connection.execute(insert(Survey), found)
        connection.execute(insert(TicketMetrics), [self._metrics(t) for t in self.tickets])
        documents = []
        for ticket in self.tickets:
            parts = [ticket.subject, *self.names[ticket.requester_id], *ticket.bodies]
            documents.append({"id": ticket.id, "body": self._normalize_all(parts)})
        _index(connection, documents)
        count = len(self.tickets)
        self.new_users, self.tickets, self.messages = [], [], []
        return count

    def _normalize_all(self, parts: list[str]) -> str:
        """core.search.document's text without its queries: normalising works word by word."""
        normalized = []
        for part in parts:
            found = self._normalized.get(part)
            if found is None:
                found = self._normalized[part] = search.normalize(part)
            if found:
                normalized.append(found)
        return " ".join(normalized)[:search.MAX_DOCUMENT_CHARS]


def _index(connection: Connection, documents: list[dict]) -> None:
    """The search rows of new tickets, as core.search.index_ticket writes them."""
    if not documents or not search.has_index(connection):
        return
    if connection.dialect.name == "sqlite":
        statement = f"INSERT INTO {search.TABLE} (rowid, ticket_id, body) VALUES (:id, :id, :body)"
    else:
        statement = f"INSERT INTO {search.TABLE} (ticket_id, body) VALUES (:id, :body)"
    connection.execute(text(statement), documents)


def _move_sequences(connection: Connection) -> None:
    """PostgreSQL: ids were given explicitly, so each sequence goes past the largest."""
    for model in SEQUENCED:
        table = model.__tablename__
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))


def seed(factory: sessionmaker[Session], play: Callable[[BulkWriter], None], count: int, *, settings: Settings,
         batch: int | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Play `count` stories into a BulkWriter, writing every `batch` tickets in their own transaction."""
    engine = factory.kw["bind"]
    batch = batch or BATCH
    done = 0
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":  # outside any transaction, on this connection only
            for pragma in SQLITE_PRAGMAS:
                connection.connection.driver_connection.execute(pragma)
        with connection.begin():
            writer = BulkWriter(connection, settings)
        while done < count:
            for _ in range(min(batch, count - done)):
                play(writer)
            with connection.begin():
                done += writer.flush(connection)
            if progress is not None:
                progress(done)
        if connection.dialect.name == "postgresql":
            with connection.begin():
                _move_sequences(connection)
                # fresh statistics: without them the planner picks nested scans (the overview took 41 s at 10k)
                connection.execute(text("ANALYZE"))
        if connection.dialect.name == "sqlite":  # back to core.db's settings before the pool reuses it
            connection.connection.driver_connection.execute("PRAGMA synchronous=NORMAL")
            connection.connection.driver_connection.execute("PRAGMA cache_size=-2000")
    return done
