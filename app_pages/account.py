"""Sign in, create an account, verify an email, reset a password."""

from datetime import timedelta

import streamlit as st
from streamlit_authenticator.utilities import RegisterError

from core.accounts import customers
from core.accounts import service as accounts
from core.db import unit_of_work
from core.desk import admin
from core.errors import DomainError, ValidationError
from core.models import User
from core.portal import ratelimit
from ui import app, auth, forms
from ui.app import t

REGISTRATIONS_PER_HOUR = 10


def _verify_link(raw: str) -> None:
    with unit_of_work(app.writer()) as session:
        user = customers.verify(session, raw)
    del st.query_params["verify"]
    if user:
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
    try:
        with unit_of_work(app.writer()) as session:
            spend = admin.choose_password if invitation else customers.reset_password
            user = spend(session, raw, first)
    except ValidationError as exc:
        st.error(exc.messages(app.locale())["password"])
        return
    except DomainError as exc:
        st.error(exc.message(app.locale()))
        return
    st.query_params.pop("set" if invitation else "reset", None)
    st.success(t("account.reset_done")) if user else st.warning(t("account.bad_link"))


def _signed_in(user: User) -> None:
    st.title(t("account.title"))
    st.write(t("account.signed_in_as", name=user.name, email=user.email))
    if user.role == "customer" and user.email_verified_at is None:
        st.warning(t("account.unverified"))
        if st.button(t("account.resend")):
            with unit_of_work(app.writer()) as session:
                customers.send_verification(session, session.merge(user), app.settings())
            st.success(t("account.verification_sent"))
    # Not key="logout": the library keeps its own flag under that name, and the clash made the button do nothing.
    auth.authenticator().logout(t("account.sign_out"), location="main", key="mesa_sign_out")


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
    try:
        with unit_of_work(app.writer()) as session:
            ratelimit.hit(session, "register", address)
            user = accounts.register_customer(session, email=email, name=name, password_hash=entry["password"],
                                              locale=app.locale())
            customers.send_verification(session, user, app.settings())
    except ValidationError as exc:
        st.error(next(iter(exc.messages(app.locale()).values())))
        return
    except DomainError as exc:
        st.error(exc.message(app.locale()))
        return
    st.success(t("account.registered", email=email))


def _forgot() -> None:
    with st.form("forgot", clear_on_submit=True):
        st.caption(t("account.forgot_help"))
        email = st.text_input(t("account.email"))
        if st.form_submit_button(t("account.forgot_send")):
            with unit_of_work(app.writer()) as session:
                customers.request_reset(session, email, address=forms.client_address(), settings=app.settings())
            st.success(t("account.forgot_done"))


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
