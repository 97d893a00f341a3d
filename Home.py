"""Mesa's entry point: settings, language, sign-in, role-aware navigation. Nothing else.

Every page is registered on every run, so a deep link (?ticket=N) reaches its page
before and after sign-in; each page checks its own access rule.
"""

import streamlit as st

from ui import access, app, auth, builtin_text, captcha_box, keys, layout, sign_in

st.set_page_config(page_title=app.t("app.name") + " · " + app.t("app.tagline"), page_icon="💬", layout="wide")
app.configure_logging()  # before the embedded worker starts, so its lines are time-stamped too
app.engine()
app.background_worker()
app.settle_heap()
auth.build()
sign_in.from_identity_provider()
user = auth.current_user()
role = user.role if user else "anonymous"
app.adopt_account_language(user.locale if user else None)

help_center = st.Page("app_pages/help_center.py", title=app.t("nav.help"), icon=":material/menu_book:",
                      url_path="help", default=True)
new_ticket = st.Page("app_pages/new_ticket.py", title=app.t("app.new_ticket"), icon=":material/edit_square:",
                     url_path="new-ticket")
customer_ticket = st.Page("app_pages/customer_ticket.py", title=app.t("nav.ticket"),
                          icon=":material/confirmation_number:", url_path="ticket")
my_tickets = st.Page("app_pages/my_tickets.py", title=app.t("nav.my_tickets"), icon=":material/inbox:",
                     url_path="my-tickets")
account = st.Page("app_pages/account.py", title=app.t("nav.sign_in" if role == "anonymous" else "nav.account"),
                  icon=":material/person:", url_path="account")
workbench = st.Page("app_pages/workbench.py", title=app.t("nav.workbench"), icon=":material/support_agent:",
                    url_path="workbench")
admin = st.Page("app_pages/admin.py", title=app.t("admin.title"), icon=":material/settings:", url_path="admin")
email_log = st.Page("app_pages/email_log.py", title=app.t("log.title"), icon=":material/outgoing_mail:",
                    url_path="email-log")
survey = st.Page("app_pages/survey.py", title=app.t("survey.title"), icon=":material/star:", url_path="survey")
satisfaction = st.Page("app_pages/satisfaction.py", title=app.t("dash.satisfaction"), icon=":material/mood:",
                       url_path="satisfaction")
response_times = st.Page("app_pages/response_times.py", title=app.t("dash.response_times"),
                         icon=":material/timer:", url_path="response-times")
knowledge_report = st.Page("app_pages/knowledge_report.py", title=app.t("kdash.title"), icon=":material/insights:",
                           url_path="knowledge-report")
knowledge = st.Page("app_pages/knowledge.py", title=app.t("kb.title"), icon=":material/edit_note:",
                    url_path="knowledge")
dashboards = (satisfaction, response_times, knowledge_report)
navigation = st.navigation([help_center, new_ticket, customer_ticket, my_tickets, account, survey, workbench,
                            knowledge, admin, email_log, *dashboards], position="hidden")

with st.sidebar:
    st.title(app.settings().product_name)
    staff = role in access.STAFF
    links = [workbench, knowledge] if staff else []
    links += list(dashboards) if role in access.MANAGERS else []
    links += [help_center, new_ticket, *([my_tickets] if role == "customer" else [])]
    links += [admin, email_log] if role == "admin" else []
    for page in (*links, account):
        st.page_link(page)
app.language_switcher(user.id if user else None)
with st.sidebar:
    builtin_text.install()  # Streamlit's own words (the uploader, "Press Enter to apply") in the reader's language
if role == "admin":
    captcha_box.off_warning()  # the public form takes robots while the captcha is off
if navigation not in (workbench, knowledge, admin, email_log, *dashboards):
    layout.top_bar(None if navigation is new_ticket else new_ticket)
if (landing := st.session_state.pop(keys.LAND, None)) and navigation is help_center:
    st.switch_page(landing)  # back from the identity provider on the home page: the role's home
navigation.run()
