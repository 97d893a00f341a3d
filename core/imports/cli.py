"""`python -m core import zendesk DIR` and `python -m core import csv FILE`: read, write, and say what was left out."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import TextIO

import psycopg
from sqlalchemy.exc import SQLAlchemyError

from core.config import Settings
from core.db import make_engine, migrate, session_factory
from core.imports import csvfile, load, zendesk
from core.imports.records import Summary
from core.imports.zendesk import ExportError

DATABASE_ERRORS = (SQLAlchemyError, sqlite3.Error, psycopg.Error)
READERS = {"zendesk": zendesk.read, "csv": csvfile.read}
WIDTH = 30


class ProgressBar:
    """`[#####.....] 5,000 / 10,000 tickets  12 s` on one terminal line; a line per step when not a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.started = max(total, 1), stream, time.monotonic()
        self.terminal = stream.isatty()

    def __call__(self, done: int) -> None:
        filled = WIDTH * done // self.total
        line = (f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done:,} / {self.total:,} tickets  "
                f"{time.monotonic() - self.started:.0f} s")
        self.stream.write(f"\r{line}" if self.terminal else f"{line}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.terminal:
            self.stream.write("\n")


def run(source: str, path: Path, settings: Settings, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Import `path` (a Zendesk export folder or a CSV file); 0 when it ran (skips included), 1 when unreadable.
    The summary goes to `out`, the progress and errors to `err` (standard output and error by default)."""
    out, err = out or sys.stdout, err or sys.stderr
    summary = Summary()
    started = time.monotonic()
    try:
        records = READERS[source](path, summary)
    except (ExportError, OSError, UnicodeDecodeError) as exc:
        print(f"Nothing imported: {exc}", file=err)
        return 1
    print(f"Read {len(records):,} tickets from {path} in {time.monotonic() - started:.1f} s.", file=out, flush=True)
    migrate(settings.database)  # a new desk: the schema first, as seed-demo does
    engine = make_engine(settings.database)
    bar = ProgressBar(len(records), err)
    try:
        load.load(session_factory(engine), records, summary, settings, progress=bar)
    except DATABASE_ERRORS as exc:  # the bulk writer talks to the driver itself: its errors come unwrapped
        bar.end()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        print(f"Import stopped: the database refused a write ({reason}). "
              "The batches written before it stay; run the import again to add the rest.", file=err)
        return 1
    finally:
        engine.dispose()
    bar.end()
    for line in summary.lines():
        print(line, file=out)
    print(f"Done in {time.monotonic() - started:.1f} s; no email was sent.", file=out)
    return 0
