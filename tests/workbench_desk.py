"""The workbench pages' desk: two agents, a few tickets sent through the portal, and an agent signed in."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.portal import service as portal
from tests.pages.conftest import run_home

PASSWORD = "a long passphrase"


def workbench_desk(url: str, sent: tuple[tuple[str, str, str], ...]) -> Iterator[tuple]:
    """Ana and Liam, and one portal ticket per (email, subject, description): yields
    (factory, reader, ana id, liam id, ticket ids), then disposes of the engine."""
    engine = make_engine(url)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        ana = accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent", password=PASSWORD)
        liam = accounts.create_user(session, email="liam@mesa.example", name="Liam", role="agent", password=PASSWORD)
        ids = []
        for n, (email, subject, description) in enumerate(sent):
            ticket = portal.send_ticket(session, visitor=portal.Visitor(f"10.0.0.{n}"), name=email.split("@")[0],
                                        email=email, subject=subject, description=description, kind="incident",
                                        product_id=None, locale="en", uploads=[], settings=get_settings())
            ids.append(ticket.ticket_id)
    yield factory, read_factory(engine), ana.id, liam.id, ids
    engine.dispose()


def open_workbench(email: str, **query: str) -> AppTest:
    """The workbench page as `email`, signed in, with these query parameters."""
    app = run_home(**query)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = email
    app.switch_page("app_pages/workbench.py").run()
    return app


def open_box(app: AppTest, key: str) -> AppTest:
    """Open a ticket's expander or popover drawn only while open (its key), as a click on it does in the browser."""
    app.session_state[key] = True
    return app.run()
