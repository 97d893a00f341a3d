"""bench.load, short and small, on both databases: the invariants, never the timings.

Six agents race on three shared tickets with the version they read (so conflicts happen),
a customer submits tickets, two dispatchers send the outbox to a loopback SMTP server.
"""

import pytest

from bench import load
from core.errors import Busy

pytestmark = pytest.mark.slow  # a load test: seconds of concurrent writers

SECONDS = 8


def test_no_lost_write_no_double_email_every_conflict_reported(engine, settings):
    result = load.run(engine, settings, seconds=SECONDS, agents=6, tickets_per_minute=120, shared=3)

    assert result.problems == []
    assert result.count("reply", "ok") > 0 and result.count("submit", "ok") > 0
    assert result.count("reply", "conflict") > 0, "agents on three tickets must collide"
    assert not [c for c in result.calls if c.outcome == "error"]  # nothing escaped as a raw exception
    refused = [c for c in result.calls if c.outcome == "refused"]
    assert all(c.error.startswith(Busy.__name__) for c in refused), refused[:3]
    assert result.emails_sent >= result.count("reply", "ok") + result.count("submit", "ok")
