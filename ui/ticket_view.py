"""The agent's ticket: header, conversation with notes, composer, fields, history."""

from __future__ import annotations

import streamlit as st

from core.errors import DomainError
from core.help import articles
from core.models import Message, Ticket, User, utcnow
from core.tickets import history, workbench, workflow
from core.tickets import service as tickets
from ui import actions, app, followers_box, forms, keys, queue_view, shortcuts, ticket_actions, timeline, workspace
from ui.app import t
from ui.text import plain, unreordered
from ui.timeline import local_time


def show(user: User, ticket_id: int) -> None:
    with app.read() as session:
        try:
            screen = workbench.load(session, ticket_id)
        except DomainError as exc:
            st.error(exc.message(app.locale()))
            return
    ticket = screen.ticket
    version = keys.version(ticket.id)
    st.session_state.setdefault(version, ticket.version)
    workspace.remember(ticket.id, ticket.subject)
    bar = st.container(horizontal=True, vertical_alignment="center")  # one row, wrapping on a phone
    upcoming = queue_view.next_after(ticket.id)
    # callbacks, so the run a click causes draws where the agent goes (one run, not this page's and then that)
    bar.button("← " + t("wb.back"), type="tertiary", shortcut=shortcuts.BACK, on_click=_leave,
               args=(user, ticket.id, None))
    bar.button("✕ " + t("wb.close_tab"), type="tertiary", key=f"wb_close_{ticket.id}", on_click=_leave,
               args=(user, ticket.id, None, True))
    if upcoming is not None:
        bar.button(t("wb.next_ticket") + " →", type="tertiary", key="wb_next_ticket", shortcut=shortcuts.NEXT,
                   on_click=_leave, args=(user, ticket.id, upcoming))
    bar.space("stretch")
    with bar:
        shortcuts.help_button()
    st.title(f"#{ticket.id} · {plain(ticket.subject)}")
    ticket_actions.viewers(user, ticket.id)
    _header(screen)
    moves = st.container(horizontal=True)
    if ticket.assignee_id != user.id and ticket.status != workflow.CLOSED:
        moves.button(t("wb.take"), icon=":material/person_add:", key=f"wb_take_{ticket.id}", on_click=_take,
                     args=(user, ticket.id), shortcut=shortcuts.TAKE)
    with moves:
        ticket_actions.properties(user, ticket, screen.tags)
    if st.session_state[version] != ticket.version:
        st.warning(t("wb.changed_meanwhile"), icon=":material/sync_problem:")
        if st.button(t("wb.reload")):
            st.session_state[version] = ticket.version
            st.rerun()
    names = {m.id: (m.author.name if m.author else t("wb.system")) for m in screen.messages}
    left, right = st.columns([3, 2], gap="large")
    with left:
        timeline.show(screen.messages, author_name=lambda m: names[m.id], shown=lambda a: screen.shown[a.id],
                      originals=screen.originals,
                      below=(lambda m: _to_article(user, m)) if articles.may_write(user) else None)
        if ticket.status != workflow.CLOSED:
            _composer(user, ticket)
        elif conflict := actions.errors(keys.composer(ticket.id)).pop("form", None):
            st.error(conflict, icon=":material/sync_problem:")  # closed meanwhile: keep the words to copy
            if draft := st.session_state.get(keys.draft(ticket.id)):
                st.code(draft, language=None, wrap_lines=True)
    with right:
        if ticket.status != workflow.CLOSED:
            followers_box.show(user, ticket, screen.followers)
            ticket_actions.merge_box(user, ticket)
        # drawn only while open (a rerun on opening): a long history made every run of the ticket slower to draw
        with st.expander(t("wb.history"), key=f"wb_history_{ticket.id}", on_change="rerun") as box:
            if box.open:
                with app.read() as session:
                    lines = history.lines(session, ticket.id, app.locale(), app.zone())
                for line in lines:
                    st.text(unreordered(line))  # subjects and names: user text


def _leave(user: User, ticket_id: int, then: int | None, close: bool = False) -> None:
    """A button's callback: off this ticket (the agent no longer has it open; `close`: its tab too), to the ticket
    `then`, or to the queues."""
    st.session_state.pop(keys.version(ticket_id), None)
    ticket_actions.leave(user, ticket_id)
    if close:
        workspace.close(ticket_id)
    if then is not None:
        queue_view.point_at(then)
    else:
        st.query_params.pop("ticket", None)


