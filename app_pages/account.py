"""Sign in, create an account, verify an email, reset a password."""

from datetime import timedelta

import streamlit as st
from sqlalchemy.orm import Session
from streamlit_authenticator.utilities import RegisterError

from core.accounts import customers
from core.accounts import service as accounts
from core.desk import admin
from core.models import User
from core.portal import ratelimit
from ui import actions, app, auth, forms
from ui.app import t
from ui.text import plain

REGISTRATIONS_PER_HOUR = 10


def _verify_link(raw: str) -> None:
    done = actions.run(customers.verify, raw)
    if not done.ok:  # the database was busy: the link stays in the address, to try again
        st.error(done.message)
        return
    del st.query_params["verify"]
    if done.value:
        st.success(t("account.verified"), icon=":material/verified:")
    else:
        st.warning(t("account.bad_link"))


def _reset_form(raw: str, *, invitation: bool = False) -> None:
    st.subheader(t("account.reset_title"))
    with st.form("reset_password"):
        first = st.text_input(t("account.new_password"), type="password")
        second = st.text_input(t("account.repeat_password"), type="password")
        if not st.form_submit_button(t("account.reset_save"), type="primary"):
            return
    if first != second:
        st.error(t("account.error_repeat"))
        return
    done = actions.run(admin.choose_password if invitation else customers.reset_password, raw, first)
    if not done.ok:
        st.error(done.message)
        return
    st.query_params.pop("set" if invitation else "reset", None)
    st.success(t("account.reset_done")) if done.value else st.warning(t("account.bad_link"))


def _signed_in(user: User) -> None:
    st.title(t("account.title"))
    st.write(t("account.signed_in_as", name=plain(user.name), email=plain(user.email)))
    if user.role == "customer" and user.email_verified_at is None:
        st.warning(t("account.unverified"))
        if st.button(t("account.resend")):
            done = actions.run(lambda s: customers.send_verification(s, s.merge(user), app.settings()))
            if not done.ok:
                st.error(done.message)
            elif done.value:
                st.success(t("account.verification_sent"))
            else:  # the hourly limit to this address (M9): say so instead of claiming a link went out
                st.warning(t("account.verification_limit"))
    # Not key="logout": the library keeps its own flag under that name, and the clash made the button do nothing.
    if st.button(t("account.sign_out"), key="mesa_sign_out", help=t("account.sign_out_help")) \
            and auth.sign_out_everywhere(user):
        st.rerun()


def _register() -> None:
    address = forms.client_address()
    with app.read() as session:
        if ratelimit.over(session, "register", address, REGISTRATIONS_PER_HOUR, timedelta(hours=1)):
            st.error(t("errors.rate_address"))
            return
    try:
        email, _username, _name = auth.authenticator().register_user(
            location="main", key="register", merge_username_email=True, password_hint=False, captcha=True,
            fields={"Form name": t("account.register"), "First name": t("account.first_name"),
                    "Last name": t("account.last_name"), "Email": t("account.email"),
                    "Password": t("account.password"), "Repeat password": t("account.repeat_password"),
                    "Captcha": t("captcha.label"), "Register": t("account.register")})
    except RegisterError as exc:
        st.error(auth.library_message(exc))
        return
    if not email:
        return
    entry = auth.credentials()["usernames"][email]
    name = f"{entry.get('first_name', '')} {entry.get('last_name', '')}".strip()
    done = actions.run(_create_customer, address, email=email, name=name, password_hash=entry["password"])
    st.success(t("account.registered", email=email)) if done.ok else st.error(done.message)


def _create_customer(session: Session, address: str, **account: str) -> None:
    ratelimit.hit(session, "register", address)
    user = accounts.register_customer(session, locale=app.locale(), **account)
    customers.send_verification(session, user, app.settings())


def _forgot() -> None:
    with st.form("forgot", clear_on_submit=True):
        st.caption(t("account.forgot_help"))
        email = st.text_input(t("account.email"))
        if st.form_submit_button(t("account.forgot_send")):
            done = actions.run(customers.request_reset, email, address=forms.client_address(),
                               settings=app.settings())
            st.success(t("account.forgot_done")) if done.ok else st.error(done.message)


if raw := st.query_params.get("verify"):
    _verify_link(raw)
if raw := st.query_params.get("reset"):
    _reset_form(raw)
    st.stop()
if raw := st.query_params.get("set"):
    _reset_form(raw, invitation=True)
    st.stop()

if user := auth.current_user():
    _signed_in(user)
else:
    st.title(t("account.title"))
    sign_in, register, forgot = st.tabs([t("account.sign_in"), t("account.register"), t("account.forgot")])
    with sign_in:
        if auth.sign_in_form():
            st.page_link("app_pages/my_tickets.py", label=t("nav.my_tickets"), icon=":material/inbox:")
    with register:
        _register()
    with forgot:
        _forgot()
