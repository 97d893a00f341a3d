import pytest
from sqlalchemy import select

from core import accounts, portal
from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import Outbox
from tests.pages.conftest import run_home

PASSWORD = "a long and rare passphrase"


@pytest.fixture
def desk(app_env):
    engine = make_engine(app_env)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="admin@mesa.example", name="Alex", role="admin", password=PASSWORD)
        accounts.create_user(session, email="olivia@example.com", name="Olivia", role="customer", password=PASSWORD)
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
    next(b for b in app.button if b.label == "Continue").click().run()
    assert app.title[0].value == "Email log" and app.expander
