"""Random sequences of service calls keep the ticket's invariants."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import unit_of_work
from core.errors import DomainError
from core.tickets import service as tickets
from core.tickets import workflow
from tests.core.conftest import T0

ACTIONS = st.one_of(
    st.tuples(st.just("customer"), st.none()),
    st.tuples(st.just("reply"), st.sampled_from([None, *workflow.STATUSES])),
    st.tuples(st.just("note"), st.none()),
    st.tuples(st.just("status"), st.sampled_from(workflow.STATUSES)),
    st.tuples(st.just("assign"), st.sampled_from(["ana", "liam", None])),
    st.tuples(st.just("priority"), st.sampled_from(workflow.PRIORITIES)),
    st.tuples(st.just("solved_by_customer"), st.none()),
)


def _apply(desk, session, ticket, action, arg, now):
    agent = {"ana": desk.ana, "liam": desk.liam}
    if action == "customer":
        tickets.add_customer_message(session, ticket.id, body="more", settings=desk.settings, now=now)
    elif action == "reply":
        tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="answer", status=arg, now=now)
    elif action == "note":
        tickets.add_internal_note(session, ticket.id, agent_id=desk.liam, body="note", now=now)
    elif action == "status":
        tickets.change_status(session, ticket.id, status=arg, actor_id=desk.ana, now=now)
    elif action == "assign":
        tickets.assign(session, ticket.id, actor_id=desk.ana, assignee_id=agent.get(arg), now=now)
    elif action == "priority":
        tickets.update_fields(session, ticket.id, actor_id=desk.ana, priority=arg, now=now)
    else:
        tickets.mark_solved_by_customer(session, ticket.id, requester_id=ticket.requester_id, now=now)


def _state(desk, ticket_id):
    with desk.reader() as session:
        ticket = tickets.get_ticket(session, ticket_id)
        events = tickets.events_of(session, ticket_id)
        return ticket, events


@pytest.mark.slow  # a real process, server or wait: over 2 s
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(ACTIONS, min_size=1, max_size=14))
def test_random_service_calls_keep_the_invariants(desk, steps):
    ticket = desk.new_ticket()
    ticket, events = _state(desk, ticket.id)
    now = T0
    for action, arg in steps:
        now += timedelta(minutes=37)
        was_closed = ticket.status == workflow.CLOSED
        try:
            with unit_of_work(desk.factory) as session:
                _apply(desk, session, ticket, action, arg, now)
        except DomainError:
            pass
        after, after_events = _state(desk, ticket.id)
        new_events = after_events[len(events):]
        if new_events:
            assert after.version == ticket.version + 1, "every change raises the version by one"
            assert {e.version for e in new_events} == {after.version}
        else:
            assert after.version == ticket.version, "no change, no new version"
        replayed = tickets.replay(after_events)
        for field, attribute in tickets.TRACKED.items():
            value = getattr(after, attribute)
            assert replayed.get(field) == (None if value is None else str(value)), field
        assert [e for e in after_events if e.field == "status" and e.new == workflow.NEW] == after_events[:1]
        if was_closed:
            assert after.status == workflow.CLOSED
        ticket, events = after, after_events
