"""Two app servers (`streamlit run Home.py`, each with its embedded worker) and two `python -m core worker`
processes on one PostgreSQL database and one SMTP server, while work keeps arriving: every email is
delivered once, every automation is applied once, nothing is left half-done.

Work arrives through the services, as the pages and the mail channel write it: new tickets (the
confirmation), agent replies, and tickets that are due for an automation as soon as they exist
(solved five days ago: to close; pending four days: a reminder; pending eight days: to auto-solve;
solved eleven hours ago with the survey delay at ten hours: a late survey), plus this week's digest
for each manager. The SMTP server notes which process delivered each message (the client socket's
owner, from /proc), which shows that all four really worked: the embedded workers start when a
browser session first runs Home.py, which `tests.servers.visit` does (a plain GET of / does not).
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from core.accounts import service as accounts
from core.config import load_settings
from core.db import make_engine, migrate, read_factory, session_factory, unit_of_work
from core.models import Outbox, Product, Survey, Ticket, TicketEvent, utcnow
from core.portal import service as portal
from core.reports import digest
from core.tickets import service as tickets
from tests.conftest import IN_CI, POSTGRES_URL
from tests.mailserver import Inbox, MailServer, free_port
from tests.servers import ROOT, start_streamlit, visit, wait_healthy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FEED_SECONDS = 25  # work keeps arriving this long from the first visit (at least 5 s with all four running)
DRAIN_SECONDS = 40  # then everything due must be done within this
SURVEY_DELAY_MINUTES = 600  # late surveys: solved 11 h ago is due, a ticket solved during the test is not
DAY = timedelta(days=1)


class TracingInbox(Inbox):
    """Keeps every message, and which of the watched processes delivered it."""

    def __init__(self, server_port: int) -> None:
        super().__init__()
        self.server_port = server_port
        self.processes: dict[int, str] = {}  # pid -> name
        self.delivered_by: dict[str, list[str]] = {}  # Message-ID -> names, once per delivery

    async def handle_DATA(self, server, session, envelope):
        if not hasattr(session, "mesa_sender"):  # one lookup per connection; it is open right now
            session.mesa_sender = self._owner(session.peer[1])
        answer = await super().handle_DATA(server, session, envelope)
        message_id = email.parser.BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]
        with self.lock:
            self.delivered_by.setdefault(message_id, []).append(session.mesa_sender)
        return answer

    def _owner(self, client_port: int) -> str:
        """The watched process holding the client end of this loopback connection."""
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if (int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)) == (client_port, self.server_port):
                inode = fields[9]
        for pid, name in list(self.processes.items()):
            try:
                if any(os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return name
            except OSError:
                continue
        return "unknown"

    def senders(self) -> Counter[str]:
        with self.lock:
            return Counter(name for names in self.delivered_by.values() for name in names)


@pytest.fixture
def database():
    """A PostgreSQL database of this test's own, created and dropped here: the servers take its URL."""
    name = f"mesa_two_apps_{os.getpid()}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class Workload:
    """Adds work through the services and remembers what each automation must do once."""

    def __init__(self, factory, settings, agent: int, product: int) -> None:
        self.factory, self.settings, self.agent, self.product = factory, settings, agent, product
        self.count = 0
        self.to_close: list[int] = []
        self.to_remind: list[int] = []
        self.to_auto_solve: list[int] = []
        self.to_survey: list[int] = []
        self.errors: list[BaseException] = []

    def _ticket(self, at) -> int:
        self.count += 1
        n = self.count
        with unit_of_work(self.factory) as session:
            sent = portal.send_ticket(
                session, visitor=portal.Visitor(address=f"10.9.{n // 200}.{n % 200}"), name=f"Customer {n}",
                email=f"customer{n}@example.com", subject=f"Request {n}", description=f"Please help with {n}.",
                kind="question", product_id=self.product, locale="en", uploads=(), settings=self.settings, now=at)
        return sent.ticket_id

    def _reply(self, ticket_id: int, at, status: str | None = None) -> None:
        with unit_of_work(self.factory) as session:
            tickets.add_agent_reply(session, ticket_id, agent_id=self.agent, body="Here is what to do.",
                                    status=status, settings=self.settings, now=at)

    def _solve(self, ticket_id: int, at) -> None:
        with unit_of_work(self.factory) as session:
            tickets.change_status(session, ticket_id, status="solved", actor_id=self.agent, settings=self.settings,
                                  now=at)

    def round(self) -> None:
        """One of each: a new ticket, a reply, and one ticket due for each automation."""
        now = utcnow()
        self._reply(self._ticket(now), now)
        self._ticket(now)
        closing = self._ticket(now - 6 * DAY)
        self._reply(closing, now - 5.5 * DAY)
        self._solve(closing, now - 5 * DAY)
        self.to_close.append(closing)
        waiting = self._ticket(now - 5 * DAY)
        self._reply(waiting, now - 4 * DAY, status="pending")
        self.to_remind.append(waiting)
        silent = self._ticket(now - 9 * DAY)
        self._reply(silent, now - 8 * DAY, status="pending")
        self.to_auto_solve.append(silent)
        late = self._ticket(now - DAY)
        self._reply(late, now - 12 * timedelta(hours=1))
        self._solve(late, now - 11 * timedelta(hours=1))
        self.to_survey.append(late)

    def feed(self, until: threading.Event) -> None:
        try:
            while not until.is_set():
                self.round()
                until.wait(0.2)
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def _wait(condition, timeout: float, what: str, logs: dict[str, Path]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {name}\n{path.read_text(errors='replace')[-3000:]}" for name, path in logs.items())
            raise AssertionError(f"{what} within {timeout} s\n{tails}")
        time.sleep(0.2)


def _per_ticket(session, query) -> dict[int, int]:
    return dict(session.execute(query.group_by(query.selected_columns[0])).all())


def test_two_apps_and_two_workers_on_postgres_deliver_each_email_and_apply_each_automation_once(database, tmp_path):
    started = time.monotonic()
    mail = MailServer()
    inbox = mail.inbox = TracingInbox(mail.port)
    mail.start()
    ports = [free_port(), free_port()]
    env = {**os.environ, "MESA_DATABASE_URL": database, "MESA_DATA_DIR": str(tmp_path), "MESA_SECRET_KEY": "k" * 40,
           "MESA_BASE_URL": f"http://127.0.0.1:{ports[0]}", "MESA_SMTP_HOST": "127.0.0.1",
           "MESA_SMTP_PORT": str(mail.port), "MESA_SMTP_SECURITY": "none", "MESA_IMAP_HOST": "",
           "MESA_CAPTCHA": "off", "MESA_LOCALE": "en", "MESA_EMBEDDED_WORKER": "1",
           "MESA_WORKER_INTERVAL_SECONDS": "0.5", "MESA_SURVEY_DELAY_MINUTES": str(SURVEY_DELAY_MINUTES)}
    settings = load_settings(data_dir=tmp_path, secret_key="k" * 40, base_url=env["MESA_BASE_URL"],
                             survey_delay_minutes=SURVEY_DELAY_MINUTES, _env_file=None)
    engine = make_engine(database)
    factory, reader = session_factory(engine), read_factory(engine)
    with unit_of_work(factory) as session:
        agent = accounts.create_user(session, email="ana@mesa.example", name="Ana Ruiz", role="agent").id
        managers = [accounts.create_user(session, email=f"boss{n}@mesa.example", name=f"Boss {n}",
                                         role="manager").email for n in (1, 2)]
        product = Product(name="Mesa Cloud")
        session.add(product)
        session.flush()
        product_id = product.id
    work = Workload(factory, settings, agent, product_id)
    for _ in range(8):  # due before any worker runs
        work.round()

    phases = {"seeded": time.monotonic() - started}
    logs: dict[str, Path] = {}
    processes: dict[str, subprocess.Popen] = {}
    files = []
    stop_feeding = threading.Event()
    feeder = threading.Thread(target=work.feed, args=(stop_feeding,), name="feeder")
    try:
        for n, port in enumerate(ports, 1):
            logs[f"app{n}"] = tmp_path / f"app{n}.log"
            files.append(open(logs[f"app{n}"], "wb"))  # noqa: SIM115 - closed below
            processes[f"app{n}"] = start_streamlit(port, {**env, "MESA_BASE_URL": f"http://127.0.0.1:{port}"},
                                                   files[-1])
            inbox.processes[processes[f"app{n}"].pid] = f"app{n}"
        for n, port in enumerate(ports, 1):
            wait_healthy(f"http://127.0.0.1:{port}", processes[f"app{n}"], logs[f"app{n}"])
            assert _get(f"http://127.0.0.1:{port}/") == 200
        phases["healthy"] = time.monotonic() - started
        feeder.start()
        feed_until = time.monotonic() + FEED_SECONDS
        drawn = [0, 0]

        def first_visit(n: int) -> None:  # the first visitor starts the server's embedded worker
            drawn[n - 1] = visit(f"http://127.0.0.1:{ports[n - 1]}")

        visits = [threading.Thread(target=first_visit, args=(n,)) for n in (1, 2)]
        for thread in visits:
            thread.start()
        for thread in visits:
            thread.join(timeout=90)
        assert all(drawn), f"a first visit did not finish its run: {drawn}"
        for n in (1, 2):
            _wait(lambda n=n: inbox.senders()[f"app{n}"] > 0, 30, f"app{n}'s embedded worker sent nothing", logs)
        for n in (1, 2):
            logs[f"worker{n}"] = tmp_path / f"worker{n}.log"
            files.append(open(logs[f"worker{n}"], "wb"))  # noqa: SIM115 - closed below
            processes[f"worker{n}"] = subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env,
                                                       stdout=files[-1], stderr=subprocess.STDOUT)
            inbox.processes[processes[f"worker{n}"].pid] = f"worker{n}"
        for n in (1, 2):
            _wait(lambda n=n: inbox.senders()[f"worker{n}"] > 0, 30, f"worker{n} sent nothing", logs)
        phases["all four sending"] = time.monotonic() - started
        time.sleep(max(5.0, feed_until - time.monotonic()))  # at least 5 s with all four at work
        stop_feeding.set()
        feeder.join(timeout=30)
        assert not work.errors, work.errors

        def all_done() -> bool:
            with reader() as session:
                waiting = session.scalar(select(func.count()).where(Outbox.status != "sent"))
                closed = session.scalar(select(func.count()).where(Ticket.id.in_(work.to_close),
                                                                   Ticket.status == "closed"))
                solved = session.scalar(select(func.count()).where(Ticket.id.in_(work.to_auto_solve),
                                                                   Ticket.status == "solved"))
                reminded = session.scalar(select(func.count(TicketEvent.ticket_id.distinct())).where(
                    TicketEvent.ticket_id.in_(work.to_remind), TicketEvent.field == "reminder"))
                surveyed = session.scalar(select(func.count()).where(Survey.ticket_id.in_(work.to_survey)))
            return (waiting, closed, solved, reminded, surveyed) == (
                0, len(work.to_close), len(work.to_auto_solve), len(work.to_remind), len(work.to_survey))

        _wait(all_done, DRAIN_SECONDS, "the outbox and the due automations were not done", logs)
        phases["drained"] = time.monotonic() - started
        time.sleep(1.5)  # a few more passes of every worker over nothing
        assert {name: p.poll() for name, p in processes.items()} == dict.fromkeys(processes), "a process died"
    finally:
        stop_feeding.set()
        if feeder.is_alive():
            feeder.join(timeout=30)
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
        for file in files:
            file.close()
        mail.stop()

    outputs = {name: path.read_text(errors="replace") for name, path in logs.items()}
    with reader() as session:
        rows = list(session.scalars(select(Outbox)))
        closes = _per_ticket(session, select(TicketEvent.ticket_id, func.count()).where(
            TicketEvent.field == "status", TicketEvent.new == "closed"))
        solves = _per_ticket(session, select(TicketEvent.ticket_id, func.count()).where(
            TicketEvent.field == "status", TicketEvent.new == "solved", TicketEvent.actor_id.is_(None)))
        reminders = _per_ticket(session, select(TicketEvent.ticket_id, func.count()).where(
            TicketEvent.field == "reminder"))
        survey_rows = _per_ticket(session, select(Survey.ticket_id, func.count()))
        emails = Counter((row.ticket_id, row.template) for row in rows)
        digests = Counter(row.to_address for row in rows if row.template == digest.TEMPLATE)

    # every email: claimed once, sent once, accepted by the server once, by exactly one process
    assert Counter(row.status for row in rows) == {"sent": len(rows)}
    assert [row.id for row in rows if row.attempts != 1] == []
    assert sorted(inbox.delivered_by) == sorted(row.message_id for row in rows)
    assert {mid: names for mid, names in inbox.delivered_by.items() if len(names) != 1} == {}
    senders = inbox.senders()
    assert set(senders) == {"app1", "app2", "worker1", "worker2"}, senders
    # every automation: once per ticket, with its one email
    assert closes == dict.fromkeys(work.to_close, 1)
    assert all(emails[ticket_id, "ticket_closed"] == 1 for ticket_id in work.to_close)
    assert solves == dict.fromkeys(work.to_auto_solve, 1)
    assert reminders == dict.fromkeys(work.to_remind, 1)  # none to a ticket due for auto-solve
    assert survey_rows == dict.fromkeys(work.to_survey, 1)  # none to a ticket due to close
    templates = Counter(template for _, template in emails.elements())
    assert (templates["pending_reminder"], templates["ticket_solved"]) == (len(reminders), len(survey_rows))
    assert all(emails[ticket_id, "pending_reminder"] == 1 for ticket_id in work.to_remind)
    assert all(emails[ticket_id, "ticket_solved"] == 1 for ticket_id in work.to_survey)
    expected = 1 if digest.due_since(utcnow(), settings.timezone) else 0
    assert digests == {address: expected for address in managers if expected}
    # no process hit an error on the way (a conflict is logged without a traceback and retried)
    assert {name: out.count("Traceback") for name, out in outputs.items()} == dict.fromkeys(outputs, 0), outputs
    assert all("worker started" in outputs[f"worker{n}"] for n in (1, 2))
    engine.dispose()
    print(f"\n{len(rows)} emails for {work.count} tickets; delivered by {dict(senders)}; "
          f"{len(closes)} closed, {len(solves)} auto-solved, {len(reminders)} reminded, {len(survey_rows)} surveyed, "
          f"{sum(digests.values())} digests; {time.monotonic() - started:.0f} s "
          f"({', '.join(f'{name} at {at:.0f} s' for name, at in phases.items())})")

