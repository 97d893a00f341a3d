"""Streamlit's own English (the uploader, "Press Enter to apply", aria labels) is replaced in the reader's language."""

import re
from pathlib import Path

import pytest
import streamlit

from core import i18n
from tests.pages.conftest import run_home
from ui import builtin_text

BUNDLE = "\n".join(p.read_text(errors="ignore") for p in (Path(streamlit.__file__).parent / "static").rglob("*.js"))
OTHERS = [code for code in i18n.LOCALES if code != i18n.DEFAULT_LOCALE]


@pytest.mark.parametrize(("pattern", "key"), [(p[0], p[1]) for p in builtin_text.PATTERNS])
def test_each_pattern_is_still_what_streamlit_writes(pattern, key):
    """An upgrade of Streamlit that rewords one of them fails here, not silently in a Spanish page."""
    fragments = [f for f in re.split(r"\(.+?\)|\[.+?\]\+|\\|\+", pattern) if f.strip()]
    for fragment in fragments:  # "Press Enter to apply" is written `Press Enter to ${"apply"|"submit form"}`
        pieces = fragment.split(" to ", 1) if fragment.startswith(("Press", "Enter")) else [fragment]
        assert all(piece.strip(". ") in BUNDLE for piece in pieces), fragment
    if "[" in pattern:  # a class of texts ("add icon", "menu_book icon") said as one word
        return
    english = i18n.t(key, "en", **{name: "X" for name in ("size", "type", "chord", "label", "name")})
    assert re.fullmatch(pattern, english.replace("X", "Ctrl" if "Ctrl" in pattern else "X")), english


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize(("text", "where", "english_left"), [
    ("Upload", "text", ""), ("Drag and drop a file here", "text", ""), ("20MB per file", "text", "20MB"),
    ("File must be 20.0MB or smaller.", "text", "20.0MB"), ("Press Enter to apply", "text", ""),
    ("Press ⌘+Enter to submit form", "text", "⌘"), ("Skip to main content", "text", ""),
    ("Help for Asunto *", "attr", "Asunto *"), ("Show password", "attr", ""), ("Clear value", "attr", "")])
def test_streamlits_words_are_said_in_the_language(locale, text, where, english_left):
    said = builtin_text.translate(text, locale, where)
    assert said != text
    assert english_left in said
    english_words = set(re.findall(r"[A-Za-z]{3,}", text)) - {"Enter", "Asunto"}
    assert english_words & set(re.findall(r"[A-Za-z]{3,}", said)) == set(), said


def test_a_ticket_subject_on_a_tab_is_never_rewritten():
    for subject in ("Remove my account", "Help for the export", "Open"):
        assert builtin_text.translate(subject, "es", "text") == subject


def test_english_pages_change_nothing():
    assert builtin_text.rules("en") == []
    assert builtin_text.translate("Upload", "en") == "Upload"


@pytest.mark.parametrize(("lang", "expected"), [("es", "Arrastra y suelta"), ("pt-BR", "Arraste e solte")])
def test_every_page_installs_the_script_in_its_language(app_env, lang, expected):
    app = run_home(lang=lang)
    scripts = [element.proto.body for element in app.get("html") if "mesaStreamlitText" in element.proto.body]
    assert len(scripts) == 1 and expected in scripts[0]
