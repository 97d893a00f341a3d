"""Tags, merging a duplicate into another ticket, and who else has a ticket open."""

from __future__ import annotations

import pytest

from core import queues, tickets
from core.db import unit_of_work
from core.errors import ConflictError, DomainError, ValidationError
from tests.core.conftest import T0

# ---------------------------------------------------------------- tags

def test_tags_are_cleaned_and_one_event_is_written(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        saved = tickets.set_tags(session, ticket.id, [" VIP", "billing", "vip", ""], desk.ana, now=T0)
    assert saved == ["billing", "vip"]
    with unit_of_work(desk.factory) as session:
        tickets.set_tags(session, ticket.id, ["billing", "vip"], desk.ana, now=T0)  # no change, no event
        tickets.set_tags(session, ticket.id, ["vip", "export_bug", "año-2026"], desk.ana, now=T0)
    tag_events = [e for e in desk.events(ticket.id) if e.field == "tags"]
    assert [(e.old, e.new) for e in tag_events] == [(None, "billing,vip"), ("billing,vip", "año-2026,export_bug,vip")]
    assert desk.ticket(ticket.id).version == 3
    with desk.reader() as session:
        assert tickets.tags_of(session, ticket.id) == ["año-2026", "export_bug", "vip"]
        assert tickets.known_tags(session) == ["año-2026", "export_bug", "vip"]


@pytest.mark.parametrize("bad", ["two words", "x" * 41, "semi;colon", "<b>"])
def test_a_bad_tag_is_refused_on_the_tags_field(desk, bad):
    ticket = desk.new_ticket()
    with pytest.raises(ValidationError) as caught, unit_of_work(desk.factory) as session:
        tickets.set_tags(session, ticket.id, ["fine", bad], desk.ana)
    assert list(caught.value.messages()) == ["tags"]
    assert desk.ticket(ticket.id).version == 1


def test_too_many_tags_are_refused(desk):
    ticket = desk.new_ticket()
    with pytest.raises(ValidationError, match="at most 20 tags"), unit_of_work(desk.factory) as session:
        tickets.set_tags(session, ticket.id, [f"t{n}" for n in range(21)], desk.ana)


def test_a_stale_version_is_a_conflict(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.assign(session, ticket.id, actor_id=desk.liam, assignee_id=desk.liam)
    with pytest.raises(ConflictError, match="Liam"), unit_of_work(desk.factory) as session:
        tickets.set_tags(session, ticket.id, ["vip"], desk.ana, expected_version=1)
    with desk.reader() as session:
        assert tickets.tags_of(session, ticket.id) == []


def test_add_tag_keeps_the_others_and_the_queue_filters_by_tag(desk):
    first, second = desk.new_ticket(), desk.new_ticket(subject="Invoice twice")
    with unit_of_work(desk.factory) as session:
        tickets.set_tags(session, first.id, ["vip"], desk.ana)
        tickets.add_tag(session, first.id, "Billing", desk.ana)
        tickets.add_tag(session, second.id, "export", desk.ana)
    with desk.reader() as session:
        assert tickets.tags_of(session, first.id) == ["billing", "vip"]
        found = queues.page(session, "open", user_id=desk.ana, filters=queues.Filters(tags=("billing",)))
        either = queues.page(session, "open", user_id=desk.ana, filters=queues.Filters(tags=("vip", "export")))
    assert [r.id for r in found] == [first.id]
    assert {r.id for r in either} == {first.id, second.id}


def test_a_closed_ticket_keeps_its_tags(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.close_as(session, ticket.id, reason="spam", actor_id=desk.ana)
    with pytest.raises(DomainError, match="closed"), unit_of_work(desk.factory) as session:
        tickets.add_tag(session, ticket.id, "late", desk.ana)
