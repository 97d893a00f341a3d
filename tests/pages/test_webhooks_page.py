"""The admin page's Webhooks tab through AppTest: add an endpoint (bad URLs refused next to the field),
its secret shown once and revealable, a test delivery, the log and redeliver, a new secret, delete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import WebhookDelivery, WebhookEndpoint
from tests.pages.conftest import run_home
from ui.text import plain


@pytest.fixture
def db(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email="admin@mesa.example", name="Alex", role="admin", password="a long phrase")
    yield read_factory(engine)
    engine.dispose()


def _admin():
    app = run_home()
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "admin@mesa.example"
    app.switch_page("app_pages/admin.py").run()
    assert not app.exception, app.exception
    return app


def _stored(read, model):
    with read() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def _add(app, url, events):
    app.text_input(key="hook_new_url").input(url)
    app.multiselect(key="hook_new_events").set_value(events)
    return next(b for b in app.button if b.label == "Add the endpoint").click().run()


def test_a_bad_url_is_refused_next_to_the_field_and_a_good_one_shows_its_secret(db):
    app = _admin()
    assert "No endpoint yet." in [c.value for c in app.caption]
    app = _add(app, "ftp://crm.example.com/in", ["ticket.created"])
    assert [e.value for e in app.error] == [
        "Only http:// and https:// URLs can receive webhooks (this one starts with ftp)."]
    assert _stored(db, WebhookEndpoint) == []
    assert app.text_input(key="hook_new_url").value == "ftp://crm.example.com/in"  # what was typed is kept
    app.multiselect(key="hook_new_events").set_value([])
    app = _add(app, "https://crm.example.com/in", [])
    assert [e.value for e in app.error] == ["Choose at least one event."]
    app = _add(app, "https://crm.example.com/in", ["ticket.created", "sla.breached"])
    assert not app.error and not app.exception
    (hook,) = _stored(db, WebhookEndpoint)
    assert (hook.url, hook.events) == ("https://crm.example.com/in", ["ticket.created", "sla.breached"])
    assert app.code[0].value == hook.secret and "Copy its signing secret" in app.success[0].value
    assert any(e.label.startswith(plain("https://crm.example.com/in · on")) for e in app.expander)


def test_test_delivery_log_redeliver_secret_and_delete(db):
    app = _add(_admin(), "http://127.0.0.1:9/in", ["survey.answered"])
    (hook,) = _stored(db, WebhookEndpoint)
    app = _admin()
    assert not app.code  # the secret is not on screen until asked for
    app = app.button(key=f"hook_{hook.id}_test").click().run()
    assert "A test delivery is queued" in app.success[0].value
    (ping,) = _stored(db, WebhookDelivery)
    assert ping.event == "ping" and ping.status == "queued"
    app = _admin()
    assert [m.value for m in app.metric][-4:] == ["1", "0", "0", "0"]
    assert any(e.label.startswith("Queued · Test · ") for e in app.expander)
    assert any(ping.key in c.value for c in app.caption)
    app = app.button(key=f"hook_redeliver_{ping.id}").click().run()
    assert not app.exception
    app = app.button(key=f"hook_{hook.id}_show").click().run()
    assert app.code[0].value == hook.secret
    app = app.button(key=f"hook_{hook.id}_rotate").click().run()
    assert "Tick the box to confirm first." in [e.value for e in app.error]
    assert _stored(db, WebhookEndpoint)[0].secret == hook.secret
    app.checkbox(key=f"hook_{hook.id}_sure").check().run()
    app = app.button(key=f"hook_{hook.id}_rotate").click().run()
    (rotated,) = _stored(db, WebhookEndpoint)
    assert rotated.secret != hook.secret and app.code[0].value == rotated.secret
    app.checkbox(key=f"hook_{hook.id}_sure").check().run()
    app = app.button(key=f"hook_{hook.id}_delete").click().run()
    assert _stored(db, WebhookEndpoint) == [] and _stored(db, WebhookDelivery) == []
    assert "No endpoint yet." in [c.value for c in app.caption]


def test_an_endpoint_s_change_is_checked_too(db):
    _add(_admin(), "https://crm.example.com/in", ["ticket.created"])
    (hook,) = _stored(db, WebhookEndpoint)
    app = _admin()
    app.text_input(key=f"hook_{hook.id}_url").input("https://crm.example.com/in#x")
    app = app.button(key=f"hook_{hook.id}_save").click().run()
    assert "Remove the #fragment: it is never sent to the server." in [e.value for e in app.error]
    app.text_input(key=f"hook_{hook.id}_url").input("https://crm.example.com/v2")
    app.toggle(key=f"hook_{hook.id}_active").set_value(False)
    app = app.button(key=f"hook_{hook.id}_save").click().run()
    (hook,) = _stored(db, WebhookEndpoint)
    assert (hook.url, hook.active) == ("https://crm.example.com/v2", False)
    assert any(e.label.startswith(plain("https://crm.example.com/v2 · off")) for e in _admin().expander)
