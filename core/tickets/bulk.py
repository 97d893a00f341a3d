"""Tickets written in bulk: stories (the demo's, demo.seed; an import's, core.imports.load) turned into rows, written
in batches.

`BulkWriter` takes the same steps as demo.seed.ServiceWriter and keeps, in memory, the rows
the services would leave: users (customers on first contact), tickets, messages,
ticket_events (one version per step, as core.tickets.service bumps them), surveys, the low-score
note, ticket_metrics (core.tickets.metrics.row_values over the same events) and the search
document (core.tickets.search.normalize of the same text). Every BATCH tickets the rows go to the
database in one transaction; ids are given explicitly (they continue from the current
maximum), so a bulk run leaves the very rows a service run would
(tests/core/test_bulk_seed.py).

The rows skip SQLAlchemy's per-value processing, which cost as much as SQLite itself:
they are plain tuples handed to the driver, holding what core.models.UTCDateTime and the
dialect would have stored (`_Sink`):

- SQLite: datetimes as the text SQLAlchemy's SQLite DATETIME writes (naive UTC,
  "YYYY-MM-DD HH:MM:SS.ffffff"), the sqlite3 cursor's executemany. Only the seeding
  connection is tuned (no fsync per batch, no foreign-key checks, a bigger page cache).
  For a large load into a small database the tables' secondary indexes are dropped first
  and created again, from their own stored DDL, at the end (also when the load fails).
- PostgreSQL: naive UTC datetimes, psycopg's COPY; the id sequences are moved past the
  new rows at the end, and VACUUM ANALYZE gives the planner statistics and the visibility map.

The metrics (core.tickets.metrics.row_values, about a third of the work) of a batch are computed
by a forked worker process while this process writes the batch before it and plays the
next stories (WORKERS = 0: all in this process). Memory stays bounded: at most two
batches are held at a time.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing.pool import AsyncResult, Pool
from types import SimpleNamespace
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.accounts import service as accounts
from core.config import Settings
from core.desk import automations
from core.desk import schedule as business
from core.models import Message, SlaPolicy, Survey, Ticket, TicketEvent, TicketMetrics, User, utcnow
from core.tickets import metrics, search, surveys, workflow
from core.tickets.service import set_status_times

BATCH = 5000  # tickets per transaction
WORKERS = 1  # processes computing metrics while this one plays the stories and writes (0: none)
INDEXES_FROM = 50_000  # SQLite: adding at least this many tickets (and more than there are) rebuilds the indexes
SQLITE_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-131072", "PRAGMA foreign_keys=OFF")
# core.db's settings again, before the pool hands the connection out
SQLITE_RESTORE = ("PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-2000", "PRAGMA foreign_keys=ON")
SEQUENCED = (User, Ticket, Message, TicketEvent, Survey)
REGISTERED_EVERY = 3  # one bulk customer in three has an account (a password, a verified address)
CUSTOMER_PASSWORD = "demo customer passphrase"  # theirs, all alike

# the columns written, in order; `_check_columns` fails the seed when a model has others
COLUMNS = {
    User: ("id", "email", "name", "role", "password_hash", "locale", "active", "email_verified_at",
           "sessions_valid_after", "totp_secret", "totp_enabled_at", "totp_last_step", "recovery_codes", "sso_email",
           "preferences", "writes_help", "created_at"),
    Ticket: ("id", "requester_id", "subject", "kind", "product_id", "priority", "status", "channel", "locale",
             "assignee_id", "follow_up_of_id", "created_at", "updated_at", "solved_at", "closed_at",
             "close_reason", "version", "organization_id", "external_id", "imported_at"),
    Message: ("id", "ticket_id", "author_id", "kind", "body", "via", "sender_unverified", "email_message_id",
              "created_at"),
    TicketEvent: ("id", "ticket_id", "actor_id", "at", "field", "old", "new", "version"),
    Survey: ("id", "ticket_id", "sent_at", "score", "comment", "responded_at", "followed_up_at"),
    TicketMetrics: tuple(c.name for c in TicketMetrics.__table__.columns),
}
_METRIC_TIMES = frozenset(name for name in COLUMNS[TicketMetrics] if name.endswith("_at") and name != "updated_at")


class Event(NamedTuple):
    """A ticket_events row (its first eight fields); also what core.tickets.metrics.compute reads (version, id, field,
    new, at)."""

    id: int
    ticket_id: int
    actor_id: int | None
    stored_at: object  # `at` as the driver gets it
    field: str
    old: str | None
    new: str | None
    version: int
    at: datetime


class _Step(NamedTuple):
    """What core.tickets.metrics.compute reads of an event."""

    id: int
    field: str
    new: str | None
    version: int
    at: datetime


@dataclass(slots=True)
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
    stored_created: object  # the times as the driver gets them
    stored_updated: object
    stored_solved: object = None
    stored_closed: object = None
    status: str = workflow.NEW
    assignee_id: int | None = None
    updated_at: datetime | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1
    events: list[Event] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    survey: list | None = None  # the surveys row: id, ticket_id, sent_at, score, comment, responded_at, followed_up_at
    organization_id: int | None = None  # an imported ticket's (core.imports)
    external_id: str | None = None
    imported_at: object = None  # as the driver gets it

    def row(self) -> tuple:
        return (self.id, self.requester_id, self.subject, self.kind, self.product_id, self.priority, self.status,
                self.channel, self.locale, self.assignee_id, None, self.stored_created, self.stored_updated,
                self.stored_solved, self.stored_closed, None, self.version, self.organization_id, self.external_id,
                self.imported_at)


@dataclass(slots=True)
class _Batch:
    users: list[tuple]
    tickets: list[_Ticket]
    messages: list[tuple]


class _RememberedSchedule(business.Schedule):
    """The desk's schedule answering each day once: the same answers as Schedule's, for a million tickets."""

    def __init__(self, schedule: business.Schedule) -> None:
        super().__init__(schedule.days, schedule.start, schedule.end, schedule.timezone, schedule.holidays)
        object.__setattr__(self, "_zone", schedule.zone)
        object.__setattr__(self, "_works", {})
        object.__setattr__(self, "_windows", {})

    @property
    def zone(self) -> ZoneInfo:
        return self._zone  # type: ignore[attr-defined]

    def works_on(self, day: date) -> bool:
        found = self._works.get(day)  # type: ignore[attr-defined]
        if found is None:
            found = self._works[day] = super().works_on(day)  # type: ignore[attr-defined]
        return found

    def window(self, day: date) -> tuple[datetime, datetime]:
        found = self._windows.get(day)  # type: ignore[attr-defined]
        if found is None:
            found = self._windows[day] = super().window(day)  # type: ignore[attr-defined]
        return found


# ---------------------------------------------------------------- values as the driver gets them

def _sqlite_time(value: datetime | None) -> str | None:
    """What UTCDateTime and SQLAlchemy's SQLite DATETIME store: naive UTC, always with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        value = value.astimezone(UTC)
    # isoformat of an aware UTC time: "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00"
    return value.isoformat(" ")[:26] if value.microsecond else value.isoformat(" ")[:19] + ".000000"


