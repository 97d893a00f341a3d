"""Engine, sessions and the unit of work; dialect tuning; migrations.

SQLite runs in WAL mode with foreign keys on and a busy timeout, and write
transactions start with BEGIN IMMEDIATE so two writers queue on the lock instead
of failing half-way. PostgreSQL connections are checked before use (pre-ping).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from core import notify
from core.errors import Busy

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


# Per process: 20 kept open, 20 more while a burst lasts. Two replicas and the worker keep at most 60 open, under
# PostgreSQL's default max_connections of 100 (a burst on all three at once could ask for 120: docs/deploy.md).
PG_POOL_SIZE, PG_POOL_OVERFLOW = 20, 20


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create the engine for a database URL, tuned for its dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False,
                          "isolation_level": None},
            **kwargs,
        )
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # A server process runs one script thread per busy session: with a team at work, SQLAlchemy's 5 + 10 had
    # runs waiting for a connection (bench.crowd, 30 agents) and opening and closing overflow ones.
    kwargs.setdefault("pool_size", PG_POOL_SIZE)
    kwargs.setdefault("max_overflow", PG_POOL_OVERFLOW)
    return create_engine(url, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for writing: before each commit the notifier turns the unit's domain events into
    emails in the same transaction (core.notify); a rollback drops them."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    event.listen(factory, "before_flush", _drop_nul_bytes)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_transaction_end", _after_transaction)
    return factory


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's release is not the unit's commit
        notify.publish(session)


def _after_transaction(session: Session, transaction: SessionTransaction) -> None:
    """The unit of work ended (committed or rolled back; a savepoint is not its end)."""
    if transaction.parent is None:
        notify.reset(session)


def _drop_nul_bytes(session: Session, _context: object, _instances: object) -> None:
    """Remove NUL characters from text about to be written: PostgreSQL cannot store them, and the
    same text must be kept the same way on both databases. Every other character is kept as typed."""
    for obj in (*session.new, *session.dirty):
        state = inspect(obj)
        for attribute in state.mapper.column_attrs:
            value = state.dict.get(attribute.key)
            if isinstance(value, str) and "\x00" in value:
                setattr(obj, attribute.key, value.replace("\x00", ""))


def read_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading only: on SQLite they take no write lock."""
    bind = engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(engine) else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


# lock_not_available (lock_timeout), deadlock_detected, the server shutting down or starting up
PG_TRY_AGAIN = {"55P03", "40P01", "57P01", "57P02", "57P03"}


def is_try_again(exc: BaseException) -> bool:
    """A failure that says nothing about the request: another writer held the lock past the busy
    timeout (SQLite "database is locked", PostgreSQL lock timeout or deadlock), or the connection
    was lost (a database restart). Sending the same request again can succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True
    state = getattr(exc.orig, "sqlstate", None) or ""
    return state in PG_TRY_AGAIN or state.startswith("08")  # 08: connection exceptions


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back everything on error.

    A lock held too long or a lost connection becomes errors.Busy ("try again"), which pages
    show like any other DomainError instead of a traceback."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        if is_try_again(exc):
            raise Busy() from exc
        raise
    finally:
        session.close()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass(frozen=True)
class Migration:
    """What `migrate` did: the schema revision before (None: an empty database) and after, and how many starter
    help-center translations it added."""

    before: str | None
    after: str | None
    help_added: int = field(default=0, compare=False)


def current_revision(url: str) -> str | None:
    """The schema revision the database at `url` is at; None when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)  # on SQLite, also creates the folder of the file
    try:
        bind = engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(engine) else engine
        with bind.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> Migration:
    """Upgrade the database at `url` to `revision` (creating it when empty); at the head, also take in the starter
    help-center articles the store lacks (data/help: a language added as files comes in here)."""
    from alembic import command

    before = current_revision(url)
    command.upgrade(alembic_config(url), revision)
    return Migration(before, current_revision(url), _help_starter(url) if revision == "head" else 0)


def _help_starter(url: str) -> int:
    from core.help import starter

    engine = make_engine(url)
    try:
        with unit_of_work(session_factory(engine)) as session:
            return starter.install(session)
    finally:
        engine.dispose()
