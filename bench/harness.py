"""What python -m bench measures, and how.

Every operation goes through the same core functions the pages call, each in its own
session or unit of work (opening and committing included). An operation runs once
"cold" (the first call in this process: SQL statements not yet compiled, pages not yet
in SQLite's cache; the operating system's file cache is not dropped) and then `repeat`
more times; the median and the 95th percentile (nearest rank) are of those runs.
Targets are issue 7's, which are set for 1M tickets on SQLite and 2 cores.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import make_url

from bench import pages as bench_pages
from bench.stats import percentile
from core import events
from core.config import Settings, get_settings
from core.db import make_engine, migrate, read_factory, session_factory, unit_of_work
from core.mail import sender
from core.models import Message, Outbox, Ticket, User, utcnow
from core.portal import service as portal
from core.reports import satisfaction, times
from core.reports.common import Period
from core.reports.overview import overview as overview_strip
from core.tickets import queues, search, workbench
from core.tickets import service as tickets
from core.tickets.attachments import Upload
from demo import seed as demo
from tests.mailserver import free_port, smtp_settings

MB = 1 << 20
BASELINE_REPEAT = 5  # reading whole tables is slow: fewer runs
EMAILS_PER_ROUND, DISPATCH_ROUNDS = 200, 3
SEARCH_WORD = "password"
# name -> (target in seconds, which figure it applies to); dashboards: 1 s cold for 365 days, 300 ms median for 30
TARGETS = {"create": (0.030, "median"), "reply": (0.030, "median"), "view": (0.150, "median"),
           "search": (0.300, "median"), "open": (0.100, "median"), "dashboard 365": (1.0, "cold"),
           "dashboard 30": (0.300, "median")}
# the REST API's server time (issue 21, set at 100k): bench.api's operations, through the whole app
TARGETS.update({"api create": (0.040, "median"), "api get": (0.015, "median"), "api list": (0.030, "median")})
API_ROWS = {"create a ticket": "api create", "get a ticket": "api get", "list a page of a view": "api list"}
BASELINE_RATIO, EMAILS_PER_SECOND, PEAK_MB = 20, 50, 600
PAGE_COLD, PAGE_RERUN = 1.5, 0.300  # seconds: every page's server-side render, cold and on a cached rerun


# ---------------------------------------------------------------- timing

def timed(run: Callable[[int], object], repeat: int) -> dict[str, float]:
    """Seconds: the first run (cold), then the median and p95 of `repeat` runs; `run` gets the run's number."""
    samples = []
    for number in range(repeat + 1):
        start = time.perf_counter()
        run(number)
        samples.append(time.perf_counter() - start)
    return {"cold": samples[0], "median": statistics.median(samples[1:]), "p95": percentile(samples[1:], 0.95)}


# ---------------------------------------------------------------- the database

def prepare(url: str, count: int, days: int) -> tuple[Engine, float | None]:
    """A migrated database with at least `count` tickets (bulk-seeded when short); seconds spent seeding."""
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        have = connection.scalar(select(func.count()).select_from(Ticket)) or 0
    if have >= count:
        return engine, None
    start = time.perf_counter()
    demo.seed(session_factory(engine), tickets=count - have, days=days, seed=7 + have,
              progress=lambda done: print(f"  seeded {done} tickets...", file=sys.stderr, flush=True))
    return engine, time.perf_counter() - start


def machine() -> dict[str, object]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), None)
    return {"cpus": os.cpu_count(), "cpu": model, "ram_mb": memory, "python": platform.python_version(),
            "load_before": os.getloadavg()}


# ---------------------------------------------------------------- fixtures made once per run

def _bench_settings(url: str) -> Settings:
    return get_settings().model_copy(update={
        "database": url, "tickets_per_email_hour": 10**9, "tickets_per_address_hour": 10**9})


