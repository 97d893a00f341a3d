"""/api/v1: requesters, tags, surveys, the dashboards' headline numbers, and search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from core.accounts import requesters
from core.api import tokens
from core.api.deps import Caller, Problem, need, reading, writing
from core.api.schemas import RequesterIn, RequesterPatch
from core.api.tickets import row_json
from core.desk import schedule
from core.models import ApiToken, Survey, User, utcnow
from core.reports import digest
from core.reports.common import Period
from core.tickets import queues
from core.tickets import service as tickets

router = APIRouter()
READ, WRITE, REPORTS = need("tickets:read"), need("tickets:write"), need("reports:read")
ADMIN, ANY = need("admin"), need(None)


def requester_json(user: User) -> dict:
    return {"id": user.id, "email": user.email, "name": user.name, "locale": user.locale,
            "registered": user.password_hash is not None, "created_at": user.created_at}


@router.get("/requesters", tags=["requesters"], summary="Find requesters by address or name")
def find_requesters(request: Request, caller: Annotated[Caller, Depends(READ)],
                    q: Annotated[str, Query(min_length=1, max_length=254)]) -> list[dict]:
    with reading(request) as session:
        return [requester_json(u) for u in requesters.find(session, q)]


@router.get("/requesters/{user_id}", tags=["requesters"], summary="One requester and their latest tickets")
def get_requester(user_id: int, request: Request, caller: Annotated[Caller, Depends(READ)]) -> dict:
    with reading(request) as session:
        user = requesters.get(session, user_id)
        found = requester_json(user)
        found["tickets"] = [{"id": r.id, "subject": r.subject, "status": r.status, "created_at": r.created_at}
                            for r in queues.requester_tickets(session, user_id)]
        return found


@router.post("/requesters", status_code=201, tags=["requesters"], summary="Add a requester")
def create_requester(body: RequesterIn, request: Request, caller: Annotated[Caller, Depends(WRITE)]) -> dict:
    with writing(request) as session:
        return requester_json(requesters.create(session, email=body.email, name=body.name, locale=body.locale))


@router.patch("/requesters/{user_id}", tags=["requesters"], summary="Correct a requester's name or language")
def update_requester(user_id: int, body: RequesterPatch, request: Request,
                     caller: Annotated[Caller, Depends(WRITE)]) -> dict:
    given = {name: getattr(body, name) or "" for name in body.model_fields_set}
    with writing(request) as session:
        return requester_json(requesters.update(session, user_id, **given))


@router.get("/tags", tags=["tags"], summary="Tags in use, for pickers")
def list_tags(request: Request, caller: Annotated[Caller, Depends(READ)]) -> list[str]:
    with reading(request) as session:
        return tickets.known_tags(session)


@router.get("/tickets/{ticket_id}/survey", tags=["surveys"], summary="The ticket's survey: sent, score, comment")
def get_survey(ticket_id: int, request: Request, caller: Annotated[Caller, Depends(READ)]) -> dict | None:
    with reading(request) as session:
        tickets.get_ticket(session, ticket_id)
        survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
        if survey is None:
            return None
        return {"ticket_id": ticket_id, "sent_at": survey.sent_at, "score": survey.score,
                "comment": survey.comment, "responded_at": survey.responded_at}


@router.get("/reports/headline", tags=["reports"],
            summary="The dashboards' headline numbers for a period (default: the last 7 days)")
def headline(request: Request, caller: Annotated[Caller, Depends(REPORTS)],
             start: datetime | None = None, end: datetime | None = None) -> dict:
    end = end or utcnow()
    start = start or Period.last(7, end).start
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        raise Problem(422, "errors.invalid", errors={"start": "api.bad_period"}, fields="start, end")
    with reading(request) as session:
        zone = schedule.load(session).timezone
        numbers = digest.headline(session, Period(start, end), zone)
    return {"start": start, "end": end, **numbers}


@router.get("/search", tags=["search"], summary="Every ticket matching the text, best first ('#123' too)")
def search(request: Request, caller: Annotated[Caller, Depends(READ)],
           q: Annotated[str, Query(min_length=1, max_length=200)],
           limit: Annotated[int, Query(ge=1, le=100)] = 25) -> list[dict]:
    with reading(request) as session:
        return [row_json(row) for row in queues.search_everywhere(session, q, limit)]


def token_json(token: ApiToken) -> dict:
    return {"id": token.id, "user_id": token.user_id, "name": token.name, "kind": token.kind, "prefix": token.prefix,
            "scopes": token.scopes, "created_at": token.created_at, "expires_at": token.expires_at,
            "last_used_at": token.last_used_at, "revoked_at": token.revoked_at}


@router.get("/me", tags=["tokens"], summary="Who this token acts as, and the token itself")
def me(request: Request, caller: Annotated[Caller, Depends(ANY)]) -> dict:
    with reading(request) as session:
        user = session.get(User, caller.user_id)
        token = session.get(ApiToken, caller.token_id)
        return {"id": user.id, "email": user.email, "name": user.name, "role": user.role, "token": token_json(token)}


@router.get("/tokens", tags=["tokens"], summary="Every API token (admin): none of their secrets")
def all_tokens(request: Request, caller: Annotated[Caller, Depends(ADMIN)]) -> list[dict]:
    with reading(request) as session:
        return [token_json(t) for t in tokens.every(session)]


@router.delete("/tokens/{token_id}", status_code=204, tags=["tokens"],
               summary="Revoke a token: one's own with any token, anyone's with the admin scope")
def revoke_token(token_id: int, request: Request, caller: Annotated[Caller, Depends(ANY)]) -> Response:
    with writing(request) as session:
        found = session.get(ApiToken, token_id)
        if found is not None and found.user_id != caller.user_id and "admin" not in caller.scopes:
            raise Problem(403, "api.scope_missing", scope="admin")
        tokens.revoke(session, token_id, actor_id=caller.user_id)
    return Response(status_code=204)