def facts(ticket: Ticket) -> str:
    """"Status: **Open** · Priority: **High** · Assignee: **Ana Ruiz** · …": the ticket's properties in one line
    (one element: the six boxes that edit them are drawn only while "Edit properties" is open)."""
    values = (("wb.status", t(f"status.agent.{ticket.status}")), ("wb.priority", t(f"priority.{ticket.priority}")),
              ("wb.assignee", ticket.assignee.name if ticket.assignee else "—"), ("wb.kind", t(f"kind.{ticket.kind}")),
              ("wb.product", ticket.product.name if ticket.product else "—"),
              ("wb.channel", t(f"wb.channel_{ticket.channel}")))
    return " · ".join(f"{t(label)}: **{plain(value)}**" for label, value in values)


def _header(screen: workbench.TicketScreen) -> None:
    ticket, metrics = screen.ticket, screen.metrics
    st.markdown(facts(ticket))
    if screen.tags:
        st.markdown(t("wb.tags_line", tags=" ".join(f":blue-badge[{plain(tag)}]" for tag in screen.tags)))
    st.caption(t("wb.requester_line", name=plain(ticket.requester.name), email=plain(ticket.requester.email),
                 created=local_time(ticket.created_at), updated=local_time(ticket.updated_at)))
    if screen.others:
        links = [f"[#{o.id} {plain(o.subject)}](/workbench?ticket={o.id}) — {t('status.agent.' + o.status)}"
                 for o in screen.others]
        st.caption(t("wb.other_tickets") + " " + " · ".join(links))
    if metrics is not None:
        parts = []
        for label, due, met in (("wb.first_reply_due", metrics.first_reply_due_at, metrics.first_reply_at),
                                ("wb.resolution_due", metrics.resolution_due_at, ticket.solved_at)):
            if due is not None and met is None:
                late = due < utcnow()
                parts.append((":red[" if late else "") + t(label, when=local_time(due)) + ("]" if late else ""))
        if parts:
            st.markdown(" · ".join(parts))
    if (survey := screen.survey) is not None and survey.score is not None:
        low = survey.score <= 2
        said = t("wb.survey_line", score=survey.score, when=local_time(survey.responded_at))
        st.markdown((":red[" if low else ":green[") + "★ " + said + "]")
        if survey.comment:
            st.caption("“" + plain(survey.comment) + "”")


def _insert(ticket: Ticket) -> None:
    """"Insert": a canned response or a help article's link into the draft. Its two lists are read and drawn only
    while it is open."""
    with st.popover(t("wb.insert"), icon=":material/add_notes:", key=f"wb_insert_{ticket.id}",
                    on_change="rerun") as box:
        if not box.open:
            return
        with app.read() as session:
            canned = workbench.canned(session, ticket.locale)
            help_articles = articles.listing(session, ticket.locale)
        if canned:
            titles = {c.id: c.title for c in canned}
            st.selectbox(t("wb.canned"), list(titles), index=None, format_func=titles.get,
                         placeholder=t("wb.canned_hint"), key=f"wb_canned_{ticket.id}",
                         on_change=_insert_canned, args=(ticket, canned))
        if help_articles:
            titles = {a.slug: a.title for a in help_articles}
            st.selectbox(t("wb.article_link"), list(titles), index=None, format_func=titles.get,
                         placeholder=t("wb.article_link_hint"), key=f"wb_article_{ticket.id}",
                         on_change=_insert_link, args=(ticket, titles))
        if not canned and not help_articles:
            st.caption(t("wb.insert_none"))


def _insert_link(ticket: Ticket, titles: dict[str, str]) -> None:
    """Selectbox callback: the picked article's title and address at the end of the draft."""
    picked_key, draft = f"wb_article_{ticket.id}", keys.draft(ticket.id)
    if slug := st.session_state.get(picked_key):
        _append(draft, f"{titles[slug]}: {articles.address(app.settings().base_url, slug, ticket.locale)}")
        st.session_state[picked_key] = None


def _insert_canned(ticket: Ticket, canned: list) -> None:
    """Selectbox callback: the picked canned response, its links and placeholders filled, into the draft (after
    what is there: nothing typed is lost)."""
    picked_key, draft = f"wb_canned_{ticket.id}", keys.draft(ticket.id)
    if (picked := {c.id: c for c in canned}.get(st.session_state.get(picked_key))) is not None:
        with app.read() as session:
            body = articles.fill_links(session, picked.body, app.settings().base_url, ticket.locale)
        _append(draft, workbench.fill_placeholders(body, ticket))
        st.session_state[picked_key] = None


