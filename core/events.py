"""Domain events: what happened, as the services record it on the unit of work.

A service says what happened with `record(session, SomethingHappened(...))` and decides nothing
about who is told. The events wait in the session until its transaction commits; just before the
commit, `core.notify.publish` (hooked in by `core.db.session_factory`) turns the whole batch into
emails, in the same transaction: when the change rolls back, so do its events and its emails.

A writer that must tell nobody (the demo data, a sender flooding us) says so explicitly with
`quiet(session)`: the batch of that transaction is dropped, nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from core.config import Settings
    from core.models import Message, Survey, Ticket, User

_EVENTS = "mesa_events"
_QUIET = "mesa_quiet"


# ---------------------------------------------------------------- tickets

@dataclass(frozen=True)
class TicketCreated:
    """A new ticket with its first message (a follow-up of a closed one when `ticket.follow_up_of_id`)."""

    ticket: Ticket
    description: str


@dataclass(frozen=True)
class CustomerReplied:
    ticket: Ticket
    message: Message


@dataclass(frozen=True)
class AgentReplied:
    """A public answer (internal notes are no event: they are never told to anyone)."""

    ticket: Ticket
    message: Message


@dataclass(frozen=True)
class NoteAdded:
    """An internal note by an agent: it never reaches a customer nor any email; webhooks hear of it."""

    ticket: Ticket
    message: Message


@dataclass(frozen=True)
class SlaBreached:
    """A live ticket's SLA target (`target`: first_reply or resolution) passed its due time unmet."""

    ticket: Ticket
    target: str
    due_at: datetime


@dataclass(frozen=True)
class StatusChanged:
    ticket: Ticket
    old: str
    new: str
    actor_id: int | None


@dataclass(frozen=True)
class Assigned:
    ticket: Ticket
    actor: User | None


@dataclass(frozen=True)
class Merged:
    source: Ticket
    target: Ticket


@dataclass(frozen=True)
class SurveyAnswered:
    """A score (and comment); `became_low` when it went to 1 or 2 from none or 3–5."""

    ticket: Ticket
    survey: Survey
    became_low: bool


@dataclass(frozen=True)
class LowScoreWaited:
    """A low score whose comment did not come within automations.LOW_SCORE_WAIT: staff are told now."""

    ticket: Ticket
    survey: Survey


@dataclass(frozen=True)
class ReminderDue:
    """A pending ticket has waited `days` days for the customer's answer."""

    ticket: Ticket
    days: int


@dataclass(frozen=True)
class SurveyDue:
    """The survey of a solved ticket, held back by the survey delay, is due now."""

    ticket: Ticket


@dataclass(frozen=True)
class LinkRequested:
    """The requester asked for their ticket's link again (email and number matched)."""

    ticket: Ticket


@dataclass(frozen=True)
class MailTooLarge:
    """An email over the size limit was not stored whole; its sender is told (with the ticket when
    it is theirs: `ticket` is then set). Replaces the confirmation of a ticket it opened."""

    to: str
    ticket: Ticket | None
    facts: dict[str, str] = field(hash=False)


# ---------------------------------------------------------------- accounts and reports

@dataclass(frozen=True)
class StaffInvited:
    user: User
    raw_token: str


@dataclass(frozen=True)
class VerificationRequested:
    user: User
    raw_token: str


@dataclass(frozen=True)
class PasswordResetRequested:
    user: User
    raw_token: str


@dataclass(frozen=True)
class DigestDue:
    """This week's numbers for one manager (`context` is what the digest template shows)."""

    user: User
    context: dict[str, object] = field(hash=False)


Event = (TicketCreated | CustomerReplied | AgentReplied | StatusChanged | Assigned | Merged | SurveyAnswered
         | ReminderDue | SurveyDue | LinkRequested | MailTooLarge | StaffInvited | VerificationRequested
         | PasswordResetRequested | DigestDue | LowScoreWaited | NoteAdded | SlaBreached)


# ---------------------------------------------------------------- the unit of work's list

class Recorded(NamedTuple):
    """An event with the moment it happened and the settings of the service that recorded it."""

    event: Event
    settings: Settings
    at: datetime


def record(session: Session, event: Event, settings: Settings, now: datetime) -> None:
    session.info.setdefault(_EVENTS, []).append(Recorded(event, settings, now))


def quiet(session: Session) -> None:
    """Nobody is told of what this transaction does."""
    session.info[_QUIET] = True


def take(session: Session) -> list[Recorded]:
    """The events recorded so far, removed from the session (none when it was made quiet)."""
    batch = session.info.pop(_EVENTS, [])
    return [] if session.info.pop(_QUIET, False) else batch


def forget(session: Session) -> None:
    """After a rollback: what was recorded did not happen (and the next transaction may tell again)."""
    session.info.pop(_EVENTS, None)
    session.info.pop(_QUIET, None)
