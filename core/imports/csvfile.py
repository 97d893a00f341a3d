"""Reading Mesa's CSV import layout (docs/import.md): one row per message, the ticket's fields on its rows.

A ticket's fields come from its first row; its messages are its rows in time order (the first one opens
the ticket). Unknown columns are ignored; a missing required column stops the import before anything is
written.
"""

from __future__ import annotations

import csv
from pathlib import Path

from email_validator import EmailNotValidError

from core.accounts.service import normalize_email
from core.imports.records import STAFF_ROLES, Comment, Person, Rating, Record, Summary, parse_time
from core.imports.zendesk import MAX_SUBJECT, ExportError
from core.tickets import workflow

SOURCE = "csv"
REQUIRED = ("ticket", "created_at", "requester_email", "body")
COLUMNS = (*REQUIRED, "updated_at", "subject", "status", "priority", "kind", "channel", "requester_name",
           "assignee_email", "assignee_name", "tags", "organization", "author_email", "author_name", "author_role",
           "public", "message_at", "rating", "rating_comment")
STATUS_NAMES = {**{status: status for status in workflow.STATUSES}, "hold": workflow.ON_HOLD}
FALSE = ("false", "no", "0", "private", "note")


def read(path: Path, summary: Summary) -> list[Record]:
    if not path.is_file():
        raise ExportError(f"{path} is not a file: give the CSV file to import.")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise ExportError(f"{path.name} lacks the column(s) {', '.join(missing)} (docs/import.md lists them).")
        reader.fieldnames = header
        tickets: dict[str, list[dict]] = {}
        for row in reader:
            values = {key: (value or "").strip() for key, value in row.items() if key}
            if values.get("ticket"):
                tickets.setdefault(values["ticket"], []).append(values)
            else:
                summary.skip("row without a ticket number", f"line {reader.line_num}")
    return [record for number, rows in tickets.items() if (record := _record(number, rows, summary))]


def _person(email: str, name: str, role: str) -> Person | None:
    try:
        address = normalize_email(email)
    except EmailNotValidError:
        return None
    return Person(address, (" ".join(name.split()) or address.split("@")[0])[:120], role)


def _record(number: str, rows: list[dict], summary: Summary) -> Record | None:
    first, label = rows[0], f"#{number}"
    created_at = parse_time(first.get("created_at"))
    status = STATUS_NAMES.get(first.get("status", "").lower() or workflow.NEW)
    requester = _person(first.get("requester_email", ""), first.get("requester_name", ""), "customer")
    if created_at is None:
        summary.skip("created_at missing or not an ISO 8601 time", label)
        return None
    if status is None:
        summary.skip(f"unknown status '{first.get('status')}'"[:80], label)
        return None
    if requester is None:
        summary.skip("requester has no valid email address", label)
        return None
    assignee = None
    if first.get("assignee_email"):
        assignee = _person(first["assignee_email"], first.get("assignee_name", ""), "agent")
        if assignee is None:
            summary.skip("assignee's address not valid (ticket kept unassigned)", label)
    comments = []
    for row in rows:
        if not row.get("body"):
            summary.skip("row without a body", label)
            continue
        at = max(parse_time(row.get("message_at")) or created_at, created_at)
        role = row.get("author_role", "").lower() or ("agent" if assignee and row.get("author_email", "").lower()
                                                       == assignee.email else "customer")
        author = _person(row["author_email"], row.get("author_name", ""), role if role in STAFF_ROLES else
                         "customer") if row.get("author_email") else None
        public = row.get("public", "").lower() not in FALSE
        comments.append(Comment(None if author == requester else author, public, row["body"], at))
    if not comments:
        return None
    comments.sort(key=lambda comment: comment.at)
    score = first.get("rating", "")
    rating = Rating(int(score), first.get("rating_comment") or None, None) if score in ("1", "2", "3", "4", "5") \
        else None
    subject = " ".join(first.get("subject", "").split()) or " ".join(comments[0].body.split()[:12])
    organization = first.get("organization")
    return Record(
        external_id=f"{SOURCE}:{number}"[:80], subject=subject[:MAX_SUBJECT], status=status,
        priority=first.get("priority", "").lower() if first.get("priority", "").lower() in workflow.PRIORITIES
        else "normal",
        kind=first.get("kind", "").lower() if first.get("kind", "").lower() in workflow.KINDS else "question",
        channel="email" if first.get("channel", "").lower() == "email" else "web", requester=requester,
        created_at=created_at, updated_at=max(parse_time(first.get("updated_at")) or created_at, created_at),
        comments=comments, assignee=assignee, tags=first.get("tags", "").replace(",", " ").split(), rating=rating,
        organization=(f"{SOURCE}:{organization.lower()}"[:80], organization) if organization else None)
