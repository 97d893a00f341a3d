"""Every text exists in every language (a language is its files: core/locales/<code>.toml, core/mail/templates/<code>/
and data/help/<code>/), plural forms follow each language's rule, and pages show no untranslated literal."""

import ast
import re
from pathlib import Path

import pytest

from core import i18n
from core.help import starter
from core.mail.templates import TEMPLATE_DIR, TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "Home.py"])
SHOWN = {
    "title", "header", "subheader", "markdown", "write", "caption", "text", "info", "success", "warning",
    "error", "button", "form_submit_button", "link_button", "download_button", "page_link", "text_input",
    "text_area", "selectbox", "radio", "checkbox", "toggle", "multiselect", "file_uploader", "number_input",
    "date_input", "expander", "tabs", "metric", "Page", "set_page_config", "toast", "dialog", "popover",
}
WORDISH = re.compile(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]{3,}")


OTHERS = [code for code in i18n.LOCALES if code != i18n.DEFAULT_LOCALE]
PLURAL_FORMS = ("zero", "one", "two", "few", "many")


def test_a_language_is_its_files_in_three_places():
    assert set(i18n.LOCALES) >= {"en", "es", "pt-BR"}
    assert sorted(p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir()) == sorted(i18n.LOCALES)
    assert sorted(p.name for p in starter.HELP_DIR.iterdir() if p.is_dir()) == sorted(i18n.LOCALES)


@pytest.mark.parametrize("locale", OTHERS)
def test_every_language_has_the_same_keys_as_english(locale):
    english, other = i18n.catalog("en"), i18n.catalog(locale)
    counted = {k for k in other if k.rsplit("_", 1)[-1] in PLURAL_FORMS and k.rsplit("_", 1)[0] in english}
    assert sorted(set(english) - set(other) - {k for k in english if k.endswith("_one")}) == []
    assert sorted(set(other) - set(english) - counted) == []


@pytest.mark.parametrize("locale", OTHERS)
def test_placeholders_match_between_locales(locale):
    english, other = i18n.catalog("en"), i18n.catalog(locale)
    fields = re.compile(r"\{(\w+)\}")
    said = {k: english[k if k in english else k.rsplit("_", 1)[0]] for k in other}
    mismatched = [k for k in other if set(fields.findall(other[k])) != set(fields.findall(said[k]))]
    assert mismatched == []


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_email_template_exists_in_every_language(locale):
    missing = [f"{name}.{part}" for name in TEMPLATES for part in ("subject.txt", "txt", "html")
               if not (TEMPLATE_DIR / locale / f"{name}.{part}").is_file()]
    assert missing == []


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_help_article_exists_in_every_language(locale):
    assert [a["slug"] for a in starter.listed(locale)] == [a["slug"] for a in starter.listed("en")]
    for article in starter.listed(locale):
        text = article["path"].read_text(encoding="utf-8")
        anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))
        assert set(re.findall(r"\]\(#([a-z0-9-]+)\)", text)) <= anchors, article["path"]


@pytest.mark.parametrize(("locale", "zero", "one", "two"), [
    ("en", "0 tickets selected", "1 ticket selected", "2 tickets selected"),
    ("es", "0 tickets elegidos", "1 ticket elegido", "2 tickets elegidos"),
    ("pt-BR", "0 ticket escolhido", "1 ticket escolhido", "2 tickets escolhidos")])  # CLDR: 0 is singular in pt
def test_counts_follow_the_languages_plural_rule(locale, zero, one, two):
    assert [i18n.t("wb.bulk_selected", locale, n=n) for n in (0, 1, 2)] == [zero, one, two]


def test_every_singular_form_has_its_plural():
    for locale in i18n.LOCALES:
        catalog = i18n.catalog(locale)
        forms = [k for k in catalog if k.rsplit("_", 1)[-1] in PLURAL_FORMS and "_" in k]
        assert [k for k in forms if k.rsplit("_", 1)[0] not in catalog] == [], locale


@pytest.mark.parametrize(("tag", "code"), [
    ("es", "es"), ("es-MX", "es"), ("pt-BR", "pt-BR"), ("pt_br", "pt-BR"), ("pt", "pt-BR"), ("PT-pt", "pt-BR"),
    ("en-GB", "en"), ("fr", None), ("", None)])
def test_a_language_tag_matches_one_of_ours(tag, code):
    assert i18n.match(tag) == code
    assert i18n.normalize(tag) == (code or "en")


@pytest.mark.parametrize(("header", "code"), [
    ("es-ES,es;q=0.9,en;q=0.8", "es"), ("fr-FR,fr;q=0.9,pt-BR;q=0.8,en;q=0.5", "pt-BR"),
    ("en;q=0.2, es;q=0.9", "es"), ("de, *;q=0.5", None), ("es;q=0, en", "en"), ("", None), (None, None),
    ("es;q=nonsense, pt", "pt-BR")])
def test_the_browsers_languages_pick_the_first_we_have(header, code):
    assert i18n.from_accept_language(header) == code


def test_each_language_is_named_in_itself():
    assert [i18n.language_name(code) for code in ("en", "es", "pt-BR")] == ["English", "Español", "Português (Brasil)"]


def _keys_used() -> set[str]:
    used = set()
    for path in [*UI_FILES, *ROOT.glob("core/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            is_t = isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "t"
            if is_t and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                used.add(node.args[0].value)
    return used


def test_every_literal_key_used_exists():
    missing = sorted(k for k in _keys_used() if k not in i18n.catalog("en"))
    assert missing == []


def _literal_words(node: ast.AST) -> str:
    """The words a person would read in a literal argument (URL-ish tokens ignored)."""
    parts = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    words = [w for part in parts for w in part.split() if not set(w) & set("=/?#&[]():.")]
    return " ".join(w for w in words if WORDISH.search(w))


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_untranslated_literal_on_screen(path):
    offenders = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or getattr(node.func, "attr", None) not in SHOWN:
            continue
        candidates = list(node.args[:1]) + [k.value for k in node.keywords if k.arg in ("label", "body", "placeholder")]
        for argument in candidates:
            if words := _literal_words(argument):
                offenders.append(f"line {node.lineno}: {words!r}")
    assert offenders == []
