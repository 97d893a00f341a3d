"""Mesa's entry point: settings, language, role-aware navigation. Nothing else."""

import streamlit as st

from ui import app, layout

st.set_page_config(page_title=app.t("app.name") + " · " + app.t("app.tagline"), page_icon="💬", layout="wide")
app.engine()

help_center = st.Page("pages/help_center.py", title=app.t("nav.help"), icon=":material/menu_book:", url_path="help", default=True)
new_ticket = st.Page("pages/new_ticket.py", title=app.t("app.new_ticket"), icon=":material/edit_square:", url_path="new-ticket")
customer_ticket = st.Page("pages/customer_ticket.py", title=app.t("nav.ticket"), icon=":material/confirmation_number:", url_path="ticket")
navigation = st.navigation([help_center, new_ticket, customer_ticket], position="hidden")

with st.sidebar:
    st.title(app.settings().product_name)
    st.page_link(help_center)
    st.page_link(new_ticket)
app.language_switcher()
layout.top_bar(None if navigation is new_ticket else new_ticket)
navigation.run()
