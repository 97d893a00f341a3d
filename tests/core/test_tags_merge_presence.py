"""Tags, merging a duplicate into another ticket, and who else has a ticket open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import unit_of_work
from core.errors import ConflictError, DomainError, ValidationError
from core.models import Attachment, Message, Outbox, Survey, TicketMetrics, TicketPresence
from core.portal import service as portal
from core.tickets import presence, queues, workbench
from core.tickets import service as tickets
from core.tickets.attachments import Upload
from tests.conftest import row_counts
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


# ---------------------------------------------------------------- merge

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _merge(desk, source, target, now=T0 + timedelta(hours=2)):
    with unit_of_work(desk.factory) as session:
        return tickets.merge(session, source, target, desk.ana, desk.settings, now=now)


def test_merge_moves_the_messages_and_files_and_closes_the_source(desk):
    target = desk.new_ticket(subject="Export stops at 10,000 rows")
    source = desk.new_ticket(subject="Export broken", description="Same problem, screenshot attached.",
                             uploads=[Upload("shot.png", PNG)], now=T0 + timedelta(minutes=30))
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, target.id, agent_id=desk.liam, body="Looking into it",
                                now=T0 + timedelta(minutes=10))
    _merge(desk, source.id, target.id)
    with desk.reader() as session:
        moved = session.scalars(select(Message).where(Message.ticket_id == target.id)
                                .order_by(Message.created_at, Message.id)).all()
        left = session.scalars(select(Message).where(Message.ticket_id == source.id)).all()
        metrics = session.get(TicketMetrics, source.id), session.get(TicketMetrics, target.id)
        closed, kept = tickets.get_ticket(session, source.id), tickets.get_ticket(session, target.id)
        kinds = [(m.kind, m.created_at, [a.filename for a in m.attachments]) for m in moved]
        notes = [m.body for m in moved if m.kind == "note"], [m.body for m in left]
    assert kinds == [("customer", T0, []), ("agent", T0 + timedelta(minutes=10), []),
                     ("customer", T0 + timedelta(minutes=30), ["shot.png"]), ("note", T0 + timedelta(hours=2), [])]
    assert notes == ([f"#{source.id} “Export broken” was merged into this ticket by Ana Ruiz; its messages are "
                      "shown here in time order."],
                     [f"Merged into #{target.id} by Ana Ruiz. The messages of this ticket are now there."])
    assert (closed.status, closed.close_reason, kept.status) == ("closed", "merged", "open")
    assert all(m is not None and m.updated_at == T0 + timedelta(hours=2) for m in metrics)
    assert ("merged_into", str(target.id)) in [(e.field, e.new) for e in desk.events(source.id)]
    assert ("merged_from", str(source.id)) in [(e.field, e.new) for e in desk.events(target.id)]
    with desk.reader() as session:
        assert queues.page(session, "open", user_id=desk.ana, filters=queues.Filters(text="screenshot"))[0].id \
            == target.id


def test_merging_another_requesters_ticket_never_shows_their_words_or_files_to_this_requester(desk):
    """H1: A's account number and passport scan, merged into B's ticket, were shown on B's link as "You"."""
    target = desk.new_ticket(name="Bruno Díaz", email="bruno@example.com", subject="Cannot log in either")
    source = desk.new_ticket(subject="Cannot log in", description="My account number is 4711, passport attached.",
                             uploads=[Upload("passport.png", PNG)], now=T0 + timedelta(minutes=30))
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, source.id, agent_id=desk.liam, body="Olivia, which browser?",
                                now=T0 + timedelta(minutes=40))
    _merge(desk, source.id, target.id)
    with desk.reader() as session:
        shown = portal.public_messages(session, target.id)
        passport = session.scalar(select(Attachment.id).where(Attachment.filename == "passport.png"))
        staff_view = workbench.load(session, target.id).messages
        assert portal.public_attachment(session, target.id, passport) is None
    assert [m.body for m in shown] == ["The app says invalid credentials."]  # Bruno's own message only
    assert {"My account number is 4711, passport attached.", "Olivia, which browser?"} <= \
        {m.body for m in staff_view if m.kind == "note"}, "staff still read the merged conversation, as notes"
    assert "olivia@example.com" in next(m.body for m in staff_view if m.body.startswith(f"#{source.id}"))


