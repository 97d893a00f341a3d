"""Reading a Zendesk export folder (docs/import.md): tickets, their comments, users, organizations,
satisfaction ratings and the comments' files, as `records.Record`s.

Every list is read either as the API's page shape (`{"tickets": [...]}`) or as JSON lines (one object a
line, as Zendesk's full JSON export writes tickets). Comments are a ticket's own `comments` list, or
`comments/<ticket id>.json` (`{"comments": [...]}`, the shape of the Ticket Comments API).
"""

from __future__ import annotations

import json
from pathlib import Path

from email_validator import EmailNotValidError

from core.accounts.service import normalize_email
from core.imports.records import Comment, File, Person, Rating, Record, Summary, parse_time
from core.mail.html_text import html_to_text
from core.tickets import workflow
from core.tickets.attachments import safe_filename

SOURCE = "zendesk"
STATUSES = {"new": workflow.NEW, "open": workflow.OPEN, "pending": workflow.PENDING, "hold": workflow.ON_HOLD,
            "solved": workflow.SOLVED, "closed": workflow.CLOSED}
KINDS = {"question": "question", "incident": "incident", "problem": "incident", "task": "question"}
ROLES = {"end-user": "customer", "agent": "agent", "admin": "admin"}
SCORES = {"good": 5, "bad": 1, "offered": None}  # "unoffered": no survey
MAX_SUBJECT = 200


class ExportError(Exception):
    """The folder is not a Zendesk export we can read (the message says what to fix)."""


def read_list(path: Path, key: str) -> list[dict]:
    """The objects of one export file: `{key: [...]}`, a bare list, or JSON lines; [] when the file is absent."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8-sig")
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return _json_lines(path, text)
    if isinstance(found, dict):
        found = found.get(key, [found] if "id" in found else [])
    if not isinstance(found, list):
        raise ExportError(f"{path.name}: expected a list of {key}.")
    return [item for item in found if isinstance(item, dict)]


def _json_lines(path: Path, text: str) -> list[dict]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExportError(f"{path.name} is neither JSON nor JSON lines (line {number}: {exc.msg}).") from exc
            if isinstance(item, dict):
                found.append(item)
    return found


def read(folder: Path, summary: Summary) -> list[Record]:
    """The tickets of the export, in the order of their numbers; what cannot be imported goes to `summary`."""
    if not (folder / "tickets.json").is_file():
        raise ExportError(f"{folder} has no tickets.json: give the folder the Zendesk export was unpacked into.")
    people = {user.get("id"): _person(user) for user in read_list(folder / "users.json", "users")}
    organizations = {o.get("id"): o for o in read_list(folder / "organizations.json", "organizations")}
    ratings = {r.get("ticket_id"): r for r in read_list(folder / "satisfaction_ratings.json", "satisfaction_ratings")}
    records = []
    tickets = read_list(folder / "tickets.json", "tickets")
    for ticket in sorted(tickets, key=lambda t: (str(type(t.get("id"))), t.get("id") or 0)):
        record = _record(folder, ticket, people, organizations, ratings, summary)
        if record is not None:
            records.append(record)
    return records


def _person(user: dict) -> Person | None:
    try:
        email = normalize_email(str(user.get("email") or ""))
    except EmailNotValidError:
        return None
    name = " ".join(str(user.get("name") or "").split()) or email.split("@")[0]
    return Person(email, name[:120], ROLES.get(str(user.get("role")), "customer"))


def _record(folder: Path, ticket: dict, people: dict, organizations: dict, ratings: dict,
            summary: Summary) -> Record | None:
    number = ticket.get("id")
    label = f"#{number}"
    if not isinstance(number, int):
        summary.skip("ticket without a number", str(number)[:40])
        return None
    status = STATUSES.get(str(ticket.get("status")))
    created_at = parse_time(ticket.get("created_at"))
    if status is None:
        summary.skip(f"unknown status '{ticket.get('status')}'"[:80], label)
        return None
    if created_at is None:
        summary.skip("no created_at", label)
        return None
    requester_id = ticket.get("requester_id")
    if requester_id not in people:
        summary.skip("requester not in users.json", label)
        return None
    requester = people[requester_id]
    if requester is None:
        summary.skip("requester has no valid email address", label)
        return None
    comments = _comments(folder, ticket, people, requester, created_at, summary)
    if not comments:
        summary.skip("no description and no comments", label)
        return None
    subject = " ".join(str(ticket.get("subject") or ticket.get("raw_subject") or "").split())
    subject = subject or " ".join(comments[0].body.split()[:12]) or "(no subject)"
    assignee = people.get(ticket.get("assignee_id"))
    if ticket.get("assignee_id") is not None and assignee is None:
        summary.skip("assignee not in users.json (ticket kept unassigned)", label)
    elif assignee is not None and not assignee.staff:
        assignee = Person(assignee.email, assignee.name, "agent")  # whoever Zendesk let work a ticket is staff
    organization = organizations.get(ticket.get("organization_id"))
    via = (ticket.get("via") or {}).get("channel") if isinstance(ticket.get("via"), dict) else None
    return Record(
        external_id=f"{SOURCE}:{number}", subject=subject[:MAX_SUBJECT], status=status,
        priority=str(ticket.get("priority")) if ticket.get("priority") in workflow.PRIORITIES else "normal",
        kind=KINDS.get(str(ticket.get("type")), "question"), channel="email" if via == "email" else "web",
        requester=requester, created_at=created_at,
        updated_at=max(parse_time(ticket.get("updated_at")) or created_at, created_at), comments=comments,
        assignee=assignee, tags=[str(tag) for tag in ticket.get("tags") or [] if tag],
        rating=_rating(ticket.get("satisfaction_rating"), ratings.get(number)),
        organization=(f"{SOURCE}:{organization['id']}", str(organization.get("name") or organization["id"]))
        if organization else None)


def _comments(folder: Path, ticket: dict, people: dict, requester: Person, created_at, summary: Summary
              ) -> list[Comment]:
    raw = ticket.get("comments")
    if raw is None:
        raw = read_list(folder / "comments" / f"{ticket['id']}.json", "comments")
    found = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        files = [File(safe_filename(str(a.get("file_name") or "file")),
                      folder / "attachments" / str(a.get("id")) / safe_filename(str(a.get("file_name") or "file")))
                 for a in item.get("attachments") or [] if isinstance(a, dict) and isinstance(a.get("id"), int)]
        body = str(item.get("plain_body") or item.get("body") or "").strip()
        if not body and item.get("html_body"):
            body = html_to_text(str(item["html_body"])).full.strip()
        if not body and files:
            body = ", ".join(file.name for file in files)
        if not body:
            summary.skip("empty comment", f"#{ticket['id']}/{item.get('id')}")
            continue
        author = people.get(item.get("author_id"))
        at = max(parse_time(item.get("created_at")) or created_at, created_at)
        found.append(Comment(None if author == requester else author, item.get("public") is not False, body, at,
                             files))
    found.sort(key=lambda comment: comment.at)
    if not found and str(ticket.get("description") or "").strip():
        found.append(Comment(None, True, str(ticket["description"]).strip(), created_at))
    return found


def _rating(on_ticket: object, rated: dict | None) -> Rating | None:
    source = rated or (on_ticket if isinstance(on_ticket, dict) else None)
    if source is None or source.get("score") not in SCORES:
        return None
    comment = str(source.get("comment") or "").strip() or None
    return Rating(SCORES[source["score"]], comment, parse_time(source.get("updated_at") or source.get("created_at")))
