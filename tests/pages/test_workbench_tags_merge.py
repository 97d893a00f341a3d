"""The workbench: tags on a ticket and in bulk, merging a duplicate, who else has the ticket open."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.models import Message, Outbox, Ticket, utcnow
from core.tickets import presence
from core.tickets import service as tickets
from tests.workbench_desk import open_box, open_workbench, workbench_desk
from ui import keys
from ui.text import WORD_JOINER


@pytest.fixture
def desk(app_env):
    yield from workbench_desk(app_env, (("olivia@example.com", "Export stops at 10,000 rows", "details 0"),
                                        ("olivia@example.com", "Export still stops", "details 1"),
                                        ("james@example.com", "Invoice twice", "details 2")))


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_tags_set_from_the_ticket_screen(desk):
    _factory, read, _ana, _liam, ids = desk
    app = open_box(open_workbench("ana@mesa.example", ticket=str(ids[0])), keys.properties(ids[0]))
    _by_label(app.multiselect, "Tags").set_value(["VIP", "export"])
    _by_label(app.button, "Save").click().run()
    assert not app.exception, app.exception
    with read() as session:
        assert tickets.tags_of(session, ids[0]) == ["export", "vip"]
    assert any("Tags:" in m.value and "vip" in m.value for m in app.markdown)
    open_box(app, keys.properties(ids[0]))  # saved, it had closed
    _by_label(app.multiselect, "Tags").set_value(["two words"])
    _by_label(app.button, "Save").click().run()
    assert any("not a tag we can keep" in e.value for e in app.error)
    assert _by_label(app.multiselect, "Tags").value == ["two words"]  # refused: still open, the pick kept
    with read() as session:
        assert tickets.tags_of(session, ids[0]) == ["export", "vip"]


def test_bulk_tag_reports_the_ticket_it_could_not_change(desk):
    factory, read, ana, _liam, ids = desk
    with unit_of_work(factory) as session:  # recently solved: one still solved, one closed (final)
        tickets.change_status(session, ids[0], status="solved", actor_id=ana)
        tickets.close_as(session, ids[1], reason="spam", actor_id=ana)
    app = open_workbench("ana@mesa.example")
    app.segmented_control(key="wb_view").set_value("solved").run()
    assert sorted(app.dataframe[0].value["number"]) == [f"#{ids[0]}", f"#{ids[1]}"]
    app.session_state["wb_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    app.run()
    app.selectbox(key="wb_bulk_action").select("tag").run()
    app.text_input(key="wb_bulk_tag").input("Refund").run()
    app.button(key="wb_bulk_apply").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["1 ticket changed."]
    assert [w.value for w in app.warning] == [f"#{ids[1]}: Ticket {ids[1]} is closed; closed tickets cannot change. "
                                              "Open a follow-up ticket instead."]
    with read() as session:
        assert [tickets.tags_of(session, i) for i in ids] == [["refund"], [], []]


def test_merge_from_the_ticket_screen_opens_the_target(desk):
    _factory, read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[1]))
    assert not [box for box in app.number_input if box.key == f"wb_merge_to_{ids[1]}"]  # drawn once opened
    open_box(app, f"wb_merge_box_{ids[1]}")
    app.number_input(key=f"wb_merge_to_{ids[1]}").set_value(ids[1]).run()
    app.button(key=f"wb_merge_{ids[1]}").click().run()
    assert any("cannot be merged into itself" in e.value for e in app.error)
    app.number_input(key=f"wb_merge_to_{ids[1]}").set_value(ids[0]).run()
    app.button(key=f"wb_merge_{ids[1]}").click().run()
    assert not app.exception, app.exception
    assert app.title[0].value.startswith(f"#{ids[0]}")
    assert any(f"#{ids[1]} “Export still stops” was merged into this ticket" in t.value for t in app.text)
    with read() as session:
        source = session.get(Ticket, ids[1])
        bodies = session.scalars(select(Message.body).where(Message.ticket_id == ids[0])).all()
        mail = session.scalars(select(Outbox).where(Outbox.template == "ticket_merged")).one()
    assert (source.status, source.close_reason) == ("closed", "merged") and "details 1" in bodies
    assert mail.to_address == "olivia@example.com" and mail.ticket_id == ids[1]


def test_the_ticket_says_who_else_has_it_open(desk):
    factory, _read, _ana, liam, ids = desk
    with unit_of_work(factory) as session:
        presence.touch(session, ids[0], liam, utcnow() - timedelta(seconds=20))
        presence.touch(session, ids[1], liam, utcnow() - timedelta(minutes=3))
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert not app.exception, app.exception
    assert [c.value for c in app.caption if "Also viewing" in c.value] == [":material/visibility: Also viewing: Liam"]
    app = open_workbench("ana@mesa.example", ticket=str(ids[1]))
    assert not [c.value for c in app.caption if "Also viewing" in c.value]
    app = open_workbench("liam@mesa.example", ticket=str(ids[1]))  # Ana still has it open
    assert [c.value for c in app.caption if "Also viewing" in c.value] == [":material/visibility: Also viewing: Ana"]


def test_the_ticket_links_the_requesters_other_tickets(desk):
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert not app.exception, app.exception
    line = next(c.value for c in app.caption if c.value.startswith("Their other tickets:"))
    assert f"(/workbench?ticket={ids[1]})" in line and "Export still stops" in line
    assert f"ticket={ids[2]}" not in line, "another requester's ticket is not listed"


def test_the_merge_form_warns_when_the_other_ticket_is_another_requesters(desk):
    """H1: merging another customer's ticket must be explicit to the agent before it happens."""
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[1]))
    open_box(app, f"wb_merge_box_{ids[1]}")
    app.number_input(key=f"wb_merge_to_{ids[1]}").set_value(ids[0]).run()  # the same requester: no warning
    assert not [w for w in app.warning if "another requester" in w.value]
    app.number_input(key=f"wb_merge_to_{ids[1]}").set_value(ids[2]).run()
    warnings = [w.value.replace(WORD_JOINER, "") for w in app.warning]
    assert any("another requester (james@example" in w and "internal notes" in w for w in warnings)
