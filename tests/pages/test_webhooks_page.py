"""The admin page's Webhooks tab through AppTest: add an endpoint (bad URLs refused next to the field),
its secret shown once and revealable, a test delivery, the log and redeliver, a new secret, delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.hooks import deliveries
from core.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
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


def _tries_tables(app):
    """The delivery log's tables of tries (other tabs of the admin page have tables of their own)."""
    return [d.value for d in app.dataframe if "Try" in d.value.columns]


def test_the_log_shows_every_try_of_a_delivery(db, app_env):
    _add(_admin(), "https://crm.example.com/in", ["ticket.created"])
    (hook,) = _stored(db, WebhookEndpoint)
    engine = make_engine(app_env)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with unit_of_work(session_factory(engine)) as session:
        row = deliveries.send_test(session, hook.id, now=start)
        row.status, row.attempts, row.response_status, row.response_ms = "delivered", 3, 200, 40
        for minutes, status, excerpt, ms, error in ((0, 500, "Internal trouble", 120, "HTTP 500"),
                                                    (1, None, None, 10000, "No answer within 10 seconds"),
                                                    (6, 200, '{"ok": true}', 40, None)):
            session.add(WebhookAttempt(delivery_id=row.id, attempted_at=start + timedelta(minutes=minutes),
                                       response_status=status, response_excerpt=excerpt, duration_ms=ms, error=error))
    engine.dispose()
    app = _admin()
    assert not app.exception
    (shown,) = _tries_tables(app)
    assert list(shown.columns) == ["Try", "When", "HTTP status", "Time (ms)", "Answer (first characters)", "Error"]
    assert shown["Try"].tolist() == [1, 2, 3] and shown["HTTP status"].tolist() == ["500", "—", "200"]
    assert shown["Time (ms)"].tolist() == [120, 10000, 40]
    assert shown["Error"].tolist() == ["HTTP 500", "No answer within 10 seconds", ""]
    assert shown["Answer (first characters)"].tolist() == ["Internal trouble", "", '{"ok": true}']
    assert shown["When"].tolist() == [f"3/2/26, {m}\u202fAM CET" for m in ("10:00", "10:01", "10:06")]  # Madrid


def test_a_delivery_not_tried_yet_says_so(db):
    app = _add(_admin(), "https://crm.example.com/in", ["ticket.created"])
    (hook,) = _stored(db, WebhookEndpoint)
    app = _admin().button(key=f"hook_{hook.id}_test").click().run()
    app = _admin()
    assert "Not tried yet." in [c.value for c in app.caption] and not _tries_tables(app)
