"""Shared fixtures: the same tests run on SQLite and on PostgreSQL.

PostgreSQL is 127.0.0.1:5432, database test, user postgres (MESA_TEST_POSTGRES_URL
overrides). Each pytest worker migrates its own schema once; every test starts from
empty tables. When PostgreSQL cannot be reached the tests that need it are skipped,
except under CI=true, where they fail.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings, load_settings
from core.db import make_engine, migrate, session_factory
from core.models import Base
from core.tickets import search

POSTGRES_URL = os.environ.get("MESA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ("sqlite", "postgres")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _schema() -> str:
    """This test process's own schema: two suites running at once never share one."""
    return f"mesa_test_{_worker()}_{os.getpid()}"


def _postgres_engine() -> Engine:
    schema = _schema()
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    finally:
        admin.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    migrate(url)
    return make_engine(url)


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    made: dict[str, Engine] = {}
    yield made
    for engine in made.values():
        engine.dispose()
    if "postgres" in made:
        admin = make_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {_schema()} CASCADE"))
        admin.dispose()


def _engine_for(backend: str, engines: dict[str, Engine], tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if backend not in engines:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'mesa.db'}"
            migrate(url)
            engines[backend] = make_engine(url)
        else:
            engines[backend] = _postgres_engine()
    return engines[backend]


def clear(engine: Engine) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))
        if search.has_index(connection):  # no model: the search rows would outlive their tickets
            connection.execute(text(f"DELETE FROM {search.TABLE}"))
            connection.execute(text("DELETE FROM help_search"))  # and those of the help center's articles


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, engines: dict[str, Engine],
           tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    db = _engine_for(request.param, engines, tmp_path_factory)
    clear(db)
    return db


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path, secret_key="s" * 40, _env_file=None)


def row_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """How many rows each table holds, and each ticket's version: a cheap 'unchanged' check."""
    with factory() as session:
        counts = {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
        versions = session.execute(text("SELECT id, version, status FROM tickets ORDER BY id")).all()
    counts["versions"] = hash(tuple(tuple(row) for row in versions))
    return counts


# The longest test files, longest first (measured on 2 cores: minutes each); the rest keep their order.
LONGEST_FILES = (
    "tests/security/test_mail_flood.py",
    "tests/core/test_dashboards_reference.py",
    "tests/core/test_demo.py",
)


def _start_order(item: pytest.Item) -> tuple[bool, int]:
    path = item.nodeid.split("::")[0]
    return item.get_closest_marker("slow") is None, LONGEST_FILES.index(path) if path in LONGEST_FILES else 99


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files and the slow tests first: pytest-xdist hands out files in this order (pyproject's
    --no-loadscope-reorder), and a long file handed out last keeps one worker busy while the other waits; started
    first, the short ones fill in around it. Every worker sorts alike, as it must."""
    items.sort(key=_start_order)


STREAMLIT_DEPRECATIONS = "streamlit.deprecation_util"


class _Said(logging.Handler):
    """Keeps the messages of the records it is handed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail a test during which Streamlit announced a deprecation (the container-width flag, components.v1.html, ...).

    Streamlit says so through streamlit.deprecation_util.show_deprecation_warning, which logs a warning on its
    own logger (and shows it in the app only with client.showErrorDetails=full), never through warnings.warn:
    pyproject's filterwarnings cannot see it. Streamlit's loggers do not propagate, so the handler goes on that
    logger itself."""
    logger = logging.getLogger(STREAMLIT_DEPRECATIONS)
    said, level = _Said(), logger.level
    logger.addHandler(said)
    logger.setLevel(min(level or logging.WARNING, logging.WARNING))
    shown_once = getattr(sys.modules.get(STREAMLIT_DEPRECATIONS), "_shown_warnings", None)
    if shown_once is not None:
        shown_once.clear()  # a warning marked show_once, already shown to an earlier test, is shown again
    try:
        result = yield
    finally:
        logger.removeHandler(said)
        logger.setLevel(level)
    if said.messages:
        pytest.fail("Streamlit deprecation during the test:\n" + "\n---\n".join(said.messages), pytrace=False)
    return result
