"""A ticket's history in words, in the reader's language and time zone (issue 19: it showed "assignee: — → 3")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core import formats
from core.db import unit_of_work
from core.tickets import history
from core.tickets import service as tickets

MADRID = ZoneInfo("Europe/Madrid")


def test_history_names_people_products_and_states_in_the_readers_language(desk):
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.assign(session, ticket.id, actor_id=desk.ana, assignee_id=desk.liam, settings=desk.settings)
        tickets.change_status(session, ticket.id, status="pending", actor_id=desk.liam, settings=desk.settings)
    with desk.reader() as session:
        english = history.lines(session, ticket.id, "en", MADRID)
        spanish = history.lines(session, ticket.id, "es", MADRID)
    text = "\n".join(english)
    assert "changed the assignee from none to Liam Carter" in text
    assert "Liam Carter changed the status from New to Pending" in text
    assert "(Europe/Madrid)" in text and "→" not in text and f"to {desk.liam} " not in text
    assert any("cambió el estado" in line and "Pendiente" in line for line in spanish), spanish
    moment = formats.datetime(ticket.created_at, "es", MADRID)  # "5/3/26, 14:05": the reader's way, not ISO
    assert any(line.endswith(f"{moment} (Europe/Madrid)") for line in spanish), spanish


def test_a_new_ticket_is_one_line_that_says_what_it_was_created_with(desk):
    """It was one "changed the status from none to New" per field: six lines before anything happened."""
    ticket = desk.new_ticket()
    with desk.reader() as session:
        english = history.lines(session, ticket.id, "en", MADRID)
        spanish = history.lines(session, ticket.id, "es", MADRID)
    created = [line for line in english if "created the ticket" in line]
    assert len(created) == 1 and english[0] == created[0], english
    assert "with status New, priority Normal" in created[0] and "from none" not in "\n".join(english), english
    assert "creó el ticket con el estado Nuevo, la prioridad Normal" in spanish[0], spanish
    assert created[0].startswith("Olivia Brown created") and "requester" not in created[0]  # not "… requester Olivia"
