"""A consistent copy of the database while Mesa runs: SQLite's online backup, or pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def backup(database_url: str, destination: Path) -> Path:
    """Write a copy of the database to `destination` (a SQLite file, or a pg_dump custom archive)."""
    url = make_url(database_url)
    destination = destination.expanduser().resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory database has nothing to back up")
        source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)  # page by page, consistent even while others write
        finally:
            target.close()
            source.close()
        return destination
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run([pg_dump, "--format=custom", "--file", str(destination), plain],
                              capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise BackupError(done.stderr.strip() or f"pg_dump exited with {done.returncode}")
        return destination
    raise BackupError(f"no backup method for {url.get_backend_name()}")
