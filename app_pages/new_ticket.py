"""New help ticket: the form, its checks next to each field, and the confirmation."""

import streamlit as st

from core.db import unit_of_work
from core.errors import DomainError, ValidationError
from core.portal import helpcenter
from core.portal import service as portal
from core.tickets import workflow
from ui import app, captcha_box, forms
from ui.app import t

FIELDS = ("new_subject", "new_description")


def _files_key() -> str:
    return f"new_files_{st.session_state.get('new_files_round', 0)}"


def _send() -> None:
    state = st.session_state
    settings = app.settings()
    visitor = portal.Visitor(address=forms.client_address(), captcha_ok=captcha_box.passed("new_captcha"),
                             honeypot=state.get("new_website", ""))
    try:
        with unit_of_work(app.writer()) as session:
            sent = portal.send_ticket(
                session, visitor=visitor, name=state.get("new_name", ""), email=state.get("new_email", ""),
                subject=state.get("new_subject", ""), description=state.get("new_description", ""),
                kind=state.get("new_kind") or "", product_id=state.get("new_product"), locale=app.locale(),
                uploads=forms.uploads(state.get(_files_key())), settings=settings)
    except ValidationError as exc:
        state.new_errors = exc.messages(app.locale())
        return
    except DomainError as exc:  # e.g. Busy: the database was locked; nothing saved, try again
        state.new_errors = {"form": exc.message(app.locale())}
        return
    state.new_errors = {}
    state.new_sent = sent
    for key in FIELDS:
        state[key] = ""
    state.new_files_round = state.get("new_files_round", 0) + 1


def _confirmation(sent: portal.Sent) -> None:
    st.title(t("new.sent_title"))
    st.success(t("new.sent_number", number=sent.ticket_id), icon="✅")
    st.markdown(t("new.sent_next"))
    st.link_button(t("new.open_ticket"), sent.link, type="primary")
    st.caption(t("new.sent_keep_link"))
    st.code(sent.link, language=None)
    if st.button(t("new.another")):
        del st.session_state["new_sent"]
        st.rerun()


if sent := st.session_state.get("new_sent"):
    _confirmation(sent)
    st.stop()

errors: dict[str, str] = st.session_state.get("new_errors", {})
st.title(t("new.title"))
st.write(t("new.intro"))
forms.field_error(errors, "form")

left, right = st.columns(2)
with left:
    st.text_input(t("new.name"), key="new_name", max_chars=120, autocomplete="name")
    forms.field_error(errors, "name")
    kinds = {kind: t(f"kind.{kind}") for kind in workflow.KINDS}
    st.selectbox(t("new.kind"), list(kinds), format_func=kinds.__getitem__, key="new_kind")
    forms.field_error(errors, "kind")
with right:
    st.text_input(t("new.email"), key="new_email", max_chars=254, autocomplete="email")
    forms.field_error(errors, "email")
    with app.read() as session:
        products = dict(portal.products(session))
    st.selectbox(t("new.product"), list(products), format_func=products.get, index=None,
                 placeholder=t("new.product_placeholder"), key="new_product")
    forms.field_error(errors, "product")

subject = st.text_input(t("new.subject"), key="new_subject", max_chars=app.settings().max_subject_chars,
                        help=t("new.subject_help"))
forms.field_error(errors, "subject")
if suggestions := helpcenter.search(app.locale(), subject):
    with st.container(border=True):
        st.caption(t("new.suggestions"))
        for article in suggestions:
            st.markdown(f"- [{article.title}](/?article={article.slug}&lang={app.locale()})")

st.text_area(t("new.description"), key="new_description", height=200, help=t("new.description_help"),
             max_chars=app.settings().max_body_chars)
forms.field_error(errors, "description")
limits = app.settings()
forms.file_picker(_files_key(), t("new.attachments_help", count=limits.max_attachments,
                                  file=f"{limits.max_file_mb:g}", total=f"{limits.max_ticket_mb:g}"))
forms.field_error(errors, "attachments")

st.text_input(t("new.website"), key="new_website", autocomplete="off")
forms.hide("new_website")
captcha_box.render("new_captcha", errors.get("captcha"))
st.button(t("new.send"), type="primary", on_click=_send, key="new_send")
