"""Hostile text on the pages that show it: the customer's ticket and the agent's ticket."""

from __future__ import annotations

import re

import pytest

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, session_factory, unit_of_work
from core.portal import service as portal
from core.tickets import service as tickets
from tests.pages.conftest import run_home
from tests.security.corpus import HOSTILE

ACTIVE = re.compile(r"(?<!\\)(<script|<img|!\[|\]\(|:red\[|:material/)")


@pytest.fixture
def hostile_ticket(app_env):
    engine = make_engine(app_env)
    factory = session_factory(engine)
    text = " ".join(HOSTILE.values())
    with unit_of_work(factory) as session:
        agent = accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent",
                                     password="a long passphrase")
        sent = portal.send_ticket(session, visitor=portal.Visitor("10.0.0.1"), name=HOSTILE["script"],
                                  email="olivia@example.com", subject=HOSTILE["markdown_image"] + HOSTILE["script"],
                                  description=text, kind="incident", product_id=None, locale="en", uploads=[],
                                  settings=get_settings())
        tickets.add_agent_reply(session, sent.ticket_id, agent_id=agent.id, body=text, status="pending")
    yield sent
    engine.dispose()


def _shown(app) -> list[str]:
    """What the page renders as Markdown (st.text and st.code show text as is, so they are safe)."""
    return [f"{kind}: {e.value}" for kind in ("markdown", "title", "caption", "info", "header", "subheader",
                                                "success", "warning", "error")
            for e in getattr(app, kind)]


def test_the_customer_page_shows_hostile_text_as_text(hostile_ticket):
    query = dict(part.split("=", 1) for part in hostile_ticket.link.split("?", 1)[1].split("&"))
    app = run_home(**query)
    app.switch_page("app_pages/customer_ticket.py").run()
    assert not app.exception
    shown = _shown(app)
    assert any("alert" in value for value in shown), "the text is on the page"
    assert [value for value in shown if ACTIVE.search(value)] == []


def test_the_agent_page_shows_hostile_text_as_text(hostile_ticket):
    app = run_home(ticket=str(hostile_ticket.ticket_id))
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "ana@mesa.example"
    app.switch_page("app_pages/workbench.py").run()
    assert not app.exception
    shown = _shown(app)
    assert any("alert" in value for value in shown)
    assert [value for value in shown if ACTIVE.search(value)] == []
