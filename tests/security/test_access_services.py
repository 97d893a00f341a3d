"""Every service that reads or changes a ticket for a caller × every kind of caller.

DESIGN.md, "Access and security": staff (agent, manager, admin; active) work on tickets;
a customer reaches their own ticket through its link (a token bound to that ticket and
purpose) or, signed in with a verified email, without one; nobody else gets anything. A
refusal is the same whether the ticket exists or not and names neither subject nor requester.
Tokens, passwords and the login limit are checked here too, at the core level.

The matrix runs on SQLite only (the rules are Python, not SQL); the token tests on both.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import events
from core.accounts import service as accounts
from core.db import unit_of_work
from core.errors import DomainError
from core.mail import sender
from core.models import AccessToken, Outbox, Survey, Ticket, User
from core.portal import ratelimit, tokens
from core.portal import service as portal
from core.tickets import service as tickets
from core.tickets import surveys, workbench
from tests.core.conftest import T0
from tests.mailserver import MailServer

SUBJECT, OTHER_SUBJECT = "Secret payroll export", "Other customer's invoice"
OWNER, STRANGER = "olivia@example.com", "bruno@example.com"
MISSING = 987_654
ADDRESS = "203.0.113.7"
SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@dataclass
class World:
    ticket: int  # Olivia's ticket: the target of every call
    other: int  # Bruno's ticket
    token: str  # Olivia's ticket link
    other_token: str  # Bruno's ticket link
    survey_token: str  # Olivia's survey link
    olivia: int
    bruno: int
    agent: int
    manager: int
    admin: int
    retired: int  # a deactivated agent


@pytest.fixture
def world(desk) -> World:
    with unit_of_work(desk.factory) as session:
        events.quiet(session)  # two tickets to attack: their confirmations are not what these tests look at
        mine = tickets.create_ticket(session, name="Olivia Brown", email=OWNER, subject=SUBJECT,
                                     description="Payroll numbers inside", settings=desk.settings, now=T0)
        theirs = tickets.create_ticket(session, name="Bruno Díaz", email=STRANGER, subject=OTHER_SUBJECT,
                                       description="Invoice 7", settings=desk.settings, now=T0)
        for ticket in (mine, theirs):
            accounts.mark_verified(session, ticket.requester_id, T0)
        surveys.send(session, mine, T0)
        admin = accounts.create_user(session, email="root@mesa.example", name="Root", role="admin")
        retired = accounts.create_user(session, email="gone@mesa.example", name="Gone", role="agent")
        retired.active = False
        return World(mine.id, theirs.id, tokens.issue(session, tokens.TICKET_VIEW, ticket_id=mine.id, now=T0),
                     tokens.issue(session, tokens.TICKET_VIEW, ticket_id=theirs.id, now=T0),
                     tokens.issue(session, tokens.SURVEY, ticket_id=mine.id, now=T0),
                     mine.requester_id, theirs.requester_id, desk.ana, desk.manager, admin.id, retired.id)


# ---------------------------------------------------------------- customer-facing services

CUSTOMERS = ("anonymous", "own token", "other's token", "survey token", "registered own", "registered other",
             "agent", "manager", "admin", "retired agent")


def _open(desk, world, actor, ticket_id, *, address=ADDRESS):
    """portal.open_by_link as `actor` would call it from the ticket page."""
    token = {"own token": world.token, "other's token": world.other_token,
             "survey token": world.survey_token}.get(actor)
    viewer_id = {"registered own": world.olivia, "registered other": world.bruno, "agent": world.agent,
                 "manager": world.manager, "admin": world.admin, "retired agent": world.retired}.get(actor)
    with desk.reader() as session:
        viewer = session.get(User, viewer_id) if viewer_id else None
    return portal.open_by_link(desk.reader, desk.factory, ticket_id, token, address=address, settings=desk.settings,
                               viewer=viewer, now=T0 + timedelta(hours=1), sleep=lambda _: None)


@SQLITE_ONLY
@pytest.mark.parametrize("actor", CUSTOMERS)
def test_open_ticket_only_for_its_link_or_its_verified_requester(desk, world, actor):
    allowed = actor in ("own token", "registered own")
    assert _open(desk, world, actor, world.ticket) == (world.ticket if allowed else None)
    assert _open(desk, world, actor, MISSING) is None  # no such ticket: the same answer


@SQLITE_ONLY
def test_add_information_and_mark_solved_go_through_the_opened_ticket_only(desk, world):
    """add_information takes the ticket that open_by_link returned: no link, no ticket, no call."""
    for actor in CUSTOMERS:
        opened = _open(desk, world, actor, world.ticket)
        if opened is None:
            continue
        with unit_of_work(desk.factory) as session:
            message, _ = portal.add_information(session, session.get(Ticket, opened), body=f"from {actor}",
                                                uploads=[], settings=desk.settings, now=T0 + timedelta(hours=2))
            assert message.ticket_id == world.ticket and message.author_id == world.olivia
    with desk.reader() as session:
        assert [m.body for m in portal.public_messages(session, world.ticket)][1:] == [
            "from own token", "from registered own"]


@SQLITE_ONLY
def test_mark_solved_by_customer_refuses_others_alike_for_a_missing_ticket(desk, world):
    errors = []
    for ticket_id, requester in ((world.ticket, world.bruno), (world.ticket, world.agent), (MISSING, world.bruno)):
        with pytest.raises(DomainError) as caught, unit_of_work(desk.factory) as session:
            tickets.mark_solved_by_customer(session, ticket_id, requester_id=requester, settings=desk.settings)
        errors.append(str(caught.value).replace(str(ticket_id), "N"))
    assert len(set(errors)) == 1 and SUBJECT not in errors[0] and "Olivia" not in errors[0]
    assert desk.ticket(world.ticket).status == "new"
    with unit_of_work(desk.factory) as session:
        tickets.mark_solved_by_customer(session, world.ticket, requester_id=world.olivia, settings=desk.settings)
    assert desk.ticket(world.ticket).status == "solved"


@SQLITE_ONLY
def test_lost_link_mails_only_the_requester_and_answers_nothing(desk, world):
    asks = [(OWNER, world.ticket), (STRANGER, world.ticket), (OWNER, world.other), (OWNER, MISSING),
            ("not an email", world.ticket), (OWNER, None)]
    for email, ticket_id in asks:
        with unit_of_work(desk.factory) as session:
            assert portal.lost_link(session, email=email, ticket_id=ticket_id, address=ADDRESS,
                                    settings=desk.settings, now=T0) is None
    with desk.reader() as session:
        sent = session.execute(select(Outbox.to_address, Outbox.ticket_id).where(Outbox.template == "lost_link")).all()
    assert sent == [(OWNER, world.ticket)]


@SQLITE_ONLY
@pytest.mark.parametrize("token", ["survey", "ticket view", "other's survey", "none"])
def test_answer_by_link_needs_this_tickets_survey_token(desk, world, token):
    with unit_of_work(desk.factory) as session:
        other_survey = tokens.issue(session, tokens.SURVEY, ticket_id=world.other, now=T0)
    raw = {"survey": world.survey_token, "ticket view": world.token, "other's survey": other_survey,
           "none": ""}[token]
    with unit_of_work(desk.factory) as session:
        answered = surveys.answer_by_link(session, world.ticket, raw, score=4, settings=desk.settings,
                                          now=T0 + timedelta(hours=1))
    assert (answered is not None) == (token == "survey")
    with desk.reader() as session:
        score = session.scalar(select(Survey.score).where(Survey.ticket_id == world.ticket))
    assert score == (4 if token == "survey" else None)


# ---------------------------------------------------------------- staff services

STAFF_SERVICES = ("add_agent_reply", "add_internal_note", "change_status", "assign", "update_fields", "set_tags",
                  "merge")
STAFF_ACTORS = ("no such user", "customer", "other customer", "agent", "manager", "admin", "retired agent")


def _staff_calls(world):
    """Each staff service, called on Olivia's ticket (or a missing one) by `actor_id`."""
    return {
        "add_agent_reply": lambda s, t, a: tickets.add_agent_reply(s, t, agent_id=a, body="Try again now."),
        "add_internal_note": lambda s, t, a: tickets.add_internal_note(s, t, agent_id=a, body="Looks like a bug."),
        "change_status": lambda s, t, a: tickets.change_status(s, t, status="pending", actor_id=a),
        "assign": lambda s, t, a: tickets.assign(s, t, actor_id=a, assignee_id=world.agent),
        "update_fields": lambda s, t, a: tickets.update_fields(s, t, actor_id=a, priority="urgent"),
        "set_tags": lambda s, t, a: tickets.set_tags(s, t, ["payroll"], a),
        "merge": lambda s, t, a: tickets.merge(s, world.other, t, a),
    }


