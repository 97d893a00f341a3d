"""The help center's knowledge base: writing, versions, search, votes and the knowledge numbers (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import events
from core.db import unit_of_work
from core.errors import DomainError, ValidationError
from core.help import activity, articles, search, starter, stats
from core.help.articles import Draft
from core.models import HelpArticle, HelpTranslation, HelpVersion, User
from core.reports.common import Period
from core.tickets import service as tickets
from tests.core.conftest import T0


@pytest.fixture
def help_desk(desk):
    with unit_of_work(desk.factory) as session:
        starter.install(session, T0)
        session.get(User, desk.ana).writes_help = True
    return desk


def _search(desk, query, locale="es"):
    with desk.reader() as session:
        return [hit.slug for hit in search.search(session, locale, query)]


def test_the_starter_articles_come_in_once_in_every_language(help_desk):
    with unit_of_work(help_desk.factory) as session:
        assert starter.install(session, T0) == 0, "installing again adds nothing"
        counts = dict(session.execute(select(HelpTranslation.locale, func.count())
                                      .group_by(HelpTranslation.locale)).all())
    assert counts == {"en": 6, "es": 6, "pt-BR": 6}
    with help_desk.reader() as session:
        page = articles.page(session, "what-is-a-ticket", "es")
    assert page.title == "¿Qué es un ticket de ayuda?" and "Una incidencia" in page.body
    assert "<a id=" not in page.body, "no HTML: articles are rendered without it"
    with help_desk.reader() as session:
        linking = articles.page(session, "ticket-statuses", "en")
    assert "](?article=register-to-see-your-tickets)" in linking.body and ".md)" not in linking.body


@pytest.mark.parametrize("query, expected", [
    ("contrasena", "register-to-see-your-tickets"),  # no accent: finds "contraseña"
    ("Contraseña", "register-to-see-your-tickets"),
    ("registrarme", "register-to-see-your-tickets"),  # another form of the word
    ("contarsena", "register-to-see-your-tickets"),  # a typo
    ("estados", "ticket-statuses"),
])
def test_search_folds_accents_forms_and_typos(help_desk, query, expected):
    assert _search(help_desk, query)[0] == expected


def test_search_stays_in_the_readers_language_and_syntax_is_just_words(help_desk):
    assert _search(help_desk, "password", "en")[0] == "register-to-see-your-tickets"
    assert _search(help_desk, "password", "es") == []
    for hostile in ('"', "* OR NEAR(", "'; DROP TABLE help_search; --", "a:* | !", "\\"):
        _search(help_desk, hostile)  # no error
    assert _search(help_desk, "the and of") == [], "stop words alone find nothing"


def _write(desk, title="Exportar facturas", body="Si la exportación falla con un error 500, vuelve a intentarlo.",
           locale="es", **kwargs):
    with unit_of_work(desk.factory) as session:
        return articles.save(session, Draft(locale, title, "Resumen", body, kwargs.pop("slug", ""),
                                            tuple(kwargs.pop("tags", ()))), desk.ana, T0, **kwargs).id


def test_a_draft_is_found_once_published_and_not_after_archiving(help_desk):
    article_id = _write(help_desk, tags=["facturación"])
    assert "exportar-facturas" not in _search(help_desk, "error 500 exportar facturas")
    with unit_of_work(help_desk.factory) as session:
        articles.change_status(session, article_id, "published", help_desk.ana, T0)
    assert _search(help_desk, "Error 500 al exportar facturas")[0] == "exportar-facturas"
    assert _search(help_desk, "facturacion")[0] == "exportar-facturas", "tags are searched"
    with unit_of_work(help_desk.factory) as session:
        articles.change_status(session, article_id, "archived", help_desk.ana, T0)
    assert "exportar-facturas" not in _search(help_desk, "exportar facturas")


def test_every_save_keeps_a_version_and_an_old_one_can_be_restored(help_desk):
    article_id = _write(help_desk)
    _write(help_desk, title="Exportar facturas en PDF", article_id=article_id)
    _write(help_desk, title="Exportar facturas en PDF", article_id=article_id)  # unchanged: no new version
    with help_desk.reader() as session:
        history = articles.versions(session, article_id, "es")
    assert [(v.title, name) for v, name in history] == [("Exportar facturas en PDF", "Ana Ruiz"),
                                                       ("Exportar facturas", "Ana Ruiz")]
    with unit_of_work(help_desk.factory) as session:
        articles.restore(session, history[1][0].id, help_desk.ana, T0 + timedelta(hours=1))
    with help_desk.reader() as session:
        assert articles.translation(session, article_id, "es").title == "Exportar facturas"
        assert session.scalar(select(func.count()).select_from(HelpVersion)
                              .where(HelpVersion.article_id == article_id)) == 3


def test_a_translation_is_its_own_language_of_the_same_article(help_desk):
    article_id = _write(help_desk, slug="exportar-facturas")
    _write(help_desk, title="Export invoices", body="If the export fails with error 500, try again.", locale="en",
           article_id=article_id)
    with help_desk.reader() as session:
        assert articles.page(session, "exportar-facturas", "en", drafts=True).title == "Export invoices"
        fallback = articles.page(session, "exportar-facturas", "pt-BR", drafts=True)
    assert fallback.locale == "en", "a language the article lacks: English"


def test_only_allowed_staff_write_and_bad_fields_save_nothing(help_desk):
    with pytest.raises(DomainError) as refused, unit_of_work(help_desk.factory) as session:
        articles.save(session, Draft("es", "Hola", "", ""), help_desk.liam, T0)
    assert refused.value.key == "help.may_not_write"
    with pytest.raises(ValidationError) as invalid, unit_of_work(help_desk.factory) as session:
        articles.save(session, Draft("es", " ", "", "", "Bad Slug!"), help_desk.ana, T0)
    assert set(invalid.value.errors) == {"title", "slug"}
    with pytest.raises(ValidationError) as taken, unit_of_work(help_desk.factory) as session:
        articles.save(session, Draft("es", "Otro", "", "", "ticket-statuses"), help_desk.ana, T0)
    assert set(taken.value.errors) == {"slug"}
    with help_desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(HelpArticle)) == 6


def test_a_good_reply_becomes_a_draft_article(help_desk):
    ticket = help_desk.new_ticket(subject="How do I export invoices?")
    with unit_of_work(help_desk.factory) as session:
        events.quiet(session)
        reply = tickets.add_agent_reply(session, ticket.id, agent_id=help_desk.ana, body="Open Billing, then Export.",
                                        now=T0)
    with unit_of_work(help_desk.factory) as session:
        drafted = articles.draft_from_reply(session, reply.id, help_desk.ana, T0, "en")
        assert (drafted.slug, drafted.status, drafted.title) == ("how-do-i-export-invoices", "draft",
                                                                 "How do I export invoices?")
        assert session.get(HelpArticle, drafted.id).from_ticket_id == ticket.id


def test_one_vote_per_voter_and_the_knowledge_numbers(help_desk):
    ticket = help_desk.new_ticket()
    with unit_of_work(help_desk.factory) as session:
        alice, bob = activity.voter_key(None, "a1"), activity.voter_key(7, "")
        activity.vote(session, "create-a-ticket", alice, False, "", "es", T0)
        activity.vote(session, "create-a-ticket", alice, True, "Ahora sí", "es", T0)  # changes the vote
        activity.vote(session, "create-a-ticket", bob, False, "No dice dónde", "es", T0)
        for _ in range(3):
            activity.viewed(session, "create-a-ticket", "es", T0)
        activity.searched(session, "Factura  PDF", 0, "es", T0)
        activity.searched(session, "factura pdf", 0, "es", T0)
        activity.searched(session, "estado", 2, "es", T0)
        activity.suggested(session, ["create-a-ticket", "ticket-statuses"], "es", T0)
        activity.answered(session, "create-a-ticket", "es", T0)
        activity.sent_anyway(session, ["create-a-ticket", "ticket-statuses"], ticket.id, "es", T0)
        activity.viewed(session, "create-a-ticket", "es", T0 - timedelta(days=40))  # before the period
    period = Period(T0 - timedelta(days=30), T0 + timedelta(minutes=1))
    with help_desk.reader() as session:
        head = stats.headline(session, period)
        missing = stats.searches_without_result(session, period)
        table = stats.by_article(session, period, "es").set_index("slug")
        said = stats.feedback(session, session.scalar(select(HelpArticle.id)
                                                      .where(HelpArticle.slug == "create-a-ticket")))
    assert (head.views, head.votes, head.helpful, head.searches, head.searches_without_result) == (3, 2, 1, 3, 2)
    assert (head.suggested, head.avoided, head.sent_anyway, head.self_service_ratio) == (2, 1, 1, 0.5)
    assert missing.to_dict("records") == [{"query": "factura pdf", "locale": "es", "searches": 2}]
    row = table.loc["create-a-ticket"]
    assert (row.views, row.votes, row.helpful, row.answered, row.tickets, row.helpful_pct) == (3, 2, 1, 1, 1, 50.0)
    assert sorted(said.comments) == [(False, "No dice dónde"), (True, "Ahora sí")]
    assert said.tickets == [(ticket.id, ticket.subject)]


def test_a_canned_response_names_an_article_by_its_address(help_desk):
    with help_desk.reader() as session:
        filled = articles.fill_links(session, "Read {article:ticket-statuses} or {article:nope}.",
                                     "https://help.example/", "es")
    assert filled == ("Read ¿Qué significa cada estado de un ticket?: "
                      "https://help.example/help?article=ticket-statuses&lang=es or {article:nope}.")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_an_image_is_checked_redrawn_and_named_in_the_markdown(help_desk):
    from core.help import images
    from core.tickets.attachments import Upload

    with unit_of_work(help_desk.factory) as session:
        markdown = images.add(session, Upload("export-screen.png", _png()), help_desk.settings, help_desk.ana)
    assert markdown.startswith("![export-screen](help-image:")
    sha = markdown.rsplit(":", 1)[1].rstrip(")")
    with help_desk.reader() as session:
        shown = images.content(session, sha)
    assert shown[:4] == b"RIFF" and b"WEBP" in shown[:16], "readers get a redrawn WEBP, not the file as uploaded"
    assert images.parts(f"Before\n\n{markdown}\n\nAfter") == [("text", "Before"), ("image", sha), ("text", "After")]
    for upload in (Upload("notes.txt", b"plain words"), Upload("setup.png", b"MZ\x90\x00" + b"\x00" * 200)):
        with pytest.raises(ValidationError) as refused, unit_of_work(help_desk.factory) as session:
            images.add(session, upload, help_desk.settings, help_desk.ana)
        assert set(refused.value.errors) == {"image"}
    with pytest.raises(ValidationError), unit_of_work(help_desk.factory) as session:
        images.add(session, Upload("a.png", _png()), help_desk.settings, help_desk.liam)  # may not write


def test_a_language_added_as_files_later_joins_the_same_articles(help_desk, tmp_path):
    folder = tmp_path / "help"
    (folder / "fr").mkdir(parents=True)
    (folder / "fr" / "index.toml").write_text('section = "Utiliser le service d’aide"\n\n'
                                              '[[article]]\nslug = "ticket-statuses"\ntitle = "Les états"\n'
                                              'summary = "Ce que veut dire chaque état."\n', encoding="utf-8")
    (folder / "fr" / "ticket-statuses.md").write_text(
        "# Les états\n\nVoir [inscription](register-to-see-your-tickets.md).\n", encoding="utf-8")
    with unit_of_work(help_desk.factory) as session:
        assert starter.install(session, T0, folder) == 1
        assert starter.install(session, T0, folder) == 0
    with help_desk.reader() as session:
        page = articles.page(session, "ticket-statuses", "fr")
        spanish = articles.page(session, "ticket-statuses", "es")
    assert (page.section, spanish.section) == ("Utiliser le service d’aide", "Cómo usar el centro de ayuda")
    assert (page.locale, page.title, page.body) == ("fr", "Les états",
                                                    "Voir [inscription](?article=register-to-see-your-tickets).\n")
    assert _search(help_desk, "etats", "fr") == ["ticket-statuses"], "a language with no stemmer: `simple`"
