"""An API over a small desk (both backends): staff with tokens, and a client that speaks HTTP to the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.accounts import service as accounts
from core.api import tokens
from core.api.app import create_app
from core.config import Settings
from core.db import unit_of_work
from core.models import Product


@dataclass
class Api:
    client: TestClient
    factory: sessionmaker[Session]
    settings: Settings
    agent: int
    manager: int
    admin: int
    product: int
    token: str  # the agent's: tickets:read, tickets:write

    def as_(self, secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    def token_for(self, user_id: int, scopes: list[str], **kwargs: object) -> str:
        with unit_of_work(self.factory) as session:
            return tokens.create(session, owner_id=user_id, name="test", scopes=scopes, **kwargs)[1]

    def get(self, path: str, secret: str | None = None, **kwargs):
        return self.client.get(path, headers={**self.as_(secret or self.token), **kwargs.pop("headers", {})},
                               **kwargs)

    def send(self, method: str, path: str, secret: str | None = None, **kwargs):
        headers = {**self.as_(secret or self.token), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)


def make_staff(factory: sessionmaker[Session]) -> tuple[int, int, int, int]:
    with unit_of_work(factory) as session:
        ids = [accounts.create_user(session, email=f"{name}@mesa.example", name=name.title(), role=role).id
               for name, role in (("ana", "agent"), ("maria", "manager"), ("adam", "admin"))]
        product = Product(name="Mesa Cloud")
        session.add(product)
        session.flush()
        return (*ids, product.id)


@pytest.fixture
def api(engine: Engine, factory: sessionmaker[Session], settings: Settings) -> Iterator[Api]:
    agent, manager, admin, product = make_staff(factory)
    with unit_of_work(factory) as session:
        secret = tokens.create(session, owner_id=agent, name="agent", scopes=["tickets:read", "tickets:write"])[1]
    with TestClient(create_app(engine, settings), raise_server_exceptions=True) as client:
        yield Api(client, factory, settings, agent, manager, admin, product, secret)
