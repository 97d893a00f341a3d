from datetime import timedelta

import pytest
from sqlalchemy import select

from core.config import get_settings
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.models import AccessToken, Message, RateEvent, Ticket, User, utcnow
from core.portal import service as portal
from core.portal import tokens
from core.tickets import service as tickets
from tests.links import query_value
from tests.pages.conftest import run_home


@pytest.fixture
def desk(app_env):
    """Two tickets with links, an agent, and an internal note on the first ticket."""
    engine = make_engine(app_env)
    factory = session_factory(engine)
    settings = get_settings()
    with unit_of_work(factory) as session:
        agent = User(email="ana@mesa.example", name="Ana", role="agent")
        session.add(agent)
        session.flush()
        links = []
        for email in ("olivia@example.com", "james@example.com"):
            sent = portal.send_ticket(
                session, visitor=portal.Visitor("10.0.0.1"), name="Olivia", email=email, subject="Cannot log in",
                description="It says invalid credentials", kind="incident", product_id=None, locale="en",
                uploads=[], settings=settings)
            links.append(sent.link)
        tickets.add_internal_note(session, 1, agent_id=agent.id, body="SECRET NOTE: VIP customer")
        tickets.add_agent_reply(session, 1, agent_id=agent.id, body="Could you send a screenshot?",
                                status="pending")
    yield factory, links, agent.id
    engine.dispose()


def _open(link, **extra):
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    query.update(extra)
    app = run_home(**query)
    app.switch_page("app_pages/customer_ticket.py").run()
    return app


def _page_text(app):
    return "\n".join([e.value for e in app.markdown] + [e.value for e in app.text] + [e.value for e in app.caption]
                     + [e.value for e in app.title] + [e.value for e in app.info])


def test_the_link_opens_the_ticket_with_its_public_conversation_only(desk):
    _factory, links, _agent = desk
    app = _open(links[0])
    assert not app.exception
    text = _page_text(app)
    assert app.title[0].value == "#1 · Cannot log in"
    assert "Awaiting your reply" in text and "Could you send a screenshot?" in text
    assert "SECRET NOTE" not in text and "internal note" not in text


@pytest.mark.parametrize("case", ["wrong", "foreign", "missing", "unknown_ticket"])
def test_bad_links_get_one_neutral_answer(desk, case):
    _factory, links, _agent = desk
    token_two = query_value(links[1], "token")
    variants = {
        "wrong": {"ticket": "1", "token": "x" * 43},
        "foreign": {"ticket": "1", "token": token_two},
        "missing": {"ticket": "1"},
        "unknown_ticket": {"ticket": "999", "token": token_two},
    }
    app = run_home(**variants[case])
    app.switch_page("app_pages/customer_ticket.py").run()
    assert app.title[0].value == "Your ticket"
    assert app.info[0].value.startswith("This link does not open a ticket.")
    assert "Cannot log in" not in _page_text(app)


def test_expired_and_revoked_links_are_refused(desk):
    factory, links, _agent = desk
    with unit_of_work(factory) as session:
        for token in session.scalars(select(AccessToken).where(AccessToken.ticket_id == 2)):
            token.created_at = utcnow() - timedelta(days=91)  # issued longer ago than a link lives
        tokens.revoke_ticket_links(session, 1)
    for link in links:
        assert _open(link).title[0].value == "Your ticket"


def test_adding_information_reopens_a_pending_ticket(desk):
    factory, links, _agent = desk
    app = _open(links[0])
    app.text_area(key="add_body").input("Here is what I see").run()
    app.button(key="add_send").click().run()
    assert "Thank you, your message has been added to the ticket." in [s.value for s in app.success]
    with factory() as session:
        assert session.get(Ticket, 1).status == "open"
    assert "Here is what I see" in _page_text(app)


def test_empty_information_is_refused_next_to_the_field(desk):
    _factory, links, _agent = desk
    app = _open(links[0])
    app.button(key="add_send").click().run()
    assert "This field is required." in [e.value for e in app.error]


