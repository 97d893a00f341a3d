"""Bad input to every service raises a domain error a person can act on, and saves nothing."""

import pytest

from core.accounts import service as accounts
from core.db import unit_of_work
from core.errors import DomainError, ValidationError
from core.tickets import service as tickets
from core.tickets import surveys
from core.tickets.attachments import Upload
from tests.conftest import row_counts


def _refused(desk, call, *, field=None, says=None):
    before = row_counts(desk.factory)
    with pytest.raises(DomainError) as caught, unit_of_work(desk.factory) as session:
        call(session)
    assert row_counts(desk.factory) == before, "a refused change left rows behind"
    error = caught.value
    if field:
        assert isinstance(error, ValidationError) and field in error.errors, error
        text = error.messages("en")[field]
    else:
        text = error.message("en")
    if says:
        assert says in text
    assert error.message("es") and error.message("es") != error.key
    return error


@pytest.mark.parametrize(("fields", "field", "says"), [
    ({"subject": "   "}, "subject", "required"),
    ({"subject": "x" * 201}, "subject", "at most 200 characters (this has 201)"),
    ({"description": ""}, "description", "required"),
    ({"email": "not-an-email"}, "email", "an @ between the name and the domain"),
    ({"email": ""}, "email", "required"),
    ({"name": ""}, "name", "required"),
    ({"kind": "complaint"}, "kind", "question, incident, improvement"),
    ({"priority": "asap"}, "priority", "low, normal, high, urgent"),
    ({"product_id": 424242}, "product", "Choose a product"),
    ({"uploads": [Upload("virus.png", b"MZ\x90\x00" + b"\x00" * 100)]}, "attachments", "virus.png: the content is not"),
    ({"uploads": [Upload("tool.exe", b"MZ\x90\x00")]}, "attachments", "tool.exe: this looks like a Windows program"),
    ({"uploads": [Upload("empty.txt", b"")]}, "attachments", "empty.txt: the file is empty"),
])
def test_create_ticket_refuses(desk, fields, field, says):
    values = dict(name="Olivia", email="olivia@example.com", subject="Login", description="It fails",
                  kind="incident", product_id=desk.product, settings=desk.settings)
    values.update(fields)
    _refused(desk, lambda s: tickets.create_ticket(s, **values), field=field, says=says)


def test_create_ticket_reports_every_bad_field_at_once(desk):
    error = _refused(desk, lambda s: tickets.create_ticket(
        s, name="", email="x", subject="", description="", kind="?", settings=desk.settings))
    assert set(error.errors) == {"name", "email", "subject", "description", "kind"}


def test_too_many_and_too_big_files(desk):
    settings = desk.settings.model_copy(update={"max_attachments": 2, "max_file_mb": 0.001, "max_ticket_mb": 0.0015})
    many = [Upload(f"{i}.txt", b"hello") for i in range(3)]
    values = dict(name="O", email="o@example.com", subject="S", description="D", settings=settings)
    _refused(desk, lambda s: tickets.create_ticket(s, uploads=many, **values), field="attachments",
             says="at most 2 files (you chose 3)")
    big = [Upload("big.txt", b"a" * 1100)]
    _refused(desk, lambda s: tickets.create_ticket(s, uploads=big, **values), field="attachments",
             says="big.txt: the file is 1.1 kB; the limit is 1 kB per file")
    two = [Upload("a.txt", b"a" * 1000), Upload("b.txt", b"b" * 1000)]
    _refused(desk, lambda s: tickets.create_ticket(s, uploads=two, **values), field="attachments",
             says="add up to 2 kB; the limit is 1.5 kB")


def test_message_services_refuse_empty_and_oversized_bodies(desk):
    ticket = desk.new_ticket()
    long = "x" * (desk.settings.max_body_chars + 1)
    for body, says in (("  ", "required"), (long, "at most")):
        _refused(desk, lambda s, b=body: tickets.add_customer_message(s, ticket.id, body=b, settings=desk.settings),
                 field="body", says=says)
        _refused(desk, lambda s, b=body: tickets.add_agent_reply(s, ticket.id, agent_id=desk.ana, body=b,
                                                                 settings=desk.settings), field="body", says=says)
        _refused(desk, lambda s, b=body: tickets.add_internal_note(s, ticket.id, agent_id=desk.ana, body=b,
                                                                   settings=desk.settings), field="body", says=says)


def test_reply_with_a_forbidden_status_saves_no_message(desk):
    ticket = desk.new_ticket()
    _refused(desk, lambda s: tickets.add_agent_reply(s, ticket.id, agent_id=desk.ana, body="hi", status="closed"),
             field="status", says="cannot go from new to closed")


def test_a_customer_cannot_act_as_an_agent(desk):
    ticket = desk.new_ticket()
    _refused(desk, lambda s: tickets.add_agent_reply(s, ticket.id, agent_id=ticket.requester_id, body="hi"),
             says="not an active agent")
    _refused(desk, lambda s: tickets.change_status(s, ticket.id, status="solved", actor_id=ticket.requester_id),
             says="not an active agent")


def test_bad_field_values(desk):
    ticket = desk.new_ticket()
    _refused(desk, lambda s: tickets.update_fields(s, ticket.id, actor_id=desk.ana, priority="asap"), field="priority")
    _refused(desk, lambda s: tickets.update_fields(s, ticket.id, actor_id=desk.ana, kind="rant"), field="kind")
    _refused(desk, lambda s: tickets.update_fields(s, ticket.id, actor_id=desk.ana, product_id=99), field="product")
    _refused(desk, lambda s: tickets.change_status(s, ticket.id, status="archived", actor_id=desk.ana),
             says="cannot go from new to archived")


def test_create_user_refuses_bad_values(desk):
    _refused(desk, lambda s: accounts.create_user(s, email="ana@mesa.example", name="Ana", role="agent"),
             field="email", says="already an account")
    _refused(desk, lambda s: accounts.create_user(s, email="x@example.com", name="X", role="boss"), field="role")
    _refused(desk, lambda s: accounts.create_user(s, email="x@example.com", name="X", password="short"),
             field="password", says="at least 10 characters")


def test_survey_score_outside_one_to_five(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        surveys.send(session, tickets.get_ticket(session, ticket.id))
    _refused(desk, lambda s: surveys.respond(s, ticket.id, score=6), field="score")
