"""The account page's API tokens: staff create one (shown once, kept hashed), see it listed and revoke it;
customers see no such section."""

from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import formats
from core.accounts import service as accounts
from core.api import tokens
from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import ApiToken, utcnow
from tests.pages.test_account import PASSWORD, _account, _sign_in


def _user(url, email, role):
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email=email, name="Ana Díaz", role=role, password=PASSWORD)
    return engine


def _submit(app):
    next(b for b in app.button if b.label == "Create token").click().run()
    return app


def test_staff_create_see_and_revoke_a_token(app_env):
    engine = _user(app_env, "ana@mesa.example", "agent")
    app = _sign_in(_account(), "ana@mesa.example", PASSWORD)
    app.switch_page("app_pages/account.py").run()
    assert "API tokens" in [s.value for s in app.subheader]
    assert "You have no API tokens." in [c.value for c in app.caption]
    assert app.multiselect[0].options == ["Read tickets (tickets:read)", "Change tickets (tickets:write)"]  # no reports
    next(w for w in app.text_input if w.label == "Name").input("CRM")
    app.multiselect[0].select("tickets:write")
    _submit(app)
    assert not app.exception
    secret = app.code[0].value
    with read_factory(engine)() as session:
        token = tokens.authenticate(session, secret)
        assert token.name == "CRM" and token.scopes == ["tickets:read", "tickets:write"]
    app.run()
    assert not app.code and any("`mesa_" in m.value and "CRM" in m.value for m in app.markdown)  # shown once
    next(b for b in app.button if b.label == "Revoke").click().run()
    with read_factory(engine)() as session:
        assert tokens.authenticate(session, secret) is None
    engine.dispose()


def test_a_refusal_is_shown_next_to_its_field_and_nothing_is_saved(app_env):
    engine = _user(app_env, "ana@mesa.example", "agent")
    app = _sign_in(_account(), "ana@mesa.example", PASSWORD)
    app.switch_page("app_pages/account.py").run()
    _submit(app)  # no name
    assert "This field is required." in [e.value for e in app.error] and not app.code
    with read_factory(engine)() as session:
        assert session.scalars(select(ApiToken)).all() == []
    engine.dispose()


def test_customers_have_no_tokens_section(app_env):
    engine = _user(app_env, "lucia@example.com", "customer")
    app = _sign_in(_account(), "lucia@example.com", PASSWORD)
    app.switch_page("app_pages/account.py").run()
    assert "API tokens" not in [s.value for s in app.subheader]
    engine.dispose()


def test_an_admin_makes_a_service_token_with_the_admin_scope(app_env):
    engine = _user(app_env, "adam@mesa.example", "admin")
    app = _sign_in(_account(), "adam@mesa.example", PASSWORD)
    app.switch_page("app_pages/account.py").run()
    assert [o.rsplit("(", 1)[1].rstrip(")") for o in app.multiselect[0].options] == list(tokens.SCOPES)
    next(w for w in app.text_input if w.label == "Name").input("Status page")
    app.multiselect[0].set_value(["admin", "reports:read"])
    app.checkbox[0].check()
    app.number_input[0].set_value(7)
    _submit(app)
    with read_factory(engine)() as session:
        token = tokens.authenticate(session, app.code[0].value)
        assert token.kind == "service" and token.scopes == ["reports:read", "admin"]
        assert (token.expires_at - token.created_at).days == 7
    engine.dispose()


def test_scopes_are_said_in_the_readers_language_beside_their_codes(app_env):
    engine = _user(app_env, "ana@mesa.example", "agent")
    with unit_of_work(session_factory(engine)) as session:
        tokens.create(session, owner_id=accounts.find_by_email(session, "ana@mesa.example").id, name="CRM",
                      scopes=["tickets:read"])
    app = _sign_in(_account(), "ana@mesa.example", PASSWORD)
    app.sidebar.selectbox[0].select("es").run()
    app.switch_page("app_pages/account.py").run()
    assert app.multiselect[0].options == ["Leer tickets (tickets:read)", "Cambiar tickets (tickets:write)"]
    today = formats.date(utcnow(), "es", ZoneInfo(get_settings().timezone))  # "6 dic 2026", not 2026-12-06
    assert any("Leer tickets (tickets:read)" in m.value and f"Creado {today}" in m.value for m in app.markdown), [
        m.value for m in app.markdown]
    engine.dispose()
