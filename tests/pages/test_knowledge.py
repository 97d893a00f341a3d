"""The knowledge base page: writing an article in two languages, publishing it, versions; who may write."""

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core import formats
from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, session_factory, unit_of_work
from core.models import HelpArticle, HelpTranslation, User, utcnow
from tests.pages.conftest import run_home


def _staff(url, email, role="agent", writes=False):
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        user = accounts.create_user(session, email=email, name="Ana", role=role, password="a long passphrase")
        session.get(User, user.id).writes_help = writes
    engine.dispose()


def _as(email, **query):
    app = run_home(**query)
    app.session_state["authentication_status"] = True
    app.session_state["username"] = email
    app.switch_page("app_pages/knowledge.py").run()
    return app


def _articles(url):
    engine = make_engine(url)
    with session_factory(engine)() as session:
        found = {a.slug: (a.status, {t.locale: t.title for t in session.scalars(
            select(HelpTranslation).where(HelpTranslation.article_id == a.id))}) for a in session.scalars(
            select(HelpArticle))}
    engine.dispose()
    return found


def test_a_writer_drafts_in_spanish_translates_to_english_and_publishes(app_env):
    _staff(app_env, "ana@mesa.example", writes=True)
    app = _as("ana@mesa.example", lang="es")
    next(b for b in app.button if b.label == "Artículo nuevo").click().run()
    assert not app.exception, app.exception
    app.text_input(key="kb_title").input("Exportar facturas")
    app.text_input(key="kb_tags").input("facturación, PDF")
    app.text_area(key="kb_body").input("Si la **exportación** falla, vuelve a intentarlo.").run()
    assert "**exportación**" in "\n".join(m.value for m in app.markdown), "the preview shows the text as readers will"
    app.button(key="kb_save").click().run()
    assert app.query_params["edit"] == "exportar-facturas"
    app.segmented_control(key="kb_locale").set_value("en").run()
    assert app.text_input(key="kb_title").value == "", "no English yet"
    app.text_input(key="kb_title").input("Export invoices")
    app.text_area(key="kb_body").input("If the export fails, try again.").run()
    app.button(key="kb_save").click().run()
    app.button(key="kb_publish").click().run()
    assert not app.exception, app.exception
    assert _articles(app_env)["exportar-facturas"] == ("published", {"es": "Exportar facturas",
                                                                     "en": "Export invoices"})
    versions = next(e for e in app.expander if e.label.startswith("Versiones"))
    moment = formats.datetime(utcnow(), "es", ZoneInfo(get_settings().timezone)).split(",")[0]  # "6/12/26"
    assert any(m.value.startswith(moment) and re.search(r"\d CES?T ", m.value) for m in versions.markdown), [
        m.value for m in versions.markdown]  # the zone said (issue 19.6)


def test_a_refused_save_keeps_what_was_typed_and_saves_nothing(app_env):
    _staff(app_env, "ana@mesa.example", writes=True)
    app = _as("ana@mesa.example", new="1")
    app.text_input(key="kb_title").input("Reset")
    app.text_input(key="kb_slug").input("ticket-statuses")  # a starter article's address
    app.text_area(key="kb_body").input("Steps").run()
    app.button(key="kb_save").click().run()
    assert "already has this address" in "\n".join(e.value for e in app.error)
    assert app.text_area(key="kb_body").value == "Steps"
    assert len(_articles(app_env)) == 6


def test_staff_without_the_permission_read_but_do_not_write(app_env):
    _staff(app_env, "liam@mesa.example")
    app = _as("liam@mesa.example")
    assert not app.exception
    assert "New article" not in [b.label for b in app.button]
    app = _as("liam@mesa.example", edit="ticket-statuses")
    assert app.text_input(key="kb_title").disabled and not [b for b in app.button if b.key == "kb_save"]


def test_saving_keeps_the_section_and_a_new_section_can_hold_articles(app_env):
    _staff(app_env, "ana@mesa.example", writes=True)
    app = _as("ana@mesa.example", edit="ticket-statuses")
    assert app.selectbox(key="kb_section").value is not None
    app.text_input(key="kb_summary").input("What each status means.").run()
    app.button(key="kb_save").click().run()
    engine = make_engine(app_env)
    with session_factory(engine)() as session:
        article = session.scalars(select(HelpArticle).where(HelpArticle.slug == "ticket-statuses")).one()
        assert article.section_id is not None, "a save from the editor keeps the article in its section"
    engine.dispose()
    app = _as("ana@mesa.example")
    app.text_input(key="kb_section_name").input("Billing")
    next(b for b in app.button if b.label == "Add").click().run()
    assert not app.exception, app.exception
    app = _as("ana@mesa.example", edit="ticket-statuses")
    assert "Billing" in app.selectbox(key="kb_section").options
