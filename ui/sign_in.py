"""The sign-in form, the second factor, and sign-in through the company's identity provider.

A password is checked by Mesa (core.accounts.service.check_sign_in), then the session goes to
streamlit-authenticator (ui.auth.start_session). Failed tries are limited per client address and slowed
per account; an unknown address costs a password check too, so the answer takes as long either way.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import streamlit as st

from core.accounts import service as accounts
from core.accounts import twofactor
from core.desk import schedule
from core.models import User, utcnow
from core.portal import ratelimit
from ui import actions, auth, forms, keys
from ui.app import read, settings, t

LOGIN_FAILURES = 10  # per client address in LOGIN_WINDOW, then refused
ACCOUNT_FAILURES = 5  # per account in LOGIN_WINDOW, then each failure waits (account_delay)
MAX_ACCOUNT_DELAY = 5.0
LOGIN_WINDOW = timedelta(minutes=15)
SECOND_FACTOR_MINUTES = 5  # a right password waits this long for its code


def wait(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)


def account_delay(failures: int) -> float:
    """Seconds a failed sign-in to one account waits once it has failed ACCOUNT_FAILURES times in the
    window, whatever the address: slows a password guesser spread over many addresses without
    locking the owner out."""
    extra = failures - ACCOUNT_FAILURES
    return 0.0 if extra < 0 else min(MAX_ACCOUNT_DELAY, 0.5 * 2 ** extra)


def _count_failure(session, address: str, account: str) -> int:
    """Count the failure for the address and the account; the account's failures in the window."""
    ratelimit.hit(session, "login", address)
    ratelimit.hit(session, "login_account", account)
    return ratelimit.count(session, "login_account", account, LOGIN_WINDOW)


def _failed(address: str, email: str) -> None:
    counted = actions.run(_count_failure, address, accounts.limit_key(email))
    if not counted.ok:  # the database was busy: the attempt went uncounted, and the page says so
        st.error(counted.message)
    else:
        wait(account_delay(counted.value))  # outside any transaction


def _check(session, email: str, password: str) -> tuple[User | None, str | None]:
    """The account and what comes next: None (signed in), "code" or "enrol" (second factor), "sso" (refused:
    staff must use the identity provider)."""
    user = accounts.check_sign_in(session, email, password)
    if user is None:
        return None, None
    desk = schedule.row(session)
    if user.role in accounts.STAFF_ROLES and desk is not None and desk.staff_sso_only and sso_available():
        return user, "sso"
    if twofactor.required(session, user):
        return user, "code" if user.totp_enabled_at else "enrol"
    return user, None


def _finish(user: User, land: bool) -> None:
    """Signed in: staff open the workbench and customers their tickets (from the account page), or the
    page that asked for the sign-in opens as the user (a deep link keeps its address)."""
    auth.start_session(user)
    st.session_state.pop(keys.SECOND_FACTOR, None)
    st.session_state.pop(keys.ACCOUNT_NOTICE, None)
    if land:
        st.switch_page(auth.home_page(user.role))
    st.rerun()


def form(*, land: bool = False) -> None:
    """The sign-in form (or the second-factor step after a right password)."""
    address = forms.client_address()
    pending = st.session_state.get(keys.SECOND_FACTOR)
    if pending and pending["until"] > utcnow():
        _second_factor(pending, address, land)
        return
    st.session_state.pop(keys.SECOND_FACTOR, None)
    with read() as session:
        limited = ratelimit.over(session, "login", address, LOGIN_FAILURES, LOGIN_WINDOW)
    if limited:
        st.error(t("errors.login_limit"))
        return
    with st.form("login"):
        st.subheader(t("account.sign_in"))
        email = st.text_input(t("account.email"), key="login_email", autocomplete="username")
        password = st.text_input(t("account.password"), type="password", key="login_password",
                                 autocomplete="current-password")
        sent = st.form_submit_button(t("account.sign_in"), type="primary")
    if sso_available():
        st.button(t("account.sso"), icon=":material/badge:", on_click=st.login, key="sso_start")
    if not sent:
        return
    done = actions.run(_check, email, password)
    if not done.ok:
        st.error(done.message)
        return
    user, step = done.value
    if user is None:
        _failed(address, email)
        st.error(t("account.login_failed"))
    elif step == "sso":
        st.error(t("account.sso_required"))
    elif step:
        st.session_state[keys.SECOND_FACTOR] = {"user_id": user.id, "email": user.email, "enrol": step == "enrol",
                                                "until": utcnow() + timedelta(minutes=SECOND_FACTOR_MINUTES)}
        st.rerun()
    else:
        _finish(user, land)


