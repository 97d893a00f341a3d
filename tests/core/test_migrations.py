import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.db import Migration, alembic_config, current_revision, make_engine, migrate
from core.models import Base
from core.tickets.search import include_object


def test_migrations_build_exactly_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include_object})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_the_single_head(engine):
    url = engine.url.render_as_string(hide_password=False)
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)
    assert len(heads) == 1


def test_migrate_is_repeatable_and_downgrade_works(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate(url)
    migrate(url)  # nothing left to do
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate(url)
    assert "tickets" in inspect(engine).get_table_names()
    engine.dispose()


def test_migrate_returns_the_revisions_before_and_after(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh' / 'm.db'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    older = script.get_revision(head).down_revision
    assert current_revision(url) is None
    assert migrate(url) == Migration(None, head)
    assert migrate(url) == Migration(head, head)
    command.downgrade(alembic_config(url), older)
    assert migrate(url) == Migration(older, head) and current_revision(url) == head


def test_sqlite_runs_in_wal_with_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_migrations_run_no_application_code():
    """A migration is frozen in time: application code it called would change what an old migration does."""
    for path in (Path(__file__).parents[2] / "migrations" / "versions").glob("*.py"):
        imports = re.findall(r"^\s*(?:from|import) (core\.[\w.]+)", path.read_text(), re.MULTILINE)
        assert set(imports) <= {"core.config"}, (path.name, imports)


def test_a_postgresql_engine_keeps_enough_connections_for_a_team():
    """A run that waits for a pooled connection is a click that waits (bench.crowd: 30 agents on 5 + 10)."""
    from tests.conftest import POSTGRES_URL

    made = make_engine(POSTGRES_URL)
    assert (made.pool.size(), made.pool._max_overflow) == (20, 20)
    made.dispose()
