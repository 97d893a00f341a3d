"""The agents' workbench: the queues, or one ticket when ?ticket=N names it."""

import streamlit as st

from ui import access, overview, queue_view, ticket_view
from ui.app import t

user = access.require(*access.STAFF)
raw = st.query_params.get("ticket", "")
if raw.isdigit() and len(raw) < 12:
    ticket_view.show(user, int(raw))
else:
    st.title(t("wb.title"))
    overview.show()
    queue_view.show(user)
