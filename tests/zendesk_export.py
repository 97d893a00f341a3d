"""A Zendesk-shaped export of N tickets, written from Zendesk's documented JSON schema (tickets, ticket
comments, users, organizations, satisfaction ratings; attachments as files in the folder), for the import
tests and `python -m bench import`.

Ticket i is predictable, so the tests can say what each imported ticket must look like: created at
BASE + i * 37 minutes, statuses in the cycle STATUSES, an agent's public reply two hours after creation
(not on "new"), an internal note on even tickets, the requester answering a day later on three in four,
updated a day and two hours after creation; solved and closed ones rated good (i % 4 == 0), bad (1) or
offered (2). About three comments a ticket.
"""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=37)
FIRST_ID = 10001
STATUSES = ("closed", "solved", "open", "pending", "hold", "new", "closed", "solved", "solved", "open")
PRIORITIES = (None, "low", "normal", "high", "urgent")
TYPES = ("question", "incident", "problem", "task", None)
AGENTS = ((1, "Zoe Admin", "zoe@support.example", "admin"), (2, "Ana Agent", "ana@support.example", "agent"),
          (3, "Liam Agent", "liam@support.example", "agent"))
NO_EMAIL_USER = 9
ORGANIZATIONS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
REPLY_AFTER = timedelta(hours=2)
UPDATED_AFTER = timedelta(days=1, hours=2)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def png() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def customers(count: int) -> int:
    return max(count // 3, 1)


def ticket_id(i: int) -> int:
    return FIRST_ID + i


def comments_of(i: int, count: int) -> list[dict]:
    created, status = BASE + i * STEP, STATUSES[i % len(STATUSES)]
    requester, agent = 100 + i % customers(count), AGENTS[i % 3][0]
    found = [{"id": i * 10 + 1, "type": "Comment", "author_id": requester, "public": True,
              "body": f"Order {i} never arrived.\nCan you check?",
              "html_body": f"<div class=\"zd-comment\"><p>Order {i} never arrived.</p><p>Can you check?</p></div>",
              "created_at": iso(created), "attachments": []}]
    if status == "new":
        return found
    found.append({"id": i * 10 + 2, "type": "Comment", "author_id": agent, "public": True,
                  "body": f"Sorry about order {i}; we are on it.",
                  "html_body": f"<p>Sorry about order {i}; we are on it.</p>", "created_at": iso(created + REPLY_AFTER),
                  "attachments": []})
    if i % 2 == 0:
        found.append({"id": i * 10 + 3, "type": "Comment", "author_id": agent, "public": False,
                      "body": "Courier says it left the depot.", "html_body": "<p>Courier says it left the depot.</p>",
                      "created_at": iso(created + timedelta(hours=3)), "attachments": []})
    if i % 4 != 3:
        found.append({"id": i * 10 + 4, "type": "Comment", "author_id": requester, "public": True,
                      "body": "", "html_body": "<p>Thanks, <b>still waiting</b>.</p>",
                      "created_at": iso(created + timedelta(days=1)), "attachments": []})
    return found


def rating_of(i: int) -> dict | None:
    if STATUSES[i % len(STATUSES)] not in ("solved", "closed"):
        return None
    score = ("good", "bad", "offered", "unoffered")[i % 4]
    comment = {"good": "Quick and kind.", "bad": "Took too long."}.get(score)
    return {"id": 5000 + i, "score": score, "comment": comment}


def ticket_of(i: int, count: int, with_comments: bool = True) -> dict:
    created, status = BASE + i * STEP, STATUSES[i % len(STATUSES)]
    comments = comments_of(i, count)
    ticket = {
        "id": ticket_id(i), "url": f"https://example.zendesk.com/api/v2/tickets/{ticket_id(i)}.json",
        "subject": f"Order {i} missing", "raw_subject": f"Order {i} missing", "description": comments[0]["body"],
        "status": status, "priority": PRIORITIES[i % 5], "type": TYPES[i % 5],
        "requester_id": 100 + i % customers(count), "submitter_id": 100 + i % customers(count),
        "assignee_id": None if status == "new" else AGENTS[i % 3][0],
        "organization_id": 500 + (i % customers(count)) % len(ORGANIZATIONS),
        "tags": ["imported", *(["vip"] if i % 5 == 0 else []), *(["billing"] if i % 7 == 0 else [])],
        "via": {"channel": "email" if i % 2 else "web"},
        "created_at": iso(created), "updated_at": iso(created + UPDATED_AFTER),
        "satisfaction_rating": rating_of(i),
    }
    if with_comments:
        ticket["comments"] = comments
    return ticket


def write(folder: Path, count: int, *, lines: bool = False, extras: bool = False) -> Path:
    """Write the export of `count` tickets into `folder`. `lines`: tickets.json as JSON lines with each
    ticket's comments inside (the full JSON export); else the API's shapes, comments in comments/<id>.json.
    `extras`: three tickets that cannot be imported and three files (a picture, a program named .pdf, one
    missing), on the first three tickets."""
    folder.mkdir(parents=True, exist_ok=True)
    users = [{"id": id_, "name": name, "email": email, "role": role, "active": True}
             for id_, name, email, role in AGENTS]
    users += [{"id": 100 + n, "name": f"Customer {n}", "email": f"customer{n}@shop.example", "role": "end-user",
               "organization_id": 500 + n % len(ORGANIZATIONS)} for n in range(customers(count))]
    users.append({"id": NO_EMAIL_USER, "name": "Phone Only", "email": None, "role": "end-user", "phone": "+34600"})
    _dump(folder / "users.json", {"users": users})
    _dump(folder / "organizations.json", {"organizations": [
        {"id": 500 + n, "name": name, "domain_names": [f"{name.lower()}.example"]}
        for n, name in enumerate(ORGANIZATIONS)]})
    tickets = [ticket_of(i, count, with_comments=True) for i in range(count)]
    ratings = [{"id": t["satisfaction_rating"]["id"], "ticket_id": t["id"], "score": t["satisfaction_rating"]["score"],
                "comment": t["satisfaction_rating"]["comment"], "created_at": t["updated_at"],
                "updated_at": t["updated_at"]}
               for t in tickets if t["satisfaction_rating"] and t["satisfaction_rating"]["score"] in ("good", "bad")]
    _dump(folder / "satisfaction_ratings.json", {"satisfaction_ratings": ratings})
    if extras:
        _extras(folder, tickets, count)
    if lines:
        with (folder / "tickets.json").open("w") as out:
            for ticket in tickets:
                out.write(json.dumps(ticket) + "\n")
        return folder
    (folder / "comments").mkdir(exist_ok=True)
    for ticket in tickets:
        _dump(folder / "comments" / f"{ticket['id']}.json", {"comments": ticket.pop("comments")})
    _dump(folder / "tickets.json", {"tickets": tickets, "next_page": None, "count": len(tickets)})
    return folder


def _extras(folder: Path, tickets: list[dict], count: int) -> None:
    tickets += [dict(ticket_of(0, count, True), id=1, requester_id=NO_EMAIL_USER),
                dict(ticket_of(1, count, True), id=2, status="deleted"),
                dict(ticket_of(2, count, True), id=3, requester_id=777)]
    files = ((1, "screen.png", png()), (2, "manual.pdf", b"MZ\x90\x00" + bytes(200)), (3, "gone.txt", None))
    for n, (id_, name, content) in enumerate(files):
        tickets[n]["comments"][0]["attachments"] = [{
            "id": id_, "file_name": name, "content_type": "application/octet-stream", "size": len(content or b""),
            "content_url": f"https://example.zendesk.com/attachments/token/{id_}/?name={name}"}]
        if content is not None:
            (folder / "attachments" / str(id_)).mkdir(parents=True, exist_ok=True)
            (folder / "attachments" / str(id_) / name).write_bytes(content)


def _dump(path: Path, value: object) -> None:
    path.write_text(json.dumps(value))
