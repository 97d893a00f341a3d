"""Sign-in sessions with streamlit-authenticator: one Authenticate per run, its signed cookie, its session keys.

The library keeps the session (the cookie signed with MESA_SECRET_KEY, restored on every run, deleted at
sign-out); Mesa checks the password, the second factor and the identity provider itself (ui.sign_in), so
the library is handed only the accounts a run needs, and passwords are hashed one way everywhere
(core.accounts.service). Its own forms, emailing and two-factor (a third-party web service) are not used.
"""

from __future__ import annotations

import json
import time
import weakref
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit_authenticator.models import cookie_model

from core.accounts import service as accounts
from core.models import User, utcnow
from ui import actions, keys
from ui.app import read, settings

COOKIE = "mesa_session"
COOKIE_DAYS = 7


class PageCookies:
    """Stands in for extra_streamlit_components.CookieManager, which the library builds in every Authenticate: that
    component is an iframe drawn on every run, and once loaded it sends the browser's cookies back, which reran the
    whole page a moment after every page load (a second full run, and a click in between lost). The library reads
    the cookie from `st.context.cookies` anyway; Mesa writes it with a script (`_cookie_script`), and a deletion is
    drawn by `build` on the runs after it."""

    def __init__(self, key: str = "init") -> None:
        self.cookies = dict(st.context.cookies)

    def get(self, cookie: str) -> str | None:
        return self.cookies.get(cookie)

    def get_all(self, key: str | None = None) -> dict:
        return self.cookies

    def set(self, cookie: str, val: object, **_options: object) -> None:
        raise NotImplementedError("Mesa writes its sign-in cookie itself (ui.auth.start_session)")

    def delete(self, cookie: str, key: str | None = None) -> None:
        st.session_state[keys.COOKIE_DELETED] = cookie


cookie_model.stx = SimpleNamespace(CookieManager=PageCookies)  # the library's only use of that package


def build() -> stauth.Authenticate:
    """Create this run's Authenticate (Home.py calls it once) and restore a session from its cookie.

    The library gets only the accounts this run needs, the one the cookie names and the one signed in
    (never every account: a run costs the same with 10 accounts or 100,000). A cookie the library would
    choke on (another algorithm, a deactivated or deleted account) or one issued before the account's
    sessions were ended is deleted instead: the visitor is signed out. The cookie of a sign-in made in
    the last run is written now (ui.sign_in switches page right after signing in).
    """
    cookie = _cookie()
    wanted = {cookie["username"]} if cookie else set()
    if st.session_state.get(keys.SIGNED_IN) and st.session_state.get(keys.USERNAME):
        wanted.add(st.session_state[keys.USERNAME])
    with read() as session:
        credentials = accounts.credentials(session, wanted)
        owner = accounts.find_by_email(session, cookie["username"]) if cookie else None
    authenticator = stauth.Authenticate(
        credentials, cookie_name=COOKIE, cookie_key=settings().secret_key, cookie_expiry_days=COOKIE_DAYS,
        auto_hash=False, login_sleep_time=0)
    st.session_state[keys.AUTHENTICATOR] = authenticator
    st.session_state[keys.CREDENTIALS] = credentials
    if cookie is False or (cookie and (cookie["username"] not in credentials["usernames"] or owner is None
                                       or accounts.session_is_over(owner, _issued_at(cookie)))):
        sign_out()
    else:
        authenticator.login(location="unrendered")
        if st.session_state.get(keys.SIGNED_IN) and keys.SIGNED_IN_AT not in st.session_state:
            st.session_state[keys.SIGNED_IN_AT] = _issued_at(cookie) if cookie else utcnow()
        current_user(owner)  # this run's user, without reading the account a second time
    slot = st.sidebar.empty()  # on every run, so that the elements after it keep their place (an open expander)
    written = st.session_state.get(keys.SIGN_IN_COOKIE)  # set when this session signed in
    if written and st.session_state.get(keys.SIGNED_IN) and written["email"] == st.session_state.get(keys.USERNAME):
        slot.html(written["script"], unsafe_allow_javascript=True, width=1)
    elif deleted := st.session_state.get(keys.COOKIE_DELETED):  # signed out in this session: on every run after
        slot.html(_expire_script(deleted), unsafe_allow_javascript=True, width=1)
    return authenticator


