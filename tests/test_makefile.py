"""`make run PORT=N` serves on port N, and the links in the emails it sends point there, unless MESA_BASE_URL is set
in the environment or in .env. Read from `make -n` (nothing is run) in a scratch folder."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def run_commands(folder: Path, *arguments: str, **environment: str) -> list[str]:
    """The commands `make run` would start the demo data and the server with, from `folder`."""
    (folder / "requirements.lock").touch()  # the install stamp's prerequisite, relative to the folder
    env = {k: v for k, v in os.environ.items() if k not in ("MESA_BASE_URL", "PORT", "MAKEFLAGS", "MFLAGS",
                                                             "MAKELEVEL")}
    done = subprocess.run(["make", "-n", "-f", str(ROOT / "Makefile"), "run", *arguments], cwd=folder,
                          env={**env, **environment}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if "seed-demo" in line or "streamlit run" in line]


def test_the_links_follow_the_port(tmp_path):
    seed, serve = run_commands(tmp_path, "PORT=8601")
    assert seed.startswith("MESA_BASE_URL=http://localhost:8601 ")
    assert serve.startswith("MESA_BASE_URL=http://localhost:8601 ") and serve.endswith("--server.port 8601")


def test_the_default_port_is_8501(tmp_path):
    assert all(line.startswith("MESA_BASE_URL=http://localhost:8501 ") for line in run_commands(tmp_path))


def test_a_base_url_in_the_environment_is_kept(tmp_path):
    lines = run_commands(tmp_path, "PORT=8601", MESA_BASE_URL="https://help.example.com")
    assert len(lines) == 2 and not any("MESA_BASE_URL=" in line for line in lines)


@pytest.mark.parametrize("line", ["MESA_BASE_URL=https://help.example.com", "export mesa_base_url = 'https://x.example'"])
def test_a_base_url_in_dot_env_is_kept(tmp_path, line):
    (tmp_path / ".env").write_text(f"MESA_LOCALE=es\n{line}\n")
    lines = run_commands(tmp_path, "PORT=8601")
    assert len(lines) == 2 and not any("MESA_BASE_URL=" in line for line in lines)
