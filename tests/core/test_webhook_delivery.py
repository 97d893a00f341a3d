"""Webhook deliveries against a real HTTP receiver on loopback: signed, retried while it is down, slow or
failing, dead after a day, and each event once after it comes back (at least once, with a delivery id)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core import leases
from core.db import unit_of_work
from core.hooks import deliveries, dispatcher, endpoints
from core.models import WebhookAttempt, WebhookDelivery, utcnow
from core.tickets import service as tickets
from core.worker import run_once
from tests.mailserver import free_port
from tests.webhookreceiver import Receiver, valid_signature

MINUTE = timedelta(minutes=1)


class Clock:
    """The worker's clock, moved by hand; it starts now (receivers check that signatures are recent)."""

    def __init__(self) -> None:
        self.now = utcnow().replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def clock():
    return Clock()


def _endpoint(desk, url, clock, events_=endpoints.EVENTS):
    with unit_of_work(desk.factory) as session:
        return endpoints.add(session, url=url, events=list(events_), now=clock.now - MINUTE)


def _ticket(desk, clock, subject="Cannot log in"):
    with unit_of_work(desk.factory) as session:
        return tickets.create_ticket(session, name="Olivia Brown", email="olivia@example.com", subject=subject,
                                     description="It fails.", kind="incident", product_id=None,
                                     settings=desk.settings, now=clock.now)


def _rows(desk):
    with desk.reader() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _dispatch(desk, clock, **more):
    return dispatcher.dispatch(desk.factory, desk.settings, now=clock, **more)


def test_a_delivery_arrives_signed_with_its_id_and_the_log_keeps_the_answer(desk, receiver, clock):
    hook = _endpoint(desk, receiver.url, clock)
    ticket = _ticket(desk, clock)
    report = _dispatch(desk, clock)
    (row,) = _rows(desk)
    assert report.delivered == [row.id] and row.status == "delivered" and row.delivered_at == clock.now
    (got,) = receiver.received
    assert got.path == "/hooks/mesa" and got.headers["content-type"] == "application/json; charset=utf-8"
    assert got.headers["mesa-event"] == "ticket.created" and got.key == row.key == got.json["id"]
    assert got.headers["mesa-timestamp"] == str(int(clock.epoch()))
    assert got.body == row.body.encode() and got.json["data"]["ticket"]["id"] == ticket.id
    assert valid_signature(hook.secret, got, now=clock.epoch())
    assert not valid_signature(hook.secret, got, now=clock.epoch() + 600)  # replayed ten minutes later
    forged = type(got)(got.path, got.headers, got.body.replace(b"Cannot", b"Can"), got.at)
    assert not valid_signature(hook.secret, forged, now=clock.epoch())
    assert not valid_signature(endpoints.new_secret(), got, now=clock.epoch())
    assert (row.response_status, row.response_excerpt, row.last_error) == (200, '{"ok": true}', None)
    assert 0 <= row.response_ms < 5000 and row.attempts == 1
    assert _dispatch(desk, clock).delivered == []  # nothing twice


def test_a_500_is_retried_with_backoff_keeping_a_bounded_answer_and_dies_after_a_day(desk, receiver, clock):
    receiver.mode = "fail"
    _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    created = clock.now
    assert _dispatch(desk, clock).retry
    (row,) = _rows(desk)
    assert (row.status, row.attempts, row.response_status, row.last_error) == ("queued", 1, 500, "HTTP 500")
    assert row.next_attempt_at == clock.now + MINUTE
    assert row.response_excerpt.startswith("Internal trouble: xxx") and len(row.response_excerpt) == 1000
    clock.now += 30 * timedelta(seconds=1)
    assert _dispatch(desk, clock).retry == []  # not due yet
    while row.status == "queued":
        clock.now = row.next_attempt_at
        _dispatch(desk, clock)
        (row,) = _rows(desk)
    assert row.status == "dead" and row.attempts == dispatcher.MAX_ATTEMPTS
    assert timedelta(hours=22) <= clock.now - created <= timedelta(days=1)
    assert receiver.keys() == [row.key] * dispatcher.MAX_ATTEMPTS  # every try carried the same delivery id


def test_a_delivery_older_than_a_day_dies_at_its_next_failure(desk, receiver, clock):
    receiver.mode = "fail"
    _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    clock.now += timedelta(days=1, minutes=1)  # the worker was stopped for a day
    assert len(_dispatch(desk, clock).dead) == 1


