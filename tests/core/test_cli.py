import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from core import config
from core.__main__ import main
from core.accounts import service as accounts
from core.db import alembic_config, make_engine, read_factory
from core.models import Ticket, User, utcnow

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, data_dir, stdin="", url=None):
    env = {**os.environ, "MESA_DATA_DIR": str(data_dir), "MESA_SECRET_KEY": "c" * 40}
    env["MESA_DATABASE_URL"] = url or f"sqlite:///{data_dir / 'cli.db'}"
    return subprocess.run([sys.executable, "-m", "core", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


def test_help_lists_the_commands(tmp_path):
    result = _cli("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("migrate", "seed-demo", "create-user", "reprocess-inbound"):
        assert command in result.stdout


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_migrate_then_create_user_from_stdin(tmp_path):
    assert _cli("migrate", data_dir=tmp_path).returncode == 0
    result = _cli("create-user", "--email", "Boss@Example.com", "--name", "Boss", "--role", "admin",
                  "--password-stdin", data_dir=tmp_path, stdin="correct horse battery\n")
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with read_factory(engine)() as session:
        user = accounts.find_by_email(session, "boss@example.com")
        assert user.role == "admin" and accounts.verify_password("correct horse battery", user.password_hash)
    engine.dispose()
    again = _cli("create-user", "--email", "boss@example.com", "--name", "B", "--role", "agent",
                 "--password-stdin", data_dir=tmp_path, stdin="another password\n")
    assert again.returncode == 1 and "already an account" in again.stderr


def test_migrate_says_whether_it_created_upgraded_or_found_the_schema_current(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    older = script.get_revision(head).down_revision
    monkeypatch.setenv("MESA_DATABASE_URL", url)
    monkeypatch.setenv("MESA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MESA_SECRET_KEY", "c" * 40)

    def migrate_command() -> str:
        config.get_settings.cache_clear()
        try:
            assert main(["migrate"]) == 0
        finally:
            config.get_settings.cache_clear()
        return capsys.readouterr().out

    assert migrate_command().startswith(f"Created the schema at revision {head} (sqlite:///")
    assert migrate_command().startswith(f"Already at {head} (")
    alembic_command.downgrade(alembic_config(url), older)
    assert migrate_command().startswith(f"Upgraded from {older} to {head} (")


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_create_user_without_a_terminal_asks_for_password_stdin(tmp_path):
    _cli("migrate", data_dir=tmp_path)
    result = _cli("create-user", "--email", "a@example.com", "--name", "A", "--role", "agent", data_dir=tmp_path)
    assert result.returncode == 2 and "--password-stdin" in result.stderr


def test_a_bad_setting_stops_the_command_naming_it(tmp_path):
    env_bad = {**os.environ, "MESA_SMTP_PORT": "abc", "MESA_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "core", "migrate"], capture_output=True, text=True,
                            cwd=ROOT, env=env_bad, timeout=60)
    assert result.returncode == 2 and "MESA_SMTP_PORT" in result.stderr


@pytest.mark.slow  # seeds the demo through two processes: 10-20 s
@pytest.mark.parametrize("backend", ["sqlite"])
def test_seed_demo_if_empty_adds_once_and_prints_the_accounts(tmp_path, backend):
    first = _cli("seed-demo", "--tickets", "12", "--if-empty", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Added 12 demo tickets" in first.stdout and "admin@mesa.example" in first.stdout
    second = _cli("seed-demo", "--tickets", "12", "--if-empty", data_dir=tmp_path)
    assert "already has tickets" in second.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with read_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 12
        assert session.scalar(select(func.count()).select_from(User).where(User.role != "customer")) == 4
    engine.dispose()


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_reprocess_inbound_applies_a_failed_email_once_and_refuses_it_after(tmp_path):
    from core.db import session_factory, unit_of_work
    from core.mail import inbound, ingest
    from core.models import InboundMail
    from tests.core.test_ingest import mail

    assert _cli("migrate", data_dir=tmp_path).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    raw = mail(sender="noa@example.com", subject="Lost in a crash")
    inbound_id = ingest.store_raw(session_factory(engine), raw, inbound.parse(raw), utcnow())
    with unit_of_work(session_factory(engine)) as session:
        session.get(InboundMail, inbound_id).status = "failed"
    first = _cli("reprocess-inbound", str(inbound_id), data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"Inbound email #{inbound_id}: processed, ticket #")
    second = _cli("reprocess-inbound", str(inbound_id), str(inbound_id + 9), data_dir=tmp_path)
    assert second.returncode == 1 and "already applied" in second.stderr and "does not exist" in second.stderr
    with read_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        assert session.get(InboundMail, inbound_id).status == "processed"
    engine.dispose()
