"""A signed-in account's language wins over the browser's (and the desk's); a ?lang= in the address wins over both."""

import pytest

from core.accounts import service as accounts
from core.db import make_engine, session_factory, unit_of_work
from tests.pages.conftest import run_home


def _signed_in(app_env, locale: str, **query: str):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email="sofia@cliente.example", name="Sofía", role="customer",
                             password="a long passphrase", locale=locale)
    engine.dispose()
    app = run_home(**query)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "sofia@cliente.example"
    return app.run()


@pytest.mark.parametrize(("locale", "title"), [("es", "Mis tickets"), ("pt-BR", "Meus tickets")])
def test_the_accounts_language_is_used_once_signed_in(app_env, locale, title):
    app = _signed_in(app_env, locale)
    assert not app.exception, app.exception
    assert app.session_state["locale"] == locale
    assert title in [link.label for link in app.sidebar.get("page_link")] or title in str(app.sidebar)


def test_a_lang_in_the_address_wins_over_the_account(app_env):
    app = _signed_in(app_env, "pt-BR", lang="es")
    assert app.session_state["locale"] == "es"
