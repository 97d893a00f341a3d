import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core import worker
from core.db import unit_of_work
from core.mail import outbox
from tests.core.conftest import T0
from tests.mailserver import MailServer, free_port

ROOT = Path(__file__).resolve().parents[2]


def _queue(desk, n=3):
    with unit_of_work(desk.factory) as session:
        for i in range(n):
            outbox.enqueue(session, template="verify_email", to=f"u{i}@example.com", locale="en",
                           settings=desk.settings, now=T0, context={"name": "U", "link": "http://x/y"})


def test_one_pass_sends_the_outbox_and_survives_a_broken_imap(desk):
    server = MailServer().start()
    try:
        _queue(desk)
        settings = desk.settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": server.port, "imap_host": "127.0.0.1", "imap_port": free_port(),
            "imap_security": "none"})
        results = worker.run_once(desk.factory, settings)
    finally:
        server.stop()
    assert len(results["outbox"].sent) == 3 and len(server.inbox.messages) == 3
    assert isinstance(results["imap"], OSError)  # nothing listens there: logged, the loop goes on


def test_the_loop_stops_when_told(desk):
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(desk.factory.kw["bind"], desk.settings, stop))
    thread.start()
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_the_worker_command_exits_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, "MESA_DATA_DIR": str(tmp_path), "MESA_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
           "MESA_SECRET_KEY": "w" * 40, "MESA_WORKER_INTERVAL_SECONDS": "0.2"}
    subprocess.run([sys.executable, "-m", "core", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, "-m", "core", "worker"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    seen, deadline = "", time.monotonic() + 60
    while "worker started" not in seen:  # its signal handlers are in place once it says so
        try:
            seen += lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            process.kill()
            pytest.fail(f"no 'worker started' within 60 s: {seen}")
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    reader.join(timeout=5)
    output = seen + "".join(lines.queue)
    assert process.returncode == 0, output
    assert "worker started" in output and "worker stopped" in output
