"""The customer's ticket, opened by its link (?ticket=N&token=T): status, conversation, actions."""

import streamlit as st

from core.db import unit_of_work
from core.errors import DomainError, ValidationError
from core.models import Message, Ticket
from core.portal import service as portal
from core.tickets import attachments, workflow
from core.tickets import service as tickets
from ui import app, auth, forms, timeline
from ui.app import t
from ui.text import plain


def _ticket_id() -> int | None:
    raw = st.query_params.get("ticket", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _opened() -> int | None:
    """The ticket this link opens (its checks read; only a miss writes, in a transaction of its own)."""
    return portal.open_by_link(app.reader(), app.writer(), _ticket_id(), st.query_params.get("token"),
                               viewer=auth.current_user(), address=forms.client_address(), settings=app.settings())


def _lost_link_form() -> None:
    with st.form("lost_link", clear_on_submit=True):
        st.subheader(t("ticket.lost_title"))
        st.caption(t("ticket.lost_help"))
        email = st.text_input(t("ticket.lost_email"), max_chars=254)
        number = st.text_input(t("ticket.lost_number"), max_chars=12)
        if st.form_submit_button(t("ticket.lost_send")):
            with unit_of_work(app.writer()) as session:
                portal.lost_link(session, email=email, ticket_id=int(number) if number.strip().isdigit() else None,
                                 address=forms.client_address(), settings=app.settings())
            st.success(t("ticket.lost_done"))


def _add_information() -> None:
    state = st.session_state
    files_key = f"add_files_{state.get('add_round', 0)}"
    try:
        ticket_id = _opened()
        if ticket_id is None:
            return
        with unit_of_work(app.writer()) as session:
            _message, follow_up_link = portal.add_information(
                session, tickets.get_ticket(session, ticket_id), body=state.get("add_body", ""),
                uploads=forms.uploads(state.get(files_key)), settings=app.settings())
    except ValidationError as exc:
        state.add_errors = exc.messages(app.locale())
        return
    except DomainError as exc:  # e.g. the database was busy: nothing saved, the text stays in the box
        state.add_errors = {"form": exc.message(app.locale())}
        return
    state.add_errors = {}
    state.add_body = ""
    state.add_round = state.get("add_round", 0) + 1
    state.add_done = "ticket.follow_up_sent" if follow_up_link else "ticket.sent"
    state.follow_up_link = follow_up_link


def _mark_solved() -> None:
    try:
        ticket_id = _opened()
        if ticket_id is not None:
            with unit_of_work(app.writer()) as session:
                ticket = tickets.get_ticket(session, ticket_id)
                tickets.mark_solved_by_customer(session, ticket.id, requester_id=ticket.requester_id)
            st.session_state.add_done = "ticket.solved_done"
    except DomainError as exc:
        st.session_state.add_errors = {"form": exc.message(app.locale())}


ticket: Ticket | None = None
if (opened := _opened()) is not None:
    with app.read() as session:
        ticket = tickets.get_ticket(session, opened)
        messages = portal.public_messages(session, ticket.id)
        blobs = {a.id: attachments.content_of(session, a) for m in messages for a in m.attachments}

if ticket is None:
    st.title(t("ticket.neutral_title"))
    st.info(t("ticket.neutral"), icon="🔒")
    _lost_link_form()
    st.stop()


def _author(message: Message) -> str:
    return t("ticket.you") if message.kind == "customer" else t("ticket.support_team")


status_key = workflow.CUSTOMER_STATUS[ticket.status]
st.title(f"#{ticket.id} · {plain(ticket.subject)}")
st.markdown(f"**{t('ticket.status')}:** :blue-background[{t('status.customer.' + status_key)}]")
st.caption(t(f"ticket.next.{status_key}"))
if done := st.session_state.pop("add_done", None):
    st.success(t(done), icon="✅")
    if link := st.session_state.pop("follow_up_link", None):
        st.link_button(t("ticket.open_follow_up"), link)

st.subheader(t("ticket.conversation"))
timeline.show(messages, author_name=_author, content=lambda a: blobs[a.id])

errors: dict[str, str] = st.session_state.get("add_errors", {})
forms.field_error(errors, "form")
closed = ticket.status == workflow.CLOSED
with st.container(border=True):
    st.subheader(t("ticket.follow_up") if closed else t("ticket.add_info"))
    st.caption(t("ticket.follow_up_help") if closed else t("ticket.add_info_help"))
    st.text_area(t("ticket.message"), key="add_body", height=150, max_chars=app.settings().max_body_chars)
    forms.field_error(errors, "body")
    forms.file_picker(f"add_files_{st.session_state.get('add_round', 0)}")
    forms.field_error(errors, "attachments")
    st.button(t("ticket.send_follow_up") if closed else t("ticket.send"), type="primary",
              on_click=_add_information, key="add_send")
if ticket.status in workflow.LIVE_STATUSES:
    st.button(t("ticket.solved_button"), on_click=_mark_solved, key="mark_solved")
