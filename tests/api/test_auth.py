"""Bearer tokens over HTTP: 401 without one, 403 beyond its scopes or its owner's role, 429 past the rate;
every refusal an RFC 9457 problem in the caller's language."""

from fastapi.testclient import TestClient
from sqlalchemy import update

from core import i18n
from core.api.app import create_app
from core.config import load_settings
from core.db import unit_of_work
from core.models import ApiToken, User


def _is_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    return body


def test_no_token_or_a_wrong_one_is_401(api):
    body = _is_problem(api.client.get("/api/v1/tickets"), 401)
    assert "Bearer" in body["title"]
    wrong = api.client.get("/api/v1/tickets", headers={"Authorization": "Bearer mesa_nothing"})
    assert _is_problem(wrong, 401) and "invalid_token" in wrong.headers["www-authenticate"]
    assert _is_problem(api.client.get("/api/v1/tickets", headers={"Authorization": api.token}), 401)


def test_a_scope_the_token_lacks_is_403(api):
    read_only = api.token_for(api.agent, ["tickets:read"])
    assert api.get("/api/v1/tickets", read_only).status_code == 200
    refused = api.send("POST", "/api/v1/tickets", read_only, json={})
    assert "tickets:write" in _is_problem(refused, 403)["title"]
    assert "reports:read" in _is_problem(api.get("/api/v1/reports/headline"), 403)["title"]


def test_the_owner_role_is_checked_on_every_request(api):
    reports = api.token_for(api.manager, ["reports:read", "tickets:read"])
    assert api.get("/api/v1/reports/headline", reports).status_code == 200
    with unit_of_work(api.factory) as session:
        session.get(User, api.manager).role = "agent"
    assert "reports:read" in _is_problem(api.get("/api/v1/reports/headline", reports), 403)["title"]
    with unit_of_work(api.factory) as session:
        session.get(User, api.manager).active = False
    _is_problem(api.get("/api/v1/tickets", reports), 401)


def test_a_revoked_token_is_refused_at_once(api):
    assert api.get("/api/v1/tickets").status_code == 200
    with unit_of_work(api.factory) as session:
        session.execute(update(ApiToken).values(revoked_at=ApiToken.created_at))
    _is_problem(api.get("/api/v1/tickets"), 401)


def test_the_rate_limit_is_per_token_with_retry_after(engine, api, tmp_path):
    settings = load_settings(data_dir=tmp_path, secret_key="s" * 40, api_requests_per_minute=3, _env_file=None)
    other = api.token_for(api.agent, ["tickets:read"])
    with TestClient(create_app(engine, settings)) as client:
        codes = [client.get("/api/v1/tags", headers=api.as_(api.token)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/api/v1/tags", headers=api.as_(api.token))
        body = _is_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 60 and limited.headers["retry-after"] in body["title"]
        assert client.get("/api/v1/tags", headers=api.as_(other)).status_code == 200


def test_problems_speak_the_callers_language(api):
    spanish = api.client.get("/api/v1/tickets", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert _is_problem(spanish, 401)["title"].startswith("Da un token")
    missing = api.get("/api/v1/tickets/999", headers={"Accept-Language": "es"})
    assert _is_problem(missing, 404)["detail"] == i18n.t("errors.not_found", "es", what="Ticket", id=999)
    assert i18n.t("errors.not_found", "es", what="Ticket", id=999) != i18n.t("errors.not_found", what="Ticket", id=999)
    assert _is_problem(api.get("/api/v1/nowhere"), 404)["title"] == "There is nothing at this address."


def test_last_use_is_noted(api):
    assert api.get("/api/v1/tags").status_code == 200
    with api.factory() as session:
        assert session.query(ApiToken).filter(ApiToken.last_used_at.is_not(None)).count() == 1


def test_openapi_and_docs_are_served(api):
    spec = api.client.get("/api/openapi.json").json()
    assert {"/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/replies",
            "/api/v1/requesters", "/api/v1/search", "/api/v1/reports/headline"} <= set(spec["paths"])
    assert api.client.get("/api/docs").status_code == 200


def test_me_and_the_admin_scope_over_tokens(api):
    me = api.get("/api/v1/me").json()
    assert me["id"] == api.agent and me["token"]["scopes"] == ["tickets:read", "tickets:write"]
    assert "token_hash" not in me["token"]
    admin = api.token_for(api.admin, ["admin"], kind="service")
    listed = api.get("/api/v1/tokens", admin).json()
    assert len(listed) == 2 and all("token_hash" not in t for t in listed)
    assert _is_problem(api.get("/api/v1/tokens"), 403)
    other = api.token_for(api.manager, ["tickets:read"])
    other_id = api.get("/api/v1/me", other).json()["token"]["id"]
    assert _is_problem(api.send("DELETE", f"/api/v1/tokens/{other_id}"), 403)  # not the agent's to revoke
    assert api.send("DELETE", f"/api/v1/tokens/{other_id}", admin).status_code == 204
    _is_problem(api.get("/api/v1/me", other), 401)
    assert api.send("DELETE", f"/api/v1/tokens/{me['token']['id']}").status_code == 204  # one's own
    _is_problem(api.get("/api/v1/me"), 401)


def test_shape_errors_use_the_pages_words_in_the_owners_language(api):
    from core.accounts import service as accounts

    with unit_of_work(api.factory) as session:
        lucia = accounts.create_user(session, email="lucia@mesa.example", name="Lucía", role="agent", locale="es").id
    spanish = api.token_for(lucia, ["tickets:read", "tickets:write"])
    wrong = api.send("POST", "/api/v1/tickets", spanish, json={"name": "x", "email": "x@example.com", "subject": 3,
                                                               "surprise": 1, "product_id": "seven"})
    errors = _is_problem(wrong, 422)["errors"]
    assert errors == {"description": "Este campo es obligatorio.", "subject": "Da un texto.",
                      "surprise": "La API no conoce este campo; quítalo.", "product_id": "Da un número entero."}
    view = api.get("/api/v1/tickets", spanish, params={"view": "all"})
    said = "Elige una de estas opciones: unassigned, mine, open, pending, on_hold, due, solved."
    assert _is_problem(view, 422)["errors"]["view"] == said
    assert api.send("POST", "/api/v1/tickets", spanish, content=b"{not json",
                    headers={"Content-Type": "application/json"}).status_code == 422