def _expire_script(name: str) -> str:
    expired = f"{name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/"
    return f"<script>document.cookie = {json.dumps(expired)};</script>"


def _cookie_script(email: str) -> str:
    """The library's sign-in cookie (the same signed token its cookie manager writes and reads), written by
    a script in the page: unlike the library's component, it does not rerun the page a moment after
    landing, when a first click of the person would be lost. Secure when Mesa is served over HTTPS.

    The same script is drawn on every run of the session that signed in (build): drawn once, a rerun
    that came before the browser had mounted it (a busy machine) replaced it unseen, and the next page
    load found no cookie and asked to sign in again."""
    expires = datetime.now(UTC) + timedelta(days=COOKIE_DAYS)
    token = jwt.encode({"username": email, "exp_date": expires.timestamp()}, settings().secret_key,
                       algorithm="HS256")
    secure = "; Secure" if settings().base_url.startswith("https://") else ""
    cookie = f"{COOKIE}={token}; expires={format_datetime(expires, usegmt=True)}; path=/; SameSite=Strict{secure}"
    return f"<script>document.cookie = {json.dumps(cookie)};</script>"


def start_session(user: User) -> None:
    """Sign `user` in for this browser (after their password, second factor or identity provider): the
    library's session keys now, its cookie at the start of the next run (build)."""
    credentials()["usernames"][user.email] = {
        "email": user.email, "first_name": user.name, "last_name": "", "password": user.password_hash or "",
        "roles": [user.role], "failed_login_attempts": 0, "logged_in": True}
    st.session_state.update({keys.SIGNED_IN: True, keys.USERNAME: user.email, "email": user.email,
                             "name": user.name, "roles": [user.role], "logout": None})
    st.session_state[keys.SIGNED_IN_AT] = utcnow()
    st.session_state[keys.SIGN_IN_COOKIE] = {"email": user.email, "script": _cookie_script(user.email)}
    st.session_state.pop(keys.COOKIE_DELETED, None)


def home_page(role: str) -> str:
    """Where a role lands after signing in: staff on the workbench, customers on their tickets."""
    return "app_pages/workbench.py" if role in accounts.STAFF_ROLES else "app_pages/my_tickets.py"


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


# The user each run found, by the run (its ScriptRunContext's per-run coordinator, made anew by every run):
# Home.py, the page's access rule and the page itself ask in one run, and each asking read the account again.
_FOUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def current_user(known: User | None = None) -> User | None:
    """The signed-in, still active user, or None; read once per run (a sign-in or sign-out in the run is seen).
    `known`: an account the caller has just read (`build`, the one its cookie names), taken instead of reading it
    again when it is the one signed in."""
    email = st.session_state.get(keys.USERNAME) if st.session_state.get(keys.SIGNED_IN) else None
    if not email:
        return None
    started = st.session_state.get(keys.SIGNED_IN_AT) or utcnow()
    run = getattr(get_script_run_ctx(), "parallel_coordinator", None)
    if run is not None and (found := _FOUND.get(run)) and found[0] == (email, started):
        return found[1]
    if known is not None and known.email == email:
        user = known
    else:
        with read() as session:
            user = accounts.find_by_email(session, email)
    if user is None or not user.active or accounts.session_is_over(user, started):
        sign_out()  # deactivated, or its sessions were ended elsewhere since this one began
        return None
    if run is not None:
        _FOUND[run] = ((email, started), user)
    return user


def role() -> str:
    user = current_user()
    return user.role if user else "anonymous"
