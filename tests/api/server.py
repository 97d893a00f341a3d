"""A real API server for tests: `python -m core api` on a free loopback port, over a migrated SQLite file,
with staff and tokens made by the command line as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT/api/v1
    env: dict[str, str]
    tokens: dict[str, str]  # agent, manager


def cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "core", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def _wait(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert server.poll() is None, "the API server stopped"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@contextmanager
def api_server(folder: Path, **extra_env: str) -> Iterator[Server]:
    env = {**os.environ, "MESA_DATA_DIR": str(folder), "MESA_SECRET_KEY": "k" * 40,
           "MESA_DATABASE_URL": f"sqlite:///{folder / 'api.db'}", "MESA_EMBEDDED_WORKER": "0", **extra_env}
    env.pop("MESA_API_PORT", None)
    cli(env, "migrate")
    made = {}
    for name, role, scopes in (("ana", "agent", "tickets:read,tickets:write"), ("maria", "manager", "reports:read")):
        cli(env, "create-user", "--email", f"{name}@mesa.example", "--name", name.title(), "--role", role,
            "--password-stdin", stdin="a long enough password\n")
        made[name] = cli(env, "create-api-token", "--email", f"{name}@mesa.example", "--scopes", scopes,
                         "--days", "7").stdout.strip()
    port = free_port()
    log = (folder / "api.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "core", "api"], cwd=ROOT, env={**env, "MESA_API_PORT": str(port)},
                              stdout=log, stderr=subprocess.STDOUT)  # the port as an operator sets it
    try:
        _wait(f"http://127.0.0.1:{port}/api/openapi.json", server)
        yield Server(f"http://127.0.0.1:{port}/api/v1", env, made)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
