"""The command line: create-api-token prints a token once (refusals on stderr), and `make run` starts the API
in the background and stops it when the portal ends."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from core.api import tokens
from core.db import make_engine, read_factory
from core.models import ApiToken
from tests.api.server import ROOT, cli


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "MESA_DATA_DIR": str(folder), "MESA_SECRET_KEY": "k" * 40,
            "MESA_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}"}


def _run(env, *args):
    import sys

    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)


@pytest.mark.slow  # real processes: migrate, create-user, create-api-token
def test_create_api_token_prints_it_once_and_keeps_only_its_hash(tmp_path):
    env = _env(tmp_path)
    cli(env, "migrate")
    cli(env, "create-user", "--email", "ana@mesa.example", "--name", "Ana", "--role", "agent", "--password-stdin",
        stdin="a long enough password\n")
    done = cli(env, "create-api-token", "--email", "ana@mesa.example", "--scopes", "tickets:read", "--days", "3")
    secret = done.stdout.strip()
    assert secret.startswith("mesa_") and "\n" not in secret and "shown only now" in done.stderr
    engine = make_engine(env["MESA_DATABASE_URL"])
    with read_factory(engine)() as session:
        row = session.query(ApiToken).one()
        assert row.token_hash == tokens.digest(secret) and (row.expires_at - row.created_at).days == 3
    engine.dispose()
    refused = _run(env, "create-api-token", "--email", "ana@mesa.example", "--scopes", "reports:read")
    assert refused.returncode == 1 and "reports:read" in refused.stderr and refused.stdout == ""
    nobody = _run(env, "create-api-token", "--email", "who@mesa.example", "--scopes", "tickets:read")
    assert nobody.returncode == 1 and "No account" in nobody.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_stops_the_api_with_the_portal(tmp_path):
    """The recipe as make would run it, with a stand-in python: the portal ends after a moment, and the API
    (started first, in the background) must be gone with it."""
    (tmp_path / "requirements.lock").touch()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    listed = subprocess.run(["make", "-n", "-f", str(ROOT / "Makefile"), "run"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60).stdout
    joined = listed.replace("\\\n", " ").splitlines()
    script = next(line for line in joined if "-m core api &" in line).replace(".venv/bin/python",
                                                                           str(tmp_path / "python"))
    assert "streamlit run" in script
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\ncase "$*" in\n*"core api"*) echo $$ > "$PIDS/api"; exec sleep 60;;\n'
                    '*) sleep 1;;\nesac\n')
    fake.chmod(0o755)
    subprocess.run(["sh", "-c", script], cwd=tmp_path, env={**env, "PIDS": str(tmp_path)}, timeout=30, check=True)
    api = int((tmp_path / "api").read_text())
    time.sleep(0.3)
    assert not _alive(api)


def _alive(pid: int) -> bool:
    """Running (a killed process whose parent has not reaped it yet is a zombie: not running)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
