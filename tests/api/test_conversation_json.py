"""GET /tickets/{id}/messages reads columns in two queries (core.api.tickets.conversation_json): it must say
exactly what message_json says of the same messages as objects, files and authors included."""

from __future__ import annotations

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api.tickets import message_json
from core.models import Message
from tests.api.test_tickets_api import _create


def test_the_conversation_is_what_message_json_says_of_each_message(api):
    ticket = _create(api)
    files = [("attachments", ("steps.txt", b"1. Open Settings\n", "text/plain")),
             ("attachments", ("more.txt", b"2. Reset\n", "text/plain"))]
    assert api.send("POST", f"/api/v1/tickets/{ticket['id']}/replies", data={"body": "Try these"},
                    files=files).status_code == 201
    assert api.send("POST", f"/api/v1/tickets/{ticket['id']}/notes", data={"body": "Same bug"}).status_code == 201
    _create(api, subject="Another ticket")  # its messages are not this ticket's
    got = api.get(f"/api/v1/tickets/{ticket['id']}/messages").json()
    with api.factory() as session:
        objects = session.scalars(select(Message).where(Message.ticket_id == ticket["id"])
                                  .options(selectinload(Message.attachments)).order_by(Message.created_at, Message.id))
        expected = TypeAdapter(list[dict]).dump_python([message_json(m) for m in objects], mode="json")
    assert got == expected
    assert [m["kind"] for m in got] == ["customer", "agent", "note"]
    assert [a["filename"] for a in got[1]["attachments"]] == ["steps.txt", "more.txt"] and got[0]["author"]


def test_the_messages_of_no_ticket_are_a_404(api):
    answer = api.get("/api/v1/tickets/999/messages")
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
