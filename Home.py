"""Mesa's entry point: settings, language, role-aware navigation. Nothing else."""

import streamlit as st

from ui import app

st.set_page_config(page_title=app.t("app.name") + " · " + app.t("app.tagline"), page_icon="💬", layout="wide")
app.engine()

pages = [st.Page("pages/help_center.py", title=app.t("app.tagline"), icon="📚", url_path="help", default=True)]
navigation = st.navigation(pages, position="sidebar" if len(pages) > 1 else "hidden")
st.sidebar.title(app.t("app.name"))
app.language_switcher()
navigation.run()
