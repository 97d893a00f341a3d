from datetime import date, time

from sqlalchemy import select

from core.accounts import service as accounts
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.desk import schedule
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


def _stored(app_env):
    engine = make_engine(app_env)
    with read_factory(engine)() as session:
        plan, timings = schedule.load(session), schedule.row(session)
    engine.dispose()
    return plan, timings


def test_admin_edits_business_hours_and_sees_problems_next_to_fields(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    assert next(w for w in app.multiselect if w.label == "Working days").value == [0, 1, 2, 3, 4]
    next(w for w in app.text_area if w.label == "Holidays").input("2026-12-25\nsoon")
    next(w for w in app.time_input if w.label == "The day ends at").set_value(time(8))
    next(b for b in app.button if b.key == "hours_save").click().run()
    errors = [e.value for e in app.error]
    assert "These are not dates in the form YYYY-MM-DD: soon." in errors
    assert "The working day must end after it starts." in errors
    assert _stored(app_env)[0].holidays == frozenset()

    next(w for w in app.multiselect if w.label == "Working days").set_value([0, 1, 2, 3])
    next(w for w in app.time_input if w.label == "The day starts at").set_value(time(8, 30))
    next(w for w in app.time_input if w.label == "The day ends at").set_value(time(0))
    next(w for w in app.selectbox if w.label == "Time zone").set_value("America/Mexico_City")
    next(w for w in app.text_area if w.label == "Holidays").input("2026-12-25\n2026-01-06")
    next(b for b in app.button if b.key == "hours_save").click().run()
    assert not app.error and "Saved." in [s.value for s in app.success]
    plan, _ = _stored(app_env)
    assert (plan.days, plan.start, plan.end, plan.timezone) == (frozenset({0, 1, 2, 3}), 510, 1440,
                                                                 "America/Mexico_City")
    assert plan.holidays == frozenset({date(2026, 12, 25), date(2026, 1, 6)})


def test_admin_sets_automation_timings(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    close = next(w for w in app.number_input if w.label == "Close solved tickets after (days)")
    assert close.value == 4  # MESA_CLOSE_AFTER_DAYS until saved here
    close.set_value(9)
    next(w for w in app.number_input if w.key == "timing-survey_delay_minutes").set_value(30)
    next(b for b in app.button if b.key == "timings_save").click().run()
    assert not app.error
    _, stored = _stored(app_env)
    assert (stored.close_after_days, stored.survey_delay_minutes, stored.reminder_after_days) == (9, 30, 3)


def test_the_role_shown_is_the_persons_and_deactivating_keeps_it(app_env):
    """Issue 19: the Role box said Agent whoever was picked, and deactivating a manager made her an agent."""
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        marta = accounts.create_user(session, email="marta@mesa.example", name="Marta", role="manager").id
    app = _as(app_env, "admin@mesa.example", "admin")
    app.selectbox(key="admin_who").select(marta).run()
    assert app.selectbox(key=f"admin_role_{marta}").value == "manager"
    assert app.button(key=f"admin_active_go_{marta}").disabled  # not before the confirmation
    app.checkbox(key=f"admin_sure_{marta}").check().run()
    app.button(key=f"admin_active_go_{marta}").click().run()
    assert not app.exception, app.exception
    with read_factory(engine)() as session:
        stored = session.get(User, marta)
        assert (stored.role, stored.active) == ("manager", False)
    table = app.dataframe[0].value
    row = table[table["Email"] == "marta@mesa.example"].iloc[0]
    assert row["Role"] == "Manager" and not row["Active"]  # the table says so at once
    engine.dispose()


def test_admin_lets_an_agent_write_help_articles(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        ana = accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent").id
    app = _as(app_env, "admin@mesa.example", "admin")
    app.selectbox(key="admin_who").select(ana).run()
    app.toggle(key=f"admin_help_{ana}").set_value(True).run()
    assert not app.exception, app.exception
    with read_factory(engine)() as session:
        assert session.get(User, ana).writes_help
    engine.dispose()
