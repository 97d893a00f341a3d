"""The knowledge dashboard in the reader's language: a share written as the language writes it, a search's language
by its name, not its code."""

from datetime import timedelta

from core.accounts import service as accounts
from core.db import make_engine, session_factory, unit_of_work
from core.help import activity
from core.models import utcnow
from tests.pages.conftest import run_home


def test_the_tables_say_shares_and_languages_in_the_readers_words(app_env):
    engine = make_engine(app_env)
    now = utcnow() - timedelta(hours=1)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email="marta@mesa.example", name="Marta", role="manager",
                             password="a long passphrase")
        activity.searched(session, "exportar csv", 0, "es", now)
        activity.viewed(session, "ticket-statuses", "es", now)
        for n, helpful in enumerate((True, True, False)):
            activity.vote(session, "ticket-statuses", f"visitor-{n}", helpful, "", "es", now)
    engine.dispose()
    app = run_home(lang="es")
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "marta@mesa.example"
    app.switch_page("app_pages/knowledge_report.py").run()
    assert not app.exception, app.exception
    top, missing = (frame.value for frame in app.dataframe)
    assert list(top["helpful_pct"]) == ["66,7\xa0%"]  # not 66.7
    assert list(missing["locale"]) == ["Español"] and list(missing["query"]) == ["exportar csv"]
