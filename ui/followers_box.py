"""The agent's box of the people copied on a ticket: add one by address, remove one."""

from __future__ import annotations

import streamlit as st

from core.models import Ticket, User
from core.tickets import followers
from ui import actions, forms, keys
from ui.app import t
from ui.text import unreordered


def _form(ticket_id: int) -> str:
    return f"wb_followers_{ticket_id}"


def _add(user: User, ticket: Ticket) -> None:
    """Button callback: a refusal shows next to the field, and the address typed stays."""
    form = _form(ticket.id)
    done = actions.submit(form, lambda session: followers.add(session, ticket.id, forms.value(form, "email"),
                                                              actor_id=user.id, locale=ticket.locale).email)
    if done.ok:
        st.session_state[keys.field(form, "email")] = ""
        st.toast(t("wb.follower_added", email=done.value))


def show(user: User, ticket: Ticket, people: list[User]) -> None:
    form = _form(ticket.id)
    with st.expander(t("wb.followers", count=len(people)), icon=":material/group:", expanded=bool(people),
                     key=f"wb_followers_box_{ticket.id}", on_change="rerun") as box:
        if not box.open:  # drawn when opened (at once when someone is copied)
            return
        st.caption(t("wb.followers_help"))
        for person in people:
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.text(unreordered(f"{person.name} <{person.email}>"))
            if right.button(t("wb.follower_remove"), key=f"wb_unfollow_{ticket.id}_{person.id}", type="tertiary"):
                actions.run(followers.remove, ticket.id, person.id)
                st.rerun()
        st.text_input(t("wb.follower_email"), key=keys.field(form, "email"), placeholder="name@example.com")
        forms.field_error(actions.errors(form), "follower")
        st.button(t("wb.follower_add"), key=f"wb_follow_{ticket.id}", on_click=_add, args=(user, ticket))
