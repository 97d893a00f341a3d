"""The help center: a search box first; search results (?q=), one article (?article=slug), or the articles by
section. Links between articles stay in this tab and this session (ui.help_widgets)."""

import streamlit as st

from core import formats
from core.help import activity, articles, search
from core.models import utcnow
from ui import actions, app, article_body, auth, help_widgets, keys
from ui.app import locale, t

SEARCH = keys.field(keys.HELP, "q")

opened, visitor = help_widgets.article_links("help_links")
if opened:
    st.query_params["article"] = opened
    st.query_params.pop("q", None)
    st.session_state[SEARCH] = ""


def _searched() -> None:
    query = " ".join((st.session_state.get(SEARCH) or "").split())
    st.query_params.pop("article", None)
    if query:
        st.query_params["q"] = query
    else:
        st.query_params.pop("q", None)


def _logged_once(kind: str, what: str) -> bool:
    """True the first time this session does `kind` on `what` (a view, a search): count each once."""
    seen = st.session_state.setdefault(keys.field(keys.HELP, "seen"), set())
    if (kind, what) in seen:
        return False
    seen.add((kind, what))
    return True


def _open(slug: str) -> None:
    st.query_params["article"] = slug
    st.query_params.pop("q", None)
    st.session_state[SEARCH] = ""


def _results(query: str) -> None:
    with app.read() as session:
        hits = search.search(session, locale(), query)
    if _logged_once("search", query.lower()):
        actions.run(activity.searched, query, len(hits), locale(), utcnow())
    st.subheader(t("help.results", query=query))
    if not hits:
        st.info(t("help.no_results"), icon=":material/search_off:")
        st.page_link("app_pages/new_ticket.py", label=t("help.new_ticket"), icon=":material/add:")
    for hit in hits:
        with st.container(border=True):
            st.button(f"**{hit.title}**", key=f"hit-{hit.slug}", type="tertiary", on_click=_open, args=(hit.slug,))
            st.markdown(hit.snippet)


def _vote(slug: str, helpful: bool) -> None:
    user = auth.current_user()
    comment = st.session_state.get(keys.field(keys.HELP, "comment"), "")
    done = actions.submit(keys.HELP, activity.vote, slug, activity.voter_key(user.id if user else None, visitor),
                          helpful, comment, locale(), utcnow())
    if done.ok:
        st.session_state[keys.field(keys.HELP, "voted")] = slug


def _feedback(slug: str) -> None:
    if not visitor and not auth.current_user():
        return
    user = auth.current_user()
    with app.read() as session:
        mine = activity.my_vote(session, slug, activity.voter_key(user.id if user else None, visitor))
    with st.container(border=True, key="help_feedback"):
        if st.session_state.get(keys.field(keys.HELP, "voted")) == slug or mine is not None:
            st.success(t("help.thanks_vote"), icon=":material/favorite:")
            return
        st.markdown(f"**{t('help.was_helpful')}**")
        st.text_input(t("help.comment"), key=keys.field(keys.HELP, "comment"), placeholder=t("help.comment_hint"))
        if problem := actions.errors(keys.HELP).get("comment"):
            st.error(problem)
        yes, no, _ = st.columns([1, 1, 4])
        yes.button(t("help.yes"), key="help_yes", on_click=_vote, args=(slug, True), icon=":material/thumb_up:")
        no.button(t("help.no"), key="help_no", on_click=_vote, args=(slug, False), icon=":material/thumb_down:")


def _article(slug: str) -> bool:
    with app.read() as session:
        page = articles.page(session, slug, locale())
    if page is None:
        return False
    if _logged_once("view", slug):
        actions.run(activity.viewed, slug, locale(), utcnow())
    st.button("← " + t("app.articles"), type="tertiary", key="help_back", on_click=lambda: st.query_params.clear())
    if page.section:
        st.caption(page.section)
    st.title(page.title)
    if page.locale != locale():
        st.caption(t("help.other_language", language=app.LANGUAGE_NAMES.get(page.locale, page.locale)))
    article_body.show(page.body)
    if page.tags:
        st.caption(" · ".join(f"#{tag}" for tag in page.tags))
    st.caption(t("help.updated", date=formats.date(page.updated_at, locale(), app.zone())))
    _feedback(slug)
    return True


st.session_state.setdefault(SEARCH, st.query_params.get("q", ""))  # the box starts with the address's search
st.text_input(t("help.search"), key=SEARCH, on_change=_searched, placeholder=t("help.search_hint"),
              icon=":material/search:", label_visibility="collapsed")
if query := st.query_params.get("q", "").strip():
    _results(query)
elif not ((slug := st.query_params.get("article")) and _article(slug)):
    st.title(t("app.welcome"))
    st.write(t("app.intro"))
    with app.read() as session:
        listed = articles.listing(session, locale())
    section = object()
    for item in listed:
        if item.section != section:
            section = item.section
            st.subheader(section or t("app.articles"))
        with st.container(border=True):
            st.button(item.title, key=f"article-{item.slug}", type="tertiary", on_click=_open, args=(item.slug,))
            st.caption(item.summary)