def _long_ticket(factory, settings: Settings, agent: int, messages: int = 20) -> int:
    """A ticket with `messages` messages, customer and agent in turn."""
    with unit_of_work(factory) as session:
        events.quiet(session)
        ticket = tickets.create_ticket(session, name="Long Story", email="long.story@example.com",
                                       subject="A long conversation about exports", settings=settings,
                                       description="The export stops half-way.", kind="incident")
        for number in range(1, messages):
            if number % 2:
                tickets.add_agent_reply(session, ticket.id, agent_id=agent, body=f"Answer {number}: try again?",
                                        status="pending", settings=settings)
            else:
                tickets.add_customer_message(session, ticket.id, body=f"Message {number}: still failing.",
                                             settings=settings)
        return ticket.id


def _agent(session) -> int:
    return session.scalar(select(User.id).where(User.role == "agent").order_by(User.id))


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


# ---------------------------------------------------------------- the operations

def operations(engine: Engine, settings: Settings, repeat: int,
               long_id: int) -> list[tuple[str, str, Callable[[int], object]]]:
    """(name, target key, run) of every timed operation; `long_id` is a ticket with 20 messages."""
    factory, reader = session_factory(engine), read_factory(engine)
    with reader() as session:
        agent = _agent(session)
        live = list(session.execute(select(Ticket.id, Ticket.status).where(Ticket.status != "closed")
                                    .order_by(Ticket.id.desc()).limit(repeat + 1)))
    files = [_pdf(MB) for _ in range(repeat + 1)]
    now = utcnow()
    zone = settings.timezone

    def create(number: int) -> None:
        with unit_of_work(factory) as session:
            portal.send_ticket(session, visitor=portal.Visitor(address=f"198.51.100.{number % 250}"),
                               name="Bench Customer", email=f"bench{uuid.uuid4().hex[:12]}@example.com",
                               subject="Export fails with a large file", description="The report is attached.",
                               kind="incident", product_id=None, locale="en",
                               uploads=[Upload("report.pdf", files[number])], settings=settings)

    def reply(number: int) -> None:
        ticket_id, status = live[number % len(live)]
        with unit_of_work(factory) as session:
            tickets.add_agent_reply(session, ticket_id, agent_id=agent, body="Could you send the log?",
                                    status="open" if status == "pending" else "pending", settings=settings)
        live[number % len(live)] = (ticket_id, "open" if status == "pending" else "pending")

    def reading(work: Callable) -> Callable[[int], object]:
        def run(_number: int) -> object:
            with reader() as session:
                return work(session)
        return run

    found: list[tuple[str, str, Callable[[int], object]]] = [
        ("create a ticket with a 1 MB attachment", "create", create),
        ("agent reply with status change", "reply", reply),
        ("queue counts (all views)", "view", reading(lambda s: queues.counts(s, user_id=agent))),
    ]
    for view in queues.VIEWS:
        found.append((f"first page: {view}", "view", reading(lambda s, v=view: queues.page(s, v, user_id=agent))))
    filters = queues.Filters(priorities=("high", "urgent"), kinds=("incident",))
    found += [
        ("filtered view (open, high+urgent incidents, by due)", "view",
         reading(lambda s: queues.page(s, "open", user_id=agent, filters=filters, sort="due"))),
        (f"full-text search '{SEARCH_WORD}' (ids, all tickets)", "search",
         reading(lambda s: search.search_ids(s, SEARCH_WORD))),
        (f"view 'open' filtered by text '{SEARCH_WORD}'", "search",
         reading(lambda s: queues.page(s, "open", user_id=agent, filters=queues.Filters(text=SEARCH_WORD)))),
        ("open a ticket with 20 messages", "open", reading(lambda s: workbench.load(s, long_id))),
    ]
    for days in (365, 30):
        period = Period.last(days, now)
        found += [
            (f"satisfaction dashboard, {days} days", f"dashboard {days}", reading(
                lambda s, p=period: (satisfaction.summary(s, p), satisfaction.trend(s, p, zone=zone),
                                     satisfaction.breakdown(s, p, by="agent")))),
            (f"response-times dashboard, {days} days", f"dashboard {days}", reading(
                lambda s, p=period: (times.summary(s, p), times.breakdown(s, p, by="priority"),
                                     times.backlog(s, now=now), times.heatmap(s, p, zone=zone)))),
        ]
    found.append(("workbench overview strip", "dashboard 30", reading(lambda s: overview_strip(s, zone=zone))))
    return found


