"""The customer's ticket, opened by its link (?ticket=N&token=T): status, conversation, actions."""

import streamlit as st
from sqlalchemy.orm import Session

from core.models import Message, Ticket
from core.portal import service as portal
from core.tickets import attachments, followers, surveys, workflow
from core.tickets import service as tickets
from ui import actions, app, auth, forms, keys, timeline
from ui.app import t
from ui.text import plain

FORM = keys.ADD_INFORMATION


def _opened() -> int | None:
    """The ticket this link opens (its checks read; only a miss writes, in a transaction of its own)."""
    query = st.query_params
    return portal.open_by_link(app.reader(), app.writer(), forms.whole_number(query.get("ticket")), query.get("token"),
                               viewer=auth.current_user(), address=forms.client_address(), settings=app.settings())


def _lost_link_form() -> None:
    with st.form("lost_link", clear_on_submit=True):
        st.subheader(t("ticket.lost_title"))
        st.caption(t("ticket.lost_help"))
        email = st.text_input(t("ticket.lost_email"), max_chars=254)
        number = st.text_input(t("ticket.lost_number"), max_chars=12)
        if st.form_submit_button(t("ticket.lost_send")):
            done = actions.run(portal.lost_link, email=email,
                               ticket_id=forms.whole_number(number),
                               address=forms.client_address(), settings=app.settings())
            st.success(t("ticket.lost_done")) if done.ok else st.error(done.message)


# The buttons' callbacks open the link again: it may have been revoked since the page was drawn. Its checks
# run in sessions of their own, before the unit of work's session is first used.

def _add_to_linked_ticket(session: Session) -> tuple[Message, str | None] | None:
    if (ticket_id := _opened()) is None:
        return None
    return portal.add_information(session, tickets.get_ticket(session, ticket_id), body=forms.value(FORM, "body"),
                                  uploads=forms.picked_files(FORM), settings=app.settings())


def _add_information() -> None:
    """A refusal shows next to its field with the text still in the box; once sent, the box is empty."""
    done = actions.submit(FORM, _add_to_linked_ticket)
    if done.ok and done.value is not None:
        _message, follow_up_link = done.value
        st.session_state[keys.field(FORM, "body")] = ""
        forms.empty_file_picker(FORM)
        st.session_state[keys.field(FORM, "done")] = "ticket.follow_up_sent" if follow_up_link else "ticket.sent"
        st.session_state[keys.field(FORM, "follow_up_link")] = follow_up_link


def _solve_linked_ticket(session: Session) -> bool:
    if (ticket_id := _opened()) is None:
        return False
    ticket = tickets.get_ticket(session, ticket_id)
    tickets.mark_solved_by_customer(session, ticket.id, requester_id=ticket.requester_id)
    return True


def _mark_solved() -> None:
    if actions.submit(FORM, _solve_linked_ticket).value:
        st.session_state[keys.field(FORM, "done")] = "ticket.solved_done"


ticket: Ticket | None = None
if (opened := _opened()) is not None:
    with app.read() as session:
        ticket = tickets.get_ticket(session, opened)
        messages = portal.public_messages(session, ticket.id)
        copied = [person.name for person in followers.of(session, ticket.id)]
        shown = {a.id: attachments.shown_content(session, a) for m in messages for a in m.attachments}
        by_you = ticket.status == workflow.SOLVED and surveys.solved_by_requester(session, ticket)

if ticket is None:
    st.title(t("ticket.neutral_title"))
    st.info(t("ticket.neutral"), icon="🔒")
    _lost_link_form()
    st.stop()


def _author(message: Message) -> str:
    """You, a person copied on the conversation by name, or the support team."""
    if message.kind != "customer":
        return t("ticket.support_team")
    if message.author_id in (None, ticket.requester_id) or message.author is None:
        return t("ticket.you")
    return message.author.name


status_key = workflow.CUSTOMER_STATUS[ticket.status]
st.title(f"#{ticket.id} · {plain(ticket.subject)}")
st.markdown(f"**{t('ticket.status')}:** :blue-background[{t('status.customer.' + status_key)}]")
st.caption(t("ticket.next.solved_by_you" if by_you else f"ticket.next.{status_key}"))  # who solved it
if done := st.session_state.pop(keys.field(FORM, "done"), None):
    st.success(t(done), icon=":material/check_circle:")
    if link := st.session_state.pop(keys.field(FORM, "follow_up_link"), None):
        st.link_button(t("ticket.open_follow_up"), link)

st.subheader(t("ticket.conversation"))
if copied:
    st.caption(":material/group: " + t("ticket.copied", names=", ".join(plain(name) for name in copied)))
timeline.show(messages, author_name=_author, shown=lambda a: shown[a.id])

errors = actions.errors(FORM)
forms.field_error(errors, "form")
closed = ticket.status == workflow.CLOSED
with st.container(border=True):
    st.subheader(t("ticket.follow_up") if closed else t("ticket.add_info"))
    st.caption(t("ticket.follow_up_help") if closed else t("ticket.add_info_help"))
    st.text_area(t("ticket.message"), key=keys.field(FORM, "body"), height=150)
    forms.field_error(errors, "body")
    forms.file_picker(FORM)
    forms.field_error(errors, "attachments")
    st.button(t("ticket.send_follow_up") if closed else t("ticket.send"), type="primary",
              on_click=_add_information, key="add_send")
if ticket.status in workflow.LIVE_STATUSES:
    st.button(t("ticket.solved_button"), on_click=_mark_solved, key="mark_solved")
