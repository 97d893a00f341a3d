"""`python -m core backup`: a consistent copy while Mesa runs, on SQLite and on PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess

import pytest
from sqlalchemy import text

from core.db import make_engine
from tests.conftest import IN_CI, POSTGRES_URL
from tests.core.test_cli import _cli


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_sqlite_backup_is_a_working_copy_taken_while_a_writer_holds_the_lock(tmp_path):
    assert _cli("seed-demo", "--tickets", "12", data_dir=tmp_path).returncode == 0
    writer = sqlite3.connect(tmp_path / "cli.db")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE tickets SET subject = 'not committed' WHERE id = 1")
    result = _cli("backup", str(tmp_path / "copy" / "mesa.db"), data_dir=tmp_path)
    writer.rollback()
    writer.close()
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy" / "mesa.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM tickets").fetchone() == (12,)
    assert copy.execute("SELECT count(*) FROM tickets WHERE subject = 'not committed'").fetchone() == (0,)
    copy.close()


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_postgres_backup_writes_a_pg_dump_archive(tmp_path):
    name = f"mesa_backup_{os.getpid()}"
    try:
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        assert _cli("migrate", data_dir=tmp_path, url=url).returncode == 0
        result = _cli("backup", str(tmp_path / "mesa.dump"), data_dir=tmp_path, url=url)
        assert result.returncode == 0, result.stderr
        listing = subprocess.run([shutil.which("pg_restore"), "--list", str(tmp_path / "mesa.dump")],
                                 capture_output=True, text=True, check=True).stdout
        assert "TABLE public tickets" in listing and "TABLE public outbox" in listing
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_a_database_that_cannot_be_backed_up_says_why(tmp_path):
    result = _cli("backup", str(tmp_path / "x.db"), data_dir=tmp_path, url="sqlite://")
    assert result.returncode == 1 and "Backup failed" in result.stderr
