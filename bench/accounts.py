"""python -m bench.accounts [--accounts N] [--database URL] [--repeat R]: a page's cost with N accounts.

Issue 17: every rerun used to hand streamlit-authenticator every account with a password (2.8-3.1 s
per help-center rerun at 100,000 registered customers). Here the help center (anonymous) and "My
tickets" (a signed-in customer) are rendered through AppTest (bench.pages) on a fresh database with
no registered customer, then again after N registered customers are added; and Mesa's own password
check is timed for a known and an unknown address (they should cost the same). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench import pages
from bench.harness import machine
from core.accounts import service as accounts
from core.db import make_engine, migrate, session_factory, unit_of_work
from core.models import User, utcnow

BATCH = 10_000
PASSWORD = "a registered customer's passphrase"
SIGNED_IN = "bench.customer@example.com"


def add_customers(engine, count: int) -> None:
    """`count` registered customers (a password, a verified address), one bcrypt hash for all of them."""
    password_hash, now = accounts.hash_password(PASSWORD), utcnow()
    with engine.begin() as connection:
        start = (connection.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
        for first in range(start, start + count, BATCH):
            connection.execute(insert(User), [
                {"id": n, "email": f"customer{n}@example.com", "name": f"Customer {n}", "role": "customer",
                 "password_hash": password_hash, "locale": "en", "active": True, "email_verified_at": now,
                 "created_at": now} for n in range(first, min(first + BATCH, start + count))])


def _sign_in_times(engine, repeat: int) -> dict[str, float]:
    """Median seconds of accounts.check_sign_in for a known account (right password) and an unknown one."""
    factory, found = session_factory(engine), {}
    for label, email in (("known", SIGNED_IN), ("unknown", "nobody.here@example.com")):
        samples = []
        for _ in range(repeat):
            with unit_of_work(factory) as session:
                start = time.perf_counter()
                accounts.check_sign_in(session, email, PASSWORD)
                samples.append(time.perf_counter() - start)
        found[label] = statistics.median(samples)
    return found


def measure(url: str, count: int, repeat: int) -> list[dict[str, object]]:
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.scalar(select(User.id).where(User.role == "customer").limit(1)) is not None:
            raise SystemExit("bench.accounts needs a database with no customers yet (it adds them)")
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email=SIGNED_IN, name="Bench Customer", password=PASSWORD).email_verified_at \
            = utcnow()
    cases = [pages.PageCase("help center", "app_pages/help_center.py", "", "anonymous"),
             pages.PageCase("my tickets", "app_pages/my_tickets.py", "", "customer", SIGNED_IN)]
    rows = []
    for accounts_now in (0, count):
        if accounts_now:
            add_customers(engine, count)
        with pages.app_environment(url):
            for case in cases:
                case.title = pages.i18n.t("app.welcome" if case.role == "anonymous" else "mine.title", "en")
                rows.append({"page": case.name, "accounts": accounts_now, **pages.render(case, repeat)})
        rows.append({"page": "password check, known / unknown", "accounts": accounts_now,
                     **_sign_in_times(engine, min(repeat, 10))})
    engine.dispose()
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = ["| what | registered customers | cold | median | p95 |", "|---|---:|---:|---:|---:|"]
    for row in rows:
        if "known" in row:
            lines.append(f"| {row['page']} | {row['accounts']:,} | | {row['known'] * 1000:.0f} ms / "
                         f"{row['unknown'] * 1000:.0f} ms | |")
        else:
            lines.append(f"| {row['page']} | {row['accounts']:,} | {row['cold'] * 1000:.0f} ms | "
                         f"{row['median'] * 1000:.1f} ms | {row['p95'] * 1000:.1f} ms |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.accounts", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="registered customers added (default 100000)")
    parser.add_argument("--database", help="database URL (default: a new sqlite:///data/bench/accounts.db)")
    parser.add_argument("--repeat", type=int, default=20, help="timed reruns per page (default 20)")
    args = parser.parse_args(argv)
    url = args.database
    if url is None:
        path = Path("data/bench/accounts.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    print(f"machine: {machine()}", file=sys.stderr)
    print(markdown(measure(url, args.accounts, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
