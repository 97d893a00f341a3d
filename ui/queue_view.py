"""The agents' queues: live counts, filters, a page of tickets, bulk actions."""

from __future__ import annotations

from datetime import datetime, time

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from core.accounts import preferences
from core.models import User, utcnow
from core.tickets import queues, workbench, workflow
from core.tickets import service as tickets
from ui import actions, app, keys, shortcuts
from ui.app import t

PAGE_SIZE = 25
# what is due first, then what it is about; the assignee, often "—" in the first views, last
COLUMNS = ("number", "sla", "subject", "requester", "priority", "status", "updated", "assignee")
# solved tickets have nothing due: the customer's score takes the SLA's place, right after the number
SOLVED_COLUMNS = ("number", "csat", "subject", "requester", "priority", "status", "updated", "assignee")


def ago(moment: datetime) -> str:
    minutes = int((utcnow() - moment).total_seconds() // 60)
    if minutes < 60:
        return t("wb.ago_minutes", n=max(minutes, 0))
    if minutes < 48 * 60:
        return t("wb.ago_hours", n=minutes // 60)
    return t("wb.ago_days", n=minutes // (24 * 60))


@st.fragment(run_every=30)
def show(user: User) -> None:
    """Redrawn every 30 seconds on its own, so counts stay live without reloading the page."""
    if (clicked := clicked_ticket(keys.QUEUE_TABLE, keys.QUEUE_ORDER)) is not None:
        open_ticket(clicked)  # before any query: opening a ticket costs one run of the page, not two
    with app.read() as session:
        counts = queues.counts(session, user_id=user.id)
        people = workbench.staff(session)
        products = workbench.products(session)
        known_tags = tickets.known_tags(session)
    labels = {v: f"{t('wb.view_' + v)} ({counts.get(v, 0)})" for v in queues.VIEWS}
    view = st.segmented_control(t("wb.views"), list(labels), format_func=labels.__getitem__, default="unassigned",
                                key="wb_view") or "unassigned"
    filters, sort = _filters(user, people, products, known_tags)
    page_number = st.session_state.get(keys.QUEUE_PAGE, 0)
    with app.read() as session:
        rows = queues.page(session, view, user_id=user.id, filters=filters, sort=sort, limit=PAGE_SIZE + 1,
                           offset=page_number * PAGE_SIZE)
        scores = queues.scores(session, [r.id for r in rows]) if view == "solved" else {}
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    if not rows:
        st.info(t("wb.empty"))
        return
    table = pd.DataFrame([{
        "number": f"#{r.id}", "subject": r.subject,
        "requester": r.requester_name, "status": t(f"status.agent.{r.status}"),
        "priority": t(f"priority.{r.priority}"), "assignee": r.assignee_name or "—", "updated": ago(r.updated_at),
        "sla": ("🔴 " + t("wb.breached")) if r.breached else (
            ago_due(r.first_reply_due_at or r.resolution_due_at) if (r.first_reply_due_at or r.resolution_due_at)
            else ""),
        **({"csat": "★" * scores[r.id] if r.id in scores else ""} if view == "solved" else {}),
    } for r in rows])
    st.session_state[keys.QUEUE_ORDER] = [r.id for r in rows]  # "Next ticket" follows this order
    hint, first = st.columns([5, 1.3], vertical_alignment="center")
    hint.caption(t("wb.click_to_open"))
    if first.button(t("wb.next_ticket") + " →", type="tertiary", key="wb_first_ticket", shortcut=shortcuts.NEXT):
        open_ticket(rows[0].id)
    order = SOLVED_COLUMNS if view == "solved" else COLUMNS  # all of them fit 1366 px beside the menu
    picked = st.dataframe(  # a click on a cell opens its ticket here; the row boxes pick tickets for bulk actions
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode=["multi-row", "single-cell"],
        key=keys.QUEUE_TABLE, column_order=order, column_config={
            "number": st.column_config.TextColumn(t("wb.col_number"), width=70),
            "sla": st.column_config.TextColumn(t("wb.col_sla"), width=125),
            "subject": st.column_config.TextColumn(t("wb.col_subject"), width=250),
            "requester": st.column_config.TextColumn(t("wb.col_requester"), width=140),
            "status": t("wb.status"), "priority": t("wb.priority"), "assignee": t("wb.assignee"),
            "updated": t("wb.col_updated"), "csat": st.column_config.TextColumn(t("wb.col_csat"), width=70)})
    previous, _middle, following = st.columns([1, 4, 1])
    if page_number and previous.button("← " + t("wb.previous"), key="wb_prev"):
        st.session_state[keys.QUEUE_PAGE] = page_number - 1
        st.rerun(scope="fragment")
    if more and following.button(t("wb.next") + " →", key="wb_next"):
        st.session_state[keys.QUEUE_PAGE] = page_number + 1
        st.rerun(scope="fragment")
    chosen = [rows[i].id for i in picked.selection.rows]
    if len(chosen) == 1 and st.button(t("wb.open_number", number=chosen[0]), icon=":material/open_in_full:",
                                      key="wb_open_one"):
        open_ticket(chosen[0])
    if chosen:
        _bulk(user, chosen, people)


def clicked_ticket(table: str, order: str) -> int | None:
    """The ticket whose cell was just clicked in a table of tickets (its key), by its row in the ticket numbers
    last drawn there (kept under order)."""
    grid = st.session_state.get(table)
    cells = grid["selection"]["cells"] if grid else []
    numbers: list[int] = st.session_state.get(order, [])
    return numbers[cells[0][0]] if cells and cells[0][0] < len(numbers) else None


def forget_clicks() -> None:
    """A clicked cell must not open its ticket again when the table is drawn next."""
    for table in (keys.QUEUE_TABLE, keys.SEARCH_TABLE):
        st.session_state.pop(table, None)


def point_at(ticket_id: int) -> None:
    """The workbench's ticket is now this one (its number in the address, to share or reload); the clicked cells
    are forgotten. Drawn by this run when called before the page draws, else by the next."""
    forget_clicks()
    st.query_params["ticket"] = str(ticket_id)


def open_ticket(ticket_id: int) -> None:
    """Open a ticket in the workbench itself (no new tab), from a fragment: the whole page runs again."""
    point_at(ticket_id)
    st.rerun(scope="app")


def next_after(ticket_id: int) -> int | None:
    """The ticket after this one in the queue as the agent last saw it (the first when it was not in it)."""
    order: list[int] = st.session_state.get(keys.QUEUE_ORDER, [])
    later = order[order.index(ticket_id) + 1:] if ticket_id in order else order
    return next((n for n in later if n != ticket_id), None)


def ago_due(moment: datetime) -> str:
    minutes = int((moment - utcnow()).total_seconds() // 60)
    return t("wb.due_in", hours=max(minutes, 0) // 60, minutes=max(minutes, 0) % 60)


def _keep_sort(user_id: int) -> None:
    """The agent's sort follows them to their next sign-in, in any browser."""
    actions.run(preferences.choose, user_id, "queue_sort", st.session_state["wb_sort"])


def _filters(user: User, people: list[User], products: list, known_tags: list[str]) -> tuple[queues.Filters, str]:
    with st.expander(t("wb.filters")):
        a, b, c = st.columns(3)
        statuses = a.multiselect(t("wb.status"), workflow.STATUSES, key="wb_f_status",
                                 format_func=app.labels("status.agent.", workflow.STATUSES))
        priorities = b.multiselect(t("wb.priority"), workflow.PRIORITIES, key="wb_f_priority",
                                   format_func=app.labels("priority.", workflow.PRIORITIES))
        kinds = c.multiselect(t("wb.kind"), workflow.KINDS, key="wb_f_kind",
                              format_func=app.labels("kind.", workflow.KINDS))
        names = {p.id: p.name for p in products}
        staff = {u.id: u.name for u in people}
        product_ids = a.multiselect(t("wb.product"), list(names), format_func=names.__getitem__, key="wb_f_product")
        assignees = b.multiselect(t("wb.assignee"), list(staff), format_func=staff.__getitem__, key="wb_f_assignee")
        channels = c.multiselect(t("wb.channel"), workflow.CHANNELS, key="wb_f_channel",
                                 format_func=app.labels("wb.channel_", workflow.CHANNELS))
        since = a.date_input(t("wb.created_from"), value=None, key="wb_f_from")
        until = b.date_input(t("wb.created_to"), value=None, key="wb_f_to")
        sorts = {s: t(f"wb.sort_{s}") for s in queues.SORTS}
        sort = c.selectbox(t("wb.sort"), list(sorts), index=list(sorts).index(preferences.get(user, "queue_sort")),
                           format_func=sorts.__getitem__, key="wb_sort", on_change=_keep_sort, args=(user.id,))
        tags = a.multiselect(t("wb.tags"), known_tags, key="wb_f_tags")
    text = st.text_input(t("wb.search"), key="wb_search", max_chars=200, placeholder=t("wb.search_hint"))
    tz = app.zone()
    filters = queues.Filters(
        statuses=tuple(statuses), priorities=tuple(priorities), kinds=tuple(kinds), product_ids=tuple(product_ids),
        assignee_ids=tuple(assignees), channels=tuple(channels), tags=tuple(tags), text=text,
        created_from=datetime.combine(since, time.min, tz) if since else None,
        created_to=datetime.combine(until, time.max, tz) if until else None)
    return filters, sort


def _bulk(user: User, chosen: list[int], people: list[User]) -> None:
    with st.container(border=True):
        st.caption(t("wb.bulk_selected", n=len(chosen)))
        staff = {None: t("wb.unassigned"), **{p.id: p.name for p in people}}
        actions = ("assign", "status", "priority", "tag")
        action = st.selectbox(t("wb.bulk_action"), actions, key="wb_bulk_action",
                              format_func=app.labels("wb.bulk_", actions))
        if action == "assign":
            value = st.selectbox(t("wb.assignee"), list(staff), format_func=staff.__getitem__, key="wb_bulk_assignee")
        elif action == "status":
            options = (workflow.OPEN, workflow.PENDING, workflow.ON_HOLD, workflow.SOLVED)
            value = st.selectbox(t("wb.status"), options, format_func=app.labels("status.agent.", options),
                                 key="wb_bulk_status")
        elif action == "priority":
            value = st.selectbox(t("wb.priority"), workflow.PRIORITIES, key="wb_bulk_priority",
                                 format_func=app.labels("priority.", workflow.PRIORITIES))
        else:
            value = st.text_input(t("wb.tag"), key="wb_bulk_tag", max_chars=40, help=t("wb.tags_help"))
        if st.button(t("wb.bulk_apply"), type="primary", key="wb_bulk_apply"):
            done, refused = apply_bulk(user, chosen, action, value)
            st.success(t("wb.bulk_done", n=len(done))) if done else None
            for ticket_id, reason in refused:
                st.warning(f"#{ticket_id}: {reason}")


def apply_bulk(user: User, chosen: list[int], action: str, value: object) -> tuple[list[int], list[tuple[int, str]]]:
    """Each ticket through the same service call as one by one, each in its own transaction."""
    done, refused = [], []
    progress = st.progress(0.0)
    for position, ticket_id in enumerate(chosen, start=1):
        outcome = actions.run(_apply, user, ticket_id, action, value)
        if outcome.ok:
            done.append(ticket_id)
        else:  # a conflict, a refused transition, a busy database
            refused.append((ticket_id, outcome.message))
        progress.progress(position / len(chosen))
    return done, refused


def _apply(session: Session, user: User, ticket_id: int, action: str, value: object) -> None:
    if action == "assign":
        tickets.assign(session, ticket_id, actor_id=user.id, assignee_id=value, settings=app.settings())
    elif action == "status":
        tickets.change_status(session, ticket_id, status=value, actor_id=user.id, settings=app.settings())
    elif action == "priority":
        tickets.update_fields(session, ticket_id, actor_id=user.id, priority=value)
    else:
        tickets.add_tag(session, ticket_id, value, user.id)
