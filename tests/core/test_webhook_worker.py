"""The real worker process (`python -m core worker`) posts the webhooks of a change, signed, once each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.accounts import service as accounts
from core.db import make_engine, migrate, session_factory, unit_of_work
from core.hooks import endpoints
from core.tickets import service as tickets
from tests.webhookreceiver import Receiver, valid_signature

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a real process: over 2 s
def test_the_worker_process_delivers_a_ticket_s_events(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    migrate(url)
    engine = make_engine(url)
    receiver = Receiver().start()
    env = {**os.environ, "MESA_DATA_DIR": str(tmp_path), "MESA_DATABASE_URL": url, "MESA_SECRET_KEY": "w" * 40,
           "MESA_WORKER_INTERVAL_SECONDS": "0.2"}
    worker = subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with unit_of_work(session_factory(engine)) as session:
            hook = endpoints.add(session, url=receiver.url, events=["ticket.created", "ticket.internal_note"])
            agent = accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent")
        with unit_of_work(session_factory(engine)) as session:
            ticket = tickets.create_ticket(session, name="Olivia", email="olivia@example.com", subject="Hello",
                                           description="It fails", kind="question", product_id=None)
            tickets.add_internal_note(session, ticket.id, agent_id=agent.id, body="Known issue")
        deadline = time.monotonic() + 60
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # a few more passes: nothing comes twice
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        receiver.stop()
        engine.dispose()
    assert [g.headers["mesa-event"] for g in receiver.received] == ["ticket.created", "ticket.internal_note"]
    assert all(valid_signature(hook.secret, g) for g in receiver.received)
    assert worker.returncode == 0


