"""The dashboards as a signed-in manager sees them, with data and with an empty range; others are refused."""

import base64
import functools
import json
from datetime import timedelta

import numpy as np
import pytest

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, session_factory, unit_of_work
from core.models import utcnow
from core.reports import satisfaction as sat_module
from core.tickets import service as tickets
from core.tickets import surveys
from tests.pages.conftest import run_home

PASSWORD = "a long passphrase"


@pytest.fixture
def desk(app_env):
    """Two solved tickets scored 5 and 2 by customers, an hour ago; one still new."""
    engine = make_engine(app_env)
    factory = session_factory(engine)
    start = utcnow() - timedelta(hours=3)
    with unit_of_work(factory) as session:
        for role in ("customer", "agent", "manager", "admin"):
            accounts.create_user(session, email=f"{role}@mesa.example", name=role.title(), role=role,
                                 password=PASSWORD)
        agent = accounts.find_by_email(session, "agent@mesa.example").id
        solved = []
        for n in range(2):
            ticket = tickets.create_ticket(session, name="Olivia", email=f"c{n}@example.com", subject="Printer <b>",
                                           description="It jams.", settings=get_settings(), now=start)
            tickets.add_agent_reply(session, ticket.id, agent_id=agent, body="Fixed.", status="solved",
                                    settings=get_settings(), now=start + timedelta(minutes=30 * (n + 1)))
            solved.append(ticket.id)
        tickets.create_ticket(session, name="James", email="james@example.com", subject="Invoice",
                              description="Twice.", settings=get_settings(), now=start)
    with unit_of_work(factory) as session:  # the customers answer the surveys the solve sent
        for n, (ticket_id, score) in enumerate(zip(solved, (5, 2), strict=True)):
            surveys.respond(session, ticket_id, score=score, comment=f"comment {n}", now=start + timedelta(hours=2))
    yield
    engine.dispose()


def _open(page, email):
    app = run_home()
    app.session_state["authentication_status"] = True
    app.session_state["username"] = email
    app.switch_page(page).run()
    return app


def _metrics(app):
    return {m.label: m.value for m in app.metric}


def test_the_manager_sees_the_satisfaction_numbers(desk):
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    assert not app.exception, app.exception
    assert app.title[0].value == "Satisfaction"
    metrics = _metrics(app)
    assert metrics["CSAT"] == "50.0%" and metrics["Average score"] == "3.50"
    assert metrics["Response rate"] == "100.0%" and metrics["Responses"] == "2"
    low = app.dataframe[-2].value  # low scores nobody followed up, then the comments
    assert list(low["score"]) == [2] and list(low["ticket"]) == ["/workbench?ticket=2"]
    comments = app.dataframe[-1].value
    assert list(comments["comment"]) == ["comment 1", "comment 0"] and "Printer <b>" in list(comments["subject"])


def test_the_response_times_page_shows_the_medians_and_the_backlog(desk):
    app = _open("app_pages/response_times.py", "admin@mesa.example")
    assert not app.exception, app.exception
    metrics = _metrics(app)
    assert metrics["First reply (median)"] == "45 min" and metrics["Resolution within SLA"] == "No data"
    assert len(app.get("plotly_chart")) >= 4


def test_one_breakdown_at_a_time_by_the_dimension_picked(desk):
    """Only the breakdown picked is computed and shown (each is a pass over the period's tickets)."""
    app = _open("app_pages/response_times.py", "manager@mesa.example")
    first = app.dataframe[0].value
    assert list(first["name"]) == ["Normal"] and list(first["first_reply_count"]) == [2]
    app.segmented_control(key="rt_breakdown").set_value("agent").run()
    assert not app.exception, app.exception
    by_agent = app.dataframe[0].value
    # both were unassigned until the agent answered them, and an answer makes a ticket the replier's
    assert list(by_agent["name"]) == ["Agent"] and list(by_agent["first_reply_count"]) == [2]
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.segmented_control(key="sat_breakdown").set_value("channel").run()
    app.toggle(key="sat_channel_as_table").set_value(True).run()  # the chart's numbers
    assert not app.exception, app.exception
    assert list(app.dataframe[0].value["Channel"]) == ["Web"]