@SQLITE_ONLY
@pytest.mark.parametrize("service", STAFF_SERVICES)
def test_staff_services_only_for_active_staff_and_refusals_say_nothing(desk, world, service):
    call = _staff_calls(world)[service]
    ids = {"no such user": MISSING, "customer": world.olivia, "other customer": world.bruno, "agent": world.agent,
           "manager": world.manager, "admin": world.admin, "retired agent": world.retired}
    for actor in STAFF_ACTORS:
        refusals = set()
        for ticket_id in (world.ticket, MISSING):
            try:
                with unit_of_work(desk.factory) as session:
                    call(session, ticket_id, ids[actor])
                    session.rollback()  # every actor meets the same ticket
            except DomainError as exc:
                refusals.add(str(exc).replace(str(ids[actor]), "U"))
                assert SUBJECT not in str(exc) and OWNER not in str(exc) and "Olivia" not in str(exc)
            else:
                assert actor in ("agent", "manager", "admin") and ticket_id == world.ticket, (actor, ticket_id)
        if actor not in ("agent", "manager", "admin"):
            assert len(refusals) == 1, (actor, refusals)  # the same refusal for a real and a missing ticket
    assert desk.ticket(world.ticket).version == 1


def test_workbench_load_is_the_staff_view_and_customers_never_reach_it(desk, world):
    """workbench.load takes no caller: it is the whole ticket (notes included) for the workbench
    page, which checks the role first (tests/pages/test_access_matrix.py); no customer service calls it."""
    with unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, world.ticket, agent_id=world.agent, body="staff only")
    with desk.reader() as session:
        screen = workbench.load(session, world.ticket)
        assert "staff only" in [m.body for m in screen.messages]
        assert "staff only" not in [m.body for m in portal.public_messages(session, world.ticket)]


