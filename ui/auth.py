"""Sign-in with streamlit-authenticator: one Authenticate per run, credentials from the users table.

Passwords are bcrypt hashes in our database (auto_hash=False); the login cookie is signed
with MESA_SECRET_KEY. The library's emailing and two-factor features call a third-party
web service, so they are not used: our outbox sends verification and reset links.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import bcrypt
import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError, Validator

from core import i18n
from core.accounts import service as accounts
from core.models import User, utcnow
from ui import actions, keys
from ui.app import locale, read, settings

COOKIE = "mesa_session"
COOKIE_DAYS = 7
LOGIN_FAILURES = 10  # per client address in LOGIN_WINDOW, then refused
ACCOUNT_FAILURES = 5  # per account in LOGIN_WINDOW, then each failure waits (account_delay)
MAX_ACCOUNT_DELAY = 5.0
LOGIN_WINDOW = timedelta(minutes=15)
DUMMY_HASH = bcrypt.hashpw(b"no account has this password", bcrypt.gensalt())
LIBRARY_MESSAGES = {  # the library's English errors -> our keys
    "Email is not valid": "account.error_email",
    "Passwords do not match": "account.error_repeat",
    "Password/repeat password fields cannot be empty": "account.error_password_empty",
    "Captcha not entered": "account.error_captcha",
    "Captcha entered incorrectly": "account.error_captcha",
    "Email already taken": "account.error_taken",
    "Username/email already taken": "account.error_taken",
    "First name is not valid": "account.error_name",
    "Last name is not valid": "account.error_name",
    "Username is not valid": "account.error_email",
}


class MesaValidator(Validator):
    """Our rules instead of the library's: any real name, our password policy and messages."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def validate_name(self, name: str) -> bool:
        return len(name.strip()) <= accounts.MAX_NAME

    def validate_password(self, password: str) -> bool:
        return accounts.password_problem(password) is None

    def diagnose_password(self, password: str) -> str:
        problem = accounts.password_problem(password) or "errors.generic"
        return i18n.t(problem, self.language, min=accounts.MIN_PASSWORD)


def build() -> stauth.Authenticate:
    """Create this run's Authenticate (Home.py calls it once) and restore a session from its cookie.

    A cookie the library would choke on (another algorithm, a deactivated or deleted account) or one
    issued before the account's sessions were ended is deleted instead: the visitor is signed out.
    """
    cookie = _cookie()
    with read() as session:
        credentials = accounts.credentials(session)
        owner = accounts.find_by_email(session, cookie["username"]) if cookie else None
    authenticator = stauth.Authenticate(
        credentials, cookie_name=COOKIE, cookie_key=settings().secret_key, cookie_expiry_days=COOKIE_DAYS,
        validator=MesaValidator(locale()), auto_hash=False, login_sleep_time=0)
    st.session_state[keys.AUTHENTICATOR] = authenticator
    st.session_state[keys.CREDENTIALS] = credentials
    if cookie is False or (cookie and (cookie["username"] not in credentials["usernames"] or owner is None
                                       or accounts.session_is_over(owner, _issued_at(cookie)))):
        sign_out()
        return authenticator
    authenticator.login(location="unrendered")
    if st.session_state.get(keys.SIGNED_IN) and keys.SIGNED_IN_AT not in st.session_state:
        st.session_state[keys.SIGNED_IN_AT] = _issued_at(cookie) if cookie else utcnow()
    return authenticator


def _cookie() -> dict | bool | None:
    """The sign-in cookie's claims; None without one, False for one we did not sign (or not as HS256)."""
    raw = st.context.cookies.get(COOKIE)
    if not isinstance(raw, str) or not raw:  # (a test's stand-in context holds no strings)
        return None
    try:
        claims = jwt.decode(raw, settings().secret_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    ok = isinstance(claims.get("username"), str) and isinstance(claims.get("exp_date"), int | float)
    return claims if ok and claims["exp_date"] > time.time() else False


def _issued_at(cookie: dict) -> datetime:
    """When the cookie was issued: the library writes only its expiry, COOKIE_DAYS later."""
    return datetime.fromtimestamp(cookie["exp_date"], UTC) - timedelta(days=COOKIE_DAYS)


def sign_out() -> None:
    """This browser's session ends (the cookie is deleted); the account's other sessions are not touched."""
    if st.session_state.get(keys.SIGNED_IN):
        authenticator().logout(location="unrendered")  # deletes the cookie too
    elif COOKIE in st.context.cookies:
        authenticator().cookie_controller.delete_cookie()
    for key in (keys.SIGNED_IN, keys.USERNAME, keys.SIGNED_IN_AT):
        st.session_state.pop(key, None)


def sign_out_everywhere(user: User) -> bool:
    """End every session of the account, this one and any copied cookie included."""
    done = actions.run(accounts.end_sessions, user.id)
    if done.ok:
        sign_out()
    return done.ok


def authenticator() -> stauth.Authenticate:
    return st.session_state[keys.AUTHENTICATOR]


def credentials() -> dict:
    """The dict the library edits in place during this run (new users, failed attempts)."""
    return st.session_state[keys.CREDENTIALS]


def current_user() -> User | None:
    """The signed-in, still active user, or None."""
    email = st.session_state.get(keys.USERNAME) if st.session_state.get(keys.SIGNED_IN) else None
    if not email:
        return None
    with read() as session:
        user = accounts.find_by_email(session, email)
    started = st.session_state.get(keys.SIGNED_IN_AT) or utcnow()
    if user is None or not user.active or accounts.session_is_over(user, started):
        sign_out()  # deactivated, or its sessions were ended elsewhere since this one began
        return None
    return user


def role() -> str:
    user = current_user()
    return user.role if user else "anonymous"


def library_message(error: Exception) -> str:
    key = LIBRARY_MESSAGES.get(str(error).strip())
    return i18n.t(key, locale()) if key else str(error)


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
    from core.portal import ratelimit

    ratelimit.hit(session, "login", address)
    ratelimit.hit(session, "login_account", account)
    return ratelimit.count(session, "login_account", account, LOGIN_WINDOW)


def sign_in_form() -> bool:
    """The sign-in form, with failed attempts limited per client address; True once signed in.

    No st.rerun() after success: it would cut off the cookie the library sets in this run;
    the page carries on (and keeps its URL, so a deep link survives the sign-in).
    """
    from core.portal import ratelimit
    from ui import forms
    from ui.app import t

    address = forms.client_address()
    with read() as session:
        if ratelimit.over(session, "login", address, LOGIN_FAILURES, LOGIN_WINDOW):
            st.error(t("errors.login_limit"))
            return False
    try:
        authenticator().login(location="main", key="login", fields={
            "Form name": t("account.sign_in"), "Username": t("account.email"), "Password": t("account.password"),
            "Login": t("account.sign_in")})
    except LoginError as exc:
        st.error(library_message(exc))
    failed = [name for name, user in credentials()["usernames"].items() if user.get("failed_login_attempts")]
    if st.session_state.get(keys.SIGNED_IN) is False:
        if failed:
            counted = actions.run(_count_failure, address, failed[0])
            if not counted.ok:  # the database was busy: the attempt went uncounted, and the page says so
                st.error(counted.message)
            else:
                wait(account_delay(counted.value))  # outside any transaction
        else:  # no such account: spend what checking a password costs, so the answer takes as long
            bcrypt.checkpw(b"not the password", DUMMY_HASH)
        st.error(t("account.login_failed"))
    elif st.session_state.get(keys.SIGNED_IN):
        st.session_state[keys.SIGNED_IN_AT] = utcnow()
        st.success(t("account.signed_in"))
        return True
    return False
