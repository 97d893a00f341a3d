"""The top of every customer page: the product name and the "New help ticket" action."""

from __future__ import annotations

import streamlit as st

from ui.app import settings, t


def top_bar(new_ticket_page: st.Page | None) -> None:
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"**{settings().product_name}** · {t('app.tagline')}")
    if new_ticket_page is not None:
        right.page_link(new_ticket_page, label=t("app.new_ticket"), icon=":material/edit_square:",
                        width="stretch")
