"""Who else has a ticket open on the workbench: one row per (ticket, agent), refreshed while open."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.models import TicketPresence, User

WITHIN = timedelta(seconds=60)


def touch(session: Session, ticket_id: int, user_id: int, now: datetime) -> None:
    """`user_id` is looking at the ticket now: one upsert, nothing else."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TicketPresence).values(ticket_id=ticket_id, user_id=user_id, seen_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=["ticket_id", "user_id"],
                                                    set_={"seen_at": statement.excluded.seen_at}))


def leave(session: Session, ticket_id: int, user_id: int) -> None:
    session.execute(delete(TicketPresence).where(TicketPresence.ticket_id == ticket_id,
                                                 TicketPresence.user_id == user_id))


def others(session: Session, ticket_id: int, user_id: int, now: datetime, within: timedelta = WITHIN) -> list[str]:
    """Names of the other active staff seen on the ticket in the last `within`, by name."""
    return list(session.scalars(
        select(User.name).join(TicketPresence, TicketPresence.user_id == User.id)
        .where(TicketPresence.ticket_id == ticket_id, TicketPresence.user_id != user_id,
               TicketPresence.seen_at >= now - within, User.active).order_by(User.name)))
