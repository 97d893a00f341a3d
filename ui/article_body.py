"""An article's Markdown drawn as readers see it: text without HTML, and its images (core.help.images)."""

from __future__ import annotations

import streamlit as st

from core.help import images
from ui import app


def show(body: str) -> None:
    for kind, value in images.parts(body):
        if kind == "text":
            st.markdown(value)  # staff-written Markdown: no HTML
            continue
        with app.read() as session:
            shown = images.content(session, value)
        if shown:
            st.image(shown)
