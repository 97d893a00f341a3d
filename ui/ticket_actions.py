"""The agent's ticket: properties with tags, merging, and who else has it open."""

from __future__ import annotations

from datetime import datetime

import streamlit as st
from sqlalchemy.orm import Session

from core.models import Ticket, User, utcnow
from core.portal import tokens
from core.tickets import presence, workbench, workflow
from core.tickets import service as tickets
from ui import actions, app, keys
from ui.app import t
from ui.text import plain


def properties(user: User, ticket: Ticket, tags: list[str]) -> None:
    """"Edit properties": status, assignee, priority, kind, product and tags in one form, and revoking the customer's
    links. Drawn only while open: its six boxes were a third of what the browser drew for a ticket (issue 19)."""
    with st.popover(t("wb.properties"), icon=":material/edit:", key=keys.properties(ticket.id),
                    on_change="rerun") as box:
        if not box.open:
            return
        with app.read() as session:
            people, products = workbench.staff(session), workbench.products(session)
            known_tags = tickets.known_tags(session)
        priorities = {p: t(f"priority.{p}") for p in workflow.PRIORITIES}
        kinds = {k: t(f"kind.{k}") for k in workflow.KINDS}
        product_names = {None: "—", **{p.id: p.name for p in products}}
        staff = {None: t("wb.unassigned"), **{p.id: p.name for p in people}}
        statuses = {s: t(f"status.agent.{s}") for s in workflow.STATUSES
                    if s == ticket.status or workflow.can_transition(ticket.status, s)}
        closed = ticket.status == workflow.CLOSED
        for name, text in actions.errors(keys.properties(ticket.id)).items():  # the last Save's refusal, said once
            st.error(text, icon=":material/sync_problem:" if name == "form" else "⚠️")
        st.session_state.pop(keys.errors(keys.properties(ticket.id)), None)
        field = _fields(ticket)  # the keys follow the version: a change by anyone shows the ticket afresh
        with st.form(f"wb_fields_{ticket.id}", border=False):
            st.selectbox(t("wb.status"), list(statuses), index=list(statuses).index(ticket.status),
                         format_func=statuses.__getitem__, disabled=closed, key=field["status"])
            st.selectbox(t("wb.assignee"), list(staff), index=list(staff).index(ticket.assignee_id)
                         if ticket.assignee_id in staff else 0, format_func=staff.__getitem__, disabled=closed,
                         key=field["assignee"])
            st.selectbox(t("wb.priority"), list(priorities), index=list(priorities).index(ticket.priority),
                         format_func=priorities.__getitem__, disabled=closed, key=field["priority"])
            st.selectbox(t("wb.kind"), list(kinds), index=list(kinds).index(ticket.kind),
                         format_func=kinds.__getitem__, disabled=closed, key=field["kind"])
            st.selectbox(t("wb.product"), list(product_names), format_func=product_names.__getitem__,
                         index=list(product_names).index(ticket.product_id)
                         if ticket.product_id in product_names else 0, disabled=closed, key=field["product"])
            st.multiselect(t("wb.tags"), sorted({*known_tags, *tags}), default=tags, accept_new_options=True,
                           help=t("wb.tags_help"), disabled=closed, key=field["tags"])
            st.form_submit_button(t("wb.save"), disabled=closed, on_click=_save, args=(user, ticket))
        if st.button(t("wb.revoke"), key=f"wb_revoke_{ticket.id}", help=t("wb.revoke_help")):
            done = actions.run(tokens.revoke_ticket_links, ticket.id)
            st.toast(t("wb.revoked", count=done.value)) if done.ok else st.error(done.message)


def _fields(ticket: Ticket) -> dict[str, str]:
    """The widget key of each property's box, for the version of the ticket drawn."""
    return {name: f"wb_prop_{name}_{ticket.id}_{ticket.version}"
            for name in ("status", "assignee", "priority", "kind", "product", "tags")}


def _save(user: User, ticket: Ticket) -> None:
    """"Save"'s callback (it runs before the page is drawn again): every property in one unit of work. Saved, the
    popover closes and the line under the title says what changed; refused, it stays open with the reason and what
    was picked."""
    state, popover = st.session_state, keys.properties(ticket.id)
    values = {name: state.get(key) for name, key in _fields(ticket).items()}
    done = actions.submit(popover, _save_fields, user, ticket.id, expected_version=state[keys.version(ticket.id)],
                          **values)
    if done.ok:
        state.pop(keys.version(ticket.id), None)
        state[popover] = False
        st.toast(t("wb.saved"))


def _save_fields(session: Session, user: User, ticket_id: int, *, expected_version: int, status: str,
                 assignee: int | None, priority: str, kind: str, product: int | None, tags: list[str] | None) -> None:
    """Every property in one unit of work, each change made on the version the one before left."""
    ticket = tickets.update_fields(session, ticket_id, actor_id=user.id, priority=priority, kind=kind,
                                   product_id=product, expected_version=expected_version)
    tickets.set_tags(session, ticket_id, tags or [], user.id, expected_version=ticket.version)
    ticket = tickets.assign(session, ticket_id, actor_id=user.id, assignee_id=assignee,
                            expected_version=ticket.version, settings=app.settings())
    tickets.change_status(session, ticket_id, status=status, actor_id=user.id, expected_version=ticket.version,
                          settings=app.settings())


def merge_box(user: User, ticket: Ticket) -> None:
    """Merge this ticket (a duplicate) into another one, then open that one."""
    with st.expander(t("wb.merge"), icon=":material/merge:", key=f"wb_merge_box_{ticket.id}", on_change="rerun") as box:
        if not box.open:  # drawn when opened: every run of the ticket draws less
            return
        st.caption(t("wb.merge_help"))
        target = st.number_input(t("wb.merge_target"), min_value=1, step=1, value=None,
                                 key=f"wb_merge_to_{ticket.id}")
        if target is not None:
            with app.read() as session:
                theirs, ours = (tickets.requester_email(session, number) for number in (int(target), ticket.id))
            if theirs is not None and theirs != ours:  # H1: the customer there never sees these messages
                st.warning(t("wb.merge_other_requester", email=plain(theirs)), icon=":material/visibility_off:")
        if not st.button(t("wb.merge_confirm"), key=f"wb_merge_{ticket.id}", disabled=target is None):
            return
        done = actions.run(tickets.merge, ticket.id, int(target), user.id, app.settings(),
                           expected_version=st.session_state.get(keys.version(ticket.id)))
        if not done.ok:
            st.error(done.message)
            return
        st.session_state.pop(keys.version(ticket.id), None)
        st.session_state.pop(keys.version(int(target)), None)
        st.query_params["ticket"] = str(int(target))
        st.toast(t("wb.merged", number=int(target)))
        st.rerun()


@st.fragment(run_every=20)
def viewers(user: User, ticket_id: int) -> None:
    """Every 20 seconds: mark this agent as here (one upsert) and name the others seen in the last minute.
    While the database is busy nobody is named; the next round tries again."""
    if names := actions.run(_here, ticket_id, user.id, utcnow()).value:
        st.caption(":material/visibility: " + t("wb.also_viewing", names=", ".join(plain(name) for name in names)))


def _here(session: Session, ticket_id: int, user_id: int, now: datetime) -> list[str]:
    presence.touch(session, ticket_id, user_id, now)
    return presence.others(session, ticket_id, user_id, now)


def leave(user: User, ticket_id: int) -> None:
    """No longer here (were the database busy, the mark would fade within a minute anyway)."""
    actions.run(presence.leave, ticket_id, user.id)