def test_an_empty_custom_range_says_there_is_no_data(desk):
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.segmented_control(key="dash_period").set_value("custom").run()
    today = utcnow().date()
    app.date_input(key="dash_range").set_value((today - timedelta(days=40), today - timedelta(days=35))).run()
    assert not app.exception, app.exception
    assert _metrics(app)["CSAT"] == "No data"
    assert any("No survey was answered" in i.value for i in app.info)
    app = _open("app_pages/response_times.py", "manager@mesa.example")
    app.segmented_control(key="dash_period").set_value("custom").run()
    app.date_input(key="dash_range").set_value((today - timedelta(days=40), today - timedelta(days=35))).run()
    assert not app.exception, app.exception
    assert _metrics(app)["First reply (median)"] == "No data"


def test_filters_narrow_the_numbers(desk):
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.multiselect(key="dash_f_channel").select("email").run()
    assert not app.exception, app.exception
    assert _metrics(app)["Responses"] == "0"


@pytest.mark.parametrize("email", ["customer@mesa.example", "agent@mesa.example"])
@pytest.mark.parametrize("page", ["app_pages/satisfaction.py", "app_pages/response_times.py"])
def test_customers_and_agents_are_refused(desk, page, email):
    app = _open(page, email)
    assert "Your account cannot open this page." in [e.value for e in app.error]
    assert not app.metric and not app.dataframe


def test_the_workbench_shows_the_overview_strip(desk):
    app = _open("app_pages/workbench.py", "agent@mesa.example")
    assert not app.exception, app.exception
    metrics = _metrics(app)
    assert metrics["Open backlog"] == "1" and metrics["Unassigned"] == "1" and metrics["CSAT, 30 days"] == "50.0%"


def _counted(real, calls: list):
    """real, noting each call in calls."""
    @functools.wraps(real)
    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    return counted


def test_the_overview_strip_is_computed_once_per_half_minute_whatever_changes(desk, app_env, monkeypatch):
    """Drawn on every run of the queues, keyed by the data version it was computed again after every reply."""
    from core.reports import overview as overview_module
    from ui import dashboard

    calls, now = [], [1_000_000.0]
    monkeypatch.setattr(overview_module, "overview", _counted(overview_module.overview, calls))
    monkeypatch.setattr(dashboard.clock, "time", lambda: now[0])
    app = _open("app_pages/workbench.py", "agent@mesa.example")
    assert _metrics(app)["Open backlog"] == "1" and len(calls) == 1
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        tickets.create_ticket(session, name="Ines", email="ines@example.com", subject="Login", description="No.",
                              settings=get_settings())
    engine.dispose()
    app.run()
    assert _metrics(app)["Open backlog"] == "1" and len(calls) == 1, "a reply or a new ticket: the same numbers"
    now[0] += dashboard.RECENT_SECONDS
    app.run()
    assert _metrics(app)["Open backlog"] == "2" and len(calls) == 2, "half a minute later: the new numbers"


def test_a_new_answer_shows_at_once_and_unchanged_runs_hit_the_cache(desk, app_env, monkeypatch):
    calls = []
    monkeypatch.setattr(sat_module, "summary", _counted(sat_module.summary, calls))
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    assert _metrics(app)["Responses"] == "2" and len(calls) == 2  # this period and the one before
    app.run()
    assert len(calls) == 2
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        ticket = tickets.create_ticket(session, name="Mia", email="mia@example.com", subject="Scanner",
                                       description="Offline.", settings=get_settings())
        agent = accounts.find_by_email(session, "agent@mesa.example").id
        tickets.add_agent_reply(session, ticket.id, agent_id=agent, body="Fixed.", status="solved",
                                settings=get_settings())
    with unit_of_work(session_factory(engine)) as session:
        surveys.respond(session, ticket.id, score=4)
    engine.dispose()
    app.run()
    assert not app.exception, app.exception
    assert _metrics(app)["Responses"] == "3" and len(calls) == 4


