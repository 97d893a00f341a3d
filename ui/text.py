"""User text inside Markdown: escaped so it shows as typed, never as formatting, links or images."""

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")
# Bidirectional overrides and isolates (U+202E shows "gpj.exe" for "exe.jpg"): never drawn
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# What a Markdown renderer turns into a link by itself, escaped or not: "scheme://", "www." and "name@domain"
_AUTOLINK = re.compile(r"(?i)(\w:)(//)|\b(www)(\.)|([-.\w+])(@)(?=[-\w])")
WORD_JOINER = "\u2060"  # invisible, and no URL character: the link is never formed


def unreordered(text: str) -> str:
    """`text` for st.text: as typed, without bidirectional overrides and isolates."""
    return _BIDI.sub("", text)


def plain(text: str) -> str:
    """`text` for st.markdown/st.title: every Markdown and Streamlit directive character escaped, no
    bidirectional override, and no bare URL that the renderer would turn into a link."""
    one_line = _BIDI.sub("", " ".join(str(text).split()))
    unlinked = _AUTOLINK.sub(lambda m: WORD_JOINER.join(g for g in m.groups() if g), one_line)
    return _SPECIAL.sub(r"\\\1", unlinked)
