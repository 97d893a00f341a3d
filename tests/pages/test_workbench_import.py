"""An imported Zendesk export on the agent's screen: the queue lists its tickets, and one opens with its
conversation, its internal note and its history (AppTest, the real workbench page)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.config import get_settings
from core.imports import cli
from core.models import Ticket
from tests import zendesk_export as zd
from tests.workbench_desk import open_workbench, workbench_desk


@pytest.fixture
def imported(app_env, tmp_path):
    for desk in workbench_desk(app_env, ()):
        assert cli.run("zendesk", zd.write(tmp_path / "export", 30), get_settings()) == 0
        with desk[1]() as session:
            yield {t.external_id: t.id for t in session.scalars(select(Ticket))}


def test_the_imported_tickets_are_on_the_queue_and_one_opens_with_its_history(imported):
    app = open_workbench("ana@mesa.example")
    assert not app.exception, app.exception
    subjects = [subject for table in app.dataframe for subject in table.value.get("subject", [])]
    assert "Order 5 missing" in subjects  # a new one, unassigned
    ticket = imported[f"zendesk:{zd.ticket_id(0)}"]
    app = open_workbench("ana@mesa.example", ticket=str(ticket))
    assert not app.exception, app.exception
    assert app.title[0].value.startswith(f"#{ticket}")
    closed = "changed the status from Solved to Closed · 9/2/26, 12:00\u202fPM (Europe/Madrid)"  # the original time
    assert not any("changed the status" in text.value for text in app.text)  # History closed: not drawn
    app.session_state[f"wb_history_{ticket}"] = True  # the History expander opened: its lines are drawn then
    app.run()
    shown = " ".join(element.value for element in [*app.text, *app.markdown, *app.caption]
                     if isinstance(element.value, str))
    assert "Order 0 never arrived." in shown and "Courier says it left the depot." in shown
    assert "Sorry about order 0; we are on it." in shown
    assert closed in shown
