"""The knowledge base, for staff: every article by state, and the editor (Markdown with a live preview, one
language at a time, versions to restore, readers' feedback). Writing needs the admin's permission
(core.help.articles.may_write); the others read."""

import streamlit as st

from core import i18n
from core.help import articles, images, stats
from core.help.articles import Draft
from core.models import utcnow
from core.tickets.attachments import Upload
from ui import access, actions, app, article_body, forms, keys
from ui.app import t
from ui.text import plain
from ui.timeline import local_time

FORM = keys.KNOWLEDGE
FIELDS = ("title", "slug", "summary", "tags", "body")
LOADED = keys.field(FORM, "loaded")  # the (article id, locale) whose words the fields hold

user = access.require(*access.STAFF)
writer = articles.may_write(user)
editing = st.query_params.get("edit")
st.title(t("kb.title"))


def _load(article_id: int | None, locale: str) -> None:
    """Fill the fields with the article's words in `locale` (empty for a new article or a missing language)."""
    with app.read() as session:
        page = articles.page(session, editing, locale, drafts=True) if editing else None
        words = articles.translation(session, article_id, locale) if article_id else None
    values = {"title": words.title if words else "", "summary": words.summary if words else "",
              "body": words.body if words else "", "slug": page.slug if page else "",
              "tags": ", ".join(page.tags) if page else "", "section": page.section_id if page else None}
    for name, value in values.items():
        st.session_state[keys.field(FORM, name)] = value
    st.session_state[LOADED] = (article_id, locale)


def _save(article_id: int | None, locale: str, status: str | None = None) -> None:
    draft = Draft(locale, forms.value(FORM, "title"), forms.value(FORM, "summary"), forms.value(FORM, "body"),
                  forms.value(FORM, "slug"), tuple(articles.clean_tags(forms.value(FORM, "tags"))),
                  section_id=forms.value(FORM, "section", None))
    done = actions.submit(FORM, articles.save, draft, user.id, utcnow(), article_id=article_id, status=status)
    if done.ok:
        st.query_params["edit"] = done.value.slug
        st.query_params.pop("new", None)
        st.toast(t("kb.saved"), icon="✅")


def _add_image() -> None:
    """Uploader callback: the image checked and stored, its Markdown at the end of the text."""
    picked = st.session_state.get(keys.field(FORM, "image"))
    if picked is None:
        return
    done = actions.submit(FORM, images.add, Upload(picked.name, picked.getvalue()), app.settings(), user.id)
    if done.ok:
        body = keys.field(FORM, "body")
        st.session_state[body] = (st.session_state.get(body) or "").rstrip() + "\n\n" + done.value + "\n"


def _status(article_id: int, status: str) -> None:
    done = actions.run(articles.change_status, article_id, status, user.id, utcnow())
    if not done.ok:
        st.session_state[keys.errors(FORM)] = done.errors


def _restore(version_id: int) -> None:
    done = actions.run(articles.restore, version_id, user.id, utcnow())
    if done.ok:
        st.session_state.pop(LOADED, None)
        st.toast(t("kb.restored"), icon="✅")


def _listing() -> None:
    states = {s: t(f"kb.status_{s}") for s in articles.STATUSES}
    shown = st.segmented_control(t("kb.status"), list(states), format_func=states.get, default="published",
                                 key=keys.field(FORM, "state")) or "published"
    if writer and st.button(t("kb.new"), icon=":material/add:", type="primary"):
        st.query_params["new"] = "1"  # (an empty ?edit= does not survive in the address)
        st.session_state.pop(LOADED, None)
        st.rerun()
    if writer:
        _new_section()
    with app.read() as session:
        listed = articles.listing(session, app.locale(), (shown,))
    if not listed:
        st.caption(t("kb.none"))
    for item in listed:
        if st.button(item.title, key=f"kb-{item.slug}", type="tertiary"):
            st.query_params["edit"] = item.slug
            st.session_state.pop(LOADED, None)
            st.rerun()


def _new_section() -> None:
    with st.expander(t("kb.new_section")), st.form("kb_section_form", border=False):
        with app.read() as session:
            named = articles.sections_named(session, app.locale())
        st.text_input(t("kb.section_name"), key=keys.field(FORM, "section_name"))
        st.selectbox(t("kb.in_category"), list(named), format_func=named.get, index=None,
                     placeholder=t("kb.no_category"), key=keys.field(FORM, "section_parent"))
        if st.form_submit_button(t("kb.add_section")):
            done = actions.run(articles.add_section, forms.value(FORM, "section_name"), app.locale(), user.id,
                               forms.value(FORM, "section_parent", None))
            if done.ok:
                st.toast(t("kb.saved"), icon="✅")
            else:
                st.error(done.message)


