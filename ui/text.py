"""User text inside Markdown: escaped so it shows as typed, never as formatting, links or images."""

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")


def plain(text: str) -> str:
    """`text` for st.markdown/st.title: every Markdown and Streamlit directive character escaped."""
    one_line = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", one_line)
