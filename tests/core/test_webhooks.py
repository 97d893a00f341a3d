"""Webhook endpoints and what the notifier queues for them, in the change's own transaction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import events
from core.db import unit_of_work
from core.errors import ValidationError
from core.hooks import breaches, deliveries, endpoints
from core.models import SlaPolicy, WebhookDelivery, WebhookEndpoint
from core.tickets import service as tickets
from core.tickets import surveys
from tests.core.conftest import T0

HOUR = timedelta(hours=1)


def _endpoint(desk, events_=endpoints.EVENTS, url="https://hooks.example.com/mesa", at=T0 - HOUR):
    with unit_of_work(desk.factory) as session:
        return endpoints.add(session, url=url, events=list(events_), description="CRM", now=at)


def _rows(desk, endpoint_id=None):
    with desk.reader() as session:
        query = select(WebhookDelivery).order_by(WebhookDelivery.id)
        if endpoint_id:
            query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
        return list(session.scalars(query))


def _create(desk, **more):
    with unit_of_work(desk.factory) as session:
        return tickets.create_ticket(session, name="Olivia Brown", email="olivia@example.com", subject="Cannot log in",
                                     description="The app says invalid credentials.", kind="incident",
                                     product_id=desk.product, settings=desk.settings, now=T0, **more)


@pytest.mark.parametrize(("url", "says"), [
    ("", "Enter the URL"),
    ("ftp://hooks.example.com/x", "Only http:// and https://"),
    ("javascript:alert(1)", "Only http:// and https://"),
    ("hooks.example.com/x", "Only http:// and https://"),
    ("https:///no-host", "has no host"),
    ("https://user:pw@hooks.example.com/", "user name or password"),
    ("https://hooks.example.com/a b", "spaces"),
    ("https://hooks.example.com:99999/", "is not a valid URL"),
    ("https://hooks.example.com/#part", "fragment"),
])
def test_a_bad_url_is_refused_with_a_reason_and_nothing_is_saved(desk, url, says):
    with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
        endpoints.add(session, url=url, events=["ticket.created"])
    assert says in refused.value.messages("en")["url"]
    assert refused.value.messages("es")["url"] != refused.value.messages("en")["url"]
    with desk.reader() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_events_must_be_chosen_from_the_list(desk):
    with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
        endpoints.add(session, url="http://127.0.0.1:9/x", events=[])
    assert set(refused.value.errors) == {"events"}
    with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
        endpoints.add(session, url="http://127.0.0.1:9/x", events=["ticket.deleted"])


def test_each_endpoint_has_its_own_long_secret_and_rotating_changes_it(desk):
    one, two = _endpoint(desk), _endpoint(desk)
    assert one.secret != two.secret and one.secret.startswith("whsec_") and len(one.secret) >= 48
    with unit_of_work(desk.factory) as session:
        rotated = endpoints.rotate_secret(session, one.id)
    assert rotated.secret != one.secret


def test_a_ticket_s_life_queues_each_event_once_per_endpoint_that_wants_it(desk):
    everything = _endpoint(desk)
    created_only = _endpoint(desk, ["ticket.created"], url="http://127.0.0.1:9/created")
    off = _endpoint(desk, url="http://127.0.0.1:9/off")
    with unit_of_work(desk.factory) as session:
        endpoints.set_active(session, off.id, False)
    ticket = _create(desk)
    with unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, ticket.id, agent_id=desk.ana, body="Check the SSO logs",
                                  settings=desk.settings, now=T0 + HOUR)
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Try again now", status="solved",
                                settings=desk.settings, now=T0 + HOUR)
    with unit_of_work(desk.factory) as session:
        surveys.respond(session, ticket.id, score=5, comment="Thanks!", settings=desk.settings, now=T0 + 2 * HOUR)
    kinds = [(r.event, r.ticket_id) for r in _rows(desk, everything.id)]
    assert kinds == [("ticket.created", ticket.id), ("ticket.internal_note", ticket.id),
                     ("ticket.public_reply", ticket.id), ("ticket.status_changed", ticket.id),
                     ("survey.answered", ticket.id)]
    assert [r.event for r in _rows(desk, created_only.id)] == ["ticket.created"]
    assert _rows(desk, off.id) == []
    bodies = [json.loads(r.body) for r in _rows(desk, everything.id)]
    assert [b["id"] for b in bodies] == [r.key for r in _rows(desk, everything.id)]
    assert bodies[0]["type"] == "ticket.created" and bodies[0]["created_at"] == "2026-03-02T09:00:00Z"
    assert bodies[0]["data"]["ticket"]["requester"]["email"] == "olivia@example.com"
    assert bodies[0]["data"]["ticket"]["url"] == f"{desk.settings.base_url}/workbench?ticket={ticket.id}"
    assert bodies[1]["data"]["message"] | {"id": 0} == {
        "id": 0, "kind": "note", "body": "Check the SSO logs", "created_at": "2026-03-02T10:00:00Z",
        "attachments": [], "author": {"id": desk.ana, "name": "Ana Ruiz", "email": "ana@mesa.example",
                                      "role": "agent"}}
    assert bodies[2]["data"]["message"]["body"] == "Try again now" and bodies[2]["data"]["ticket"]["status"] == "solved"
    assert (bodies[3]["data"]["old_status"], bodies[3]["data"]["new_status"]) == ("new", "solved")
    assert bodies[4]["data"]["survey"]["score"] == 5 and bodies[4]["data"]["survey"]["comment"] == "Thanks!"


def test_a_customer_reply_is_a_public_reply_too(desk):
    hook = _endpoint(desk, ["ticket.public_reply"])
    ticket = _create(desk)
    with unit_of_work(desk.factory) as session:
        tickets.add_customer_message(session, ticket.id, body="Still broken", settings=desk.settings, now=T0 + HOUR)
    (row,) = _rows(desk, hook.id)
    message = json.loads(row.body)["data"]["message"]
    assert message["kind"] == "customer" and message["author"]["email"] == "olivia@example.com"


def test_a_change_that_rolls_back_queues_nothing_and_a_quiet_one_neither(desk):
    _endpoint(desk)
    with pytest.raises(RuntimeError), unit_of_work(desk.factory) as session:
        tickets.create_ticket(session, name="Olivia", email="olivia@example.com", subject="Lost", description="Gone",
                              kind="question", product_id=None, settings=desk.settings, now=T0)
        raise RuntimeError("the change fails after the event was recorded")
    desk.new_ticket()  # quiet: the demo data tells nobody
    assert _rows(desk) == []


def test_send_test_and_redeliver_keep_the_log_straight(desk):
    hook = _endpoint(desk, ["survey.answered"])
    with unit_of_work(desk.factory) as session:
        ping = deliveries.send_test(session, hook.id, now=T0)
    assert ping.event == "ping" and json.loads(ping.body)["data"]["endpoint_id"] == hook.id
    with unit_of_work(desk.factory) as session:
        row = session.get(WebhookDelivery, ping.id)
        row.status, row.attempts = "dead", 8
    with unit_of_work(desk.factory) as session:
        again = deliveries.redeliver(session, ping.id, now=T0 + HOUR)
    assert (again.key, again.status, again.attempts, again.next_attempt_at) == (ping.key, "queued", 0, T0 + HOUR)
    with desk.reader() as session:
        assert deliveries.counts(session) == {"queued": 1}
        assert [r.id for r in deliveries.log_page(session, endpoint_id=hook.id)] == [ping.id]


def test_deleting_an_endpoint_removes_its_log(desk):
    hook = _endpoint(desk)
    _create(desk)
    with unit_of_work(desk.factory) as session:
        endpoints.delete(session, hook.id)
    assert _rows(desk) == []


# ---------------------------------------------------------------- SLA breaches

def _urgent_policy(desk):
    with unit_of_work(desk.factory) as session:
        session.add(SlaPolicy(priority="urgent", first_reply_minutes=60, resolution_minutes=480,
                              business_hours=False))


def test_a_breach_is_told_once_per_ticket_and_target(desk):
    _urgent_policy(desk)
    hook = _endpoint(desk, ["sla.breached"])
    ticket = _create(desk, priority="urgent")
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 30 * timedelta(minutes=1)) == 0  # not due yet
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 2 * HOUR) == 1  # first reply due at T0 + 1 h
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 3 * HOUR) == 0
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 9 * HOUR) == 1  # resolution due at T0 + 8 h
    bodies = [json.loads(r.body) for r in _rows(desk, hook.id)]
    assert [(b["type"], b["data"]["target"], b["data"]["due_at"]) for b in bodies] == [
        ("sla.breached", "first_reply", "2026-03-02T10:00:00Z"),
        ("sla.breached", "resolution", "2026-03-02T17:00:00Z")]
    assert bodies[0]["data"]["ticket"]["id"] == ticket.id


def test_breaches_are_not_scanned_without_a_listener_nor_replayed_from_before_it(desk):
    _urgent_policy(desk)
    _create(desk, priority="urgent")
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 2 * HOUR) == 0  # nobody listens
    _endpoint(desk, ["sla.breached"], at=T0 + 3 * HOUR)  # added after the first reply was due
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 4 * HOUR) == 0
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 9 * HOUR) == 1  # the resolution, due after


def test_an_answered_or_solved_ticket_breaches_nothing(desk):
    _urgent_policy(desk)
    _endpoint(desk, ["sla.breached"])
    ticket = _create(desk, priority="urgent")
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Done", status="solved",
                                settings=desk.settings, now=T0 + timedelta(minutes=30))
    assert breaches.scan(desk.factory, desk.settings, now=T0 + 10 * HOUR) == 0


def test_the_notifier_is_the_one_that_queues_deliveries(desk):
    hook = _endpoint(desk, ["ticket.created"])
    with unit_of_work(desk.factory) as session:
        ticket = tickets.create_ticket(session, name="Olivia", email="olivia@example.com", subject="Lost",
                                       description="Gone", kind="question", product_id=None, settings=desk.settings,
                                       now=T0)
        session.flush()
        assert session.scalars(select(WebhookDelivery)).all() == []  # not yet: at commit
        assert type(session.info["mesa_events"][0].event) is events.TicketCreated
    assert [r.ticket_id for r in _rows(desk, hook.id)] == [ticket.id]
