"""Issue 7, item 6: every page of the app rendered through streamlit.testing.v1.AppTest against the
bench database, as the role that uses it, timed server-side.

Each page gets a new AppTest session. The session's first run (Home.py on its default page, the
help center) is not timed: AppTest can only reach another page with `switch_page` after a run.
Then Streamlit's caches (`st.cache_data`, `st.cache_resource`: the engine, the dashboards' query
cache) are cleared and the page's first run is timed: that is **cold**. The `repeat` reruns of the
same session after it are the **cached rerun** figures (what a click on the page costs once its
cached queries are warm). Python modules stay imported between pages, as in a server process.

A render only counts when it really happened: no exception, the page's own title on it, and none
of the refusals ("sign in", "cannot open", a bad link, an unverified address). Otherwise the run
stops with RenderFailed, because a fast number for a page that did not render would be a lie.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import streamlit as st
from sqlalchemy import Engine, select, update
from streamlit import config as streamlit_config
from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import AppTest

from bench.stats import percentile
from core import config, i18n
from core.db import read_factory, session_factory, unit_of_work
from core.models import Survey, Ticket, User, utcnow
from core.portal import tokens
from demo.content import STAFF
from tests.pages.conftest import ROOT, run_home

RENDER_TIMEOUT = 600.0  # seconds; AppTest's own default (3 s) would turn a slow page into an exception
# Texts that mean the page refused or did not find what it was asked for (English, the bench's locale).
REFUSALS = tuple(i18n.t(key, "en") for key in (
    "access.sign_in", "access.refused", "access.title", "survey.bad_link", "account.unverified",
    "mine.sign_in_first", "ticket.neutral"))


class RenderFailed(AssertionError):
    """A page did not render as its role should see it."""


@dataclass
class PageCase:
    name: str
    path: str  # as Home.py registers it
    title: str  # the page's st.title, exact
    role: str  # who opens it: anonymous, a link, customer, agent, manager, admin
    email: str | None = None  # signed in as
    query: dict[str, str] = field(default_factory=dict)
    state: dict[str, object] = field(default_factory=dict)  # widget values set before the first run


def _staff(role: str) -> str:
    return next(email for email, _name, staff_role, _password in STAFF if staff_role == role)


def cases(engine: Engine, ticket_id: int) -> list[PageCase]:
    """Every page as its role sees it. Writes what the links need: a ticket link for `ticket_id`, a
    survey link for an answered survey, and a verified address for one demo customer."""
    with read_factory(engine)() as session:
        subject = session.scalar(select(Ticket.subject).where(Ticket.id == ticket_id))
        surveyed = session.scalar(select(Survey.ticket_id).where(Survey.score.is_not(None))
                                  .order_by(Survey.ticket_id).limit(1))
        customer = session.scalar(select(User).join(Ticket, Ticket.requester_id == User.id)
                                  .where(Ticket.id == 1))
    if surveyed is None or customer is None:
        raise RenderFailed("the bench database has no answered survey or no ticket 1: seed it first")
    with unit_of_work(session_factory(engine)) as session:
        link = tokens.issue(session, tokens.TICKET_VIEW, ticket_id=ticket_id)
        survey_link = tokens.issue(session, tokens.SURVEY, ticket_id=surveyed)
        session.execute(update(User).where(User.id == customer.id).values(email_verified_at=utcnow()))

    def t(key: str) -> str:
        return i18n.t(key, "en")

    agent, manager, admin = _staff("agent"), _staff("manager"), _staff("admin")
    dashboards = []
    for days in ("30", "365"):
        dashboards += [
            PageCase(f"satisfaction dashboard, {days} days", "app_pages/satisfaction.py", t("dash.satisfaction"),
                     "manager", manager, state={"dash_period": days}),
            PageCase(f"response-times dashboard, {days} days", "app_pages/response_times.py",
                     t("dash.response_times"), "manager", manager, state={"dash_period": days}),
        ]
    return [
        PageCase("help center", "app_pages/help_center.py", t("app.welcome"), "anonymous"),
        PageCase("new ticket form", "app_pages/new_ticket.py", t("new.title"), "anonymous"),
        PageCase("customer's ticket, 20 messages", "app_pages/customer_ticket.py",
                 f"#{ticket_id} · {subject}", "ticket link", query={"ticket": str(ticket_id), "token": link}),
        PageCase("survey", "app_pages/survey.py", t("survey.title"), "survey link",
                 query={"ticket": str(surveyed), "token": survey_link}),
        PageCase("sign in", "app_pages/account.py", t("account.title"), "anonymous"),
        # a signed-in customer reads in their account's language
        PageCase("my tickets", "app_pages/my_tickets.py", i18n.t("mine.title", customer.locale), "customer",
                 customer.email),
        PageCase("workbench queues", "app_pages/workbench.py", t("wb.title"), "agent", agent),
        PageCase("workbench ticket, 20 messages", "app_pages/workbench.py", f"#{ticket_id} · {subject}", "agent",
                 agent, query={"ticket": str(ticket_id)}),
        *dashboards,
        PageCase("knowledge base", "app_pages/knowledge.py", t("kb.title"), "agent", agent),
        PageCase("knowledge dashboard, 30 days", "app_pages/knowledge_report.py", t("kdash.title"), "manager",
                 manager),
        PageCase("admin", "app_pages/admin.py", t("admin.title"), "admin", admin),
        PageCase("email log", "app_pages/email_log.py", t("log.title"), "admin", admin),
    ]


@contextlib.contextmanager
def app_environment(url: str) -> Iterator[None]:
    """The app as AppTest runs it (see tests/pages/conftest.py app_env), on the bench database. Streamlit's
    bare-mode warnings and what the page libraries print (streamlit-authenticator prints about its cookie)
    are kept off the terminal: the harness's table goes to stdout."""
    saved = {key: os.environ.get(key) for key in ("MESA_DATABASE_URL", "MESA_EMBEDDED_WORKER")}
    here = os.getcwd()
    quiet = contextlib.ExitStack()
    quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
    streamlit_config.get_config_options()  # parsed now: parsing later would set the level from the config again
    level = streamlit_logger._global_log_level
    streamlit_logger.set_log_level("error")  # every Streamlit logger, and those made later
    os.environ["MESA_DATABASE_URL"] = url
    os.environ["MESA_EMBEDDED_WORKER"] = "0"
    os.chdir(ROOT)
    config.get_settings.cache_clear()
    try:
        yield
    finally:
        quiet.close()
        streamlit_logger.set_log_level(level)
        st.cache_data.clear()
        st.cache_resource.clear()
        os.chdir(here)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        config.get_settings.cache_clear()


