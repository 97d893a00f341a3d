"""The agent's ticket: properties with tags, merging, and who else has it open."""

from __future__ import annotations

import streamlit as st

from core.db import unit_of_work
from core.errors import ConflictError, DomainError, ValidationError
from core.models import Ticket, User, utcnow
from core.portal import tokens
from core.tickets import presence, workflow
from core.tickets import service as tickets
from ui import app
from ui.app import t
from ui.text import plain


def properties(user: User, ticket: Ticket, people: list[User], products: list, tags: list[str],
               known_tags: list[str]) -> None:
    """Status, assignee, priority, kind, product and tags in one form; revoking the customer's links."""
    with st.container(border=True):
        st.subheader(t("wb.properties"))
        priorities = {p: t(f"priority.{p}") for p in workflow.PRIORITIES}
        kinds = {k: t(f"kind.{k}") for k in workflow.KINDS}
        product_names = {None: "—", **{p.id: p.name for p in products}}
        staff = {None: t("wb.unassigned"), **{p.id: p.name for p in people}}
        statuses = {s: t(f"status.agent.{s}") for s in workflow.STATUSES
                    if s == ticket.status or workflow.can_transition(ticket.status, s)}
        closed = ticket.status == workflow.CLOSED
        with st.form(f"wb_fields_{ticket.id}", border=False):
            status = st.selectbox(t("wb.status"), list(statuses), index=list(statuses).index(ticket.status),
                                  format_func=statuses.__getitem__, disabled=closed)
            assignee = st.selectbox(t("wb.assignee"), list(staff), index=list(staff).index(ticket.assignee_id)
                                    if ticket.assignee_id in staff else 0, format_func=staff.__getitem__,
                                    disabled=closed)
            priority = st.selectbox(t("wb.priority"), list(priorities), index=list(priorities).index(ticket.priority),
                                    format_func=priorities.__getitem__, disabled=closed)
            kind = st.selectbox(t("wb.kind"), list(kinds), index=list(kinds).index(ticket.kind),
                                format_func=kinds.__getitem__, disabled=closed)
            product = st.selectbox(t("wb.product"), list(product_names), format_func=product_names.__getitem__,
                                   index=list(product_names).index(ticket.product_id)
                                   if ticket.product_id in product_names else 0, disabled=closed)
            # the key follows the version: a change by anyone shows the ticket's tags afresh
            chosen_tags = st.multiselect(t("wb.tags"), sorted({*known_tags, *tags}), default=tags,
                                         accept_new_options=True, help=t("wb.tags_help"), disabled=closed,
                                         key=f"wb_tags_{ticket.id}_{ticket.version}")
            if st.form_submit_button(t("wb.save"), disabled=closed):
                _save(user, ticket.id, status=status, assignee=assignee, priority=priority, kind=kind,
                      product=product, tags=chosen_tags)
        if st.button(t("wb.revoke"), key=f"wb_revoke_{ticket.id}", help=t("wb.revoke_help")):
            with unit_of_work(app.writer()) as session:
                count = tokens.revoke_ticket_links(session, ticket.id)
            st.toast(t("wb.revoked", count=count))


def _save(user: User, ticket_id: int, **values: object) -> None:
    version_key = f"wb_version_{ticket_id}"
    try:
        with unit_of_work(app.writer()) as session:
            ticket = tickets.update_fields(session, ticket_id, actor_id=user.id, priority=values["priority"],
                                           kind=values["kind"], product_id=values["product"],
                                           expected_version=st.session_state[version_key])
            tickets.set_tags(session, ticket_id, values["tags"], user.id, expected_version=ticket.version)
            ticket = tickets.assign(session, ticket_id, actor_id=user.id, assignee_id=values["assignee"],
                                    expected_version=ticket.version, settings=app.settings())
            tickets.change_status(session, ticket_id, status=values["status"], actor_id=user.id,
                                  expected_version=ticket.version, settings=app.settings())
    except ConflictError as exc:
        st.error(exc.message(app.locale()), icon=":material/sync_problem:")
        return
    except ValidationError as exc:
        for text in exc.messages(app.locale()).values():
            st.error(text, icon="⚠️")
        return
    except DomainError as exc:
        st.error(exc.message(app.locale()))
        return
    st.session_state.pop(version_key, None)
    st.toast(t("wb.saved"))
    st.rerun()


def merge_box(user: User, ticket: Ticket) -> None:
    """Merge this ticket (a duplicate) into another one, then open that one."""
    with st.expander(t("wb.merge"), icon=":material/merge:"):
        st.caption(t("wb.merge_help"))
        target = st.number_input(t("wb.merge_target"), min_value=1, step=1, value=None,
                                 key=f"wb_merge_to_{ticket.id}")
        if not st.button(t("wb.merge_confirm"), key=f"wb_merge_{ticket.id}", disabled=target is None):
            return
        try:
            with unit_of_work(app.writer()) as session:
                tickets.merge(session, ticket.id, int(target), user.id, app.settings(),
                              expected_version=st.session_state.get(f"wb_version_{ticket.id}"))
        except DomainError as exc:
            st.error(exc.message(app.locale()))
            return
        st.session_state.pop(f"wb_version_{ticket.id}", None)
        st.session_state.pop(f"wb_version_{int(target)}", None)
        st.query_params["ticket"] = str(int(target))
        st.toast(t("wb.merged", number=int(target)))
        st.rerun()


@st.fragment(run_every=20)
def viewers(user: User, ticket_id: int) -> None:
    """Every 20 seconds: mark this agent as here (one upsert) and name the others seen in the last minute."""
    now = utcnow()
    with unit_of_work(app.writer()) as session:
        presence.touch(session, ticket_id, user.id, now)
        names = presence.others(session, ticket_id, user.id, now)
    if names:
        st.caption(":material/visibility: " + t("wb.also_viewing", names=", ".join(plain(name) for name in names)))


def leave(user: User, ticket_id: int) -> None:
    with unit_of_work(app.writer()) as session:
        presence.leave(session, ticket_id, user.id)