def _naive_utc(value: datetime | None) -> datetime | None:
    """What UTCDateTime hands PostgreSQL's driver."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given; use aware UTC datetimes")
    return value.astimezone(UTC).replace(tzinfo=None)


class _Sink:
    """Writes plain tuples straight to the DBAPI connection of a SQLAlchemy Connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        cursor = self.connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            names = ", ".join(f'"{name}"' for name in columns)
            if self.sqlite:
                marks = ", ".join("?" * len(columns))
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            else:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        finally:
            cursor.close()


def _check_columns() -> None:
    for model, columns in COLUMNS.items():
        found = tuple(c.name for c in model.__table__.columns)
        if found != columns:
            raise RuntimeError(f"core.tickets.bulk writes {model.__tablename__} as {columns}, the model has {found}")


# ---------------------------------------------------------------- the writer

class BulkWriter:
    """demo.seed.Writer that keeps rows in memory until `flush` writes them."""

    def __init__(self, connection: Connection, settings: Settings) -> None:
        self.settings = settings
        self.time = _sqlite_time if connection.dialect.name == "sqlite" else _naive_utc
        self._last_now: datetime | None = None  # the last moment given to `_stored`, and what it gave
        self._last_stored: object = None
        self.next = {model: (connection.scalar(select(func.max(model.id))) or 0) + 1 for model in SEQUENCED}
        self.next_event = self.next[TicketEvent]
        self.next_message = self.next[Message]
        self.users: dict[str, int] = {}  # email -> id
        self.names: dict[int, tuple[str, str]] = {}  # id -> (name, email)
        for user_id, email, name in connection.execute(select(User.id, User.email, User.name)):
            self.users[email], self.names[user_id] = user_id, (name, email)
        with Session(bind=connection) as session:
            self.schedule = _RememberedSchedule(business.load(session))
            # what core.tickets.metrics reads of a policy, as plain objects a worker process can be sent
            self.policies: dict[str, object] = {
                p.priority: SimpleNamespace(priority=p.priority, first_reply_minutes=p.first_reply_minutes,
                                            resolution_minutes=p.resolution_minutes, business_hours=p.business_hours)
                for p in session.scalars(select(SlaPolicy))}
        # one new customer in this many gets the demo's account; 0: none (an import: nobody's password is known)
        self.registered_every = REGISTERED_EVERY
        self.new_users: list[tuple] = []
        self.tickets: list[_Ticket] = []
        self.messages: list[tuple] = []
        self._normalized: dict[str, str] = {}
        self._customer_hash: str | None = None
        self._document: dict[tuple, str] = {}

    def _stored(self, now: datetime) -> object:
        """`now` as the driver gets it; the steps of a story share their moments, so the last one is kept."""
        if now is self._last_now:
            return self._last_stored
        self._last_now, self._last_stored = now, self.time(now)
        return self._last_stored

    def _take(self, model: type) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value

    # ------------------------------------------------------------ the steps

    def create(self, *, name: str, email: str, subject: str, description: str, kind: str, product_id: int | None,
               priority: str, channel: str, locale: str, now: datetime) -> _Ticket:
        requester = self._customer(email, name, locale)
        subject = " ".join(subject.split())
        at = self._stored(now)
        ticket = _Ticket(self._take(Ticket), requester, subject, kind, product_id, priority, channel, locale,
                         now, at, at, updated_at=now)
        ticket_id, events = ticket.id, ticket.events
        for name_, value in (("status", workflow.NEW), ("priority", priority), ("kind", kind),
                             ("product", None if product_id is None else str(product_id)),
                             ("subject", subject), ("requester", str(requester)), ("channel", channel)):
            if value is not None:  # as core.tickets.service.create_ticket: no event for a field left empty
                events.append(Event(self.next_event, ticket_id, requester, at, name_, None, value, 1, now))
                self.next_event += 1
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

    def remind(self, ticket: _Ticket, now: datetime) -> None:
        """An event at the ticket's current version: not a change, so no version or updated_at move."""
        self._event(ticket, None, now, automations.REMINDER_FIELD, None, automations.REMINDER_TEMPLATE,
                    version=ticket.version)

    def set_status(self, ticket: _Ticket, actor: int | None, status: str, now: datetime) -> None:
        """A status set by hand (an import's last known status)."""
        self._status(ticket, actor, now, status)
        self._finish(ticket, now)

    def solve(self, ticket: _Ticket, now: datetime) -> None:
        self._status(ticket, None, now, workflow.SOLVED)
        self._finish(ticket, now)

    def close(self, ticket: _Ticket, now: datetime) -> None:
        self._status(ticket, None, now, workflow.CLOSED)
        self._finish(ticket, now)

    def send_survey(self, ticket: _Ticket, now: datetime) -> None:
        if ticket.survey is None:
            ticket.survey = [self._take(Survey), ticket.id, self._stored(now), None, None, None, None]

    def answer_survey(self, ticket: _Ticket, score: int, comment: str | None, now: datetime) -> None:
        survey = ticket.survey
        assert survey is not None
        became_low = score in surveys.LOW_SCORES and survey[3] not in surveys.LOW_SCORES
        survey[3], survey[4], survey[5] = score, (comment or "").strip() or survey[4], self._stored(now)
        if became_low:  # core.tickets.surveys._low_score: the system note (its emails are muted in the demo)
            body = surveys.low_score_note(score, survey[4], self.settings.locale)
            self._message(ticket, "note", body, None, "web", now)
            self._finish(ticket, now)

    # ------------------------------------------------------------ what core.tickets.service does underneath

    def _customer(self, email: str, name: str, locale: str) -> int:
        email = email.strip().lower()
        user_id = self.users.get(email)
        if user_id is None:
            user_id = self.users[email] = self._take(User)
            name = " ".join(name.split())
            self.names[user_id] = (name, email)
            # a customer with an account, as many desks have
            registered = bool(self.registered_every) and user_id % self.registered_every == 0
            created = utcnow()
            self.new_users.append((user_id, email, name, "customer", self._password_hash() if registered else None,
                                   locale, True, created if registered else None, None, None, None, None, None, None,
                                   None, False, created))
        return user_id

    def _password_hash(self) -> str:
        """One hash for every registered demo customer (bcrypt takes a quarter of a second each)."""
        if self._customer_hash is None:
            self._customer_hash = accounts.hash_password(CUSTOMER_PASSWORD)
        return self._customer_hash

    def _event(self, ticket: _Ticket, actor: int | None, now: datetime, name: str, old: object, new: object,
               version: int | None = None) -> None:
        ticket.events.append(Event(self.next_event, ticket.id, actor, self._stored(now), name,
                                   None if old is None else str(old), None if new is None else str(new),
                                   version or ticket.version + 1, now))
        self.next_event += 1

    def _status(self, ticket: _Ticket, actor: int | None, now: datetime, new: str) -> None:
        old = ticket.status
        if new == old:
            return
        set_status_times(ticket, old, new, now)
        if ticket.solved_at is now:
            ticket.stored_solved = self._stored(now)
        elif ticket.solved_at is None:
            ticket.stored_solved = None
        if ticket.closed_at is now:
            ticket.stored_closed = self._stored(now)
        ticket.status = new
        self._event(ticket, actor, now, "status", old, new)

    def _message(self, ticket: _Ticket, kind: str, body: str, author: int | None, via: str, now: datetime,
                 version: int | None = None) -> None:
        ticket.bodies.append(body)
        self._event(ticket, author, now, "message", None, kind, version=version)
        self.messages.append((self.next_message, ticket.id, author, kind, body, via, False, None,
                              self._stored(now)))
        self.next_message += 1

    def _finish(self, ticket: _Ticket, now: datetime) -> None:
        ticket.updated_at, ticket.stored_updated = now, self._stored(now)
        ticket.version += 1

    # ------------------------------------------------------------ writing

    def take(self) -> _Batch:
        """The rows kept so far, handed over; the writer starts a new batch."""
        batch = _Batch(self.new_users, self.tickets, self.messages)
        self.new_users, self.tickets, self.messages = [], [], []
        return batch

    def metrics_job(self, batch: _Batch) -> list[tuple]:
        """What `metric_rows_of` needs of each ticket, as plain tuples (quick to send to a worker process)."""
        return [(t.id, t.created_at, t.status, t.solved_at,
                 (t.priority, t.assignee_id, t.product_id, t.kind, t.channel), t.stored_updated,
                 [(e.id, e.field, e.new, e.version, e.at) for e in t.events]) for t in batch.tickets]

    def write(self, connection: Connection, sink: _Sink, batch: _Batch, metric_rows: list[tuple] | None = None) -> int:
        """Write a batch in the connection's transaction (its metrics computed here unless given)."""
        if batch.users:
            sink.write("users", COLUMNS[User], [(*row[:-1], self.time(row[-1])) for row in batch.users])
        found = batch.tickets
        if not found:
            return 0
        sink.write("tickets", COLUMNS[Ticket], [t.row() for t in found])
        sink.write("messages", COLUMNS[Message], batch.messages)
        sink.write("ticket_events", COLUMNS[TicketEvent], [e[:8] for t in found for e in t.events])
        answered = [tuple(t.survey) for t in found if t.survey is not None]
        if answered:
            sink.write("surveys", COLUMNS[Survey], answered)
        if metric_rows is None:
            metric_rows = metric_rows_of(self.metrics_job(batch), self.schedule, self.policies, sink.sqlite)
        sink.write("ticket_metrics", COLUMNS[TicketMetrics], metric_rows)
        _index(connection, sink, [(t.id, self._search_document(t)) for t in found])
        return len(found)

    def flush(self, connection: Connection, sink: _Sink | None = None) -> int:
        """Write the kept rows in the connection's transaction; returns how many tickets."""
        return self.write(connection, sink or _Sink(connection), self.take())

    def _search_document(self, ticket: _Ticket) -> str:
        """core.tickets.search.document's text without its queries: normalising works word by word."""
        key = (ticket.subject, ticket.requester_id, *ticket.bodies)
        found = self._document.get(key)
        if found is None:
            parts = [ticket.subject, *self.names[ticket.requester_id], *ticket.bodies]
            normalized = []
            for part in parts:
                text_ = self._normalized.get(part)
                if text_ is None:
                    text_ = self._normalized[part] = search.normalize(part)
                if text_:
                    normalized.append(text_)
            found = self._document[key] = " ".join(normalized)[:search.MAX_DOCUMENT_CHARS]
        return found


