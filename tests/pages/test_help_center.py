"""The help center page: articles from the store, search first, an article, votes."""

import tomllib
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import formats
from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, session_factory, unit_of_work
from core.help import articles
from core.help.starter import HELP_DIR
from core.models import HelpActivity, HelpVote, utcnow
from tests.pages.conftest import run_home


def _titles(locale):
    with (HELP_DIR / locale / "index.toml").open("rb") as handle:
        return [a["title"] for a in tomllib.load(handle)["article"]]


def _rows(url, model):
    engine = make_engine(url)
    with session_factory(engine)() as session:
        rows = session.scalars(select(model)).all()
    engine.dispose()
    return rows


def test_landing_lists_the_starter_articles_from_the_store(app_env):
    app = run_home()
    assert not app.exception
    assert app.title[0].value == "How can we help you?"
    assert [b.label for b in app.button if b.key and b.key.startswith("article-")] == _titles("en")


def test_switching_to_spanish_translates_the_page(app_env):
    app = run_home()
    app.sidebar.selectbox[0].select("es").run()
    assert app.title[0].value == "¿Cómo podemos ayudarte?"
    assert "¿Qué es un ticket de ayuda?" in [b.label for b in app.button]
    assert app.query_params["lang"] == "es"


def test_an_article_opens_with_its_text_and_links_to_other_articles(app_env):
    app = run_home(article="ticket-statuses")
    assert app.title[0].value == "What do ticket statuses mean?"
    body = "\n".join(m.value for m in app.markdown)
    assert "(?article=register-to-see-your-tickets)" in body
    assert "<a id=" not in body, "no HTML from the starter files: article text is rendered without HTML"
    app.button(key="help_back").click().run()
    assert app.title[0].value == "How can we help you?"
    assert [r.kind for r in _rows(app_env, HelpActivity)] == ["view"]


def test_clicking_an_article_opens_it(app_env):
    app = run_home(lang="es")
    app.button(key="article-how-a-ticket-evolves").click().run()
    assert app.title[0].value == "¿Cómo evoluciona un ticket?"
    assert app.query_params["article"] == "how-a-ticket-evolves"
    engine = make_engine(app_env)
    with session_factory(engine)() as session:
        updated = articles.page(session, "how-a-ticket-evolves", "es").updated_at
    engine.dispose()
    day = formats.date(updated, "es", ZoneInfo(get_settings().timezone))  # "6 dic 2026", not 2026-12-06
    assert f"Actualizado el {day}" in [c.value for c in app.caption]


def test_an_unknown_or_draft_article_shows_the_landing(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        articles.save(session, articles.Draft("en", "Secret plans", "", "Not yet", "secret-plans"), None, utcnow())
    engine.dispose()
    for slug in ("../../etc/passwd", "secret-plans"):
        assert run_home(article=slug).title[0].value == "How can we help you?"


def test_search_finds_words_without_accents_and_highlights_them(app_env):
    app = run_home(lang="es")
    app.text_input(key="help_q").input("contrasena").run()
    assert app.query_params["q"] == "contrasena"
    results = [b.key for b in app.button if b.key and b.key.startswith("hit-")]
    assert results[0] == "hit-register-to-see-your-tickets"
    assert "**contraseña**" in "\n".join(m.value for m in app.markdown)
    app.run()
    searches = [r for r in _rows(app_env, HelpActivity) if r.kind == "search"]
    assert [(s.query, s.results) for s in searches] == [("contrasena", len(results))], "one search, counted once"


def test_a_search_with_no_result_offers_a_ticket_and_is_counted(app_env):
    app = run_home(q="zzyzx quux")
    assert "No article matches" in app.info[0].value
    assert [link.proto.page for link in app.get("page_link") if link.proto.icon == ":material/add:"] == ["new-ticket"]
    assert [(r.query, r.results) for r in _rows(app_env, HelpActivity) if r.kind == "search"] == [("zzyzx quux", 0)]


def test_a_signed_in_reader_votes_once_and_can_change_the_vote(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email="ana@example.es", name="Ana", password="a long passphrase")
    engine.dispose()
    app = run_home(article="create-a-ticket")
    app.session_state["authentication_status"] = True
    app.session_state["username"] = "ana@example.es"
    app.run()
    app.text_input(key="help_comment").input("Clear, thanks").run()
    app.button(key="help_yes").click().run()
    assert "Thank you for your vote" in app.success[0].value
    votes = _rows(app_env, HelpVote)
    assert [(v.helpful, v.comment) for v in votes] == [(True, "Clear, thanks")]


def test_an_emptied_search_box_is_no_error(app_env):
    """CI: the box's value came back as None (its default changed between runs) and the callback raised."""
    app = run_home(q="contrasena")
    app.text_input(key="help_q").set_value(None).run()
    assert not app.exception, app.exception
    assert "q" not in app.query_params
