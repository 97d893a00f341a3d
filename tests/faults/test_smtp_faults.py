"""SMTP that never answers, and SMTP that hangs up in the middle of DATA: the email stays in the
outbox with the error, and goes out exactly once when a good server is back."""

import time
from datetime import timedelta

import pytest

from core.db import unit_of_work
from core.mail import outbox, sender
from tests.core.conftest import T0
from tests.faults.checks import deliveries, outbox_rows
from tests.faults.smtp import BrokenSmtp
from tests.mailserver import MailServer, smtp_settings

pytestmark = pytest.mark.slow  # tests/faults: fault injection, out of make test-fast


def _queue(desk, n):
    with unit_of_work(desk.factory) as session:
        for i in range(n):
            outbox.enqueue(session, template="verify_email", to=f"user{i}@example.com", locale="en",
                           settings=desk.settings, now=T0, context={"name": "User", "link": "http://x/y"})


def _back_up_and_sent_once(desk, expected_attempts):
    """A good server comes back: every row goes out once, a later pass sends nothing more."""
    server = MailServer().start()
    try:
        settings = smtp_settings(desk.settings, server.port, smtp_timeout_seconds=1.0)
        up = sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(minutes=2))
        again = sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(days=2))
    finally:
        server.stop()
    rows = outbox_rows(desk)
    assert len(up.sent) == len(rows) and again.sent == [] and again.retry == []
    assert deliveries(server.inbox) == {row.message_id: 1 for row in rows.values()}
    assert all(r.status == "sent" and r.attempts == expected_attempts for r in rows.values())


def test_a_server_that_never_answers_fails_the_attempt_within_the_timeout(desk):
    _queue(desk, 3)
    with BrokenSmtp("silent") as silent:
        settings = smtp_settings(desk.settings, silent.port, smtp_timeout_seconds=1.0)
        started = time.monotonic()
        report = sender.dispatch(desk.factory, settings, now=lambda: T0)
        waited = time.monotonic() - started
    assert silent.connections == 1  # the whole batch waits on one failed connection
    assert 0.9 <= waited < 5, waited
    assert report.sent == [] and len(report.retry) == 3
    rows = outbox_rows(desk)
    assert all(r.status == "queued" and r.attempts == 1 and r.sent_at is None for r in rows.values())
    assert all("timed out" in r.last_error for r in rows.values()), [r.last_error for r in rows.values()]
    assert all(r.next_attempt_at == T0 + timedelta(minutes=1) for r in rows.values())
    _back_up_and_sent_once(desk, expected_attempts=2)


def test_a_server_that_hangs_up_in_the_middle_of_data_keeps_the_email_queued(desk):
    _queue(desk, 2)
    with BrokenSmtp("drop_in_data") as broken:
        settings = smtp_settings(desk.settings, broken.port, smtp_timeout_seconds=1.0)
        report = sender.dispatch(desk.factory, settings, now=lambda: T0)
    assert broken.connections == 2 and len(broken.dropped_after_bytes) == 2  # each row got as far as DATA
    assert report.sent == [] and len(report.retry) == 2
    rows = outbox_rows(desk)
    assert all(r.status == "queued" and r.attempts == 1 and r.smtp_response is None for r in rows.values())
    errors = [r.last_error for r in rows.values()]
    assert all(e.startswith(("SMTPServerDisconnected", "ConnectionResetError", "BrokenPipeError")) for e in errors), \
        errors
    _back_up_and_sent_once(desk, expected_attempts=2)


def test_the_smtp_timeout_is_a_setting_with_a_sane_default(settings, monkeypatch):
    assert settings.smtp_timeout_seconds == 30
    monkeypatch.setenv("MESA_SMTP_TIMEOUT_SECONDS", "0")
    from core.config import ConfigError, load_settings

    with pytest.raises((ConfigError, ValueError)):
        load_settings(_env_file=None)
