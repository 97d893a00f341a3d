"""A signed-in customer's tickets: every ticket of their verified email, with filter and search."""

import streamlit as st

from core.accounts import customers
from core.tickets import workflow
from ui import app, auth
from ui.app import t
from ui.text import plain
from ui.timeline import local_time

user = auth.current_user()
st.title(t("mine.title"))
if user is None or user.role != "customer":
    st.info(t("mine.sign_in_first"))
    st.page_link("app_pages/account.py", label=t("account.sign_in"), icon=":material/login:")
    st.stop()
if user.email_verified_at is None:
    st.warning(t("account.unverified"))
    st.stop()

labels = {code: t(f"status.customer.{code}") for code in dict.fromkeys(workflow.CUSTOMER_STATUS.values())}
choices = {None: t("mine.any"), **labels}
left, right = st.columns([1, 2])
status = left.selectbox(t("mine.status"), list(choices), format_func=choices.__getitem__, key="mine_status")
search = right.text_input(t("mine.search"), key="mine_search", max_chars=100)
with app.read() as session:
    rows = customers.my_tickets(session, user, status=status, search=search)
if not rows:
    st.info(t("mine.none"))
for ticket in rows:
    with st.container(border=True):
        top, side = st.columns([4, 1], vertical_alignment="center")
        top.markdown(f"**#{ticket.id}** · {plain(ticket.subject)}")
        top.caption(t("mine.updated", when=local_time(ticket.updated_at)))
        side.markdown(f":blue-background[{labels[workflow.CUSTOMER_STATUS[ticket.status]]}]")
        side.page_link("app_pages/customer_ticket.py", label=t("mine.open"), query_params={"ticket": str(ticket.id)})
