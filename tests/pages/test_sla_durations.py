"""SLA targets are typed as durations (an amount and a unit), shown in the largest whole unit, stored in minutes."""

from sqlalchemy import select

from core import formats
from core.db import make_engine, read_factory
from core.desk import admin
from core.models import User
from tests.pages.test_admin_page import _as


def _policies(app_env):
    engine = make_engine(app_env)
    with read_factory(engine)() as session:
        found = {p: (s.first_reply_minutes, s.resolution_minutes, s.business_hours)
                 for p, s in admin.sla_policies(session).items()}
    engine.dispose()
    return found


def test_targets_are_typed_in_hours_and_days_and_kept_in_minutes(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    assert not app.exception, app.exception
    first, unit = app.number_input(key="first-urgent-480-amount"), app.selectbox(key="first-urgent-480-unit")
    assert (first.value, unit.value) == (1, "days")  # the default 480 min with business hours: one working day
    assert unit.format_func(unit.value) == "days" and "min" not in first.label
    first.set_value(2)
    app.selectbox(key="first-urgent-480-unit").set_value("hours")
    app.number_input(key="resolution-urgent-480-amount").set_value(1.5)
    app.selectbox(key="resolution-urgent-480-unit").set_value("days")
    app.checkbox(key="business-urgent").uncheck()
    next(b for b in app.button if b.label == "Save" and "sla" in str(b.form_id)).click().run()
    assert not app.exception, app.exception
    assert _policies(app_env)["urgent"] == (120, 8 * 60 * 1.5, False)  # the working day (9:00-17:00) was the unit
    app.run()
    assert (app.number_input(key="first-urgent-1440-amount").value, app.selectbox(key="first-urgent-1440-unit").value) \
        == (2, "hours")
    assert app.number_input(key="resolution-urgent-1440-amount").value == 12  # calendar time now: 720 min, 12 hours


def test_the_units_are_said_in_the_readers_language_which_the_account_keeps(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    app.sidebar.selectbox(key="language_choice").select("pt-BR").run()
    unit = app.selectbox(key="first-high-480-unit")
    assert [unit.format_func(u) for u in formats.DURATION_UNITS] == ["minutos", "horas", "dias"]
    engine = make_engine(app_env)
    with read_factory(engine)() as session:
        assert session.scalar(select(User.locale).where(User.email == "admin@mesa.example")) == "pt-BR"
    engine.dispose()


def test_the_largest_whole_unit_is_shown():
    assert formats.in_units(4320) == (3, "days") and formats.in_units(90) == (1.5, "hours")
    assert formats.in_units(45) == (45, "minutes") and formats.in_units(960, day_minutes=480) == (2, "days")
    assert formats.to_minutes(2, "days", day_minutes=480) == 960 and formats.to_minutes(0.5, "hours") == 30
