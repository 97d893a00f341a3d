"""The background loop: send the outbox and the webhooks, poll IMAP, run time-based automations.

`python -m core worker` runs it in its own process (clean stop on SIGTERM or Ctrl-C);
the Streamlit server runs the same loop in a thread unless MESA_EMBEDDED_WORKER=0.
Each step is wrapped so one failing part (SMTP down, IMAP unreachable) never stops the others.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.db import session_factory
from core.desk import automations
from core.hooks import breaches, dispatcher
from core.mail import imap, sender

log = logging.getLogger("mesa.worker")


def run_once(factory: sessionmaker[Session], settings: Settings) -> dict[str, object]:
    """One pass of every step; returns what each did (or the error it met)."""
    steps: dict[str, Callable[[], object]] = {
        "outbox": lambda: sender.dispatch(factory, settings),
        "automations": lambda: automations.run(factory, settings),
        "sla_breaches": lambda: breaches.scan(factory, settings),
        "webhooks": lambda: dispatcher.dispatch(factory, settings),
        "imap": lambda: imap.fetch(factory, settings),
    }
    results: dict[str, object] = {}
    for name, step in steps.items():
        try:
            results[name] = step()
        except Exception as exc:  # one step failing must not stop the loop
            log.warning("worker step %s failed: %s", name, exc)
            results[name] = exc
    return results


def run(engine: Engine, settings: Settings, stop: threading.Event) -> None:
    """Loop until `stop` is set."""
    factory = session_factory(engine)
    log.info("worker started (every %ss)", settings.worker_interval_seconds)
    while not stop.is_set():
        run_once(factory, settings)
        stop.wait(settings.worker_interval_seconds)
    log.info("worker stopped")


def run_forever(engine: Engine, settings: Settings) -> None:
    """The `worker` command: stops cleanly on SIGTERM and SIGINT."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run(engine, settings, stop)


def start_thread(engine: Engine, settings: Settings) -> threading.Event:
    """The embedded worker: a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run, args=(engine, settings, stop), name="mesa-worker", daemon=True).start()
    return stop
