"""What every API route shares: the caller behind a bearer token, its scope and rate checks, sessions, and
problems (RFC 9457) said with the pages' words (core.i18n)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi import Request
from sqlalchemy.orm import Session

from core import i18n
from core.api import tokens
from core.db import unit_of_work
from core.models import utcnow

TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often per token


class Problem(Exception):
    """An answer other than success: status, a title key of core/locales, its parameters, extra headers and
    per-field messages (a refused form)."""

    def __init__(self, status: int, key: str, headers: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, **params: object) -> None:
        self.status, self.key, self.params = status, key, params
        self.headers = headers or {}
        self.errors = errors or {}
        super().__init__(key)


@dataclass(frozen=True)
class Caller:
    """Who is asking: the token and its owner as they are right now."""

    token_id: int
    user_id: int
    role: str
    scopes: tuple[str, ...]
    locale: str


@dataclass
class RateLimiter:
    """Requests per token in a sliding minute, kept in this process (one uvicorn worker: one count; with N
    workers a token gets up to N times the limit). A database row per request, as core.portal.ratelimit
    keeps for the public form, would turn every read into a write."""

    per_minute: int
    window: float = 60.0
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: int, now: float | None = None) -> int:
        """0 and counted when the request may go; otherwise the seconds until it may (Retry-After)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.per_minute:
                return max(1, math.ceil(seen[0] + self.window - now))
            seen.append(now)
            return 0


def locale_of(request: Request) -> str:
    """The caller's language: Accept-Language when it names one of ours, else the owner's, else the desk's."""
    asked = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    if asked and i18n.normalize(asked) == asked.split("-")[0].lower():
        return i18n.normalize(asked)
    caller = getattr(request.state, "caller", None)
    return caller.locale if caller else request.app.state.settings.locale


@contextmanager
def reading(request: Request) -> Iterator[Session]:
    with request.app.state.reader() as session:
        yield session


@contextmanager
def writing(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.writer) as session:
        yield session


def _bearer(request: Request) -> str:
    kind, _, raw = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "bearer" or not raw.strip():
        raise Problem(401, "api.unauthorized", headers={"WWW-Authenticate": 'Bearer realm="mesa"'})
    return raw.strip()


def need(scope: str | None) -> Callable[[Request], Caller]:
    """A dependency: the caller when their token carries `scope` and their role allows it, within the rate
    (None: any live token of staff; what it may do is the route's to decide)."""

    def check(request: Request) -> Caller:
        raw = _bearer(request)
        now = utcnow()
        with request.app.state.read_engine.connect() as connection:
            token = tokens.live(connection, raw, now)
        if token is None:
            raise Problem(401, "api.unauthorized", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        caller = Caller(token.id, token.user_id, token.role, tuple(token.scopes), token.locale)
        request.state.caller = caller
        wait = request.app.state.limiter.wait(token.id)
        if wait:
            raise Problem(429, "api.rate_limited", headers={"Retry-After": str(wait)}, seconds=wait)
        if scope is not None and scope not in caller.scopes:
            raise Problem(403, "api.scope_missing", scope=scope)
        if not all(tokens.allowed(caller.role, s) for s in ([scope] if scope else caller.scopes)):
            raise Problem(403, "api.scope_role", scope=scope or ", ".join(caller.scopes))
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            with writing(request) as session:
                tokens.touch(session, token.id, now)
        return caller

    return check
