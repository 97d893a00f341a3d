"""Email log (admin): every email with its status, as the customer sees it; retry and send again."""

import pandas as pd
import streamlit as st

from core.mail import ingest, sender
from ui import access, actions, app
from ui.app import t
from ui.text import plain
from ui.timeline import local_time

access.require("admin")
st.title(t("log.title"))
if not app.settings().smtp_configured:
    st.info(t("log.no_smtp"), icon=":material/info:")

with app.read() as session:
    counts = sender.counts(session)
statuses = ("queued", "sending", "sent", "dead")
cols = st.columns(len(statuses))
for col, status in zip(cols, statuses, strict=True):
    col.metric(t(f"log.status_{status}"), counts.get(status, 0))

choices = {None: t("log.any"), **{s: t(f"log.status_{s}") for s in statuses}}
left, right = st.columns([1, 2])
status = left.selectbox(t("log.filter"), list(choices), format_func=choices.__getitem__, key="log_status")
search = right.text_input(t("log.search"), key="log_search", max_chars=200)
page = st.number_input(t("log.page"), min_value=1, value=1, step=1, key="log_page")
with app.read() as session:
    rows = sender.log_page(session, status=status, search=search, offset=(page - 1) * 50)
if not rows:
    st.info(t("log.none"))


def _retry(row_id: int) -> None:
    done = actions.run(sender.retry_now, row_id)
    st.toast(t("log.retried") if done.ok else done.message)


def _again(row_id: int) -> None:
    done = actions.run(sender.send_again, row_id)
    st.toast(t("log.queued_again") if done.ok else done.message)


for row in rows:
    label = f"{t('log.status_' + row.status)} · {row.to_address} · {row.subject}"
    with st.expander(plain(label)):
        st.caption(t("log.details", created=local_time(row.created_at), attempts=row.attempts,
                     sent=local_time(row.sent_at) if row.sent_at else "—", ticket=row.ticket_id or "—"))
        st.text(f"Message-ID: {row.message_id}\nIn-Reply-To: {row.in_reply_to or '—'}")
        if row.smtp_response:
            st.text(f"SMTP: {row.smtp_response}")
        if row.last_error:
            st.error(row.last_error)
        html, text = st.tabs([t("log.as_html"), t("log.as_text")])
        with html:  # our own rendered template (user text escaped), shown in a sandboxed frame
            st.iframe(row.body_html or "", height=480)  # HTML text: srcdoc, scrolls
        with text:
            st.text(row.body_text)
        retry, again = st.columns(2)
        retry.button(t("log.retry"), key=f"retry-{row.id}", on_click=_retry, args=(row.id,),
                     disabled=row.status in ("sent", "sending"))
        again.button(t("log.send_again"), key=f"again-{row.id}", on_click=_again, args=(row.id,))

# Inbound mail that no ticket shows in full: held as a loop, too large, failed, left unapplied (kept raw)
st.subheader(t("log.inbound"))
st.caption(t("log.inbound_help"))
inbound_page = st.number_input(t("log.inbound_page"), min_value=1, value=1, step=1, key="inbound_page")
with app.read() as session:
    inbound_rows = ingest.unseen_page(session, offset=(inbound_page - 1) * 50, limit=50)
if not inbound_rows:
    st.info(t("log.inbound_none"))
else:
    st.dataframe(pd.DataFrame(
        [{"id": row["id"], "received": local_time(row["received_at"]), "from": row["from_address"] or "",
          "subject": row["subject"] or "", "status": t(f"log.in_status_{row['status']}"), "error": row["error"] or "",
          "ticket": f"/workbench?ticket={row['ticket_id']}" if row["ticket_id"] else None} for row in inbound_rows]),
        hide_index=True, width="stretch",
        column_config={
            "id": st.column_config.NumberColumn(t("log.in_id"), format="%d", width="small"),
            "received": st.column_config.TextColumn(t("log.in_received")),
            "from": st.column_config.TextColumn(t("log.in_from")),
            "subject": st.column_config.TextColumn(t("log.in_subject")),
            "status": st.column_config.TextColumn(t("log.in_status")),
            "error": st.column_config.TextColumn(t("log.in_error")),
            "ticket": st.column_config.LinkColumn(t("log.in_ticket"), display_text=r"/workbench\?ticket=(\d+)",
                                                  width="small"),
        })