def test_customer_marks_the_ticket_solved(desk):
    factory, links, _agent = desk
    app = _open(links[1])
    app.button(key="mark_solved").click().run()
    with factory() as session:
        assert session.get(Ticket, 2).status == "solved"
    assert "Solved" in _page_text(app)
    # worded for who acted (issue 19.8): it said "We have marked your ticket as solved" and "We believe this is solved"
    assert [s.value for s in app.success] == ["Thank you! Your ticket is marked as solved."]
    assert any(c.value.startswith("You marked this as solved.") for c in app.caption)


def test_a_ticket_the_agent_solved_says_we_believe_it_is_solved(desk):
    factory, links, agent = desk
    with unit_of_work(factory) as session:
        tickets.change_status(session, 2, status="solved", actor_id=agent)
    app = _open(links[1])
    assert any(c.value.startswith("We believe this is solved.") for c in app.caption)


def test_a_closed_ticket_offers_a_follow_up_with_its_own_link(desk):
    factory, links, agent = desk
    with unit_of_work(factory) as session:
        tickets.change_status(session, 2, status="solved", actor_id=agent)
        tickets.change_status(session, 2, status="closed", actor_id=None)
    app = _open(links[1])
    assert "Closed" in _page_text(app)
    app.text_area(key="add_body").input("It broke again").run()
    app.button(key="add_send").click().run()
    with factory() as session:
        follow_up = session.scalars(select(Ticket).where(Ticket.follow_up_of_id == 2)).one()
        assert follow_up.status == "new"
    assert any("follow-up ticket" in s.value for s in app.success)


def test_the_ticket_page_speaks_spanish(desk):
    _factory, links, _agent = desk
    app = _open(links[0], lang="es")
    assert "Pendiente de tu respuesta" in _page_text(app)


def test_lost_link_answers_the_same_whether_or_not_it_matched(desk):
    factory, _links, _agent = desk
    answers = []
    for email, number in (("olivia@example.com", "1"), ("nobody@example.com", "1"), ("olivia@example.com", "77")):
        app = run_home(ticket="1", token="bad")
        app.switch_page("app_pages/customer_ticket.py").run()
        app.text_input[0].input(email)
        app.text_input[1].input(number)
        app.button[0].click().run()
        answers.append(app.success[0].value)
    assert len(set(answers)) == 1
    from core.models import Outbox
    with read_factory(factory.kw["bind"])() as session:
        lost = session.scalars(select(Outbox).where(Outbox.template == "lost_link")).all()
    assert [row.to_address for row in lost] == ["olivia@example.com"]


def test_a_signed_in_verified_customer_opens_own_tickets_without_a_token(desk):
    factory, _links, _agent = desk
    with unit_of_work(factory) as session:
        olivia = session.scalars(select(User).where(User.email == "olivia@example.com")).one()
        olivia.email_verified_at = utcnow()
    for number, allowed in (("1", True), ("2", False)):
        app = run_home(ticket=number)
        app.session_state["authentication_status"] = True
        app.session_state["username"] = "olivia@example.com"
        app.switch_page("app_pages/customer_ticket.py").run()
        assert (app.title[0].value == "#1 · Cannot log in") is allowed, app.title[0].value


def test_a_link_revoked_while_typing_adds_nothing_and_its_miss_is_counted(desk):
    """The button checks the link again, in sessions of its own before the unit of work begins: on SQLite a
    write lock already held by that unit would make the miss wait and fail as busy."""
    factory, links, _agent = desk
    app = _open(links[0])
    app.text_area(key="add_body").input("Here is what I see").run()
    with unit_of_work(factory) as session:
        tokens.revoke_ticket_links(session, 1)
    app.button(key="add_send").click().run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Your ticket"
    with factory() as session:
        assert session.scalars(select(Message.body).where(Message.body == "Here is what I see")).all() == []
        misses = session.scalars(select(RateEvent).where(RateEvent.bucket == "bad_token")).all()
    assert len(misses) == 2, "the button's miss and the page's own, both written"