def _editor() -> None:
    with app.read() as session:
        page = articles.page(session, editing, app.locale(), drafts=True) if editing else None
    if editing and page is None:
        st.query_params.pop("edit", None)
        st.rerun()
    locales = {code: app.LANGUAGE_NAMES.get(code, code) for code in i18n.LOCALES}
    locale = st.segmented_control(t("kb.language"), list(locales), format_func=locales.get,
                                  default=page.locale if page else app.locale(), key=keys.field(FORM, "locale"))
    locale = locale or app.locale()
    article_id = page.id if page else None
    if st.session_state.get(LOADED) != (article_id, locale):
        _load(article_id, locale)
    errors = actions.errors(FORM)
    forms.field_error(errors, "form")
    if page:
        st.caption(f"{t('kb.status')}: {t('kb.status_' + page.status)} · {t('kb.translations')}: "
                   + ", ".join(locales.get(code, code) for code in page.locales))
    left, right = st.columns(2)
    with left:
        for name, label, helper in (("title", "kb.article_title", None), ("slug", "kb.slug", "kb.slug_help"),
                                    ("summary", "kb.summary", None), ("tags", "kb.tags", "kb.tags_help")):
            st.text_input(t(label), key=keys.field(FORM, name), help=t(helper) if helper else None,
                          disabled=not writer)
            forms.field_error(errors, name)
        with app.read() as session:
            named = articles.sections_named(session, app.locale())
        st.selectbox(t("kb.section"), list(named), format_func=named.get, index=None, key=keys.field(FORM, "section"),
                     placeholder=t("kb.no_section"), disabled=not writer)
        st.text_area(t("kb.body"), key=keys.field(FORM, "body"), height=420, help=t("kb.body_help"),
                     disabled=not writer)
        forms.field_error(errors, "body")
        if writer:
            st.file_uploader(t("kb.image"), key=keys.field(FORM, "image"), on_change=_add_image,
                             help=t("kb.image_help"))
            forms.field_error(errors, "image")
    with right, st.container(border=True, key="kb_preview"):
        st.caption(t("kb.preview"))
        st.subheader(forms.value(FORM, "title") or "…")
        article_body.show(forms.value(FORM, "body"))  # as readers will see it
    if writer:
        buttons = st.columns(4)
        buttons[0].button(t("kb.save"), type="primary", on_click=_save, args=(article_id, locale), key="kb_save")
        if page and page.status != "published":
            buttons[1].button(t("kb.publish"), on_click=_status, args=(page.id, "published"), key="kb_publish")
        if page and page.status == "published":
            buttons[1].button(t("kb.unpublish"), on_click=_status, args=(page.id, "draft"), key="kb_draft")
        if page and page.status != "archived":
            buttons[2].button(t("kb.archive"), on_click=_status, args=(page.id, "archived"), key="kb_archive")
    if page:
        _about(page, locale)


def _about(page: articles.Page, locale: str) -> None:
    st.caption(t("kb.link"))
    st.code(f"{app.settings().base_url.rstrip('/')}/help?article={page.slug}", language=None)
    with app.read() as session:
        history = articles.versions(session, page.id, locale)
        said = stats.feedback(session, page.id)
    with st.expander(t("kb.versions") + f" ({len(history)})"):
        for version, author in history:
            when = local_time(version.created_at)
            line, restore = st.columns([4, 1])
            line.markdown(t("kb.version_line", when=when, author=author or t("kb.system")) + f" · {version.title}")
            if writer and version is not history[0][0]:
                restore.button(t("kb.restore"), key=f"kb-restore-{version.id}", on_click=_restore,
                               args=(version.id,))
    with st.expander(t("kb.feedback"), expanded=True):
        st.write(t("kb.votes", helpful=said.helpful, votes=said.votes) if said.votes else t("kb.no_votes"))
        for helpful, comment in said.comments:
            st.markdown(("👍 " if helpful else "👎 ") + plain(comment.replace("\n", " ")))  # a reader's words
        if said.tickets:
            st.caption(t("kb.suggested_on"))
            for number, subject in said.tickets:
                st.page_link("app_pages/workbench.py", label=f"#{number} {plain(subject)}",
                         query_params={"ticket": number})


if (writer and "new" in st.query_params) or editing:
    if st.button("← " + t("kb.all"), type="tertiary"):
        st.query_params.pop("edit", None)
        st.query_params.pop("new", None)
        st.rerun()
    _editor()
else:
    _listing()