# ---------------------------------------------------------------- metrics, here or in a worker process

def metric_rows_of(job: list[tuple], schedule: business.Schedule, policies: dict[str, object],
                   sqlite: bool) -> list[tuple]:
    """The ticket_metrics rows of `BulkWriter.metrics_job`: metrics.row_values over each ticket's events."""
    time = _sqlite_time if sqlite else _naive_utc
    rows = []
    for ticket_id, created_at, status, solved_at, copies, stored_updated, steps in job:
        priority, assignee_id, product_id, kind, channel = copies
        values = metrics.row_values(created_at, status, solved_at, [_Step._make(step) for step in steps],
                                    policies.get(priority), schedule, priority=priority, assignee_id=assignee_id,
                                    product_id=product_id, kind=kind, channel=channel)
        values.update(ticket_id=ticket_id, updated_at=stored_updated)
        rows.append(tuple([time(values[name]) if name in _METRIC_TIMES else values[name]
                           for name in COLUMNS[TicketMetrics]]))
    return rows


_WORKER: dict[str, object] = {}


def _start_worker(schedule: business.Schedule, policies: dict[str, object], sqlite: bool) -> None:
    _WORKER.update(schedule=schedule, policies=policies, sqlite=sqlite)


def _worker_rows(job: list[tuple]) -> list[tuple]:
    return metric_rows_of(job, _WORKER["schedule"], _WORKER["policies"], _WORKER["sqlite"])  # type: ignore[arg-type]