def _append(draft: str, text: str) -> None:
    """`text` at the end of the draft, a blank line after what was there."""
    before = (st.session_state.get(draft) or "").rstrip()
    st.session_state[draft] = before + ("\n\n" if before else "") + text


def _to_article(user: User, message: Message) -> None:
    """Under a public reply, for those who write the help center: make it a draft article."""
    if message.kind == "agent" and st.button(t("help.draft_from_reply"), key=f"wb_to_article_{message.id}",
                                             type="tertiary", icon=":material/note_add:"):
        done = actions.run(articles.draft_from_reply, message.id, user.id, utcnow(), app.locale())
        if done.ok:
            st.success(t("help.drafted", title=done.value.title), icon=":material/edit_note:")
        else:
            st.error(done.message)


def _composer(user: User, ticket: Ticket) -> None:
    form, draft = keys.composer(ticket.id), keys.draft(ticket.id)
    errors = actions.errors(form)
    with st.container(border=True):
        if conflict := errors.pop("form", None):  # said once; the draft stays for the next try
            st.error(conflict, icon=":material/sync_problem:")
        kinds = {k: t(f"wb.kind_{k}") for k in ("reply", "note")}
        top = st.container(horizontal=True, vertical_alignment="bottom")
        kind = top.segmented_control(t("wb.compose"), list(kinds), default="reply", format_func=kinds.__getitem__,
                                     key=f"wb_kind_{ticket.id}")
        with top:
            _insert(ticket)
        st.text_area(t("wb.message"), key=draft, height=180)
        forms.field_error(errors, "body")
        forms.file_picker(form)
        forms.field_error(errors, "attachments")
        submit_as = None
        if kind != "note":
            options = [s for s in (workflow.OPEN, workflow.PENDING, workflow.ON_HOLD, workflow.SOLVED)
                       if s == ticket.status or workflow.can_transition(ticket.status, s)]
            default = workflow.status_after_agent_reply(ticket.status, None)
            labels = {s: t(f"status.agent.{s}") for s in options}
            submit_as = st.selectbox(t("wb.submit_as"), options, index=options.index(default) if default in options
                                     else 0, format_func=labels.__getitem__, key=f"wb_as_{ticket.id}")
            forms.field_error(errors, "status")
        row = st.container(horizontal=True)  # buttons as wide as their labels, wrapping on a narrow screen
        row.button(t("wb.send_note") if kind == "note" else t("wb.send_reply"), type="primary",
                   key=f"wb_send_{ticket.id}", on_click=_send, args=(user, ticket.id, kind or "reply", submit_as),
                   shortcut=shortcuts.SEND)
        if kind != "note":  # one move for the two usual endings, whatever "Submit as" says
            for status, key in ((workflow.PENDING, shortcuts.SEND_PENDING), (workflow.SOLVED, shortcuts.SEND_SOLVED)):
                if status in options:
                    row.button(t(f"wb.send_{status}"), key=f"wb_send_{status}_{ticket.id}", shortcut=key,
                               on_click=_send, args=(user, ticket.id, "reply", status))


def _send(user: User, ticket_id: int, kind: str, submit_as: str | None) -> None:
    """Button callback: runs before the page is drawn again, so the draft can be emptied on success. A refusal
    (a conflict, the ticket closed meanwhile, the database busy) keeps the draft."""
    state, form = st.session_state, keys.composer(ticket_id)
    call = tickets.add_internal_note if kind == "note" else tickets.add_agent_reply
    extra = {} if kind == "note" else {"status": submit_as}
    done = actions.submit(form, call, ticket_id, agent_id=user.id, body=state.get(keys.draft(ticket_id), ""),
                          uploads=forms.picked_files(form), expected_version=state[keys.version(ticket_id)],
                          settings=app.settings(), **extra)
    if done.ok:
        state.pop(keys.version(ticket_id), None)
        forms.empty_file_picker(form)
        state[keys.draft(ticket_id)] = ""
        st.toast(t("wb.sent"))


def _take(user: User, ticket_id: int) -> None:
    """"Take it": assign the ticket to oneself, refused if someone changed it since it was drawn."""
    done = actions.submit(keys.composer(ticket_id), tickets.assign, ticket_id, actor_id=user.id,
                          assignee_id=user.id, expected_version=st.session_state[keys.version(ticket_id)],
                          settings=app.settings())
    if done.ok:
        st.session_state.pop(keys.version(ticket_id), None)
        st.toast(t("wb.taken"))
