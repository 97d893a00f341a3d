"""The workbench as a workspace: the tickets an agent has open as tabs above the queue, and one search over
every ticket. A tab or a result opens its ticket in place, its number in the address (?ticket=N)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.tickets import queues, workflow
from ui import app, keys, queue_view
from ui.app import t
from ui.text import plain, unreordered

MAX_TABS = 6
QUEUES = 0  # the tab of the queues themselves


def remember(ticket_id: int, subject: str) -> None:
    """The ticket on screen joins the tabs (the oldest leaves past MAX_TABS)."""
    tabs: dict[int, str] = st.session_state.setdefault(keys.OPEN_TICKETS, {})
    tabs.pop(ticket_id, None)
    tabs[ticket_id] = subject
    while len(tabs) > MAX_TABS:
        tabs.pop(next(iter(tabs)))


def close(ticket_id: int) -> None:
    st.session_state.get(keys.OPEN_TICKETS, {}).pop(ticket_id, None)
    st.query_params.pop("ticket", None)


def tabs(current: int | None) -> None:
    """Queues | #12 … | #15 …: a click switches in place."""
    open_tickets: dict[int, str] = st.session_state.get(keys.OPEN_TICKETS, {})
    if not open_tickets:
        return
    options = [QUEUES, *open_tickets]
    labels = {QUEUES: "☰ " + t("wb.tab_queues"),
              **{n: f"#{n} · {plain(s[:28])}{'…' if len(s) > 28 else ''}" for n, s in open_tickets.items()}}
    chosen = st.segmented_control(t("wb.tabs"), options, format_func=labels.__getitem__, key=f"wb_tabs_{current}",
                                  default=current if current in open_tickets else QUEUES, label_visibility="collapsed")
    if chosen is None or chosen == (current or QUEUES):
        return
    if chosen == QUEUES:
        st.query_params.pop("ticket", None)
    else:
        st.query_params["ticket"] = str(chosen)
    st.rerun()


@st.fragment
def search_everywhere() -> None:
    """One box over all tickets, whatever their queue; results grouped by status, a click opens one. A fragment:
    a search reruns only the box and its results, not the page."""
    if (clicked := queue_view.clicked_ticket(keys.SEARCH_TABLE, keys.SEARCH_ORDER)) is not None:
        queue_view.open_ticket(clicked)  # before the search runs again
    text = st.text_input(t("wb.search_all"), key="wb_search_all", max_chars=200, placeholder=t("wb.search_all_hint"),
                         icon=":material/search:")
    if not text.strip():
        return
    with app.read() as session:
        rows = queues.search_everywhere(session, text)
    if not rows:
        st.info(t("wb.search_all_none"))
        return
    rows.sort(key=lambda r: workflow.STATUSES.index(r.status))  # grouped by status, best match first in each
    st.session_state[keys.SEARCH_ORDER] = [r.id for r in rows]
    table = pd.DataFrame([{"status": t(f"status.agent.{r.status}"), "number": f"#{r.id}",
                           "subject": unreordered(r.subject),
                           "requester": unreordered(f"{r.requester_name} <{r.requester_email}>"),
                           "assignee": r.assignee_name or "—", "updated": queue_view.ago(r.updated_at)}
                          for r in rows])
    st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-cell",
                 key=keys.SEARCH_TABLE, column_config={
                     "status": t("wb.status"), "number": st.column_config.TextColumn(t("wb.col_number"), width=70),
                     "subject": st.column_config.TextColumn(t("wb.col_subject"), width="large"),
                     "requester": t("wb.col_requester"), "assignee": t("wb.assignee"),
                     "updated": t("wb.col_updated")})