def test_a_slow_receiver_times_out_and_its_other_deliveries_wait_for_their_next_try(desk, clock):
    slow = Receiver(mode="slow", delay=1.5).start()
    try:
        _endpoint(desk, slow.url, clock)
        _ticket(desk, clock)
        _ticket(desk, clock, subject="Second")
        report = _dispatch(desk, clock, timeout=0.3)
        first, second = _rows(desk)
        assert len(report.retry) == 2 and len(slow.received) == 1  # the second was not tried this round
        assert first.last_error == "No answer within 0.3 seconds" and first.response_status is None
        assert second.last_error.startswith("Not tried: No answer within 0.3 seconds")
        slow.mode = "ok"
        clock.now += 2 * MINUTE
        assert len(_dispatch(desk, clock, timeout=0.3).delivered) == 2
    finally:
        slow.stop()
    assert sorted(set(slow.keys())) == sorted(r.key for r in _rows(desk))


def test_down_for_a_while_then_each_event_arrives_once_with_a_valid_signature(desk, receiver, clock):
    port = free_port()  # nothing listens there yet: the receiver is down
    down = _endpoint(desk, f"http://127.0.0.1:{port}/in", clock)
    healthy = _endpoint(desk, receiver.url, clock)
    ticket = _ticket(desk, clock)
    with unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, ticket.id, agent_id=desk.ana, body="SSO?", settings=desk.settings,
                                  now=clock.now)
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Try now", status="pending",
                                settings=desk.settings, now=clock.now)
    first = _dispatch(desk, clock)
    rows = [r for r in _rows(desk) if r.endpoint_id == down.id]
    assert len(rows) == 4 and sorted(first.retry) == [r.id for r in rows]  # created, note, reply, status
    assert len(first.delivered) == 4 and len(receiver.received) == 4  # the healthy one is not held up
    assert rows[0].last_error.startswith("Could not connect") and all(r.attempts == 1 for r in rows)
    for minutes in (1, 5):  # still down at the second try
        clock.now += minutes * MINUTE
        assert _dispatch(desk, clock).delivered == []
    back = Receiver(port).start()
    try:
        clock.now += 15 * MINUTE
        assert len(_dispatch(desk, clock).delivered) == 4
        arrived = clock.epoch()
        clock.now += timedelta(hours=30)
        assert _dispatch(desk, clock).delivered == []
    finally:
        back.stop()
    rows = [r for r in _rows(desk) if r.endpoint_id == down.id]
    assert [r.status for r in rows] == ["delivered"] * 4 and all(r.attempts == 4 for r in rows)  # 3 down, 1 back
    assert back.keys() == [r.key for r in rows]  # each once, in order
    assert [g.headers["mesa-event"] for g in back.received] == ["ticket.created", "ticket.internal_note",
                                                                 "ticket.public_reply", "ticket.status_changed"]
    assert all(valid_signature(down.secret, g, now=arrived) for g in back.received)
    assert not any(valid_signature(healthy.secret, g, now=arrived) for g in back.received)


def test_a_worker_stopped_mid_post_sends_again_with_the_same_delivery_id(desk, receiver, clock):
    hook = _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    (claimed,) = leases.claim(desk.factory, WebhookDelivery, limit=5, now=clock.now, lease=dispatcher.LEASE,
                              max_attempts=dispatcher.MAX_ATTEMPTS, ran_out=dispatcher.RAN_OUT)
    (row,) = _rows(desk)
    dispatcher.post(receiver.url, row.body.encode(), dispatcher.headers(row, hook.secret, int(clock.epoch())), 5)
    # ... and the worker dies before it writes "delivered": the lease runs out, another worker sends it again
    assert _dispatch(desk, clock).delivered == []  # leased
    clock.now += dispatcher.LEASE + MINUTE
    assert _dispatch(desk, clock).delivered == [claimed]
    assert receiver.keys() == [row.key, row.key]
    assert len({g.key for g in receiver.received}) == 1  # what a receiver keeps, keyed by Mesa-Delivery


def test_a_redirect_is_a_failure_not_followed(desk, receiver, clock):
    receiver.mode = "redirect"
    _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    assert _dispatch(desk, clock).retry
    (row,) = _rows(desk)
    assert (row.response_status, row.last_error) == (302, "HTTP 302") and len(receiver.received) == 1


