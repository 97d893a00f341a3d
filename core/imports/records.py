"""What an import reads, whatever the source: tickets with their people, comments, files and rating, and
what was left out and why (`Summary`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STAFF_ROLES = ("agent", "admin")
MAX_EXAMPLES = 5  # ids named per skip reason
ADDED = ("tickets", "messages", "internal notes", "attachments", "tags", "satisfaction ratings", "customers",
         "staff accounts", "organizations")  # the order of the summary


@dataclass(frozen=True)
class Person:
    email: str  # normalised
    name: str
    role: str = "customer"  # customer | agent | admin

    @property
    def staff(self) -> bool:
        return self.role in STAFF_ROLES


@dataclass(frozen=True)
class File:
    name: str
    path: Path  # where the export keeps its content


@dataclass
class Comment:
    author: Person | None  # None: the requester
    public: bool
    body: str
    at: datetime
    files: list[File] = field(default_factory=list)


@dataclass(frozen=True)
class Rating:
    score: int | None  # 1-5; None: offered, not answered
    comment: str | None
    at: datetime | None


@dataclass
class Record:
    external_id: str  # "zendesk:123": unique, how a second import knows the ticket
    subject: str
    status: str  # Mesa's
    priority: str
    kind: str
    channel: str
    requester: Person
    created_at: datetime
    updated_at: datetime
    comments: list[Comment]  # the first one opens the ticket
    assignee: Person | None = None
    tags: list[str] = field(default_factory=list)
    rating: Rating | None = None
    organization: tuple[str, str] | None = None  # (external id, name)


@dataclass
class Summary:
    """What an import did, and what it left out with why ("requester has no email address": 3, e.g. #12)."""

    added: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, what: str = "") -> None:
        self.skipped[reason] += 1
        if what and len(found := self.examples.setdefault(reason, [])) < MAX_EXAMPLES:
            found.append(what)

    def lines(self) -> list[str]:
        added = sorted(self.added.items(), key=lambda item: (ADDED.index(item[0]) if item[0] in ADDED else 99))
        out = [f"Added: {', '.join(f'{count:,} {name}' for name, count in added if count) or 'nothing'}."]
        for reason, count in self.skipped.most_common():
            examples = self.examples.get(reason)
            out.append(f"Skipped {count:,}: {reason}" + (f" (e.g. {', '.join(examples)})" if examples else ""))
        return out


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time ("2024-05-01T09:30:00Z"); naive means UTC; None when empty or not a time."""
    if not value or not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