# ---------------------------------------------------------------- tokens

def test_tokens_have_256_bits_and_only_their_hash_is_stored(desk, world):
    with unit_of_work(desk.factory) as session:
        raws = [tokens.issue(session, tokens.TICKET_VIEW, ticket_id=world.ticket, now=T0) for _ in range(50)]
    assert len(set(raws)) == 50
    for raw in raws:
        assert len(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))) == 32
    with desk.reader() as session:
        rows = session.scalars(select(AccessToken)).all()
        stored = {str(getattr(row, column.key)) for row in rows for column in AccessToken.__table__.columns}
    assert not set(raws) & stored
    assert {tokens.digest(raw) for raw in raws} <= stored


def test_links_expire_and_can_be_revoked(desk, world):
    later = T0 + timedelta(days=desk.settings.ticket_link_days, seconds=1)
    with unit_of_work(desk.factory) as session:
        assert tokens.ticket_access(session, world.ticket, world.token, now=T0 + timedelta(days=1))
        assert not tokens.ticket_access(session, world.ticket, world.token, now=later,
                                        link_days=desk.settings.ticket_link_days)
        assert not surveys.answer_by_link(session, world.ticket, world.survey_token, score=5,
                                          now=T0 + tokens.LIFETIME[tokens.SURVEY] + timedelta(seconds=1))
        assert tokens.revoke_ticket_links(session, world.ticket, now=T0) == 1
    assert _open(desk, world, "own token", world.ticket) is None
    assert _open(desk, world, "other's token", world.other) == world.other  # only that ticket's links


def test_a_survey_token_does_not_open_the_ticket_and_a_ticket_token_answers_no_survey(desk, world):
    with unit_of_work(desk.factory) as session:
        assert not tokens.ticket_access(session, world.ticket, world.survey_token, now=T0)
        assert not tokens.ticket_access(session, world.ticket, world.token, purpose=tokens.SURVEY, now=T0)
        assert not tokens.ticket_access(session, world.other, world.token, now=T0)


def test_wrong_tokens_are_slowed_per_address(desk, world):
    waits: list[float] = []

    def attempt(token, address):
        return portal.open_by_link(desk.reader, desk.factory, world.ticket, token, address=address,
                                   settings=desk.settings, now=T0, sleep=waits.append)

    for _ in range(portal.BAD_TOKENS_BEFORE_DELAY):
        assert attempt("guess", ADDRESS) is None
    assert waits == []
    for _ in range(4):
        assert attempt("guess", ADDRESS) is None
    assert waits == sorted(waits) and len(waits) == 4 and waits[0] > 0 and waits[-1] > waits[0]
    assert attempt("guess", "198.51.100.9") is None and len(waits) == 4  # another address waits not
    assert attempt(world.token, ADDRESS) is not None and waits[-1] <= portal.MAX_DELAY_SECONDS


