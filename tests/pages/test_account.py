import re

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import Outbox, RateEvent, User
from core.portal import service as portal
from tests.pages.conftest import run_home

PASSWORD = "a long and rare passphrase"


@pytest.fixture
def db(app_env):
    engine = make_engine(app_env)
    yield session_factory(engine), read_factory(engine)
    engine.dispose()


def _ticket_for(factory, email, subject):
    with unit_of_work(factory) as session:
        return portal.send_ticket(session, visitor=portal.Visitor("10.1.1.1"), name="Olivia", email=email,
                                  subject=subject, description="details", kind="question", product_id=None,
                                  locale="en", uploads=[], settings=get_settings()).ticket_id


def _account(**query):
    app = run_home(**query)
    app.switch_page("app_pages/account.py").run()
    return app


def _link(read, template):
    with read() as session:
        row = session.scalars(select(Outbox).where(Outbox.template == template).order_by(Outbox.id.desc())).first()
    return re.search(r"(\?\w+=[\w-]+)", row.body_text).group(1).split("=", 1)


def _field(app, label, index=0):
    return [w for w in app.text_input if w.label == label][index]


@pytest.fixture(autouse=True)
def known_captcha(monkeypatch):
    """Every captcha answer is 22222 (the first letter of the alphabet, five times)."""
    import core.portal.captcha

    monkeypatch.setattr(core.portal.captcha.secrets, "choice", lambda alphabet: alphabet[0])


def _register(app, email="olivia@example.com", password=PASSWORD, repeat=None, captcha="22222"):
    _field(app, "First name").input("Olivia")
    _field(app, "Last name (optional)").input("Brown")
    _field(app, "Email", 1).input(email)
    _field(app, "Password", 1).input(password)
    _field(app, "Repeat the password").input(repeat or password)
    app.text_input(key="register_captcha_answer").input(captcha)
    next(b for b in app.button if b.label == "Create an account").click().run()
    return app


def test_register_verify_then_see_tickets_sent_before(db):
    factory, read = db
    earlier = _ticket_for(factory, "olivia@example.com", "Sent before registering")
    _ticket_for(factory, "james@example.com", "Someone else's")
    app = _register(_account())
    assert not app.exception, app.exception
    assert any("Your account is ready" in s.value for s in app.success), [e.value for e in app.error]
    with read() as session:
        user = accounts.find_by_email(session, "olivia@example.com")
        assert user.email_verified_at is None and accounts.verify_password(PASSWORD, user.password_hash)
    action, token = _link(read, "verify_email")
    assert action == "?verify"
    app = _account(verify=token)
    assert "Your email is confirmed" in app.success[0].value
    again = _account(verify=token)
    assert "not valid any more" in again.warning[0].value

    app = _account()
    _sign_in(app, "olivia@example.com", PASSWORD)
    app.switch_page("app_pages/my_tickets.py").run()
    shown = "\n".join(m.value for m in app.markdown)
    assert f"#{earlier}" in shown and "Sent before registering" in shown and "Someone else" not in shown


def _sign_in(app, email, password):
    _field(app, "Email").input(email)
    _field(app, "Password").input(password)
    next(b for b in app.button if b.label == "Sign in").click().run()
    return app


def test_register_refuses_mismatch_weak_password_and_bad_captcha(db):
    for kwargs, says in (({"repeat": "something else entirely"}, "not the same"),
                         ({"password": "short"}, "at least 10 characters"),
                         ({"password": "passwordpassword"[:4] * 3}, "too easy"),
                         ({"captcha": "9999"}, "do not match the image")):
        app = _register(_account(), **kwargs)
        assert any(says in e.value for e in app.error), (kwargs, [e.value for e in app.error])
    _factory, read = db
    with read() as session:
        assert session.scalar(select(User).where(User.email == "olivia@example.com")) is None


def test_wrong_password_is_refused_and_counted(db):
    factory, read = db
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent", password=PASSWORD)
    app = _sign_in(_account(), "ana@mesa.example", "not the password")
    assert "The email or the password is not right." in [e.value for e in app.error]
    with read() as session:
        assert sorted(session.scalars(select(RateEvent.bucket)).all()) == ["login", "login_account"]
    app = _sign_in(_account(), "ana@mesa.example", PASSWORD)
    assert app.session_state["authentication_status"] is True


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_failures_on_one_account_wait_longer_and_longer_but_never_lock_the_owner_out(db, monkeypatch):
    """H3: an attacker spreading guesses over many addresses was never slowed down."""
    import ui.sign_in

    factory, _read = db
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent", password=PASSWORD)
    waits = []
    monkeypatch.setattr(ui.sign_in, "wait", waits.append)
    for n in range(7):
        _sign_in(_account(), "ana@mesa.example", f"guess number {n}")
    assert waits == [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.0]
    assert _sign_in(_account(), "ana@mesa.example", PASSWORD).session_state["authentication_status"] is True


def test_an_unknown_account_costs_a_password_check_too(db, monkeypatch):
    """L5: sign-in answered in 250 ms for an unknown account and 550 ms for a known one."""
    import core.accounts.service

    checks = []
    real = core.accounts.service.bcrypt.checkpw
    monkeypatch.setattr(core.accounts.service.bcrypt, "checkpw", lambda *args: checks.append(1) or real(*args))
    app = _sign_in(_account(), "nobody@example.com", "some password")
    assert "The email or the password is not right." in [e.value for e in app.error] and checks


def test_password_reset_by_emailed_link(db):
    factory, read = db
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="olivia@example.com", name="Olivia", password=PASSWORD)
    app = _account()
    _field(app, "Email", -1).input("olivia@example.com")
    next(b for b in app.button if b.label == "Send me a link").click().run()
    assert "If there is an account for that email" in app.success[0].value
    action, token = _link(read, "password_reset")
    assert action == "?reset"
    app = _account(reset=token)
    app.text_input[0].input("brand new long password")
    app.text_input[1].input("brand new long password")
    app.button[0].click().run()
    assert "Your password has been changed" in app.success[0].value
    with read() as session:
        user = accounts.find_by_email(session, "olivia@example.com")
        assert accounts.verify_password("brand new long password", user.password_hash)
    reused = _account(reset=token)
    reused.text_input[0].input("another long password!")
    reused.text_input[1].input("another long password!")
    reused.button[0].click().run()
    assert "not valid any more" in reused.warning[0].value


def test_my_tickets_asks_anonymous_visitors_to_sign_in(app_env):
    app = run_home()
    app.switch_page("app_pages/my_tickets.py").run()
    assert app.info[0].value == "Sign in to see all your tickets in one place."


def test_send_again_past_the_hourly_limit_says_so_instead_of_claiming_a_link_went_out(db):
    """M9 on the page: the fourth "send again" in an hour sends nothing, and the page must not say it did."""
    factory, _read = db
    with unit_of_work(factory) as session:
        accounts.create_user(session, email="olivia@example.com", name="Olivia", password=PASSWORD)
    app = _sign_in(_account(), "olivia@example.com", PASSWORD).run()  # the account page, signed in
    said = []
    for _ in range(4):
        app = next(b for b in app.button if b.label == "Send the confirmation link again").click().run()
        said.append(("sent" if app.success and "new confirmation link" in app.success[-1].value else "")
                    + ("limit" if app.warning and "already sent" in app.warning[-1].value else ""))
    assert said == ["sent", "sent", "sent", "limit"]