def _index(connection: Connection, sink: _Sink, documents: list[tuple[int, str]]) -> None:
    """The search rows of new tickets, as core.tickets.search.index_ticket writes them."""
    if not documents or not search.has_index(connection):
        return
    if sink.sqlite:
        sink.write(search.TABLE, ("rowid", "ticket_id", "body"), [(id_, id_, body) for id_, body in documents])
    else:
        sink.write(search.TABLE, ("ticket_id", "body"), documents)


def _vacuum(connection: Connection) -> None:
    """PostgreSQL: VACUUM ANALYZE the written tables. Fresh statistics, or the planner picks nested scans
    (the overview took 41 s at 10k); and the visibility map, or the dashboards' index-only scans read the
    rows anyway (365-day times.summary 244 ms cold before, 51 ms after, at 100k)."""
    tables = [model.__tablename__ for model in COLUMNS]
    if search.has_index(connection):
        tables.append(search.TABLE)
    connection.commit()  # the lookup began a transaction; VACUUM runs outside one
    connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"VACUUM ANALYZE {', '.join(tables)}")


def _move_sequences(connection: Connection) -> None:
    """PostgreSQL: ids were given explicitly, so each sequence goes past the largest."""
    for model in SEQUENCED:
        table = model.__tablename__
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))


