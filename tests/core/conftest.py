from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import config, events
from core.__main__ import main
from core.accounts import service as accounts
from core.config import Settings
from core.db import read_factory, unit_of_work
from core.models import Product, Ticket
from core.tickets import service as tickets

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


@dataclass
class Desk:
    """A small help desk: two agents, a manager, a customer-less product list."""

    factory: sessionmaker[Session]
    reader: sessionmaker[Session]
    settings: Settings
    ana: int
    liam: int
    manager: int
    product: int

    def new_ticket(self, **fields: object) -> Ticket:
        values = dict(name="Olivia Brown", email="olivia@example.com", subject="Cannot log in",
                      description="The app says invalid credentials.", kind="incident",
                      product_id=self.product, settings=self.settings, now=T0)
        values.update(fields)
        with unit_of_work(self.factory) as session:
            events.quiet(session)  # a ticket to work on: its confirmation is not what these tests look at
            return tickets.create_ticket(session, **values)

    def ticket(self, ticket_id: int) -> Ticket:
        with self.reader() as session:
            return tickets.get_ticket(session, ticket_id)

    def events(self, ticket_id: int) -> list:
        with self.reader() as session:
            return tickets.events_of(session, ticket_id)


@pytest.fixture
def desk(factory: sessionmaker[Session], settings: Settings) -> Desk:
    with unit_of_work(factory) as session:
        ana = accounts.create_user(session, email="ana@mesa.example", name="Ana Ruiz", role="agent")
        liam = accounts.create_user(session, email="liam@mesa.example", name="Liam Carter", role="agent")
        boss = accounts.create_user(session, email="boss@mesa.example", name="Marta", role="manager")
        product = Product(name="Mesa Cloud")
        session.add(product)
        session.flush()
        return Desk(factory, read_factory(factory.kw["bind"]), settings, ana.id, liam.id, boss.id, product.id)


def run_command(engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`python -m core *args` in this process against this engine's database; its exit code."""
    monkeypatch.setenv("MESA_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("MESA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("MESA_SECRET_KEY", "r" * 40)
    config.get_settings.cache_clear()
    try:
        return main(list(args))
    finally:
        config.get_settings.cache_clear()
