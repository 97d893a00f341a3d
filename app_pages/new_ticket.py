"""New help ticket: the form, its checks next to each field, and the confirmation."""

import streamlit as st

from core import formats
from core.help import activity, articles, search
from core.models import utcnow
from core.portal import service as portal
from core.tickets import workflow
from ui import actions, app, article_body, auth, captcha_box, forms, help_widgets, keys
from ui.app import t

FORM = keys.NEW_TICKET
CAPTCHA = keys.field(FORM, "captcha")
EMPTIED_WHEN_SENT = ("subject", "description")
SUGGESTED = keys.field(FORM, "suggested")  # the articles suggested on this form so far (each counted once)
ANSWERED = keys.field(FORM, "answered")  # the article that answered the question: no ticket needed


def _send() -> None:
    """Button callback: runs before the page is drawn again, so a refusal shows next to its field.

    A signed-in visitor writes as their account (its address, no captcha); the limits per address and
    per mailbox still apply.
    """
    signed_in = auth.current_user()
    visitor = portal.Visitor(address=forms.client_address(), captcha_ok=bool(signed_in) or captcha_box.passed(CAPTCHA),
                             honeypot=forms.value(FORM, "website"), user_id=signed_in.id if signed_in else None)
    email = signed_in.email if signed_in else forms.value(FORM, "email")
    done = actions.submit(
        FORM, portal.send_ticket, visitor=visitor, name=forms.value(FORM, "name"), email=email,
        subject=forms.value(FORM, "subject"), description=forms.value(FORM, "description"),
        kind=forms.value(FORM, "kind") or "", product_id=forms.value(FORM, "product", None), locale=app.locale(),
        uploads=forms.picked_files(FORM), settings=app.settings())
    if done.ok:
        if suggested := st.session_state.pop(SUGGESTED, []):
            actions.run(activity.sent_anyway, suggested, done.value.ticket_id, app.locale(), utcnow())
        st.session_state[keys.field(FORM, "sent")] = done.value
        for field in EMPTIED_WHEN_SENT:
            st.session_state[keys.field(FORM, field)] = ""
        forms.empty_file_picker(FORM)


def _confirmation(sent: portal.Sent) -> None:
    st.title(t("new.sent_title"))
    st.success(t("new.sent_number", number=sent.ticket_id), icon="✅")
    st.markdown(t("new.sent_next"))
    if sent.link is None:  # the address has an account this visitor is not signed in to
        st.info(t("new.sent_link_by_email"), icon=":material/mail:")
    else:
        st.link_button(t("new.open_ticket"), sent.link, type="primary")
        st.caption(t("new.sent_keep_link"))
        st.code(sent.link, language=None)
    if st.button(t("new.another")):
        del st.session_state[keys.field(FORM, "sent")]
        st.rerun()


def _answered(slug: str, title: str) -> None:
    """Button callback (before the widgets are drawn, so the form can be emptied): a ticket avoided."""
    actions.run(activity.answered, slug, app.locale(), utcnow())
    st.session_state[ANSWERED] = title
    st.session_state.pop(SUGGESTED, None)
    for field in EMPTIED_WHEN_SENT:
        st.session_state[keys.field(FORM, field)] = ""
    forms.empty_file_picker(FORM)


@st.fragment
def _suggestions() -> None:
    """Articles that may answer the question, following the subject and the description's first lines as they are
    typed (ui.help_widgets.typed); 'This answered my question' ends the form without a ticket."""
    if st.session_state.get(ANSWERED):
        st.rerun()  # the fragment's button ended the form: draw the whole page again
    fields = [keys.field(FORM, "subject"), keys.field(FORM, "description")]
    text = help_widgets.typed(fields, key="new_typed") or "\n".join(forms.value(FORM, f) or "" for f in
                                                                     ("subject", "description"))
    with app.read() as session:
        hits = search.search(session, app.locale(), " ".join(text.splitlines()[:4])[:300], limit=3,
                             near_best=0.5)
    if not hits:
        return
    shown = st.session_state.setdefault(SUGGESTED, [])
    if new := [hit.slug for hit in hits if hit.slug not in shown]:
        shown.extend(new)
        actions.run(activity.suggested, new, app.locale(), utcnow())
    with st.container(border=True, key="new_suggestions"):
        st.caption(t("new.suggestions"))
        for hit in hits:  # an article is read from the store and drawn only once its expander is opened
            suggestion = st.expander(hit.title, icon=":material/article:", key=f"suggested-{hit.slug}",
                                     on_change="rerun")
            if suggestion.open:
                with app.read() as session:
                    page = articles.page(session, hit.slug, app.locale())
                with suggestion:
                    if page:
                        article_body.show(page.body)
                    else:
                        st.markdown(hit.snippet)
                    st.button(t("help.answered"), key=f"answered-{hit.slug}", icon=":material/check_circle:",
                              on_click=_answered, args=(hit.slug, hit.title))


if sent := st.session_state.get(keys.field(FORM, "sent")):
    _confirmation(sent)
    st.stop()

if answered := st.session_state.get(ANSWERED):
    st.title(t("new.title"))
    st.success(t("help.answered_thanks"), icon="✅")
    st.caption(answered)
    if st.button(t("help.start_again")):
        del st.session_state[ANSWERED]
        st.rerun()
    st.stop()

errors = actions.errors(FORM)
account = auth.current_user()
if account:  # their own name to start with, and their account's address (not to be changed here)
    st.session_state.setdefault(keys.field(FORM, "name"), account.name)
    st.session_state[keys.field(FORM, "email")] = account.email
st.title(t("new.title"))
st.write(t("new.intro"))
forms.field_error(errors, "form")

left, right = st.columns(2)
with left:
    st.text_input(t("new.name"), key=keys.field(FORM, "name"), autocomplete="name")
    forms.field_error(errors, "name")
    kinds = {kind: t(f"kind.{kind}") for kind in workflow.KINDS}
    st.selectbox(t("new.kind"), list(kinds), format_func=kinds.__getitem__, key=keys.field(FORM, "kind"))
    forms.field_error(errors, "kind")
with right:
    st.text_input(t("new.email"), key=keys.field(FORM, "email"), autocomplete="email", disabled=bool(account),
                  help=t("new.email_signed_in") if account else None)
    forms.field_error(errors, "email")
    with app.read() as session:
        products = dict(portal.products(session))
    st.selectbox(t("new.product"), list(products), format_func=products.get, index=None,
                 placeholder=t("new.product_placeholder"), key=keys.field(FORM, "product"))
    forms.field_error(errors, "product")

# No max_chars on these fields: the browser drops a paste past it without a word; the service says what is too long
st.text_input(t("new.subject"), key=keys.field(FORM, "subject"), help=t("new.subject_help"))
forms.field_error(errors, "subject")
_suggestions()

st.text_area(t("new.description"), key=keys.field(FORM, "description"), height=200, help=t("new.description_help"))
forms.field_error(errors, "description")
limits = app.settings()
forms.file_picker(FORM, t("new.attachments_help", count=limits.max_attachments,
                          file=formats.amount(limits.max_file_mb, app.locale()),
                          total=formats.amount(limits.max_ticket_mb, app.locale())))
forms.field_error(errors, "attachments")

st.text_input(t("new.website"), key=keys.field(FORM, "website"), autocomplete="off")
forms.hide(keys.field(FORM, "website"))
if not account:
    captcha_box.render(CAPTCHA, errors.get("captcha"))
st.button(t("new.send"), type="primary", on_click=_send, key="new_send")
