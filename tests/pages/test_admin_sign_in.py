"""The admin page's Staff sign-in tab: the two rules, linking a company account, turning off two-step
verification for a lost phone; each refusal next to its field, nothing half-saved."""

import pyotp
from sqlalchemy import select

from core.accounts import service as accounts
from core.accounts import twofactor
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.desk import schedule
from core.models import User, utcnow
from tests.pages.conftest import run_home

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "mesa",
        "client_secret": "x", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def _write(app_env, change):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        value = change(session)
    engine.dispose()
    return value


def _people(app_env) -> dict[str, User]:
    engine = make_engine(app_env)
    with read_factory(engine)() as session:
        people = {u.email: u for u in session.scalars(select(User))}
    engine.dispose()
    return people


def _admin_page(app_env, *, sso: bool = False):
    """Signed in as the admin, on the Administration page; Ana is an agent with two-step on."""
    def accounts_(session):
        accounts.create_user(session, email="admin@mesa.example", name="Ada Admin", role="admin",
                             password="a long passphrase")
        ana = accounts.create_user(session, email="ana@mesa.example", name="Ana Ruiz", role="agent")
        accounts.create_user(session, email="olivia@example.com", name="Olivia Brown")  # a customer
        secret = twofactor.new_secret()
        twofactor.enrol(session, ana.id, secret, pyotp.TOTP(secret).now(), utcnow())
    _write(app_env, accounts_)
    app = run_home()
    if sso:
        app.secrets["auth"] = AUTH
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "admin@mesa.example"
    app.switch_page("app_pages/admin.py").run()
    assert not app.exception, app.exception
    return app


def _button(app, key):
    return next(b for b in app.button if b.key == key)


def test_without_an_identity_provider_the_admin_requires_two_step_but_is_not_offered_sso_only(app_env):
    app = _admin_page(app_env)
    assert "Staff sign in only with the company account (single sign-on)" not in [w.label for w in app.toggle]
    assert any("Single sign-on is not set up on this server" in i.value for i in app.info)
    table = app.dataframe[0].value.set_index("Email")
    assert bool(table.loc["ana@mesa.example", "Two-step verification"]) is True
    assert bool(table.loc["admin@mesa.example", "Two-step verification"]) is False
    next(w for w in app.toggle if w.label == "Require two-step verification").set_value(True)
    _button(app, "rules_save").click().run()
    assert not app.error and "Saved." in [s.value for s in app.success]
    desk = _write(app_env, schedule.row)
    assert (desk.staff_two_factor, desk.staff_sso_only) == (True, False)


def test_with_an_identity_provider_the_admin_turns_on_sso_only(app_env):
    app = _admin_page(app_env, sso=True)
    assert not app.info
    next(w for w in app.toggle if w.label.startswith("Staff sign in only")).set_value(True)
    _button(app, "rules_save").click().run()
    assert not app.error
    desk = _write(app_env, schedule.row)
    assert (desk.staff_two_factor, desk.staff_sso_only) == (False, True)
    app.run()
    assert next(w for w in app.toggle if w.label.startswith("Staff sign in only")).value is True


def test_the_admin_links_a_company_account_with_refusals_next_to_the_field(app_env):
    app = _admin_page(app_env)
    ana = _people(app_env)["ana@mesa.example"]
    next(w for w in app.selectbox if w.key == "sso_who").set_value(ana.id)
    app.text_input(key="sso_email").input("not an address")
    _button(app, "sso_link_send").click().run()
    assert len(app.error) == 1 and "email" in app.error[0].value.lower()
    assert _people(app_env)["ana@mesa.example"].sso_email is None

    app.text_input(key="sso_email").input("  Ana.Ruiz@Corp.Example ")
    _button(app, "sso_link_send").click().run()
    assert not app.error
    said = app.success[0].value.replace("\u2060", "")  # the word joiner that keeps an address from linking
    assert said == "Ana Ruiz signs in with the company account ana\\.ruiz@corp\\.example."
    assert _people(app_env)["ana@mesa.example"].sso_email == "ana.ruiz@corp.example"
    table = app.run().dataframe[0].value.set_index("Email")
    assert table.loc["ana@mesa.example", "Company account"] == "ana.ruiz@corp.example"

    admin = _people(app_env)["admin@mesa.example"]  # the same address for another account is refused
    next(w for w in app.selectbox if w.key == "sso_who").set_value(admin.id)
    app.text_input(key="sso_email").input("ana.ruiz@corp.example")
    _button(app, "sso_link_send").click().run()
    assert [e.value for e in app.error] == ["There is already an account for ana.ruiz@corp.example."]
    assert _people(app_env)["admin@mesa.example"].sso_email is None

    next(w for w in app.selectbox if w.key == "sso_who").set_value(ana.id)
    _button(app, "sso_unlink_send").click().run()
    assert not app.error and app.success[0].value == "Ana Ruiz no longer signs in with a company account."
    assert _people(app_env)["ana@mesa.example"].sso_email is None


def test_the_admin_turns_off_two_step_for_a_lost_phone_once_confirmed(app_env):
    app = _admin_page(app_env)
    choices = next(w for w in app.selectbox if w.key == "off_who")
    ana = _people(app_env)["ana@mesa.example"]
    assert choices.options == ["Ana Ruiz <ana@mesa.example>"]  # only those with two-step on
    _button(app, "off_send").click().run()
    assert [e.value for e in app.error] == ["Tick the box to confirm first."]
    assert _people(app_env)["ana@mesa.example"].totp_enabled_at is not None

    app.checkbox(key="off_confirm").check()
    _button(app, "off_send").click().run()
    assert not app.error and app.success[0].value == "Two-step verification is off for Ana Ruiz."
    after = _people(app_env)["ana@mesa.example"]
    assert (after.totp_enabled_at, after.totp_secret, after.recovery_codes) == (None, None, None)
    assert after.sessions_valid_after is not None and ana.sessions_valid_after is None  # her sessions ended
    app.run()
    assert next(w for w in app.selectbox if w.key == "off_who").options == []
    assert _button(app, "off_send").disabled
