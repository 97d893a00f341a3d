import pytest

from core.tickets import workflow as wf


@pytest.mark.parametrize("old", wf.STATUSES)
def test_no_transition_ever_leads_back_to_new(old):
    assert not wf.can_transition(old, wf.NEW)


def test_closed_is_final():
    assert all(not wf.can_transition(wf.CLOSED, new) for new in wf.STATUSES)


@pytest.mark.parametrize("old", [wf.NEW, wf.OPEN, wf.PENDING, wf.ON_HOLD])
def test_closed_is_reached_only_from_solved(old):
    assert not wf.can_transition(old, wf.CLOSED)
    assert wf.can_transition(wf.SOLVED, wf.CLOSED)


@pytest.mark.parametrize(("old", "new"), [
    (wf.NEW, wf.NEW), (wf.OPEN, wf.OPEN), (wf.PENDING, wf.OPEN),
    (wf.ON_HOLD, wf.OPEN), (wf.SOLVED, wf.OPEN),
])
def test_customer_message_reopens(old, new):
    assert wf.status_after_customer_message(old) == new


def test_customer_message_on_closed_has_no_next_status():
    with pytest.raises(ValueError, match="follow-up"):
        wf.status_after_customer_message(wf.CLOSED)


def test_agent_reply_to_new_ticket_opens_it_unless_told_otherwise():
    assert wf.status_after_agent_reply(wf.NEW, None) == wf.OPEN
    assert wf.status_after_agent_reply(wf.NEW, wf.PENDING) == wf.PENDING
    assert wf.status_after_agent_reply(wf.ON_HOLD, None) == wf.ON_HOLD


def test_reopen_is_solved_to_open_only():
    assert wf.is_reopen(wf.SOLVED, wf.OPEN)
    assert not wf.is_reopen(wf.PENDING, wf.OPEN)


def test_every_status_has_a_customer_label():
    assert set(wf.CUSTOMER_STATUS) == set(wf.STATUSES)
    assert wf.CUSTOMER_STATUS[wf.ON_HOLD] == wf.CUSTOMER_STATUS[wf.OPEN]
