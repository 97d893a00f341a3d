"""/api/v1/tickets: the workbench's queues, one ticket, creating and changing tickets, their messages.

Every write is one unit of work through core.tickets.service, as on the pages (same events, metrics and
emails). A ticket's ETag is its version; If-Match with an older one is answered 412 with what changed.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import fields
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core import i18n
from core.api.deps import Caller, Problem, need, reading, writing
from core.api.schemas import TicketIn, TicketPatch
from core.errors import NotFound
from core.models import Attachment, Message, Ticket, User
from core.tickets import queues, workflow
from core.tickets import service as tickets
from core.tickets.attachments import Upload, content_of

router = APIRouter(tags=["tickets"])
READ, WRITE = need("tickets:read"), need("tickets:write")
View = Literal[queues.VIEWS]  # type: ignore[valid-type]
Sort = Literal[queues.SORTS]  # type: ignore[valid-type]
MAX_PAGE = 100


# ---------------------------------------------------------------- shapes

def ticket_json(session: Session, ticket: Ticket) -> dict:
    requester = ticket.requester
    return {
        "id": ticket.id, "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
        "kind": ticket.kind, "channel": ticket.channel, "product_id": ticket.product_id,
        "requester": {"id": requester.id, "name": requester.name, "email": requester.email},
        "assignee_id": ticket.assignee_id, "follow_up_of_id": ticket.follow_up_of_id,
        "tags": tickets.tags_of(session, ticket.id), "created_at": ticket.created_at,
        "updated_at": ticket.updated_at, "solved_at": ticket.solved_at, "closed_at": ticket.closed_at,
        "version": ticket.version,
    }


ROW_FIELDS = tuple(f.name for f in fields(queues.Row))


def row_json(row: queues.Row) -> dict:
    """A queue's row as JSON (dataclasses.asdict deep-copies every value: half of a page's time in bench.api)."""
    return {name: getattr(row, name) for name in ROW_FIELDS}


def message_json(message: Message) -> dict:
    author = message.author
    return {
        "id": message.id, "ticket_id": message.ticket_id, "kind": message.kind, "body": message.body,
        "via": message.via, "created_at": message.created_at,
        "author": {"id": author.id, "name": author.name} if author else None,
        "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size}
                        for a in message.attachments],
    }


def etag(ticket: Ticket) -> str:
    return f'"{ticket.version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match names ("3", W/"3" or 3); None without one."""
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit():
        raise Problem(412, "api.bad_if_match")
    return int(text)


def _cursor(sort: str, row: queues.Row) -> str:
    """The page after `row`: where it stood in the sort (keyset paging), as opaque text."""
    at = queues.Position.of(row)
    when = {name: getattr(at, name) and getattr(at, name).isoformat() for name in ("updated_at", "created_at",
                                                                                  "next_due")}
    text = json.dumps({"sort": sort, "id": at.id, "priority": at.priority, **when}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position(cursor: str | None, sort: str) -> queues.Position | None:
    if not cursor:
        return None
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if found.pop("sort") != sort:
            raise ValueError("a cursor of another sort")
        moments = {name: found[name] and datetime.fromisoformat(found[name]) for name in
                   ("updated_at", "created_at", "next_due")}
        return queues.Position(id=int(found["id"]), priority=str(found["priority"]), **moments)
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError):
        raise Problem(422, "errors.invalid", errors={"cursor": "api.bad_cursor"}, fields="cursor") from None


# ---------------------------------------------------------------- reads

