"""Domain events into webhook deliveries: what each event type carries (docs/webhooks.md).

`announce` is called by core.notify, the one notifier, with the unit of work's batch just before it
commits: the deliveries are written in the change's transaction, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core import events
from core.config import Settings
from core.hooks import deliveries, endpoints
from core.models import Message, Ticket, User

Link = Callable[[Settings, Ticket], str]


def announce(session: Session, batch: Sequence[events.Recorded], link: Link) -> None:
    """Queue a delivery per event and per active endpoint that wants it (`link`: the ticket's staff URL)."""
    typed = [(kind, event, settings, now) for event, settings, now in batch if (kind := event_type(event))]
    if not typed:
        return
    listening = endpoints.listening(session)
    for kind, event, settings, now in typed:
        wanting = [e for e in listening if kind in e.events and not _before(event, e.created_at)]
        if not wanting:
            continue
        ticket = _ticket_of(event)
        data = {**_data(event), "ticket": _ticket(ticket, link(settings, ticket))}
        for endpoint in wanting:
            deliveries.enqueue(session, endpoint, kind, data, now=now, ticket_id=ticket.id)


def event_type(event: object) -> str | None:
    """The webhook event type of a domain event; None for events no webhook carries."""
    match event:
        case events.TicketCreated():
            return "ticket.created"
        case events.StatusChanged():
            return "ticket.status_changed"
        case events.AgentReplied() | events.CustomerReplied():
            return "ticket.public_reply"
        case events.NoteAdded():
            return "ticket.internal_note"
        case events.SurveyAnswered():
            return "survey.answered"
        case events.SlaBreached():
            return "sla.breached"
    return None


def _before(event: object, created_at: datetime) -> bool:
    """A breach that happened before the endpoint existed is not news to it."""
    return isinstance(event, events.SlaBreached) and event.due_at < created_at


def _ticket_of(event: Any) -> Ticket:
    return event.ticket


def _data(event: Any) -> dict[str, Any]:
    match event:
        case events.TicketCreated():
            return {"message": {"body": event.description}}
        case events.StatusChanged():
            return {"old_status": event.old, "new_status": event.new, "actor_id": event.actor_id}
        case events.AgentReplied() | events.CustomerReplied() | events.NoteAdded():
            return {"message": _message(event.message)}
        case events.SurveyAnswered():
            survey = event.survey
            return {"survey": {"score": survey.score, "comment": survey.comment,
                               "responded_at": deliveries.stamp(survey.responded_at) if survey.responded_at
                               else None}}
        case events.SlaBreached():
            return {"target": event.target, "due_at": deliveries.stamp(event.due_at)}
    return {}


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def _ticket(ticket: Ticket, url: str) -> dict[str, Any]:
    return {"id": ticket.id, "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
            "kind": ticket.kind, "channel": ticket.channel, "locale": ticket.locale,
            "requester": _person(ticket.requester), "assignee": _person(ticket.assignee),
            "created_at": deliveries.stamp(ticket.created_at), "url": url}


def _message(message: Message) -> dict[str, Any]:
    return {"id": message.id, "kind": message.kind, "body": message.body, "author": _person(message.author),
            "created_at": deliveries.stamp(message.created_at),
            "attachments": [a.filename for a in message.attachments]}