def check(app: AppTest, case: PageCase) -> None:
    """Raise RenderFailed unless `app` shows `case`'s page as its role should see it."""
    if app.exception:
        raise RenderFailed(f"{case.name}: exception {[e.message for e in app.exception]}")
    titles = [element.value for element in app.title]
    if case.title not in titles:
        raise RenderFailed(f"{case.name}: title {case.title!r} not among {titles}")
    shown = [e.value for e in (*app.info, *app.error, *app.warning)]
    if refused := [text for text in shown if any(refusal in text for refusal in REFUSALS)]:
        raise RenderFailed(f"{case.name}: refused: {refused}")
    for key, value in case.state.items():  # e.g. the dashboard's period really was the one asked for
        if app.session_state[key] != value:
            raise RenderFailed(f"{case.name}: {key} is {app.session_state[key]!r}, not {value!r}")


def _open(case: PageCase) -> AppTest:
    """A new session on Home.py (untimed), signed in as the case's user, with its widget values."""
    app = run_home(**case.query)
    if app.exception:
        raise RenderFailed(f"{case.name}: Home.py raised {[e.message for e in app.exception]}")
    if case.email:
        app.session_state["authentication_status"] = True
        app.session_state["username"] = case.email
    for key, value in case.state.items():
        app.session_state[key] = value
    return app


def render(case: PageCase, repeat: int, timed_part: contextlib.AbstractContextManager | None = None
           ) -> dict[str, float]:
    """Seconds: the page's cold render, then the median and p95 of `repeat` cached reruns. `timed_part`
    (e.g. a profiler) is entered around those runs only, not around the session's untimed first run."""
    app = _open(case)
    st.cache_data.clear()
    st.cache_resource.clear()
    with timed_part or contextlib.nullcontext():
        return _timed_runs(app, case, repeat)


def _timed_runs(app: AppTest, case: PageCase, repeat: int) -> dict[str, float]:
    start = time.perf_counter()
    app.switch_page(case.path).run(timeout=RENDER_TIMEOUT)
    cold = time.perf_counter() - start
    check(app, case)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        app.run(timeout=RENDER_TIMEOUT)
        samples.append(time.perf_counter() - start)
        check(app, case)
    return {"cold": cold, "median": statistics.median(samples), "p95": percentile(samples, 0.95)}


@contextlib.contextmanager
def _profiled_script_thread(profiler) -> Iterator[None]:
    """AppTest runs the page in its own thread, which a profiler started here would not see: start and
    stop `profiler` inside that thread, around each run (pyinstrument adds the runs up)."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    original = LocalScriptRunner._run_script_thread

    def run(self) -> None:
        profiler.start()
        try:
            original(self)
        finally:
            profiler.stop()

    LocalScriptRunner._run_script_thread = run
    try:
        yield
    finally:
        LocalScriptRunner._run_script_thread = original


def profile(case: PageCase, reruns: int = 3) -> str:
    """pyinstrument's text profile of the page's cold render plus `reruns` cached reruns (script thread only)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    render(case, reruns, timed_part=_profiled_script_thread(profiler))
    return profiler.output_text(unicode=False, color=False, show_all=False)


def measure(url: str, engine: Engine, ticket_id: int, repeat: int,
            progress: Callable[[str, dict[str, float]], None] | None = None,
            profiled: str | None = None) -> list[dict[str, object]]:
    """One row per page: name, path, role, cold, median, p95 (seconds). A page whose row name
    ("page: <name>") contains `profiled` is first profiled (cold and 3 reruns) to stderr."""
    rows = []
    with app_environment(url):
        for case in cases(engine, ticket_id):
            if profiled and profiled in f"page: {case.name}":
                print(f"\n### Profile: page: {case.name} (cold render, then 3 cached reruns; the page's script "
                      f"thread)\n\n{profile(case)}", file=sys.stderr, flush=True)
            result = render(case, repeat)
            rows.append({"name": case.name, "path": case.path, "role": case.role, **result})
            if progress:
                progress(case.name, result)
    return rows