# ---------------------------------------------------------------- the pandas baseline

def _naive(moment: datetime) -> pd.Timestamp:
    return pd.Timestamp(moment.replace(tzinfo=None))


def pandas_summary(engine: Engine, period: Period) -> dict[str, float | None]:
    """The satisfaction and response-time headline numbers the way a typical Streamlit app gets them:
    whole tables into DataFrames, then pandas."""
    with engine.connect() as connection:
        surveys = pd.read_sql("SELECT * FROM surveys", connection, parse_dates=["sent_at", "responded_at"])
        ticket_rows = pd.read_sql("SELECT * FROM tickets", connection, parse_dates=["created_at", "solved_at"])
        metric_rows = pd.read_sql("SELECT * FROM ticket_metrics", connection)
    start, end = _naive(period.start), _naive(period.end)
    answered = surveys[(surveys.responded_at >= start) & (surveys.responded_at < end) & surveys.score.notna()]
    sent = surveys[(surveys.sent_at >= start) & (surveys.sent_at < end)]
    joined = ticket_rows.merge(metric_rows, left_on="id", right_on="ticket_id")
    created = joined[(joined.created_at >= start) & (joined.created_at < end)].first_reply_minutes.dropna()
    solved = joined[(joined.solved_at >= start) & (joined.solved_at < end)].full_resolution_minutes.dropna()

    def quantile(values: pd.Series, share: float) -> float | None:
        return None if values.empty else round(float(values.quantile(share)), 1)

    return {
        "csat": round(100 * float((answered.score >= 4).mean()), 1) if len(answered) else None,
        "average": round(float(answered.score.mean()), 2) if len(answered) else None,
        "response_rate": round(100 * int(sent.score.notna().sum()) / len(sent), 1) if len(sent) else None,
        "first_reply_median": quantile(created, 0.5), "first_reply_p90": quantile(created, 0.9),
        "resolution_median": quantile(solved, 0.5), "resolution_p90": quantile(solved, 0.9),
    }


def sql_summary(engine: Engine, period: Period) -> dict[str, float | None]:
    """The same numbers from Mesa's dashboards (aggregated in SQL)."""
    with read_factory(engine)() as session:
        happy = satisfaction.summary(session, period)
        speed = times.summary(session, period)
    return {"csat": happy.csat, "average": happy.average, "response_rate": happy.response_rate,
            **{key: speed[key] for key in ("first_reply_median", "first_reply_p90", "resolution_median",
                                           "resolution_p90")}}


def baseline(engine: Engine, now: datetime, repeat: int) -> list[dict[str, object]]:
    rows = []
    for days in (30, 365):
        period = Period.last(days, now)
        ours = timed(lambda _n, p=period: sql_summary(engine, p), repeat)
        theirs = timed(lambda _n, p=period: pandas_summary(engine, p), min(repeat, BASELINE_REPEAT))
        a, b = sql_summary(engine, period), pandas_summary(engine, period)
        rows.append({"days": days, "sql": ours, "pandas": theirs, "ratio": theirs["median"] / ours["median"],
                     "agree": a == b, "sql_numbers": a, "pandas_numbers": b})
    return rows


# ---------------------------------------------------------------- the dispatcher

