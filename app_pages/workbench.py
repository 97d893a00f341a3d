"""The agents' workbench: the queues, or one ticket when ?ticket=N names it."""

import streamlit as st

from ui import access, forms, overview, queue_view, ticket_view
from ui.app import t

user = access.require(*access.STAFF)
if (ticket_id := forms.whole_number(st.query_params.get("ticket"))) is not None:
    ticket_view.show(user, ticket_id)
else:
    st.title(t("wb.title"))
    overview.show()
    queue_view.show(user)
