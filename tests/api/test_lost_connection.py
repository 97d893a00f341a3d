"""The API's engine pings no connection before use (core.api.app.api_engine): a connection the database dropped
(a restart) fails one request with 503 "send it again", and the next one works on a fresh connection."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from core.api.app import api_engine, create_app
from tests.api.conftest import make_staff


@pytest.mark.parametrize("engine", ["postgres"], indirect=True)
def test_a_dropped_connection_is_one_503_then_the_api_carries_on(engine, factory, settings):
    from core.api import tokens
    from core.db import unit_of_work

    agent = make_staff(factory)[0]
    with unit_of_work(factory) as session:
        secret = tokens.create(session, owner_id=agent, name="t", scopes=["tickets:read"])[1]
    name = f"mesa-api-{uuid.uuid4().hex[:8]}"
    own = api_engine(engine.url.render_as_string(hide_password=False), connect_args={"application_name": name})
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "es"}
    try:
        with TestClient(create_app(own, settings)) as client:
            assert client.get("/api/v1/tags", headers=headers).status_code == 200
            with engine.begin() as connection:  # what a restart does to the pooled connection
                dropped = connection.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                                 "WHERE application_name = :name"), {"name": name})
            assert dropped >= 1
            lost = client.get("/api/v1/tags", headers=headers)
            assert lost.status_code == 503 and lost.headers["retry-after"] == "1", lost.text
            assert lost.headers["content-type"] == "application/problem+json"
            assert lost.json()["title"] == "La base de datos estaba ocupada; no se guardó nada."
            assert client.get("/api/v1/tags", headers=headers).status_code == 200
    finally:
        own.dispose()