def test_merge_tells_the_source_requester_without_the_note_and_sends_no_survey(desk):
    target = desk.new_ticket()
    source = desk.new_ticket(name="James Bond", email="james@example.com", subject="Login fails")
    _merge(desk, source.id, target.id)
    with desk.reader() as session:
        mails = session.scalars(select(Outbox).where(Outbox.template.in_(("ticket_merged", "ticket_solved",
                                                                          "ticket_closed")))).all()
        assert session.scalars(select(Survey)).all() == []
    assert [(m.template, m.to_address, m.ticket_id) for m in mails] == [("ticket_merged", "james@example.com",
                                                                        source.id)]
    mail = mails[0]
    assert mail.subject == f"[#{source.id}] Merged into #{target.id}: Login fails"
    assert "by Ana Ruiz" not in mail.body_text + mail.body_html and "Ana" not in mail.body_text
    assert f"ticket={source.id}&" in mail.body_text  # another requester's ticket is never linked


def test_merge_links_the_target_when_it_is_the_same_requester(desk):
    target, source = desk.new_ticket(), desk.new_ticket(subject="Again")
    _merge(desk, source.id, target.id)
    with desk.reader() as session:
        mail = session.scalars(select(Outbox).where(Outbox.template == "ticket_merged")).one()
    assert f"ticket={target.id}&" in mail.body_text


def test_a_reply_to_a_merged_ticket_lands_on_the_target_for_the_same_requester(desk):
    target, source = desk.new_ticket(), desk.new_ticket(subject="Again")
    other = desk.new_ticket(name="James Bond", email="james@example.com", subject="Login fails")
    _merge(desk, source.id, target.id)
    _merge(desk, other.id, target.id, now=T0 + timedelta(hours=3))
    with unit_of_work(desk.factory) as session:
        same = tickets.add_customer_message(session, source.id, body="Any news?", settings=desk.settings,
                                            now=T0 + timedelta(hours=4))
        stranger = tickets.add_customer_message(session, other.id, body="And mine?", settings=desk.settings,
                                                now=T0 + timedelta(hours=4))
        same_ticket, stranger_ticket = same.ticket_id, stranger.ticket_id
    assert same_ticket == target.id, "the requester's reply joins the ticket theirs was merged into"
    assert stranger_ticket not in (target.id, other.id), "another requester gets a follow-up of their own"
    with desk.reader() as session:
        assert tickets.get_ticket(session, stranger_ticket).follow_up_of_id == other.id


def test_merge_refusals(desk):
    first, second, spam = desk.new_ticket(), desk.new_ticket(), desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.close_as(session, spam.id, reason="spam", actor_id=desk.ana)
    before = row_counts(desk.factory)
    for source, target, text in ((first.id, first.id, "into itself"),
                                 (first.id, spam.id, f"Ticket {spam.id} is closed; merge into"),
                                 (spam.id, first.id, f"Ticket {spam.id} is already closed"),
                                 (first.id, 999, "Ticket 999 does not exist")):
        with pytest.raises(DomainError, match=text):
            _merge(desk, source, target)
    with pytest.raises(ConflictError), unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, second.id, agent_id=desk.liam, body="checking")
        tickets.merge(session, second.id, first.id, desk.ana, desk.settings, expected_version=1)
    assert row_counts(desk.factory) == before


# ---------------------------------------------------------------- presence

def test_presence_names_the_others_seen_within_the_minute(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        presence.touch(session, ticket.id, desk.liam, T0)
        presence.touch(session, ticket.id, desk.manager, T0 - timedelta(minutes=5))  # long gone
        presence.touch(session, ticket.id, desk.ana, T0 + timedelta(seconds=30))
    with desk.reader() as session:
        assert presence.others(session, ticket.id, desk.ana, T0 + timedelta(seconds=30)) == ["Liam Carter"]
        assert presence.others(session, ticket.id, desk.liam, T0 + timedelta(seconds=30)) == ["Ana Ruiz"]
        assert presence.others(session, ticket.id, desk.ana, T0 + timedelta(seconds=61)) == []
    with unit_of_work(desk.factory) as session:  # touching again moves the time, never adds a row
        presence.touch(session, ticket.id, desk.liam, T0 + timedelta(seconds=50))
        presence.leave(session, ticket.id, desk.manager)
    with desk.reader() as session:
        assert presence.others(session, ticket.id, desk.ana, T0 + timedelta(seconds=100)) == ["Liam Carter"]
        assert session.scalar(select(func.count()).select_from(TicketPresence)) == 2