def _figures(app) -> dict[str, dict]:
    """The plotly figures drawn, by their chart's key (the spec the browser gets)."""
    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in app.get("plotly_chart")}


def _values(array) -> list:
    """A figure's array as a list: plotly sends numbers as typed arrays ({"dtype", "bdata"})."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def _downloads(app) -> list[str]:
    return [d.proto.label for d in app.get("download_button")]


def test_every_chart_can_be_read_as_a_table(desk):
    app = _open("app_pages/response_times.py", "manager@mesa.example")
    charts_drawn = len(app.get("plotly_chart"))
    toggles = [toggle for toggle in app.toggle if toggle.key.endswith("_as_table")]
    assert charts_drawn == len(toggles) == 4 and {t.label for t in toggles} == {"As a table"}
    tables = len(app.dataframe)
    app.toggle(key="rt_backlog_as_table").set_value(True).run()
    assert not app.exception, app.exception
    assert len(app.get("plotly_chart")) == charts_drawn - 1 and len(app.dataframe) == tables + 1
    backlog = next(d.value for d in app.dataframe if list(d.value.columns) == ["Status", "Age", "Tickets"])
    assert backlog["Tickets"].sum() == 1 and "Over 7 days" in set(backlog["Age"])


def test_the_charts_show_counts_beside_rates_in_the_readers_language(desk):
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    app.sidebar.selectbox[0].select("es").run()
    assert not app.exception, app.exception
    figures = _figures(app)
    line, bars = figures["sat_trend"]["data"]
    assert (line["name"], bars["name"]) == ("CSAT", "Respuestas")
    assert _values(bars["y"]) == [2], "the answers under the line"
    assert line["text"] == ["50,0\xa0%"] and line["line"]["color"] != bars["marker"]["color"]
    scores = figures["sat_scores"]["data"][0]
    assert len(set(scores["marker"]["color"])) == 5 and scores["text"][1] == "1 · 50,0\xa0%"
    agents = figures["sat_agent"]["data"][0]
    assert agents["y"] == ["Agent"] and agents["text"] == ["50,0\xa0% (n = 2)"], "the rate and its count on the bar"
    assert all(f["layout"]["margin"]["t"] <= 36 and not f["layout"].get("title", {}).get("text")
               for f in figures.values()), "no dead space above a chart"


def test_the_backlog_buckets_in_order_the_oldest_darkest(desk):
    app = _open("app_pages/response_times.py", "manager@mesa.example")
    traces = _figures(app)["rt_backlog"]["data"]
    assert [t["name"] for t in traces] == ["Under 1 day", "1–3 days", "3–7 days", "Over 7 days"]
    darkness = [sum(int(t["marker"]["color"][i:i + 2], 16) for i in (1, 3, 5)) for t in traces]
    assert darkness == sorted(darkness, reverse=True)
    lines = _figures(app)["rt_trend"]["data"]
    assert len({t["line"]["color"] for t in lines}) == 2 and len({t["line"]["dash"] for t in lines}) == 2


def test_each_table_has_csv_and_excel_and_the_page_one_workbook(desk):
    app = _open("app_pages/response_times.py", "manager@mesa.example")
    labels = _downloads(app)
    assert labels[0] == "Download this dashboard (Excel)"
    assert labels[1:] == ["CSV", "Excel"] * 2, "the breakdown and the period's tickets (none breached: no SLA)"
    app = _open("app_pages/satisfaction.py", "manager@mesa.example")
    assert _downloads(app) == ["Download this dashboard (Excel)", *["CSV", "Excel"] * 3]
