"""ui.actions, the pages' one way to change something: a refusal is said next to its field, what was typed
stays, nothing is saved; a success commits and hands back the service's result. ui.keys names the state."""

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core.db import make_engine, read_factory
from core.models import Product
from ui import keys

REQUIRED = "This field is required."
BUSY = "Mesa could not save this just now"


def _form() -> None:
    """A one-field form sent from a button callback through actions.submit. The service adds the product,
    then does what st.session_state["outcome"] says: refuse the field, find the database busy or locked,
    break, or succeed and return the name in capitals."""
    import sqlite3

    import streamlit as st
    from sqlalchemy.exc import OperationalError

    from core import errors
    from core.models import Product
    from ui import actions, forms, keys

    form = "demo"

    def add_product(session, name: str) -> str:
        session.add(Product(name=name))
        session.flush()
        outcome = st.session_state.get("outcome", "ok")
        if outcome == "invalid":
            raise errors.ValidationError({"name": [("errors.required", {})]})
        if outcome == "busy":
            raise errors.Busy()
        if outcome == "locked":  # what SQLite says when another writer kept the lock past the busy timeout
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        if outcome == "bug":
            raise RuntimeError("a bug, not a refusal")
        return name.upper()

    def send() -> None:
        done = actions.submit(form, add_product, st.session_state[keys.field(form, "name")])
        if done.ok:
            st.session_state[keys.field(form, "saved")] = done.value

    refused = actions.errors(form)
    forms.field_error(refused, "form")
    st.text_input("Name", key=keys.field(form, "name"))
    forms.field_error(refused, "name")
    st.button("Save", key="demo_save", on_click=send)
    if st.button("Save here", key="demo_inline"):  # inline: the field is drawn already, so say it here
        done = actions.run(add_product, st.session_state[keys.field(form, "name")])
        st.success(done.value) if done.ok else st.warning(done.message)
    if saved := st.session_state.pop(keys.field(form, "saved"), None):
        st.success(saved)


def _products(url: str) -> int:
    engine = make_engine(url)
    with read_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Product))
    engine.dispose()
    return count


def _send(outcome: str, button: str = "demo_save", name: str = "Printers") -> AppTest:
    app = AppTest.from_function(_form, default_timeout=30)
    app.session_state["outcome"] = outcome
    app.run()
    app.text_input(key="demo_name").input(name).run()
    app.button(key=button).click().run()
    assert not app.exception, app.exception
    return app


def _drawn(app: AppTest) -> list[str]:
    """The page top to bottom: each element's type and its value or label."""
    shown = []
    for element in app.main.children.values():
        text = getattr(element, "value", None) if element.type in ("error", "success", "warning") else getattr(
            element, "label", None)
        shown.append(f"{element.type}: {text}")
    return shown


def test_a_refused_field_is_said_under_it_keeps_the_typing_and_saves_nothing(app_env):
    app = _send("invalid")
    drawn = _drawn(app)
    assert drawn[drawn.index("text_input: Name") + 1] == f"error: {REQUIRED}", drawn
    assert app.text_input(key="demo_name").value == "Printers"
    assert app.session_state[keys.errors("demo")] == {"name": REQUIRED}
    assert _products(app_env) == 0


def test_a_busy_database_is_said_for_the_whole_form_and_saves_nothing(app_env):
    app = _send("busy")
    drawn = _drawn(app)
    assert drawn[0].startswith(f"error: {BUSY}"), drawn
    assert [e.value for e in app.error] == [drawn[0].removeprefix("error: ")], "said once, above the form"
    assert app.text_input(key="demo_name").value == "Printers"
    assert _products(app_env) == 0


def test_a_lock_held_too_long_becomes_the_busy_message_not_a_traceback(app_env):
    app = _send("locked")
    assert [e.value for e in app.error if e.value.startswith(BUSY)], _drawn(app)
    assert _products(app_env) == 0


def test_a_success_commits_hands_back_the_result_and_forgets_the_last_refusal(app_env):
    app = _send("invalid")
    assert app.error
    app.session_state["outcome"] = "ok"
    app.button(key="demo_save").click().run()
    assert not app.exception, app.exception
    assert [s.value for s in app.success] == ["PRINTERS"]
    assert not app.error, "the refusal of the last try is gone"
    assert app.session_state[keys.errors("demo")] == {}
    assert _products(app_env) == 1


def test_inline_the_outcome_carries_the_refusal_and_nothing_is_kept(app_env):
    app = _send("invalid", button="demo_inline")
    assert [w.value for w in app.warning] == [REQUIRED]
    assert not app.error, "run() keeps nothing for the next draw"
    assert keys.errors("demo") not in app.session_state
    assert _products(app_env) == 0
    app.session_state["outcome"] = "ok"
    app.button(key="demo_inline").click().run()
    assert [s.value for s in app.success] == ["PRINTERS"] and _products(app_env) == 1


def test_an_error_that_is_no_refusal_is_raised_and_saves_nothing(app_env):
    app = AppTest.from_function(_form, default_timeout=30)
    app.session_state["outcome"] = "bug"
    app.run()
    app.text_input(key="demo_name").input("Printers").run()
    app.button(key="demo_save").click().run()
    assert app.exception, "the bug surfaces (visitors see a redacted message, the log the traceback)"
    assert _products(app_env) == 0


def test_the_keys_other_code_relies_on_keep_their_names():
    """Tests, e2e journeys and sessions in flight address these by name."""
    assert keys.field(keys.NEW_TICKET, "email") == "new_email"
    assert keys.field(keys.ADD_INFORMATION, "body") == "add_body"
    assert (keys.version(7), keys.draft(7)) == ("wb_version_7", "wb_draft_7")
    assert keys.errors(keys.NEW_TICKET) == "new_errors"
    assert keys.files(keys.NEW_TICKET, 0) == "new_files_0"
