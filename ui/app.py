"""What every page shares: settings, the engine (once per server process), the language."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import i18n, logs
from core.accounts import preferences
from core.config import Settings, get_settings
from core.db import make_engine, read_factory, session_factory
from ui import keys

LANGUAGE_NAMES = {code: i18n.language_name(code) for code in i18n.LOCALES}


@st.cache_resource
def settings() -> Settings:
    return get_settings()


@st.cache_resource
def configure_logging() -> None:
    """Time-stamped log lines at MESA_LOG_LEVEL (core/logs.py), once per server process."""
    logs.configure(settings())


@st.cache_resource
def engine() -> Engine:
    return make_engine(settings().database)


@st.cache_resource
def background_worker() -> object | None:
    """The embedded worker: one thread per server process (MESA_EMBEDDED_WORKER=0 turns it off)."""
    if not settings().embedded_worker:
        return None
    from core import worker

    return worker.start_thread(engine(), settings())


@st.cache_resource
def settle_heap() -> None:
    """Once per server process, on its first run: what is loaded by then (Streamlit, pandas, SQLAlchemy, the app's
    modules: much of the heap, and lasting) is moved out of the garbage collector's reach (gc.freeze). Every full
    collection walked it with the interpreter's lock held, no session running meanwhile: 150-290 ms each, about 32 a
    minute with 30 agents at work (bench.crowd); frozen, 100-155 ms, as they walk only what the sessions made."""
    gc.collect()
    gc.freeze()


def writer():
    return session_factory(engine())


def reader():
    return read_factory(engine())


@contextmanager
def read() -> Iterator[Session]:
    """`with app.read() as session:` a session for reading only (on SQLite it takes no write lock).
    Writes go through ui.actions, in a unit of work."""
    with reader()() as session:
        yield session


def zone() -> ZoneInfo:
    """The reader's time zone, one rule for every page: staff read the desk's (or their own, chosen on their account
    page), so a time on a ticket matches the same time on a dashboard; customers and visitors read their browser's,
    else the desk's."""
    from ui import auth  # (ui.auth draws on this module)

    desk = settings().timezone
    try:
        return ZoneInfo(preferences.zone(auth.current_user(), desk) or st.context.timezone or desk)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(desk)


def locale() -> str:
    """The visitor's language: their choice this session (?lang= or the switcher), else their account's (see
    adopt_account_language), else the browser's first language we have (Accept-Language), else the desk's."""
    if keys.LOCALE not in st.session_state:
        chosen = i18n.match(st.query_params.get("lang"))
        st.session_state[keys.LOCALE_CHOSEN] = chosen is not None
        browser = i18n.from_accept_language(st.context.headers.get("Accept-Language"))
        st.session_state[keys.LOCALE] = chosen or browser or settings().locale
    return st.session_state[keys.LOCALE]


def adopt_account_language(account_locale: str | None) -> None:
    """Once per session, a signed-in account's language wins over the browser's; a ?lang= or a switch wins
    over both."""
    locale()
    if account_locale and not st.session_state[keys.LOCALE_CHOSEN] and not st.session_state.get(keys.LOCALE_ACCOUNT):
        st.session_state[keys.LOCALE_ACCOUNT] = True
        st.session_state[keys.LOCALE] = i18n.normalize(account_locale)


def t(key: str, **params: object) -> str:
    return i18n.t(key, locale(), **params)


def labels(prefix: str, codes: tuple[str, ...]) -> Callable[[str], str]:
    """A format_func from codes to their labels (`prefix` + code), computed now: AppTest calls it outside the run."""
    return {code: t(prefix + code) for code in codes}.__getitem__


def _switch_language(user_id: int | None) -> None:
    choice = st.session_state[keys.LANGUAGE_CHOICE]
    st.session_state[keys.LOCALE] = choice
    st.session_state[keys.LOCALE_CHOSEN] = True
    st.query_params["lang"] = choice
    if user_id is not None:  # kept with the account: its pages and emails follow
        from ui import actions  # (ui.actions draws on this module)

        actions.run(preferences.choose_language, user_id, choice)


def language_switcher(user_id: int | None = None) -> None:
    """The sidebar's language picker. It shows the language in use, however it was decided (the account's, the
    browser's), and only a person's pick changes it."""
    st.session_state[keys.LANGUAGE_CHOICE] = locale()
    st.sidebar.selectbox(t("app.language"), i18n.LOCALES, format_func=LANGUAGE_NAMES.__getitem__,
                         key=keys.LANGUAGE_CHOICE, on_change=_switch_language, args=(user_id,))
