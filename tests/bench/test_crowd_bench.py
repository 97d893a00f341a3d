"""bench.crowd's protocol agent against a real server: it signs in through the form's fields, opens a ticket
from the queue with a click on its cell, and replies as Pending, each action timed only once its result
was drawn. The timings are never asserted (docs/benchmarks.md holds them)."""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import create_engine, select

from bench.crowd import Agent
from core.models import Message, Ticket
from tests.bench.crowd_data import build
from tests.mailserver import free_port
from tests.servers import start_streamlit, wait_healthy

pytestmark = pytest.mark.slow  # starts a real Streamlit server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("crowd")
    url = f"sqlite:///{data / 'mesa.db'}"
    mine = build(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MESA_DATA_DIR": str(data), "MESA_DATABASE_URL": url, "MESA_BASE_URL": base,
           "MESA_CAPTCHA": "off", "MESA_EMBEDDED_WORKER": "0", "MESA_LOCALE": "en",
           "MESA_SECRET_KEY": "crowd-test-secret-key-0123456789abcdef"}
    with open(data / "server.log", "wb") as log:
        process = start_streamlit(port, env, log)
        wait_healthy(base, process, data / "server.log")
        yield base, url, mine
        process.terminate()
        process.wait(timeout=20)


def test_a_protocol_agent_signs_in_opens_a_ticket_and_replies(server):
    base, url, mine = server

    async def work() -> Agent:
        agent = Agent(base, 0, mine, think=0)
        assert await agent.sign_in()
        assert await agent.open_workspace()
        assert await agent.open_ticket(0)
        opened = int(agent.query.removeprefix("ticket="))
        assert agent.heading(rf"^#{opened} · ")
        assert await agent.back() and await agent.switch_queue() and await agent.search("export")
        assert await agent.reply(mine[0])
        await agent.close()
        return agent

    agent = asyncio.run(work())
    assert not agent.failures
    assert set(agent.times) == {"sign-in", "workspace", "open ticket", "back to queue", "switch queue", "search",
                                "reply as pending"}
    engine = create_engine(url)
    with engine.connect() as connection:
        bodies = connection.scalars(select(Message.body).where(Message.ticket_id == mine[0])).all()
        status = connection.scalar(select(Ticket.status).where(Ticket.id == mine[0]))
    engine.dispose()
    assert any(body.startswith("Bench reply 0-") for body in bodies) and status == "pending"


def test_a_wrong_password_is_a_failed_sign_in_not_a_timed_one(server):
    base, _url, _mine = server

    async def work() -> Agent:
        agent = Agent(base, 1, think=0, account=("ana@mesa.example", "not-the-password"))
        assert not await agent.sign_in()
        await agent.close()
        return agent

    agent = asyncio.run(work())
    assert agent.failures == {"sign-in": 1} and not agent.times.get("sign-in")
