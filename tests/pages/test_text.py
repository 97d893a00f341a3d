"""L7: user text inside Markdown shows as typed: no formatting, no link, no image, no reordering."""

import re

from ui.text import WORD_JOINER, plain, unreordered

URL_START = re.compile(r"(?i)\w://|www\.|[-.\w+]@[-\w]")


def _unescaped(markdown: str) -> str:
    """What the renderer's text node holds: the backslash escapes resolved."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_urls_in_a_subject_or_a_name_are_never_turned_into_links():
    for text in ("Refund at http://evil.example/pay now", "see WWW.evil.example", "ftp://x.example",
                 "[click](https://evil.example)", "write to win@evil.example",
                 "![x](https://evil.example/pixel.png)"):
        shown = _unescaped(plain(text))
        assert not URL_START.search(shown), shown
        assert shown.replace(WORD_JOINER, "") == text, "the reader still sees what was typed"


def test_bidirectional_overrides_are_not_drawn():
    assert plain("invoice\u202egpj.exe") == "invoicegpj\\.exe"
    assert unreordered("subject: — → invoice\u202egpj.exe\n") == "subject: — → invoicegpj.exe\n"
    assert "\u2066" not in plain("a\u2066b\u2069c")


def test_markdown_is_escaped():
    assert _unescaped(plain("**bold** _it_ <b>x</b> :red[y] $x$")) == "**bold** _it_ <b>x</b> :red[y] $x$"
    assert plain("**bold**").startswith("\\*\\*")
