"""The help center: article list, and one article when ?article= names it."""

import streamlit as st

from core.portal import helpcenter
from ui.app import locale, t

slug = st.query_params.get("article")
article = helpcenter.find(locale(), slug) if slug else None

if article is None:
    st.title(t("app.welcome"))
    st.write(t("app.intro"))
    st.subheader(t("app.articles"))
    for item in helpcenter.articles(locale()):
        with st.container(border=True):
            if st.button(item.title, key=f"article-{item.slug}", type="tertiary"):
                st.query_params["article"] = item.slug
                st.rerun()
            st.caption(item.summary)
else:
    # Our own articles (not user text): the anchors in them are trusted HTML.
    if st.button("← " + t("app.articles"), type="tertiary"):
        del st.query_params["article"]
        st.rerun()
    st.markdown(helpcenter.body(article), unsafe_allow_html=True)
