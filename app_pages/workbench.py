"""The agents' workbench: the queues, or one ticket when ?ticket=N names it."""

import streamlit as st

from ui import access, forms, keys, overview, queue_view, row_click, shortcuts, ticket_view, workspace
from ui.app import t

user = access.require(*access.STAFF)
if (pressed := row_click.pressed(keys.QUEUE_TABLE, keys.SEARCH_TABLE)) is not None:  # a row of a table below
    queue_view.point_at(pressed)
ticket_id = forms.whole_number(st.query_params.get("ticket"))
bar = st.container()  # the tabs, drawn once the ticket on screen has joined them
if ticket_id is not None:
    ticket_view.show(user, ticket_id)
else:
    title, keyboard = st.columns([4, 1], vertical_alignment="bottom")
    title.title(t("wb.title"))
    with keyboard:
        shortcuts.help_button()
    workspace.search_everywhere()
    overview.show()
    queue_view.show(user)
with bar:
    workspace.tabs(ticket_id)
