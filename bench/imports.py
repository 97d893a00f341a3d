"""python -m bench.imports [--tickets N] [--database URL]: the Zendesk import at scale (issue 21, target: 100,000
tickets with 300,000 comments in under 5 minutes on SQLite).

Writes a Zendesk-shaped export of N tickets (tests/zendesk_export.py, JSON lines with the comments inside, about
three comments a ticket) into a temporary folder, imports it into a new database (SQLite in that folder unless
--database names an empty one), imports it again (nothing must be added), and prints the times, the rows and the
peak memory as markdown. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from core.config import Settings
from core.db import make_engine, migrate, session_factory
from core.imports import cli
from core.models import Message, Ticket, TicketEvent, TicketMetrics
from tests import zendesk_export


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        found = {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
                 for model in (Ticket, Message, TicketEvent, TicketMetrics)}
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000, help="tickets in the export (default 10000)")
    parser.add_argument("--database", help="an empty database's URL (default: a new SQLite file)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mesa-import-") as folder:
        started = time.monotonic()
        export = zendesk_export.write(Path(folder) / "export", args.tickets, lines=True)
        written = time.monotonic() - started
        url = args.database or f"sqlite:///{folder}/mesa.db"
        migrate(url)
        settings = Settings(database_url=url, data_dir=Path(folder), secret_key="b" * 40)
        runs = []
        for _ in range(2):
            out = io.StringIO()
            started = time.monotonic()
            code = cli.run("zendesk", export, settings, out=out, err=io.StringIO())
            runs.append((time.monotonic() - started, code, out.getvalue()))
        counts = _counts(url)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| {args.tickets:,} tickets ({url.split(':')[0]}) | |\n|---|---|")
    print(f"| export written | {written:.1f} s |")
    print(f"| first import | {runs[0][0]:.1f} s |")
    print(f"| second import (adds nothing) | {runs[1][0]:.1f} s |")
    print(f"| rows | {', '.join(f'{name} {count:,}' for name, count in counts.items())} |")
    print(f"| peak memory | {peak:.0f} MB |")
    print("\n" + runs[0][2] + "\n" + runs[1][2])
    return max(code for _, code, _ in runs)


if __name__ == "__main__":
    sys.exit(main())
