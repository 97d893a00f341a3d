"""docs/webhooks.md's code runs: its Python check and its openssl line accept a real delivery and refuse a
forged one, and its example receiver keeps a redelivered event once."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
from http.server import HTTPServer
from pathlib import Path

from core.db import unit_of_work
from core.hooks import deliveries, dispatcher, endpoints
from tests.core.test_webhook_delivery import Clock, _endpoint, _ticket
from tests.mailserver import free_port
from tests.webhookreceiver import Receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.S)


def _one_delivery(desk, receiver, clock):
    hook = _endpoint(desk, receiver.url, clock)
    _ticket(desk, clock)
    assert dispatcher.dispatch(desk.factory, desk.settings, now=clock).delivered
    (got,) = receiver.received
    return hook, got


def test_the_python_check_accepts_a_delivery_and_refuses_forgeries_and_replays(desk):
    receiver, clock = Receiver().start(), Clock()
    try:
        hook, got = _one_delivery(desk, receiver, clock)
    finally:
        receiver.stop()
    scope: dict = {}
    exec(_blocks("python")[0], scope)  # our own documentation
    verify, stamp, signature = scope["verify"], got.headers["mesa-timestamp"], got.headers["mesa-signature"]
    assert verify(hook.secret, stamp, signature, got.body, now=clock.epoch())
    assert not verify(hook.secret, stamp, signature, got.body + b" ", now=clock.epoch())
    assert not verify(hook.secret, str(int(stamp) + 1), signature, got.body, now=clock.epoch())
    assert not verify(hook.secret, stamp, signature, got.body, now=clock.epoch() + 301)
    assert not verify(endpoints.new_secret(), stamp, signature, got.body, now=clock.epoch())


def test_the_openssl_line_gives_the_same_signature(desk, tmp_path):
    receiver, clock = Receiver().start(), Clock()
    try:
        hook, got = _one_delivery(desk, receiver, clock)
    finally:
        receiver.stop()
    (script,) = _blocks("sh")
    (tmp_path / "body.json").write_bytes(got.body)

    def run(secret: str) -> str:
        env = {"PATH": "/usr/bin:/bin", "TIMESTAMP": got.headers["mesa-timestamp"], "SECRET": secret,
               "SIGNATURE": got.headers["mesa-signature"]}
        return subprocess.run(["sh", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert run(hook.secret) == "valid"
    assert run(endpoints.new_secret()) == "INVALID"


def test_the_example_receiver_acts_once_on_a_redelivered_event(desk, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    verify_code, receiver_code = _blocks("python")
    port = free_port()
    receiver_code = receiver_code.replace('HTTPServer(("0.0.0.0", 8000), Hook).serve_forever()', "")
    clock = Clock()
    hook = _endpoint(desk, f"http://127.0.0.1:{port}/", clock)
    scope: dict = {}
    exec(verify_code + receiver_code.replace('"whsec_..."', repr(hook.secret)), scope)
    server = HTTPServer(("127.0.0.1", port), scope["Hook"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ticket = _ticket(desk, clock)
        assert dispatcher.dispatch(desk.factory, desk.settings, now=clock).delivered
        with unit_of_work(desk.factory) as session:
            (row,) = deliveries.log_page(session)
            deliveries.redeliver(session, row.id, now=clock.now)
        assert dispatcher.dispatch(desk.factory, desk.settings, now=clock).delivered == [row.id]
    finally:
        server.shutdown()
        server.server_close()
    assert capsys.readouterr().out.splitlines() == [f"ticket.created {ticket.id}"]
    assert sqlite3.connect(tmp_path / "deliveries.db").execute("SELECT id FROM delivery").fetchall() == [(row.key,)]