@contextmanager
def _pool(writer: BulkWriter, sqlite: bool, workers: int) -> Iterator[Pool | None]:
    """Processes computing metrics (forked: they share nothing with the database connection), or None."""
    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    with multiprocessing.get_context("fork").Pool(
            workers, initializer=_start_worker, initargs=(writer.schedule, writer.policies, sqlite)) as pool:
        yield pool


def _drop_indexes(connection: Connection) -> list[str]:
    """SQLite: drop the secondary indexes of the written tables; returns their DDL to create them again."""
    tables = [model.__tablename__ for model in COLUMNS]
    found = connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(t) for t in tables)}) ORDER BY name")).all()
    for name, _sql in found:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def seed(factory: sessionmaker[Session], play: Callable[[BulkWriter], None], count: int, *, settings: Settings,
         batch: int | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Play `count` stories into a BulkWriter, writing every `batch` tickets in their own transaction."""
    _check_columns()
    engine = factory.kw["bind"]
    batch = batch or BATCH
    done = 0
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:  # outside any transaction, on this connection only
            for pragma in SQLITE_PRAGMAS:
                raw.execute(pragma)  # type: ignore[union-attr]
        indexes: list[str] = []
        try:
            with connection.begin():
                writer = BulkWriter(connection, settings)
                have = connection.scalar(select(func.count()).select_from(Ticket)) or 0
                if sqlite and count >= INDEXES_FROM and count > have:
                    indexes = _drop_indexes(connection)
            sink = _Sink(connection)
            with _pool(writer, sqlite, workers=WORKERS if count > batch else 0) as pool:
                # while a worker computes a batch's metrics, this process writes the batch before it
                waiting: tuple[_Batch, AsyncResult | None] | None = None
                played = 0
                while waiting is not None or played < count:
                    ready = None
                    if played < count:
                        size = min(batch, count - played)
                        for _ in range(size):
                            play(writer)
                        played += size
                        taken = writer.take()
                        ready = (taken, pool.apply_async(_worker_rows, (writer.metrics_job(taken),)) if pool else None)
                    if waiting is not None:
                        rows, job = waiting
                        with connection.begin():
                            done += writer.write(connection, sink, rows, job.get() if job else None)
                        if progress is not None:
                            progress(done)
                    waiting = ready
        finally:
            if indexes:
                with connection.begin():
                    for sql in indexes:
                        connection.exec_driver_sql(sql)
        if sqlite:
            for pragma in SQLITE_RESTORE:
                raw.execute(pragma)  # type: ignore[union-attr]
        else:
            with connection.begin():
                _move_sequences(connection)
            _vacuum(connection)
    return done
