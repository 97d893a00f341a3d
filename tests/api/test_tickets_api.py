"""Tickets over HTTP through the same services as the pages: the same events, emails and refusals."""

import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.models import Message, Outbox, SlaPolicy, TicketEvent, TicketMetrics
from tests.conftest import row_counts

NEW = {"name": "Olivia Brown", "email": "olivia@example.com", "subject": "Cannot log in",
       "description": "The app says invalid credentials."}
EXE = b"MZ\x90\x00" + b"\x00" * 200  # a Windows program: refused by content, whatever its name


def _create(api, **fields):
    response = api.send("POST", "/api/v1/tickets", json={**NEW, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def _templates(api):
    with api.factory() as session:
        return sorted(session.scalars(select(Outbox.template)))


def test_create_writes_the_ticket_its_events_and_its_email(api):
    created = _create(api, priority="high", product_id=api.product)
    assert created["status"] == "new" and created["priority"] == "high" and created["version"] == 1
    assert created["requester"]["email"] == "olivia@example.com"
    got = api.get(f"/api/v1/tickets/{created['id']}")
    assert got.json() == created and got.headers["etag"] == '"1"'
    assert _templates(api) == ["ticket_received"]


def test_bad_input_names_each_field_and_saves_nothing(api):
    before = row_counts(api.factory)
    refused = api.send("POST", "/api/v1/tickets", json={**NEW, "email": "not an address", "subject": " ",
                                                         "kind": "rant"})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    errors = refused.json()["errors"]
    assert set(errors) == {"email", "subject", "kind"} and errors["subject"] == "This field is required."
    shape = api.send("POST", "/api/v1/tickets", json={"name": "x", "surprise": 1})
    assert shape.status_code == 422 and {"email", "surprise"} <= set(shape.json()["errors"])
    assert row_counts(api.factory) == before


def test_if_match_an_old_version_is_412_and_changes_nothing(api):
    ticket = _create(api)
    url = f"/api/v1/tickets/{ticket['id']}"
    first = api.send("PATCH", url, json={"priority": "urgent", "tags": ["vip"]}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["priority"] == "urgent" and first.json()["tags"] == ["vip"]
    before = row_counts(api.factory)
    stale = api.send("PATCH", url, json={"priority": "low"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and "urgent" in stale.json()["detail"]
    assert api.send("PATCH", url, json={"priority": "low"}, headers={"If-Match": "soon"}).status_code == 412
    assert row_counts(api.factory) == before
    now = api.send("PATCH", url, json={"priority": "low"}, headers={"If-Match": first.headers["etag"]})
    assert now.status_code == 200 and now.headers["etag"] == f'"{now.json()["version"]}"'


def test_status_assignee_and_the_rules_of_the_workflow(api):
    ticket = _create(api)
    url = f"/api/v1/tickets/{ticket['id']}"
    moved = api.send("PATCH", url, json={"status": "pending", "assignee_id": api.manager}).json()
    assert moved["status"] == "pending" and moved["assignee_id"] == api.manager
    back = api.send("PATCH", url, json={"status": "new"})
    assert back.status_code == 409 and "pending" in back.json()["detail"]
    assert api.send("PATCH", url, json={"assignee_id": 999}).status_code == 404
    with api.factory() as session:
        fields = set(session.scalars(select(TicketEvent.field).where(TicketEvent.actor_id == api.agent)))
    assert {"status", "assignee"} <= fields
    assert "agent_assigned" in _templates(api)


def test_a_reply_with_a_file_is_emailed_and_a_note_is_not(api):
    ticket = _create(api)
    url = f"/api/v1/tickets/{ticket['id']}"
    reply = api.send("POST", f"{url}/replies", data={"body": "Try resetting it.", "status": "pending"},
                     files=[("attachments", ("steps.txt", b"1. reset\n2. sign in\n", "text/plain"))])
    assert reply.status_code == 201, reply.text
    assert reply.json()["attachments"][0]["filename"] == "steps.txt"
    note = api.send("POST", f"{url}/notes", data={"body": "Known bug, see #12."})
    assert note.status_code == 201 and note.json()["kind"] == "note"
    assert _templates(api) == ["info_needed", "ticket_received"]
    conversation = api.get(f"{url}/messages").json()
    assert [m["kind"] for m in conversation] == ["customer", "agent", "note"]
    assert api.get(url).json()["status"] == "pending"
    with api.factory() as session:  # the metrics move as on the workbench
        metrics = session.get(TicketMetrics, ticket["id"])
        assert metrics.replies == 1 and metrics.first_reply_at is not None


def test_a_refused_file_saves_nothing(api):
    ticket = _create(api)
    before = row_counts(api.factory)
    refused = api.send("POST", f"/api/v1/tickets/{ticket['id']}/replies", data={"body": "Here"},
                       files=[("attachments", ("photo.png", EXE, "image/png"))])
    assert refused.status_code == 422 and "photo.png" in refused.json()["errors"]["attachments"]
    empty = api.send("POST", f"/api/v1/tickets/{ticket['id']}/notes", data={"body": "  "})
    assert empty.status_code == 422 and set(empty.json()["errors"]) == {"body"}
    missing = api.send("POST", f"/api/v1/tickets/{ticket['id']}/replies", data={"status": "pending"})
    assert missing.status_code == 422 and missing.json()["errors"] == {"body": "This field is required."}
    assert row_counts(api.factory) == before


def _walk(api, limit=2, between=None, **params):
    """Every page of a view, following next_cursor; `between(page_number)` runs after each page."""
    seen, cursor, number = [], None, 0
    while True:
        page = api.get("/api/v1/tickets", params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += [row["id"] for row in page.json()["items"]]
        cursor, number = page.json()["next_cursor"], number + 1
        if between:
            between(number)
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", ["updated", "created", "priority", "due"])
def test_cursor_paging_walks_a_view_in_its_order_once(api, sort):
    with unit_of_work(api.factory) as session:  # due times for some (urgent, high), none for the others
        session.add_all([SlaPolicy(priority="urgent", first_reply_minutes=60, resolution_minutes=240,
                                   business_hours=False),
                         SlaPolicy(priority="high", first_reply_minutes=30, resolution_minutes=600,
                                   business_hours=False)])
    for n, priority in enumerate(["low", "urgent", "normal", "urgent", "high"]):
        _create(api, subject=f"Question {n}", priority=priority)
    whole = [row["id"] for row in api.get("/api/v1/tickets", params={"view": "open", "sort": sort, "limit": 100})
             .json()["items"]]
    assert len(whole) == 5 and _walk(api, view="open", sort=sort) == whole
    if sort == "due":
        dues = [row["first_reply_due_at"] for row in api.get("/api/v1/tickets", params={"sort": "due"}).json()["items"]]
        assert dues[:3] != [None] * 3 and dues[3:] == [None, None]


def test_a_ticket_moving_while_a_client_pages_makes_no_other_one_missed_or_seen_twice(api):
    ids = [_create(api, subject=f"Question {n}")["id"] for n in range(6)]  # newest updated first: 6, 5, ... 1

    def touch_the_oldest(page_number):
        if page_number == 1:  # the oldest ticket becomes the newest: it jumps ahead of the cursor
            api.send("PATCH", f"/api/v1/tickets/{ids[0]}", json={"priority": "high"})

    seen = _walk(api, between=touch_the_oldest, view="open", sort="updated")
    assert seen == ids[:0:-1]  # all the others once, in order (paging by offset shows one of them twice)


def test_a_cursor_is_refused_unless_this_api_gave_it_for_this_sort(api):
    for n in range(3):
        _create(api, subject=f"Question {n}")
    cursor = api.get("/api/v1/tickets", params={"limit": 1}).json()["next_cursor"]
    assert api.get("/api/v1/tickets", params={"limit": 1, "cursor": cursor}).status_code == 200
    for bad, sort in ((cursor, "created"), ("bogus!", "updated"), ("e30", "updated"), ("W10", "updated")):
        refused = api.get("/api/v1/tickets", params={"cursor": bad, "sort": sort})
        assert refused.status_code == 422 and set(refused.json()["errors"]) == {"cursor"}, (bad, refused.text)
    assert api.get("/api/v1/tickets", params={"view": "everything"}).status_code == 422


def test_the_workbench_filters_apply(api):
    urgent = _create(api, priority="urgent", subject="Printer on fire")
    _create(api, priority="low")
    api.send("PATCH", f"/api/v1/tickets/{urgent['id']}", json={"tags": ["hardware"]})
    rows = api.get("/api/v1/tickets", params={"priority": "urgent"}).json()["items"]
    assert [r["id"] for r in rows] == [urgent["id"]]
    assert [r["id"] for r in api.get("/api/v1/tickets", params={"tag": "hardware"}).json()["items"]] == [urgent["id"]]
    assert [r["id"] for r in api.get("/api/v1/tickets", params={"q": "printer"}).json()["items"]] == [urgent["id"]]
    assert api.get("/api/v1/views").json()["open"] == 2


@pytest.mark.parametrize("body", [{"status": None}, {}])
def test_an_empty_change_changes_nothing(api, body):
    ticket = _create(api)
    assert api.send("PATCH", f"/api/v1/tickets/{ticket['id']}", json=body).json()["version"] == 1
    with api.factory() as session:
        assert len(session.scalars(select(Message)).all()) == 1


def test_a_file_comes_back_as_it_was_sent_and_only_from_its_ticket(api):
    ticket, other = _create(api), _create(api, subject="Another")
    sent = "Schritte: 1. öffnen\n".encode()
    note = api.send("POST", f"/api/v1/tickets/{ticket['id']}/notes", data={"body": "Log attached"},
                    files=[("attachments", ("größe log.txt", sent, "text/plain"))]).json()
    file_id = note["attachments"][0]["id"]
    got = api.get(f"/api/v1/tickets/{ticket['id']}/attachments/{file_id}")
    assert got.status_code == 200 and got.content == sent and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("attachment; filename*=UTF-8''gr%C3%B6%C3%9Fe")
    assert api.get(f"/api/v1/tickets/{other['id']}/attachments/{file_id}").status_code == 404


def test_a_file_over_the_limit_is_refused_for_its_size(api):
    ticket = _create(api)
    big = b"a" * (api.settings.max_file_bytes + 10)
    refused = api.send("POST", f"/api/v1/tickets/{ticket['id']}/notes", data={"body": "Big"},
                       files=[("attachments", ("big.txt", big, "text/plain"))])
    assert refused.status_code == 422 and "big.txt" in refused.json()["errors"]["attachments"]


def test_two_changes_from_the_same_version_at_once_one_wins(api):
    """Two clients send a change with the same If-Match at the same moment: one is applied, the other is told
    412 (the version is compared under the ticket's row lock: tests/core/test_tickets.py has the race step by step)."""
    from concurrent.futures import ThreadPoolExecutor

    ticket = _create(api)
    url = f"/api/v1/tickets/{ticket['id']}"

    def change(priority):
        answer = api.send("PATCH", url, json={"priority": priority}, headers={"If-Match": '"1"'})
        return answer.status_code, answer.text

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(change, ["low", "high", "urgent", "low"]))
    codes = sorted(code for code, _ in answers)
    # the losers are told 412; a deadlock the database broke would be 503 (nothing saved, send again)
    assert codes[0] == 200 and set(codes[1:]) <= {412, 503}, answers
    assert api.get(url).json()["version"] == 2
