"""A real HTTP receiver for webhooks on loopback (http.server in a thread) that keeps what it receives.

It checks nothing itself: tests verify the signatures with `valid_signature`, written from
docs/webhooks.md and not from Mesa's code. `mode` says how it answers: "ok" (200), "fail" (500
with a body), "slow" (waits `delay` seconds before answering 200), "redirect" (302). Stopped,
its port refuses connections: a receiver that is down.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.mailserver import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def key(self) -> str:
        return self.headers["mesa-delivery"]


def valid_signature(secret: str, received: Received, now: float | None = None, tolerance: float = 300) -> bool:
    """The receiver's check, as docs/webhooks.md tells it: HMAC-SHA256 of `timestamp.body`, a recent timestamp."""
    timestamp = received.headers["mesa-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body,
                                    hashlib.sha256).hexdigest()
    fresh = abs((now or time.time()) - int(timestamp)) <= tolerance
    return fresh and hmac.compare_digest(expected, received.headers["mesa-signature"])


class Receiver:
    def __init__(self, port: int | None = None, mode: str = "ok", delay: float = 2.0) -> None:
        self.port = port or free_port()
        self.mode, self.delay = mode, delay
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/mesa"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body, time.time()))
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                status, answer = {"fail": (500, b"Internal trouble: " + b"x" * 5000),
                                  "redirect": (302, b"")}.get(receiver.mode, (200, b'{"ok": true}'))
                try:
                    self.send_response(status)
                    if status == 302:
                        self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender gave up waiting (slow mode)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> list[str]:
        with self.lock:
            return [r.key for r in self.received]
