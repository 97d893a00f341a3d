"""Sign in, create an account, verify an email, reset a password."""

import streamlit as st

from core import formats
from core.accounts import customers, preferences, twofactor
from core.desk import admin
from core.models import User
from ui import actions, api_tokens, app, auth, captcha_box, forms, keys, sign_in
from ui.app import t
from ui.text import plain

REGISTER = "register"
CAPTCHA = keys.field(REGISTER, "captcha")


def _verify_link(raw: str) -> None:
    """Spend the link once; its result stays on the page (the address loses the link, so a rerun cannot)."""
    done = actions.run(customers.verify, raw)
    if not done.ok:  # the database was busy: the link stays in the address, to try again
        st.error(done.message)
        return
    del st.query_params["verify"]
    st.session_state[keys.ACCOUNT_NOTICE] = ("success", "account.verified") if done.value \
        else ("warning", "account.bad_link")


def _notice() -> None:
    kind, key = st.session_state.get(keys.ACCOUNT_NOTICE, (None, None))
    if kind == "success":
        st.success(t(key), icon=":material/verified:")
    elif kind:
        st.warning(t(key))


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


def _recovery_codes() -> None:
    """Shown once, right after two-factor was turned on."""
    codes = st.session_state.get(keys.RECOVERY_CODES)
    if not codes:
        return
    with st.container(border=True):
        st.subheader(t("twofactor.codes_title"))
        st.write(t("twofactor.codes_help"))
        st.code("\n".join(codes), language=None)
        if st.button(t("twofactor.codes_saved"), type="primary"):
            st.session_state.pop(keys.RECOVERY_CODES, None)
            st.switch_page(auth.home_page(auth.role()))
    st.stop()


def _signed_in(user: User) -> None:
    st.title(t("account.title"))
    _recovery_codes()
    st.write(t("account.signed_in_as", name=plain(user.name), email=plain(user.email)))
    if user.totp_enabled_at:
        st.caption(t("twofactor.on", left=twofactor.recovery_codes_left(user)))
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
    if user.role != "customer":
        _time_zone(user)
    api_tokens.section(user)
    # Not key="logout": the library keeps its own flag under that name, and the clash made the button do nothing.
    if st.button(t("account.sign_out"), key="mesa_sign_out", help=t("account.sign_out_help")) \
            and auth.sign_out_everywhere(user):
        if sign_in.sso_available() and st.user.is_logged_in:
            st.logout()  # the identity provider's session in this browser ends too
            st.stop()  # its redirect reloads the page; a rerun here would drop the redirect unsent
        st.rerun()


def _keep_zone(user_id: int) -> None:
    picked = st.session_state[keys.TIME_ZONE]
    done = actions.run(preferences.choose_zone, user_id, picked)
    if done.ok:
        st.toast(t("account.time_zone_saved", zone=picked or app.settings().timezone))
    else:
        st.error(done.message)


def _time_zone(user: User) -> None:
    """Staff read times in the desk's zone unless they pick their own (ui.app.zone): kept with the account."""
    desk = t("account.time_zone_desk", zone=app.settings().timezone)  # now: AppTest calls format_func after the run
    zones = ["", *formats.time_zones()]
    own = (user.preferences or {}).get("timezone", "")
    st.selectbox(t("account.time_zone"), zones, index=zones.index(own) if own in zones else 0,
                 format_func=lambda zone: zone or desk,
                 help=t("account.time_zone_help"), key=keys.TIME_ZONE, on_change=_keep_zone, args=(user.id,))


def _register_account(session, **form) -> str:
    return customers.register(session, **form).email


def _send_registration() -> None:
    """Button callback: every refusal next to its field, what was typed kept."""
    def field(name: str) -> str:
        return st.session_state.get(keys.field(REGISTER, name), "")
    name = f"{field('first_name')} {field('last_name')}".strip()
    done = actions.submit(REGISTER, _register_account, name=name, email=field("email"), password=field("password"),
                          repeat=field("repeat"), captcha_ok=captcha_box.passed(CAPTCHA),
                          address=forms.client_address(), locale=app.locale(), settings=app.settings())
    if done.ok:
        st.session_state[keys.field(REGISTER, "done")] = done.value
        for secret in ("password", "repeat"):
            st.session_state[keys.field(REGISTER, secret)] = ""


def _register() -> None:
    if email := st.session_state.get(keys.field(REGISTER, "done")):
        st.success(t("account.registered", email=plain(email)))
        return
    errors = actions.errors(REGISTER)
    forms.field_error(errors, "form")
    first, last = st.columns(2)
    first.text_input(t("account.first_name"), key=keys.field(REGISTER, "first_name"), autocomplete="given-name")
    last.text_input(t("account.last_name"), key=keys.field(REGISTER, "last_name"), autocomplete="family-name")
    forms.field_error(errors, "name")
    st.text_input(t("account.email"), key=keys.field(REGISTER, "email"), autocomplete="email")
    forms.field_error(errors, "email")
    st.text_input(t("account.password"), type="password", key=keys.field(REGISTER, "password"),
                  autocomplete="new-password", help=t("account.password_help"))
    forms.field_error(errors, "password")
    st.text_input(t("account.repeat_password"), type="password", key=keys.field(REGISTER, "repeat"),
                  autocomplete="new-password")
    forms.field_error(errors, "repeat")
    captcha_box.render(CAPTCHA, errors.get("captcha"))
    st.button(t("account.register"), type="primary", on_click=_send_registration, key="register_send")


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
    _notice()
    if refused := st.session_state.get(keys.SSO_REFUSED):
        st.error(t("account.sso_refused", email=plain(refused)))
        st.button(t("account.sso_other"), on_click=st.logout, key="sso_other")
    signing_in, register, forgot = st.tabs([t("account.sign_in"), t("account.register"), t("account.forgot")])
    with signing_in:
        sign_in.form(land=True)
    with register:
        _register()
    with forgot:
        _forgot()
