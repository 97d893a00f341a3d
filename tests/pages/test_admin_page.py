from sqlalchemy import select

from core import accounts
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import User
from tests.pages.conftest import run_home


def _as(app_env, email, role):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email=email, name="Someone", role=role, password="a long passphrase")
    engine.dispose()
    app = run_home()
    app.session_state["authentication_status"] = True
    app.session_state["username"] = email
    app.switch_page("app_pages/admin.py").run()
    return app


def test_admin_invites_a_colleague(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    assert not app.exception, app.exception
    assert app.title[0].value == "Administration"
    form = [w for w in app.text_input if w.label in ("Name", "Email")]
    form[0].input("Nora")
    form[1].input("nora@mesa.example")
    next(b for b in app.button if b.label == "Send the invitation").click().run()
    engine = make_engine(app_env)
    with read_factory(engine)() as session:
        nora = session.scalar(select(User).where(User.email == "nora@mesa.example"))
    engine.dispose()
    assert nora is not None and nora.role == "agent"


def test_agents_cannot_open_administration(app_env):
    app = _as(app_env, "ana@mesa.example", "agent")
    assert app.error[0].value == "Your account cannot open this page."
