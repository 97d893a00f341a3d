"""python -m bench.load: agents racing on shared tickets, customers submitting, two dispatchers.

Everything runs on loopback and stops after `--seconds`:

- `--agents` threads (spread over `--processes` processes) each read a shared ticket's
  version, then reply to it with a status ("submit as") through core.tickets.service.add_agent_reply
  with that expected_version, in their own unit of work, so agents collide and conflicts happen;
- one thread submits tickets through core.portal.service.send_ticket at `--tickets-per-minute`;
- two threads run the outbox dispatcher (core.mail.sender.dispatch) against a loopback SMTP
  server (tests.mailserver.MailServer), then drain the outbox once the load stops.

At the end the database and the mail server are checked: every successful reply and
submission wrote its message exactly once; every ConflictError (and any other error) reached
its caller and wrote nothing; no message appeared that no caller got a success for; each
ticket's message events match its messages; every email went out, and no Message-ID arrived
twice. Throughput and p50/p95 latency per operation are printed as a markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.stats import percentile
from core.accounts import service as accounts
from core.config import Settings, load_settings
from core.db import make_engine, migrate, read_factory, session_factory, unit_of_work
from core.errors import ConflictError, DomainError
from core.mail import sender
from core.models import Message, Outbox, Ticket, TicketEvent
from core.portal import service as portal
from core.tickets import service as tickets
from core.tickets import workflow
from tests.mailserver import MailServer, smtp_settings

REPLY_STATUSES = (workflow.OPEN, workflow.PENDING, workflow.ON_HOLD, workflow.SOLVED)
DRAIN_SECONDS = 120


@dataclass(frozen=True)
class Call:
    """One service call as its caller saw it: `outcome` is ok, conflict, refused or error."""

    op: str
    outcome: str
    seconds: float
    body: str
    error: str = ""


@dataclass
class Result:
    backend: str
    seconds: float
    agents: int
    processes: int
    calls: list[Call]
    emails_sent: int = 0
    problems: list[str] = field(default_factory=list)

    def count(self, op: str, outcome: str) -> int:
        return sum(1 for c in self.calls if c.op == op and c.outcome == outcome)


# ---------------------------------------------------------------- the actors

def _timed(op: str, body: str, action: Callable[[], object]) -> Call:
    start = time.perf_counter()
    try:
        action()
    except ConflictError as exc:
        return Call(op, "conflict", time.perf_counter() - start, body, str(exc)[:200])
    except DomainError as exc:
        return Call(op, "refused", time.perf_counter() - start, body, f"{exc.__class__.__name__}: {exc}"[:200])
    except Exception as exc:  # a database error is a result to report, not a crash
        return Call(op, "error", time.perf_counter() - start, body, f"{exc.__class__.__name__}: {exc}"[:300])
    return Call(op, "ok", time.perf_counter() - start, body)


def _agent(factory: sessionmaker[Session], reader: sessionmaker[Session], settings: Settings, agent_id: int,
           ticket_ids: list[int], deadline: float, marker: str, calls: list[Call], seed: int) -> None:
    rng = random.Random(seed)
    number = 0
    while time.monotonic() < deadline:
        ticket_id = rng.choice(ticket_ids)
        with reader() as session:
            ticket = session.get(Ticket, ticket_id)
            version, status = ticket.version, ticket.status
        choices = [s for s in REPLY_STATUSES if s == status or workflow.can_transition(status, s)]
        target = rng.choice(choices)
        number += 1
        body = f"{marker}reply a{agent_id} n{number} -> {target}"
        time.sleep(rng.uniform(0, 0.01))  # the agent types: others may answer meanwhile

        def reply(ticket_id: int = ticket_id, body: str = body, target: str = target, version: int = version) -> None:
            with unit_of_work(factory) as session:
                tickets.add_agent_reply(session, ticket_id, agent_id=agent_id, body=body, status=target,
                                        expected_version=version, settings=settings)

        calls.append(_timed("reply", body, reply))


def run_agents(engine: Engine, settings: Settings, agent_ids: list[int], ticket_ids: list[int], seconds: float,
               marker: str, seed: int = 0) -> list[Call]:
    """Agent threads until `seconds` have passed; each call as its caller saw it."""
    factory, reader = session_factory(engine), read_factory(engine)
    deadline = time.monotonic() + seconds
    calls: list[Call] = []
    threads = [threading.Thread(target=_agent, args=(factory, reader, settings, agent_id, ticket_ids, deadline,
                                                     marker, calls, seed * 1000 + agent_id))
               for agent_id in agent_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return calls


def _agents_in_process(url: str, settings: Settings, agent_ids: list[int], ticket_ids: list[int], seconds: float,
                       marker: str, seed: int) -> list[Call]:
    engine = make_engine(url, **_pool(len(agent_ids)))
    try:
        return run_agents(engine, settings, agent_ids, ticket_ids, seconds, marker, seed)
    finally:
        engine.dispose()


def _submitter(factory: sessionmaker[Session], settings: Settings, per_minute: float, deadline: float,
               marker: str, calls: list[Call]) -> None:
    interval = 60.0 / per_minute
    next_at = time.monotonic()
    number = 0
    while next_at < deadline:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += interval
        number += 1
        body = f"{marker}submission {number}: the export button does nothing."
        visitor = portal.Visitor(address=f"10.9.{number // 250 % 250}.{number % 250}")
        email = f"load-{number}-{uuid.uuid4().hex[:8]}@example.com"

        def submit(body: str = body, visitor: portal.Visitor = visitor, email: str = email) -> None:
            with unit_of_work(factory) as session:
                portal.send_ticket(session, visitor=visitor, name="Load Customer", email=email,
                                   subject="Export does nothing", description=body, kind="incident",
                                   product_id=None, locale="en", uploads=(), settings=settings)

        calls.append(_timed("submit", body, submit))


def _dispatcher(factory: sessionmaker[Session], settings: Settings, stop: threading.Event, calls: list[Call]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        try:
            report = sender.dispatch(factory, settings)
        except Exception as exc:  # reported, and the dispatcher keeps going
            calls.append(Call("dispatch", "error", time.perf_counter() - start, "",
                              f"{exc.__class__.__name__}: {exc}"[:300]))
            time.sleep(0.05)
            continue
        if report.sent or report.retry:
            calls.append(Call("dispatch", "ok", time.perf_counter() - start, f"{len(report.sent)}"))
        else:
            time.sleep(0.05)


# ---------------------------------------------------------------- setup and checks

def _pool(threads: int) -> dict[str, int]:
    return {"pool_size": threads + 5, "max_overflow": 10}


def seed(engine: Engine, settings: Settings, agents: int, shared: int, marker: str) -> tuple[list[int], list[int]]:
    """`agents` staff accounts and `shared` tickets they will all answer."""
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        agent_ids = [accounts.create_user(session, email=f"agent{n}-{uuid.uuid4().hex[:8]}@mesa.example",
                                          name=f"Agent {n}", role="agent").id for n in range(agents)]
        ticket_ids = [tickets.create_ticket(session, name=f"Customer {n}", email=f"shared{n}@example.com",
                                            subject=f"Shared ticket {n}", description=f"{marker}shared {n}",
                                            settings=settings).id
                      for n in range(shared)]
    return agent_ids, ticket_ids


def check(engine: Engine, calls: list[Call], ticket_ids: list[int], marker: str, inbox_ids: list[str]) -> list[str]:
    """What went wrong: lost, doubled or phantom writes; unsent or doubled emails."""
    problems: list[str] = []
    with session_factory(engine)() as session:
        stored = Counter(dict(session.execute(
            select(Message.body, func.count()).where(Message.body.like(f"{marker}%")).group_by(Message.body)).all()))
        message_counts = dict(session.execute(
            select(Message.ticket_id, func.count()).group_by(Message.ticket_id)).all())
        event_counts = dict(session.execute(
            select(TicketEvent.ticket_id, func.count()).where(TicketEvent.field == "message")
            .group_by(TicketEvent.ticket_id)).all())
        outbox = session.execute(select(Outbox.message_id, Outbox.status)).all()
    expected = {c.body for c in calls if c.op in ("reply", "submit") and c.outcome == "ok"}
    failed = {c.body for c in calls if c.op in ("reply", "submit") and c.outcome != "ok"}
    for body in expected:
        if stored[body] != 1:
            problems.append(f"lost or doubled write: {body!r} stored {stored[body]} times")
    for body in failed:
        if stored[body]:
            problems.append(f"a failed call wrote: {body!r} stored {stored[body]} times")
    seeded = {f"{marker}shared {n}" for n in range(len(ticket_ids))}
    for body in set(stored) - expected - failed - seeded:
        problems.append(f"phantom write nobody was told about: {body!r}")
    for ticket_id, messages in message_counts.items():
        if event_counts.get(ticket_id, 0) != messages:
            problems.append(f"ticket {ticket_id}: {messages} messages but {event_counts.get(ticket_id, 0)} events")
    unsent = Counter(status for _, status in outbox if status != sender.SENT)
    if unsent:
        problems.append(f"emails not sent: {dict(unsent)}")
    received = Counter(inbox_ids)
    doubled = {mid: n for mid, n in received.items() if n > 1}
    if doubled:
        problems.append(f"{len(doubled)} Message-IDs received more than once, e.g. {next(iter(doubled))}")
    missing = {mid for mid, status in outbox if status == sender.SENT} - set(received)
    if missing:
        problems.append(f"{len(missing)} emails marked sent never reached the server")
    return problems


def _drain(factory: sessionmaker[Session], settings: Settings, calls: list[Call]) -> None:
    """Two dispatchers until the outbox has nothing queued (or DRAIN_SECONDS pass)."""
    stop = threading.Event()
    threads = [threading.Thread(target=_dispatcher, args=(factory, settings, stop, calls)) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        with factory() as session:
            if not session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != sender.SENT)):
                break
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()


def run(engine: Engine, settings: Settings, *, seconds: float, agents: int, tickets_per_minute: float,
        processes: int = 1, shared: int = 10, url: str | None = None) -> Result:
    """The whole load: seed, race, drain the outbox, check. `url` is needed for processes > 1."""
    marker = f"[load {uuid.uuid4().hex[:8]}] "
    agent_ids, ticket_ids = seed(engine, settings, agents, shared, marker)
    server = MailServer().start()
    settings = smtp_settings(settings, server.port, smtp_timeout_seconds=10)
    factory = session_factory(engine)
    calls: list[Call] = []
    stop = threading.Event()
    dispatchers = [threading.Thread(target=_dispatcher, args=(factory, settings, stop, calls)) for _ in range(2)]
    started = time.monotonic()
    try:
        for thread in dispatchers:
            thread.start()
        submitter = threading.Thread(target=_submitter, args=(factory, settings, tickets_per_minute,
                                                               started + seconds, marker, calls))
        submitter.start()
        chunks = [agent_ids[n::processes] for n in range(processes)]
        others = []
        if processes > 1:
            pool = ProcessPoolExecutor(processes - 1, mp_context=get_context("spawn"))
            others = [pool.submit(_agents_in_process, url, settings, chunk, ticket_ids, seconds, marker, n)
                      for n, chunk in enumerate(chunks[1:], start=1)]
        calls.extend(run_agents(engine, settings, chunks[0], ticket_ids, seconds, marker))
        for future in others:
            calls.extend(future.result())
        if processes > 1:
            pool.shutdown()
        submitter.join()
        elapsed = time.monotonic() - started
        stop.set()
        for thread in dispatchers:
            thread.join()
        _drain(factory, settings, calls)
    finally:
        server.stop()
    inbox_ids = server.inbox.ids()
    result = Result(engine.dialect.name, elapsed, agents, processes, calls, emails_sent=len(inbox_ids))
    result.problems = check(engine, calls, ticket_ids, marker, inbox_ids)
    return result


# ---------------------------------------------------------------- report

def markdown(result: Result) -> str:
    lines = [f"{result.backend}: {result.agents} agents in {result.processes} process(es), "
             f"{result.seconds:.0f} s, {result.emails_sent} emails received",
             "", "| operation | ok | conflicts | refused | errors | ok per second | p50 ms | p95 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for op in ("reply", "submit", "dispatch"):
        done = [c.seconds for c in result.calls if c.op == op and c.outcome in ("ok", "conflict")]
        ok = result.count(op, "ok")
        lines.append(f"| {op} | {ok} | {result.count(op, 'conflict')} | {result.count(op, 'refused')} | "
                     f"{result.count(op, 'error')} | {ok / result.seconds:.1f} | "
                     f"{statistics.median(done) * 1000 if done else float('nan'):.0f} | "
                     f"{percentile(done, 0.95) * 1000:.0f} |")
    errors = Counter(c.error.split(":")[0] + ": " + c.error.split(":", 1)[-1][:80]
                     for c in result.calls if c.outcome in ("error", "refused"))
    for error, n in errors.most_common(5):
        lines.append(f"\n{n} × {error}")
    lines.append("")
    lines.append("invariants: " + ("all hold (no lost, doubled or phantom writes; every conflict reported and "
                                   "wrote nothing; every email sent once)" if not result.problems
                                   else f"{len(result.problems)} problems"))
    lines.extend(f"- {problem}" for problem in result.problems[:20])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--processes", type=int, default=1, help="spread the agents over this many processes")
    parser.add_argument("--tickets-per-minute", type=float, default=100)
    parser.add_argument("--shared-tickets", type=int, default=10, help="tickets the agents all answer")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="mesa-load-"))
    url = args.database or f"sqlite:///{folder / 'mesa.db'}"
    migrate(url)
    engine = make_engine(url, **_pool(args.agents + 4))
    settings = load_settings(data_dir=folder, database_url=url, secret_key="load-" * 8, _env_file=None)
    result = run(engine, settings, seconds=args.seconds, agents=args.agents,
                 tickets_per_minute=args.tickets_per_minute, processes=args.processes,
                 shared=args.shared_tickets, url=url)
    engine.dispose()
    print(markdown(result))
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
