"""What the fault tests count: the outbox rows, and how often a server accepted each Message-ID."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from core.models import Outbox


def outbox_rows(desk) -> dict[int, Outbox]:
    with desk.reader() as session:
        return {row.id: row for row in session.scalars(select(Outbox).order_by(Outbox.id))}


def deliveries(inbox) -> Counter[str]:
    """How many times the server accepted each Message-ID."""
    return Counter(inbox.ids())