class _Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def dispatcher(engine: Engine, settings: Settings) -> dict[str, object]:
    """Emails per second sent by core.mail.sender.dispatch to a loopback aiosmtpd server."""
    from aiosmtpd.controller import Controller

    factory = session_factory(engine)
    port = free_port()
    controller = Controller(_Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    smtp = smtp_settings(settings, port)
    rates = []
    try:
        with unit_of_work(factory) as session:  # what other operations queued goes first, untimed
            session.execute(Outbox.__table__.update().where(Outbox.status == "queued").values(status="sent"))
        for _ in range(DISPATCH_ROUNDS):
            now = utcnow() - timedelta(seconds=1)
            with engine.begin() as connection:
                connection.execute(insert(Outbox), [{
                    "template": "bench", "to_address": f"customer{n}@example.com", "locale": "en",
                    "subject": f"[#{n}] Your ticket", "body_text": "Hello,\n\nWe answered your ticket.\n" * 10,
                    "body_html": None, "message_id": f"<bench-{uuid.uuid4().hex}@mesa.localhost>",
                    "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now}
                    for n in range(EMAILS_PER_ROUND)])
            start, sent = time.perf_counter(), 0
            while report := sender.dispatch(factory, smtp):
                if not (report.sent or report.retry):
                    break
                sent += len(report.sent)
            rates.append(sent / (time.perf_counter() - start))
    finally:
        controller.stop()
    return {"emails": EMAILS_PER_ROUND, "rounds": DISPATCH_ROUNDS, "per_second": statistics.median(rates),
            "all": rates}


# ---------------------------------------------------------------- the run

def run(url: str, *, tickets: int, repeat: int, days: int, profile: str | None = None) -> dict[str, object]:
    info = machine()
    started = time.perf_counter()
    engine, seeded = prepare(url, tickets, days)
    settings = _bench_settings(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(Ticket))
        messages = connection.scalar(select(func.count()).select_from(Message))
    with read_factory(engine)() as session:
        agent = _agent(session)
    long_id = _long_ticket(session_factory(engine), settings, agent)
    rows = []
    for name, target, run_one in operations(engine, settings, repeat, long_id):
        if profile and profile in name:
            _profile(name, run_one)
        result = timed(run_one, repeat)
        rows.append({"name": name, "target": target, **result, "met": _met(target, result)})
        print(f"  {name}: {result['median'] * 1000:.1f} ms", file=sys.stderr, flush=True)

    rows += _api_rows(engine, url, count, repeat)

    def page_done(name: str, result: dict[str, float]) -> None:
        print(f"  page {name}: {result['cold'] * 1000:.0f} ms cold, {result['median'] * 1000:.0f} ms rerun",
              file=sys.stderr, flush=True)

    before_pages = _maxrss_mb()
    rendered = bench_pages.measure(url, engine, long_id, repeat, progress=page_done, profiled=profile)
    for row in rendered:
        row["met_cold"], row["met_rerun"] = row["cold"] <= PAGE_COLD, row["median"] <= PAGE_RERUN
    mail = dispatcher(engine, settings)
    # Mesa's peak is taken here, before the pandas baseline reads whole tables into this process.
    peak = _maxrss_mb()
    compared = baseline(engine, utcnow(), repeat)
    peak_with_baseline = _maxrss_mb()
    engine.dispose()
    return {"machine": info, "command": " ".join(["python -m bench", *sys.argv[1:]]),
            "database": make_url(url).render_as_string(hide_password=True), "dialect": engine.dialect.name,
            "tickets": count, "messages": messages, "seed_seconds": seeded, "repeat": repeat, "rows": rows,
            "pages": rendered, "baseline": compared, "dispatcher": mail, "peak_mb": peak,
            "peak_with_baseline_mb": peak_with_baseline, "peak_before_pages_mb": before_pages,
            "seconds": time.perf_counter() - started,
            "load_after": os.getloadavg()}


def _api_rows(engine: Engine, url: str, count: int, repeat: int) -> list[dict[str, object]]:
    """Issue 21's REST API rows (bench.api.server_times: the app's own Server-Timing); the throughput under load
    needs a server and a load generator: python -m bench.api --seconds S."""
    from bench import api as bench_api  # it imports this module

    rows = []
    for name, result in bench_api.server_times(engine, url, count, repeat).items():
        seconds = {figure: value / 1000 for figure, value in result.items()}
        target = API_ROWS[name]
        rows.append({"name": f"API (issue 21, target at 100k): {name}, server time", "target": target, **seconds,
                     "met": _met(target, seconds)})
        print(f"  API {name}: {result['median']:.1f} ms", file=sys.stderr, flush=True)
    return rows


def _maxrss_mb() -> float:
    """This process's peak resident set so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _met(target: str, result: dict[str, float]) -> bool:
    limit, figure = TARGETS[target]
    return result[figure] <= limit


def _profile(name: str, run_one: Callable[[int], object], runs: int = 5) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:  # pragma: no cover
        print("pyinstrument is not installed (pip install pyinstrument)", file=sys.stderr)
        return
    profiler = Profiler(interval=0.0005)
    with contextlib.ExitStack():
        profiler.start()
        for number in range(runs):
            run_one(number)
        profiler.stop()
    print(f"\n### Profile: {name} ({runs} runs)\n", file=sys.stderr)
    print(profiler.output_text(unicode=False, color=False, show_all=False), file=sys.stderr)


# ---------------------------------------------------------------- the table

def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def markdown(report: dict) -> str:
    info = report["machine"]
    lines = [
        f"**{report['tickets']:,} tickets, {report['messages']:,} messages, {report['dialect']}** "
        f"({report['database']}); {info['cpus']} CPUs ({info['cpu']}), {info['ram_mb']:,} MB RAM, "
        f"Python {info['python']}; load average before {info['load_before'][0]:.1f}, "
        f"after {report['load_after'][0]:.1f}; {report['repeat']} runs per operation"
        + (f"; seeded in {report['seed_seconds']:.1f} s" if report["seed_seconds"] else "") + ".",
        "",
        "| operation | cold ms | median ms | p95 ms | target (issue 7, at 1M) | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in report["rows"]:
        limit, figure = TARGETS[row["target"]]
        lines.append(f"| {row['name']} | {_ms(row['cold'])} | {_ms(row['median'])} | {_ms(row['p95'])} "
                     f"| ≤ {_ms(limit)} ms {figure} | {'met' if row['met'] else 'MISSED'} |")
    for row in report.get("pages", []):
        verdict = "met" if row["met_cold"] and row["met_rerun"] else "MISSED (" + ", ".join(
            what for what, ok in (("cold", row["met_cold"]), ("rerun", row["met_rerun"])) if not ok) + ")"
        lines.append(f"| page: {row['name']} ({row['role']}) | {_ms(row['cold'])} "
                     f"| {_ms(row['median'])} | {_ms(row['p95'])} | ≤ {_ms(PAGE_COLD)} ms cold, "
                     f"≤ {_ms(PAGE_RERUN)} ms median | {verdict} |")
    for row in report["baseline"]:
        lines.append(f"| headline numbers, {row['days']} days: SQL (Mesa) | {_ms(row['sql']['cold'])} "
                     f"| {_ms(row['sql']['median'])} | {_ms(row['sql']['p95'])} | | |")
        lines.append(f"| headline numbers, {row['days']} days: pandas baseline | {_ms(row['pandas']['cold'])} "
                     f"| {_ms(row['pandas']['median'])} | {_ms(row['pandas']['p95'])} "
                     f"| ≥ {BASELINE_RATIO}× faster: **{row['ratio']:.1f}×**, same numbers: "
                     f"{'yes' if row['agree'] else 'NO'} | {'met' if row['ratio'] >= BASELINE_RATIO else 'MISSED'} |")
    mail = report["dispatcher"]
    lines.append(f"| dispatcher to local aiosmtpd ({mail['emails']} emails × {mail['rounds']}) | | "
                 f"**{mail['per_second']:.0f} emails/s** | | ≥ {EMAILS_PER_SECOND}/s "
                 f"| {'met' if mail['per_second'] >= EMAILS_PER_SECOND else 'MISSED'} |")
    lines.append(f"| peak memory of the process (maxrss), before the pandas baseline | | "
                 f"**{report['peak_mb']:.0f} MB** | | < {PEAK_MB} MB "
                 f"| {'met' if report['peak_mb'] < PEAK_MB else 'MISSED'} |")
    if "peak_before_pages_mb" in report:
        lines.append(f"| peak memory before the page renders (the operations above only) | | "
                     f"{report['peak_before_pages_mb']:.0f} MB | | | |")
    if "peak_with_baseline_mb" in report:
        lines.append(f"| peak memory after the pandas baseline too (not Mesa's figure) | | "
                     f"{report['peak_with_baseline_mb']:.0f} MB | | | |")
    for row in report["baseline"]:
        if not row["agree"]:
            lines.append(f"\nThe {row['days']}-day numbers differ: SQL {row['sql_numbers']}, "
                         f"pandas {row['pandas_numbers']}.")
    return "\n".join(lines)
