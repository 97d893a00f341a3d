"""Requesters, tags, surveys, the dashboards' headline numbers and search, over HTTP."""

from core.db import unit_of_work
from core.models import Survey, utcnow
from tests.api.test_tickets_api import _create


def test_requesters_are_found_added_and_corrected(api):
    added = api.send("POST", "/api/v1/requesters", json={"email": "Lucia@Example.com", "name": "Lucía"})
    assert added.status_code == 201 and added.json()["email"] == "lucia@example.com"
    again = api.send("POST", "/api/v1/requesters", json={"email": "lucia@example.com", "name": "L"})
    assert again.status_code == 422 and "lucia@example.com" in again.json()["errors"]["email"]
    found = api.get("/api/v1/requesters", params={"q": "lucía"}).json()
    assert [r["id"] for r in found] == [added.json()["id"]]
    url = f"/api/v1/requesters/{added.json()['id']}"
    assert api.send("PATCH", url, json={"name": "Lucía Pérez", "locale": "es"}).json()["name"] == "Lucía Pérez"
    refused = api.send("PATCH", url, json={"name": " ", "locale": "fr"})
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"name", "locale"}
    assert api.get(url).json()["locale"] == "es"
    assert api.get(f"/api/v1/requesters/{api.agent}").status_code == 404  # staff are not requesters
    both = api.send("POST", "/api/v1/requesters", json={"email": "nope", "name": "N", "locale": "fr"})
    assert both.status_code == 422 and set(both.json()["errors"]) == {"email", "locale"}


def test_tags_and_survey(api):
    ticket = _create(api)
    api.send("PATCH", f"/api/v1/tickets/{ticket['id']}", json={"tags": ["Billing", "vip"]})
    assert api.get("/api/v1/tags").json() == ["billing", "vip"]
    url = f"/api/v1/tickets/{ticket['id']}/survey"
    assert api.get(url).json() is None
    with unit_of_work(api.factory) as session:
        session.add(Survey(ticket_id=ticket["id"], sent_at=utcnow(), score=5, comment="Quick!", responded_at=utcnow()))
    assert api.get(url).json()["score"] == 5 and api.get(url).json()["comment"] == "Quick!"


def test_headline_numbers_for_a_period(api):
    _create(api)
    manager = api.token_for(api.manager, ["reports:read"])
    numbers = api.get("/api/v1/reports/headline", manager).json()
    assert numbers["new"] == 1 and numbers["backlog"] == 1 and numbers["csat"] is None
    empty = api.get("/api/v1/reports/headline", manager,
                    params={"start": "2020-01-01T00:00:00Z", "end": "2020-01-08T00:00:00Z"}).json()
    assert empty["new"] == 0
    wrong = api.get("/api/v1/reports/headline", manager, params={"start": "2030-01-01T00:00:00Z"})
    assert wrong.status_code == 422 and "start" in wrong.json()["errors"]


def test_search_finds_any_ticket_by_words_or_number(api):
    first = _create(api, subject="Invoice missing")
    _create(api, subject="Cannot log in")
    assert [r["id"] for r in api.get("/api/v1/search", params={"q": "invoice"}).json()] == [first["id"]]
    assert api.get("/api/v1/search", params={"q": f"#{first['id']}"}).json()[0]["id"] == first["id"]
    assert api.get("/api/v1/search", params={"q": ""}).status_code == 422