def _second_factor(pending: dict, address: str, land: bool) -> None:
    if pending["enrol"]:
        _enrol(pending, land)
        return
    with st.form("second_factor"):
        st.subheader(t("twofactor.title"))
        code = st.text_input(t("twofactor.code"), key="totp_code", autocomplete="one-time-code",
                             help=t("twofactor.code_help"))
        sent = st.form_submit_button(t("twofactor.confirm"), type="primary")
    if st.button(t("twofactor.cancel"), type="tertiary"):
        st.session_state.pop(keys.SECOND_FACTOR, None)
        st.rerun()
    if not sent:
        return
    done = actions.run(_code_checked, pending["user_id"], code)
    if done.ok and done.value:
        _finish(done.value, land)
    _failed(address, pending["email"])
    st.error(done.message if not done.ok else t("twofactor.wrong"))


def _code_checked(session, user_id: int, code: str) -> User | None:
    return session.get(User, user_id) if twofactor.check(session, user_id, code, utcnow()) else None


def _enrol(pending: dict, land: bool) -> None:
    """Two-factor is required and this account has none yet: scan, type one code, keep the recovery codes."""
    import segno

    secret = pending.setdefault("secret", twofactor.new_secret())
    uri = twofactor.enrolment_uri(secret, pending["email"], settings().product_name)
    st.subheader(t("twofactor.enrol_title"))
    st.write(t("twofactor.enrol_steps"))
    st.image(segno.make(uri, error="m").png_data_uri(scale=5), width=220)
    st.caption(t("twofactor.enrol_key"))
    st.code(" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), language=None)
    with st.form("enrol"):
        code = st.text_input(t("twofactor.code"), key="totp_enrol_code", autocomplete="one-time-code")
        sent = st.form_submit_button(t("twofactor.turn_on"), type="primary")
    if not sent:
        return
    done = actions.run(lambda s: (twofactor.enrol(s, pending["user_id"], secret, code, utcnow()),
                                  s.get(User, pending["user_id"])))
    if not done.ok:
        st.error(done.errors.get("code") or done.message)
        return
    codes, user = done.value
    st.session_state[keys.RECOVERY_CODES] = codes
    auth.start_session(user)
    st.session_state.pop(keys.SECOND_FACTOR, None)
    st.switch_page("app_pages/account.py")  # the recovery codes are shown there, once


def sso_available() -> bool:
    """Is an identity provider set up ([auth] in Streamlit's secrets, see docs/deploy.md)?"""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def from_identity_provider() -> None:
    """Home.py, every run: a visitor back from the identity provider with a verified address mapped to an
    active staff account is signed in to it and lands on the workbench (when it came back to the home page:
    a deep link opened in a new tab keeps its page). An identity older than the account's last sign-out
    does not sign in again (sign-out ends it here too). A refused identity is sent to the account page once,
    which says why."""
    if st.session_state.get(keys.SIGNED_IN) or not sso_available() or not st.user.is_logged_in:
        return
    email = str(st.user.get("email") or "").lower()
    verified = st.user.get("email_verified") is not False  # providers that leave it out verify every address
    issued = st.user.get("iat")
    with read() as session:
        user = accounts.find_by_sso_email(session, email) if email and verified else None
    if user is None or not user.active or user.role not in accounts.STAFF_ROLES:
        if keys.SSO_REFUSED not in st.session_state:  # once: the account page says why
            st.session_state[keys.LAND] = "app_pages/account.py"
        st.session_state[keys.SSO_REFUSED] = email or "?"
        return
    # whole seconds: an identity issued in the second of a sign-out counts as older (asking again works)
    started = datetime.fromtimestamp(issued, UTC) if isinstance(issued, int | float) else utcnow()
    if accounts.session_is_over(user, started):
        return  # signed out since the provider said who this is: the button asks the provider again
    st.session_state.pop(keys.SSO_REFUSED, None)
    auth.start_session(user)
    st.session_state[keys.LAND] = auth.home_page(user.role)
