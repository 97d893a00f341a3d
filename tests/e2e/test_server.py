"""The real server, as `make run` starts it: migrate, seed, serve; / and health answer 200."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8", "replace")


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "MESA_DATA_DIR": str(tmp_path), "MESA_DATABASE_URL": f"sqlite:///{tmp_path / 'mesa.db'}"}
    env.pop("MESA_SECRET_KEY", None)
    for command in (["migrate"], ["seed-demo", "--tickets", "15", "--if-empty"]):
        subprocess.run([sys.executable, "-m", "core", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=300)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _get(base + "/_stcore/health")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    yield base, tmp_path
    process.terminate()
    process.wait(timeout=20)


def test_portal_and_health_answer(server):
    base, data_dir = server
    assert _get(base + "/_stcore/health") == (200, "ok")
    status, html = _get(base + "/")
    assert status == 200 and "<html" in html.lower()
    assert (data_dir / "secret_key").exists(), "the secret key is generated into the data folder"