def test_redeliver_and_a_test_and_a_new_secret(desk, receiver, clock):
    hook = _endpoint(desk, receiver.url, clock, ["survey.answered"])
    with unit_of_work(desk.factory) as session:
        ping = deliveries.send_test(session, hook.id, now=clock.now)
        endpoints.set_active(session, hook.id, False)
    assert _dispatch(desk, clock).delivered == [ping.id]  # a test goes even to an endpoint turned off
    with unit_of_work(desk.factory) as session:
        endpoints.set_active(session, hook.id, True)
        rotated = endpoints.rotate_secret(session, hook.id)
        deliveries.redeliver(session, ping.id, now=clock.now)
    assert _dispatch(desk, clock).delivered == [ping.id]
    first, again = receiver.received
    assert first.key == again.key == ping.key and json.loads(first.body)["type"] == "ping"
    assert valid_signature(hook.secret, first, now=clock.epoch())
    assert valid_signature(rotated.secret, again, now=clock.epoch())
    assert not valid_signature(hook.secret, again, now=clock.epoch())


def test_an_endpoint_turned_off_gets_nothing_more(desk, receiver, clock):
    hook = _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    with unit_of_work(desk.factory) as session:
        endpoints.set_active(session, hook.id, False)
    report = _dispatch(desk, clock)
    assert len(report.retry) == 1 and receiver.received == []
    assert _rows(desk)[0].last_error == "The endpoint is turned off."


def test_the_worker_posts_webhooks_on_each_pass(desk, receiver, clock):
    _endpoint(desk, receiver.url, clock, ["ticket.created"])
    _ticket(desk, clock)
    results = run_once(desk.factory, desk.settings)
    assert len(results["webhooks"].delivered) == 1 and results["sla_breaches"] == 0
    assert len(receiver.received) == 1


def test_a_delivery_whose_endpoint_was_deleted_after_the_claim_is_skipped(desk, receiver, clock, monkeypatch):
    hook = _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    _ticket(desk, clock, subject="Second")
    claim = leases.claim

    def claim_then_delete(*args, **kwargs):
        claimed = claim(*args, **kwargs)
        with unit_of_work(desk.factory) as session:
            endpoints.delete(session, hook.id)
        return claimed

    monkeypatch.setattr(leases, "claim", claim_then_delete)
    report = _dispatch(desk, clock)
    assert (report.delivered, report.retry, report.dead) == ([], [], []) and receiver.received == []
    assert _rows(desk) == []


def _tries(desk, row):
    with desk.reader() as session:
        return deliveries.attempts_of(session, [row.id])[row.id]


def test_every_try_is_kept_with_its_time_status_answer_duration_and_error(desk, clock):
    receiver = Receiver(mode="fail").start()
    try:
        _endpoint(desk, receiver.url, clock)
        _ticket(desk, clock)
        _dispatch(desk, clock)  # 500
        (row,) = _rows(desk)
        first_try = clock.now
        receiver.mode = "slow"
        clock.now = row.next_attempt_at
        _dispatch(desk, clock, timeout=0.3)  # no answer in time
        receiver.mode = "ok"
        (row,) = _rows(desk)
        clock.now = row.next_attempt_at
        assert len(_dispatch(desk, clock).delivered) == 1
        (row,) = _rows(desk)
        tries = _tries(desk, row)
        assert [(a.attempted_at, a.response_status, a.error) for a in tries] == [
            (first_try, 500, "HTTP 500"), (first_try + MINUTE, None, "No answer within 0.3 seconds"),
            (first_try + 6 * MINUTE, 200, None)]
        assert tries[0].response_excerpt.startswith("Internal trouble: xxx")
        assert len(tries[0].response_excerpt) == dispatcher.ATTEMPT_EXCERPT_CHARS  # short: the delivery has 1000
        assert tries[1].response_excerpt is None and tries[1].duration_ms >= 300
        assert tries[2].response_excerpt == '{"ok": true}' and all(a.duration_ms >= 0 for a in tries)
        # a redelivery adds its tries to the same log; deleting the endpoint deletes them with its deliveries
        with unit_of_work(desk.factory) as session:
            deliveries.redeliver(session, row.id, now=clock.now)
        _dispatch(desk, clock)
        assert [a.response_status for a in _tries(desk, row)] == [500, None, 200, 200]
        with unit_of_work(desk.factory) as session:
            endpoints.delete(session, row.endpoint_id)
        assert _tries(desk, row) == []
        with desk.reader() as session:
            assert session.scalar(select(WebhookAttempt.id)) is None
    finally:
        receiver.stop()
