"""The ASGI app: python -m core api serves it with uvicorn (MESA_API_PORT, default 8502).

Every answer that is not a success is an RFC 9457 problem (application/problem+json) whose title and detail
are the same words the pages show, in the caller's language.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException

from core import i18n
from core.api import deps, people, tickets
from core.api.deps import Problem
from core.config import Settings, get_settings
from core.db import is_try_again, make_engine, read_factory, session_factory
from core.errors import Busy, ConflictError, DomainError, ForbiddenTransition, NotFound, ValidationError

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
HTTP_KEYS = {404: "api.no_route", 405: "api.method"}
PLACES = ("body", "query", "path", "header", "cookie")  # where a field was: not part of its name
SHAPES = {"extra_forbidden": "api.unknown_field", "int_parsing": "api.whole_number", "int_type": "api.whole_number",
          "string_type": "api.text", "list_type": "api.list", "datetime_from_date_parsing": "api.moment",
          "datetime_parsing": "api.moment", "json_invalid": "api.json", "model_attributes_type": "api.json"}
POOL = 16
TITLES = {404: "api.not_found", 409: "api.conflict", 412: "api.changed", 503: "api.busy"}


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or api_engine(settings.database)
    app = FastAPI(title="Mesa API", version="1", openapi_url="/api/openapi.json", docs_url="/api/docs",
                  redoc_url=None, description="The help desk's tickets, people and numbers (docs/api.md).")
    app.state.settings = settings
    app.state.writer = session_factory(engine)
    app.state.reader = read_factory(engine)
    app.state.read_engine = app.state.reader.kw["bind"]  # the token check reads one row on a bare connection
    app.state.limiter = deps.RateLimiter(settings.api_requests_per_minute)
    app.include_router(tickets.router, prefix=PREFIX)
    app.include_router(people.router, prefix=PREFIX)

    app.add_middleware(ServerTiming)
    app.add_exception_handler(Problem, _problem)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(DBAPIError, _lost)
    return app


def api_engine(url: str, **kwargs: object) -> Engine:
    """The API process's engine. Its pool keeps a connection per request in flight (SQLite's default of 5 closed
    the extra ones and opened new ones, reading the schema again, under load). No ping before each checkout (on
    PostgreSQL two round trips a request, a third of a request's time in bench.api): a connection lost since (the
    server restarted) fails that one request with 503 "send it again" (_lost), and the pool starts afresh."""
    return make_engine(url, pool_size=POOL, max_overflow=2 * POOL, pool_pre_ping=False, **kwargs)


class ServerTiming:
    """Every answer says how long the app took (Server-Timing: app;dur=ms): what bench.api reads. A plain ASGI
    middleware (FastAPI's @app.middleware("http") costs a task and a stream per request)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()

        async def timed(message) -> None:
            if message["type"] == "http.response.start":
                took = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), (b"server-timing", took)]
            await send(message)

        await self.app(scope, receive, timed)


def problem(request: Request, status: int, title: str, detail: str | None = None,
            headers: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status,
                               "instance": request.url.path}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM)


async def _problem(request: Request, exc: Problem) -> JSONResponse:
    locale = deps.locale_of(request)
    return problem(request, exc.status, i18n.t(exc.key, locale, **exc.params), headers=exc.headers,
                   errors={field: i18n.t(key, locale) for field, key in exc.errors.items()})


def _status_of(request: Request, exc: DomainError) -> int:
    if isinstance(exc, ValidationError):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConflictError):  # the version the client named (If-Match) is not the ticket's now
        return 412 if request.headers.get("if-match") else 409
    if isinstance(exc, Busy):
        return 503
    if isinstance(exc, ForbiddenTransition):
        return 409
    return 422


async def _domain(request: Request, exc: DomainError) -> JSONResponse:
    locale = deps.locale_of(request)
    status = _status_of(request, exc)
    headers = {"Retry-After": "1"} if status == 503 else None
    errors = exc.messages(locale) if isinstance(exc, ValidationError) else None
    title = "errors.invalid" if errors else TITLES.get(status, "api.refused")
    return problem(request, status, i18n.t(title, locale, fields=", ".join(errors or ())),
                   detail=None if errors else exc.message(locale), headers=headers, errors=errors)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body or parameter of the wrong shape: each field with its problem, in the caller's language when
    it is one the pages know (a missing field), else as the validator said it."""
    locale = deps.locale_of(request)
    errors: dict[str, str] = {}
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        name = ".".join(where[1:] if where and where[0] in PLACES else where) or "request"
        text = _said(error, locale)
        errors[name] = f"{errors[name]}\n{text}" if name in errors else text
    return problem(request, 422, i18n.t("errors.invalid", locale, fields=", ".join(errors)), errors=errors)


def _said(error: dict, locale: str) -> str:
    """A shape error in the pages' words where they have them, else as the validator put it."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return i18n.t("errors.required", locale)
    if kind == "literal_error":
        expected = str(context.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return i18n.t("errors.choice", locale, choices=expected)
    if kind in SHAPES:
        return i18n.t(SHAPES[kind], locale)
    return str(error.get("msg"))


async def _lost(request: Request, exc: DBAPIError) -> JSONResponse:
    """A connection lost (the database restarted) or a lock held too long while reading: nothing was done, send it
    again. Anything else is a bug, raised as it is."""
    if not is_try_again(exc):
        raise exc
    locale = deps.locale_of(request)
    return problem(request, 503, i18n.t("api.busy", locale), detail=i18n.t("errors.busy", locale),
                   headers={"Retry-After": "1"})


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    key = HTTP_KEYS.get(exc.status_code)
    title = i18n.t(key, deps.locale_of(request)) if key else str(exc.detail)
    return problem(request, exc.status_code, title, headers=getattr(exc, "headers", None))
