from core.portal import helpcenter
from tests.pages.conftest import run_home


def _texts(app):
    return [m.value for m in app.markdown] + [t.value for t in app.title]


def test_landing_lists_the_articles_in_english(app_env):
    app = run_home()
    assert not app.exception
    assert app.title[0].value == "How can we help you?"
    labels = [b.label for b in app.button]
    assert [a.title for a in helpcenter.articles("en")] == [label for label in labels if not label.startswith("←")]


def test_switching_to_spanish_translates_the_page(app_env):
    app = run_home()
    app.sidebar.selectbox[0].select("es").run()
    assert app.title[0].value == "¿Cómo podemos ayudarte?"
    assert app.sidebar.selectbox[0].label == "Idioma"
    assert "¿Qué es un ticket de ayuda?" in [b.label for b in app.button]
    assert app.query_params["lang"] == "es"


def test_lang_query_parameter_sets_the_language(app_env):
    app = run_home(lang="es")
    assert app.title[0].value == "¿Cómo podemos ayudarte?"


def test_an_article_opens_with_its_contents_and_cross_links(app_env):
    app = run_home(article="ticket-statuses")
    body = "\n".join(m.value for m in app.markdown)
    assert "# What do ticket statuses mean?" in body
    assert "](#top)" in body and "(?article=register-to-see-your-tickets&lang=en)" in body
    app.button[0].click().run()
    assert app.title[0].value == "How can we help you?"


def test_clicking_an_article_opens_it(app_env):
    app = run_home(lang="es")
    app.button(key="article-how-a-ticket-evolves").click().run()
    assert "¿Cómo evoluciona un ticket?" in "\n".join(m.value for m in app.markdown)


def test_an_unknown_article_shows_the_landing(app_env):
    app = run_home(article="../../etc/passwd")
    assert app.title[0].value == "How can we help you?"


def test_every_article_exists_in_both_languages_with_the_same_names():
    for locale in ("en", "es"):
        for article in helpcenter.articles(locale):
            assert article.path.exists()
    assert [a.slug for a in helpcenter.articles("en")] == [a.slug for a in helpcenter.articles("es")]