def test_a_token_never_reaches_a_log(desk, caplog):
    server = MailServer().start()
    settings = desk.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": server.port})
    caplog.set_level(logging.DEBUG)
    try:
        with unit_of_work(desk.factory) as session:
            sent = portal.send_ticket(session, visitor=portal.Visitor(ADDRESS), name="Olivia", email=OWNER,
                                      subject=SUBJECT, description="Payroll", kind="question", product_id=None,
                                      locale="en", uploads=[], settings=settings)
        assert sender.dispatch(desk.factory, settings).sent
        raw = sent.link.split("token=")[1].split("&")[0]
        assert len(server.inbox.messages) == 1 and raw in server.inbox.messages[0].get_body(('plain',)).get_content()
        assert portal.open_by_link(desk.reader, desk.factory, sent.ticket_id, raw, address=ADDRESS, settings=settings)
        assert portal.open_by_link(desk.reader, desk.factory, sent.ticket_id, raw[:-1], address=ADDRESS,
                                   settings=settings) is None
    finally:
        server.stop()
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # the test server's own log
    assert caplog.records, "logging was captured"
    assert not [r.name for r in ours if raw in r.getMessage() or raw in str(r.args)]


# ---------------------------------------------------------------- passwords and login

@SQLITE_ONLY
def test_passwords_are_bcrypt_long_and_not_common(desk):
    hashed = accounts.hash_password("a long and rare passphrase")
    bcrypt_part = hashed.removeprefix(accounts.SCHEME)  # bcrypt over the passphrase's SHA-256 (core.accounts)
    assert bcrypt_part.startswith("$2b$") and len(bcrypt_part) == 60 and int(bcrypt_part[4:6]) >= 12
    assert accounts.verify_password("a long and rare passphrase", hashed)
    assert not accounts.verify_password("a long and rare passphrasE", hashed)
    assert not accounts.verify_password("anything", None)
    assert accounts.password_problem("x" * (accounts.MIN_PASSWORD - 1)) == "errors.password_short"
    for common in ("password123", "Password123", "1234567890", "aaaaaaaaaaaa"):
        assert accounts.password_problem(common) == "errors.password_common"
    with pytest.raises(DomainError), unit_of_work(desk.factory) as session:
        accounts.create_user(session, email="weak@mesa.example", name="Weak", role="agent", password="letmein123")
    with unit_of_work(desk.factory) as session:
        user = accounts.create_user(session, email="good@mesa.example", name="Good", role="agent",
                                    password="correct horse battery")
        assert "correct horse" not in user.password_hash


@SQLITE_ONLY
def test_login_attempts_are_limited_per_address(desk):
    from ui.sign_in import LOGIN_FAILURES, LOGIN_WINDOW

    with unit_of_work(desk.factory) as session:
        for _ in range(LOGIN_FAILURES):
            assert not ratelimit.over(session, "login", ADDRESS, LOGIN_FAILURES, LOGIN_WINDOW, now=T0)
            ratelimit.hit(session, "login", ADDRESS, now=T0)
        assert ratelimit.over(session, "login", ADDRESS, LOGIN_FAILURES, LOGIN_WINDOW, now=T0)
        assert not ratelimit.over(session, "login", "198.51.100.9", LOGIN_FAILURES, LOGIN_WINDOW, now=T0)
        later = T0 + LOGIN_WINDOW + timedelta(seconds=1)
        assert not ratelimit.over(session, "login", ADDRESS, LOGIN_FAILURES, LOGIN_WINDOW, now=later)



def test_a_ticket_link_expires_a_fixed_time_after_it_was_issued_however_busy_the_ticket(desk, world):
    """I1: links lived until link_days after the ticket's last activity, so a leaked link lived as long as
    the conversation went on."""
    with unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, world.ticket, agent_id=world.agent, body="Still on it",
                                  now=T0 + timedelta(days=desk.settings.ticket_link_days - 1))
    past = T0 + timedelta(days=desk.settings.ticket_link_days, seconds=1)
    with desk.reader() as session:
        assert not tokens.ticket_access(session, world.ticket, world.token, now=past,
                                        link_days=desk.settings.ticket_link_days)
