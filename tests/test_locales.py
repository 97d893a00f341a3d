"""Every text exists in English and Spanish, and pages show no untranslated literal."""

import ast
import re
from pathlib import Path

import pytest

from core import i18n

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = sorted([*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "Home.py"])
SHOWN = {
    "title", "header", "subheader", "markdown", "write", "caption", "text", "info", "success", "warning",
    "error", "button", "form_submit_button", "link_button", "download_button", "page_link", "text_input",
    "text_area", "selectbox", "radio", "checkbox", "toggle", "multiselect", "file_uploader", "number_input",
    "date_input", "expander", "tabs", "metric", "Page", "set_page_config", "toast", "dialog", "popover",
}
WORDISH = re.compile(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]{3,}")


def test_both_locales_have_the_same_keys():
    english, spanish = i18n.catalog("en"), i18n.catalog("es")
    assert sorted(set(english) - set(spanish)) == []
    assert sorted(set(spanish) - set(english)) == []


def test_placeholders_match_between_locales():
    english, spanish = i18n.catalog("en"), i18n.catalog("es")
    fields = re.compile(r"\{(\w+)\}")
    mismatched = [k for k in english if set(fields.findall(english[k])) != set(fields.findall(spanish[k]))]
    assert mismatched == []


@pytest.mark.parametrize(("locale", "one", "two"), [
    ("en", "1 ticket selected", "2 tickets selected"), ("es", "1 ticket elegido", "2 tickets elegidos")])
def test_a_count_of_one_is_singular(locale, one, two):
    assert i18n.t("wb.bulk_selected", locale, n=1) == one
    assert i18n.t("wb.bulk_selected", locale, n=2) == two
    assert i18n.t("wb.bulk_selected", locale, n=0) == two.replace("2", "0")


def test_every_singular_form_has_its_plural():
    english = i18n.catalog("en")
    assert [k for k in english if k.endswith("_one") and k.removesuffix("_one") not in english] == []


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
