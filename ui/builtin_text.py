"""Streamlit's own words in the reader's language: a small override, since Streamlit 1.67 has no translations.

Streamlit's frontend writes some English itself: the file uploader ("Upload", "Drag and drop a file here",
"20MB per file", "File must be 20.0MB or smaller."), "Press Enter to apply" under a text box, the "Skip to main
content" link, and aria labels and tooltips ("Help for Subject *", "Show password", "Clear value"). A script
(installed once per page, fed the current language on every run) watches the page and replaces exactly those
texts, as Streamlit writes them, with their translation from core/locales ([streamlit]). Only whole texts that
match one of the patterns below change, and never inside what Mesa draws from user text (Markdown, st.text, code,
inputs). Checked in a browser by tests/e2e/test_languages.py; the patterns by tests/pages/test_builtin_text.py.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from core import i18n
from ui.app import locale

# Streamlit's English (a regular expression over the whole text) -> our key, its groups' names (each becomes "$1"),
# and where Streamlit writes it: in the page's text, in an attribute (aria-label, title, placeholder) or both. A
# pattern with a
# group is never tried on the page's text when it could match a ticket's subject on a tab or a button.
PATTERNS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (r"Upload", "streamlit.upload", (), "text"),
    (r"Drag and drop a file here", "streamlit.drop_file", (), "text"),
    (r"Drag and drop files here", "streamlit.drop_files", (), "text"),
    (r"Add files", "streamlit.add_files", (), "attr"),
    (r"(.+) per file", "streamlit.per_file", ("size",), "text"),
    (r"File must be (.+) or smaller\.", "streamlit.file_too_big", ("size",), "text"),
    (r"(.+) files are not allowed\.", "streamlit.type_refused", ("type",), "text"),
    (r"Press Enter to apply", "streamlit.enter_apply", (), "text"),
    (r"Press Enter to submit form", "streamlit.enter_submit", (), "text"),
    (r"Press (Ctrl|⌘)\+Enter to apply", "streamlit.chord_apply", ("chord",), "text"),
    (r"Press (Ctrl|⌘)\+Enter to submit form", "streamlit.chord_submit", ("chord",), "text"),
    (r"Skip to main content", "streamlit.skip", (), "text"),
    (r"Help for (.+)", "streamlit.help_for", ("label",), "attr"),
    (r"Help", "streamlit.help", (), "attr"),
    (r"Show password", "streamlit.show_password", (), "attr"),
    (r"Hide password", "streamlit.hide_password", (), "attr"),
    (r"Clear value", "streamlit.clear_value", (), "attr"),
    (r"Clear all", "streamlit.clear_all", (), "attr"),
    (r"Open", "streamlit.open", (), "attr"),
    (r"Selected values", "streamlit.selected_values", (), "attr"),
    (r"Remove (.+)", "streamlit.remove", ("name",), "attr"),
    (r"Increment", "streamlit.increment", (), "attr"),
    (r"Decrement", "streamlit.decrement", (), "attr"),
    (r"Choose date", "streamlit.choose_date", (), "attr"),
    (r"Choose date range", "streamlit.choose_range", (), "attr"),
    (r"Previous month", "streamlit.previous_month", (), "attr"),
    (r"Next month", "streamlit.next_month", (), "attr"),
    (r"Previous page", "streamlit.previous_page", (), "attr"),
    (r"Next page", "streamlit.next_page", (), "attr"),
    (r"Running\.\.\.", "streamlit.running", (), "text"),
    (r"Choose an option", "streamlit.choose_option", (), "both"),
    (r"Choose options", "streamlit.choose_options", (), "both"),
    (r"Add an option", "streamlit.add_option", (), "both"),
    (r"No results", "streamlit.no_results", (), "text"),
    (r"Sidebar", "streamlit.sidebar", (), "attr"),
    (r"Collapse sidebar", "streamlit.collapse_sidebar", (), "attr"),
    (r"Expand sidebar", "streamlit.expand_sidebar", (), "attr"),
    (r"Link to heading", "streamlit.heading_link", (), "attr"),
    (r"file upload", "streamlit.file_input", (), "attr"),
    (r"Error:", "streamlit.error_prefix", (), "text"),
    (r"Copy to clipboard", "streamlit.copy", (), "attr"),
    (r"Copied", "streamlit.copied", (), "attr"),
    (r"Chat message from (?:user)", "streamlit.message_customer", (), "attr"),
    (r"Chat message from (?:assistant)", "streamlit.message_support", (), "attr"),
    (r"No options to select\.?", "streamlit.no_options", (), "both"),
    (r"Add options", "streamlit.add_options", (), "both"),
    (r"Choose or add options", "streamlit.choose_or_add_options", (), "both"),
    (r"Choose or add an option", "streamlit.choose_or_add_option", (), "both"),
    (r"year, (.+)", "streamlit.date_year", ("label",), "attr"),  # a date's boxes (their placeholder: yyyy/mm/dd)
    (r"month, (.+)", "streamlit.date_month", ("label",), "attr"),
    (r"day, (.+)", "streamlit.date_day", ("label",), "attr"),
    (r"yyyy", "streamlit.year_letters", (), "text"),
    (r"Download as CSV", "streamlit.download_csv", (), "attr"),  # a table's toolbar
    (r"Search", "streamlit.search", (), "attr"),
    (r"Show/hide columns", "streamlit.show_hide_columns", (), "attr"),
    (r"Fullscreen", "streamlit.fullscreen", (), "both"),
    (r"Close fullscreen", "streamlit.close_fullscreen", (), "both"),
    (r"[a-z_]+ icon", "streamlit.icon", (), "both"),
)


def rules(code: str) -> list[list[str]]:
    """[regular expression, replacement, where] for `code`; none for English (Streamlit's own words)."""
    if i18n.normalize(code) == i18n.DEFAULT_LOCALE:
        return []
    found = []
    for pattern, key, groups, where in PATTERNS:
        said = i18n.t(key, code, **{name: f"${n}" for n, name in enumerate(groups, start=1)})
        found.append([f"^{pattern}$", said, where])
    return found


def translate(text: str, code: str, where: str = "text") -> str:
    """What the script does to one text (`where`: "text" or "attr"), in Python for the tests: the first whole
    match, else the text unchanged."""
    for pattern, said, kind in rules(code):
        if kind in (where, "both") and re.fullmatch(pattern[1:-1], text.strip()):
            return re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", said), text.strip())
    return text


SCRIPT = """<script>
(() => {
  const rules = RULES.map(([pattern, said, where]) => [new RegExp(pattern), said, where]);
  const mesa = window.mesaStreamlitText = window.mesaStreamlitText || {};
  mesa.rules = rules;
  const said = (text, kind) => {
    const trimmed = (text || "").trim();
    for (const [pattern, words, where] of mesa.rules) {
      if ((where === kind || where === "both") && pattern.test(trimmed)) return trimmed.replace(pattern, words);
    }
    return null;
  };
  const USER = '[data-testid="stMarkdownContainer"], [data-testid="stText"], [data-testid="stCode"], textarea, input';
  const pass = (root) => {
    if (!mesa.rules.length || !root) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(USER) && !parent.closest("button")) continue;  // a button's label is Markdown
      const words = said(node.nodeValue, "text");
      if (words !== null && words !== node.nodeValue.trim()) node.nodeValue = words;
    }
    for (const element of root.querySelectorAll("[aria-label], [title], [placeholder], [data-title]")) {
      for (const name of ["aria-label", "title", "placeholder", "data-title"]) {  // data-title: a chart's toolbar
        const words = said(element.getAttribute(name), "attr");
        if (words !== null && words !== element.getAttribute(name)) element.setAttribute(name, words);
      }
    }
  };
  mesa.pass = pass;
  pass(document.body);
  if (!mesa.observer) {
    mesa.observer = new MutationObserver(() => {
      if (mesa.queued) return;
      mesa.queued = true;
      requestAnimationFrame(() => { mesa.queued = false; mesa.pass(document.body); });
    });
    mesa.observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                          attributeFilter: ["aria-label", "title", "placeholder", "data-title"]});
  }
})();
</script>"""


def install() -> None:
    """Once per run, on every page: the script with this run's language (English: nothing to replace)."""
    st.html(SCRIPT.replace("RULES", json.dumps(rules(locale()), ensure_ascii=False)), unsafe_allow_javascript=True)
