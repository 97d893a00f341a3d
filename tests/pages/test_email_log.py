import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.mail import inbound, ingest
from core.models import InboundMail, Outbox
from core.portal import service as portal
from tests.core.conftest import T0
from tests.pages.conftest import run_home

PASSWORD = "a long and rare passphrase"


@pytest.fixture
def desk(app_env):
    engine = make_engine(app_env)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="admin@mesa.example", name="Alex", role="admin", password=PASSWORD)
        olivia = accounts.create_user(session, email="olivia@example.com", name="Olivia", role="customer",
                                      password=PASSWORD)
        accounts.mark_verified(session, olivia.id, T0)  # a known requester: her confirmation names the subject
        portal.send_ticket(session, visitor=portal.Visitor("10.0.0.1"), name="Olivia", email="olivia@example.com",
                           subject="<b>Export</b> fails", description="It stops", kind="incident", product_id=None,
                           locale="en", uploads=[], settings=get_settings())
    yield factory, read_factory(engine)
    engine.dispose()


def _as(email):
    app = run_home()
    if email:
        app.session_state["authentication_status"] = True
        app.session_state["username"] = email
    app.switch_page("app_pages/email_log.py").run()
    return app


def test_admin_sees_every_email_and_can_send_one_again(desk):
    _factory, read = desk
    app = _as("admin@mesa.example")
    assert not app.exception, app.exception
    assert app.title[0].value == "Email log"
    assert "No SMTP server is configured" in app.info[0].value
    assert [m.value for m in app.metric][:1] == ["1"]
    assert app.expander[0].label.endswith("We received your request\\: \\<b\\>Export\\</b\\> fails")
    app.button(key=next(b.key for b in app.button if b.key and b.key.startswith("again-"))).click().run()
    with read() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert len(rows) == 2 and rows[0].message_id != rows[1].message_id and rows[1].subject == rows[0].subject


def test_a_customer_is_refused(desk):
    app = _as("olivia@example.com")
    assert app.error[0].value == "Your account cannot open this page."
    assert not app.expander


def test_an_anonymous_visitor_gets_the_sign_in_form_and_then_the_page(desk):
    app = _as(None)
    assert app.info[0].value == "Sign in to open this page." and not app.expander
    next(w for w in app.text_input if w.label == "Email").input("admin@mesa.example")
    next(w for w in app.text_input if w.label == "Password").input(PASSWORD)
    next(b for b in app.button if b.label == "Sign in").click().run()
    assert app.title[0].value == "Email log" and app.expander


def test_admin_sees_held_oversized_and_failed_inbound_mail_as_text_newest_first(desk):
    factory, _read = desk
    with factory() as session:
        ticket_id = session.scalar(select(Outbox.ticket_id))
    rows = [("processed", None, 1, "Fine"), ("looped", None, 2, "Auto: *out* of office"),
            ("oversized", "oversized: 90000000 bytes, limit 73400320 bytes; kept 700 bytes of headers", 3, "Video"),
            ("failed", "ValueError: bad", 4, "[click](http://evil.example)")]
    for status, error, minutes, subject in rows:
        raw = b"From: robot@loop.example\r\nSubject: x\r\n\r\nbody"
        parsed = inbound.parse(raw)
        parsed = dataclasses.replace(parsed, message_id=f"<m{minutes}@loop.example>", subject=subject)
        inbound_id = ingest.store_raw(factory, raw, parsed, T0 + timedelta(minutes=minutes), error=error)
        with unit_of_work(factory) as session:
            row = session.get(InboundMail, inbound_id)
            row.status, row.ticket_id = status, ticket_id if status == "looped" else None
    app = _as("admin@mesa.example")
    assert not app.exception, app.exception
    assert "Inbound mail not on a ticket" in [s.value for s in app.subheader]
    [table] = app.dataframe
    shown = table.value
    assert list(shown["subject"]) == ["[click](http://evil.example)", "Video", "Auto: *out* of office"]
    assert list(shown["status"]) == ["Failed", "Too large", "Held (mail loop)"]
    assert list(shown["from"]) == ["robot@loop.example"] * 3 and shown["error"][1].startswith("oversized: 90000000")
    assert list(shown["ticket"])[2] == f"/workbench?ticket={ticket_id}"
    assert not any("evil.example" in m.value for m in app.markdown)  # user text only in the table


def test_inbound_part_says_when_nothing_is_held(desk):
    app = _as("admin@mesa.example")
    assert not app.dataframe and "No held, oversized or failed inbound mail." in [i.value for i in app.info]