@router.get("/tickets", summary="A page of one of the workbench's views, filtered and sorted")
def list_tickets(
    request: Request, caller: Annotated[Caller, Depends(READ)], view: View = "open", sort: Sort = "updated",
    status: Annotated[list[Literal[workflow.STATUSES]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    priority: Annotated[list[Literal[workflow.PRIORITIES]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    kind: Annotated[list[Literal[workflow.KINDS]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    channel: Annotated[list[Literal[workflow.CHANNELS]], Query()] = [],  # type: ignore[valid-type]  # noqa: B006
    product_id: Annotated[list[int], Query()] = [],  # noqa: B006
    assignee_id: Annotated[list[int], Query()] = [],  # noqa: B006
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
    created_from: datetime | None = None, created_to: datetime | None = None, q: str = "",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 25, cursor: str | None = None,
) -> dict:
    after = _position(cursor, sort)
    filters = queues.Filters(statuses=tuple(status), priorities=tuple(priority), kinds=tuple(kind),
                             product_ids=tuple(product_id), assignee_ids=tuple(assignee_id), channels=tuple(channel),
                             tags=tuple(t.strip().lower() for t in tag), created_from=created_from,
                             created_to=created_to, text=q)
    with reading(request) as session:
        rows = queues.page(session, view, user_id=caller.user_id, filters=filters, sort=sort, limit=limit + 1,
                           after=after)
    more = len(rows) > limit
    return {"items": [row_json(row) for row in rows[:limit]],
            "next_cursor": _cursor(sort, rows[limit - 1]) if more else None}


@router.get("/views", summary="How many tickets each workbench view holds now")
def view_counts(request: Request, caller: Annotated[Caller, Depends(READ)]) -> dict[str, int]:
    with reading(request) as session:
        return queues.counts(session, user_id=caller.user_id)


@router.get("/tickets/{ticket_id}", summary="One ticket; its ETag is its version")
def get_ticket(ticket_id: int, request: Request, response: Response,
               caller: Annotated[Caller, Depends(READ)]) -> dict:
    with reading(request) as session:
        ticket = tickets.get_ticket(session, ticket_id)
        response.headers["ETag"] = etag(ticket)
        return ticket_json(session, ticket)


@router.get("/tickets/{ticket_id}/messages", summary="The conversation, internal notes included, oldest first")
def list_messages(ticket_id: int, request: Request, caller: Annotated[Caller, Depends(READ)]) -> list[dict]:
    with reading(request) as session:
        return conversation_json(session, ticket_id)


def conversation_json(session: Session, ticket_id: int) -> list[dict]:
    """What message_json gives for each message of a ticket, in two queries of columns (loading the ticket, its
    messages, their authors and files as objects took four, and twice the time, in bench.api)."""
    found = session.execute(
        select(Message.id, Message.kind, Message.body, Message.via, Message.created_at, User.id.label("author_id"),
               User.name.label("author_name"))
        .outerjoin(User, User.id == Message.author_id).where(Message.ticket_id == ticket_id)
        .order_by(Message.created_at, Message.id)).all()
    if not found:
        tickets.get_ticket(session, ticket_id)  # 404 when there is no such ticket
    files: dict[int, list[dict]] = {}
    for f in session.execute(select(Attachment.message_id, Attachment.id, Attachment.filename, Attachment.content_type,
                                    Attachment.size).join(Message, Message.id == Attachment.message_id)
                             .where(Message.ticket_id == ticket_id).order_by(Attachment.id)):
        files.setdefault(f.message_id, []).append({"id": f.id, "filename": f.filename,
                                                   "content_type": f.content_type, "size": f.size})
    return [{"id": m.id, "ticket_id": ticket_id, "kind": m.kind, "body": m.body, "via": m.via,
             "created_at": m.created_at,
             "author": {"id": m.author_id, "name": m.author_name} if m.author_id is not None else None,
             "attachments": files.get(m.id, [])} for m in found]


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}", summary="A file of the conversation, to download")
def download(ticket_id: int, attachment_id: int, request: Request,
             caller: Annotated[Caller, Depends(READ)]) -> Response:
    with reading(request) as session:
        found = session.get(Attachment, attachment_id)
        if found is None or found.message.ticket_id != ticket_id:
            raise NotFound(what="Attachment", id=attachment_id)
        content = content_of(session, found)
    name = quote(found.filename)
    return Response(content, media_type=found.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{name}", "X-Content-Type-Options": "nosniff"})


# ---------------------------------------------------------------- writes

@router.post("/tickets", status_code=201, summary="Open a ticket for a requester (created on first contact)")
def create_ticket(body: TicketIn, request: Request, response: Response,
                  caller: Annotated[Caller, Depends(WRITE)]) -> dict:
    settings = request.app.state.settings
    with writing(request) as session:
        ticket = tickets.create_ticket(session, name=body.name, email=body.email, subject=body.subject,
                                       description=body.description, kind=body.kind, priority=body.priority,
                                       product_id=body.product_id, locale=i18n.normalize(body.locale),
                                       settings=settings)
        found = ticket_json(session, ticket)
    response.headers["Location"] = f"{request.url.path}/{found['id']}"
    response.headers["ETag"] = f'"{found["version"]}"'
    return found


@router.patch("/tickets/{ticket_id}", summary="Change status, priority, kind, product, assignee or tags")
def update_ticket(ticket_id: int, body: TicketPatch, request: Request, response: Response,
                  caller: Annotated[Caller, Depends(WRITE)],
                  if_match: Annotated[str | None, Header()] = None) -> dict:
    """Only the fields given change; with If-Match, only while the ticket is still at that version."""
    settings, given = request.app.state.settings, body.model_fields_set
    with writing(request) as session:
        version = expected_version(if_match)
        tickets.at_version(session, ticket_id, version)  # 412 before anything is written
        fields = {name: getattr(body, name) for name in ("priority", "kind", "product_id") if name in given}
        if fields:
            tickets.update_fields(session, ticket_id, actor_id=caller.user_id, **fields)
        if "tags" in given:
            tickets.set_tags(session, ticket_id, body.tags or [], caller.user_id)
        if "assignee_id" in given:
            tickets.assign(session, ticket_id, actor_id=caller.user_id, assignee_id=body.assignee_id,
                           settings=settings)
        if "status" in given and body.status is not None:
            tickets.change_status(session, ticket_id, status=body.status, actor_id=caller.user_id,
                                  settings=settings)
        ticket = tickets.get_ticket(session, ticket_id)
        found = ticket_json(session, ticket)
    response.headers["ETag"] = f'"{found["version"]}"'
    return found


async def _uploads(files: list[UploadFile], limit: int) -> list[Upload]:
    """The files as the services check them; one over the per-file limit is read only that far (it is refused
    for its size all the same), so a huge upload is never held in memory."""
    return [Upload(f.filename or "file", await f.read(limit + 1)) for f in files]


def _message(request: Request, write, if_match: str | None) -> dict:
    with writing(request) as session:
        message = write(session, expected_version(if_match))
        session.flush()
        session.refresh(message, ["attachments", "author"])
        return message_json(message)


@router.post("/tickets/{ticket_id}/replies", status_code=201,
             summary="A public answer (emailed to the requester), with files; `status` is 'submit as'")
async def reply(ticket_id: int, request: Request, caller: Annotated[Caller, Depends(WRITE)],
                body: Annotated[str, Form()], status: Annotated[str | None, Form()] = None,
                attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006
                if_match: Annotated[str | None, Header()] = None) -> dict:
    settings = request.app.state.settings
    uploads = await _uploads(attachments, settings.max_file_bytes)
    return await _in_thread(request, lambda session, version: tickets.add_agent_reply(
        session, ticket_id, agent_id=caller.user_id, body=body, uploads=uploads, status=status or None,
        expected_version=version, settings=settings), if_match)


@router.post("/tickets/{ticket_id}/notes", status_code=201, summary="An internal note (staff only), with files")
async def note(ticket_id: int, request: Request, caller: Annotated[Caller, Depends(WRITE)],
               body: Annotated[str, Form()], attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006
               if_match: Annotated[str | None, Header()] = None) -> dict:
    settings = request.app.state.settings
    uploads = await _uploads(attachments, settings.max_file_bytes)
    return await _in_thread(request, lambda session, version: tickets.add_internal_note(
        session, ticket_id, agent_id=caller.user_id, body=body, uploads=uploads, expected_version=version,
        settings=settings), if_match)


async def _in_thread(request: Request, write, if_match: str | None) -> dict:
    """The write off the event loop (the database waits block)."""
    return await run_in_threadpool(_message, request, write, if_match)
