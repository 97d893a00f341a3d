import re

import pytest
from sqlalchemy import select

from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import Outbox, Survey, User
from core.portal import service as portal
from core.tickets import service as tickets
from tests.links import query_value
from tests.pages.conftest import run_home


@pytest.fixture
def solved(app_env):
    engine = make_engine(app_env)
    factory = session_factory(engine)
    with unit_of_work(factory) as session:
        agent = User(email="ana@mesa.example", name="Ana", role="agent")
        session.add(agent)
        session.flush()
        sent = portal.send_ticket(session, visitor=portal.Visitor("10.0.0.1"), name="Olivia", email="o@example.com",
                                  subject="Export", description="It stops", kind="incident", product_id=None,
                                  locale="en", uploads=[], settings=get_settings())
        tickets.add_agent_reply(session, sent.ticket_id, agent_id=agent.id, body="Fixed", status="solved")
    with read_factory(engine)() as session:
        email = session.scalars(select(Outbox).where(Outbox.template == "ticket_solved")).one()
    links = re.findall(r"(/survey\?ticket=\d+&token=[\w-]+&score=\d)", email.body_text)
    yield factory, sent, links
    engine.dispose()


def _open(link):
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    app = run_home(**query)
    app.switch_page("app_pages/survey.py").run()
    return app


def test_one_click_records_the_score_then_the_comment(solved):
    factory, _sent, links = solved
    assert len(links) == 5
    app = _open(links[4])
    assert "Thank you for your score: 5 · Very good." in app.success[0].value
    app.text_area(key="survey_comment").input("Quick and kind").run()
    app.button[0].click().run()
    with factory() as session:
        survey = session.scalars(select(Survey)).one()
        assert (survey.score, survey.comment) == (5, "Quick and kind")
    _open(links[1])
    with factory() as session:
        assert session.scalars(select(Survey)).one().score == 2  # changed its mind before the ticket closed


def test_the_ticket_link_does_not_open_the_survey_and_a_bad_link_says_so(solved):
    _factory, sent, _links = solved
    token = query_value(sent.link, "token")
    app = _open(f"/survey?ticket={sent.ticket_id}&token={token}&score=5")
    assert app.info[0].value.startswith("This survey link is not valid")


def test_a_score_picked_on_the_page_is_not_put_back_by_the_links_score(solved):
    """The link's score was recorded again on every run of the page: a customer who clicked 5, then picked 3 and
    saved, got 5 back with the next click anywhere on the page (or a reload)."""
    factory, _sent, links = solved
    app = _open(links[4])
    app.segmented_control(key="survey_score").set_value(3).run()
    app.button[0].click().run()
    app.text_area(key="survey_comment").input("Slow at first").run()  # any later run of the page
    with factory() as session:
        assert session.scalars(select(Survey)).one().score == 3
    assert "score" not in app.query_params
