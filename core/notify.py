"""Who is told what, by email, when a ticket changes. Written to the outbox in the same
transaction as the change; internal notes are never part of any email.

The demo data generator mutes notifications (`muted()`): its past conversations send nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import schedule, surveys, tokens
from core.config import Settings
from core.mail import outbox
from core.mail.templates import summarize
from core.models import Message, Survey, Ticket, User

_muted = contextvars.ContextVar("mesa_notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def ticket_link(session: Session, ticket: Ticket, settings: Settings, now: datetime) -> str:
    """A fresh customer link to the ticket (each email carries its own token), in the ticket's language."""
    raw = tokens.issue(session, tokens.TICKET_VIEW, ticket_id=ticket.id, now=now)
    return f"{settings.base_url}/ticket?ticket={ticket.id}&token={raw}&lang={ticket.locale}"


def workbench_link(settings: Settings, ticket: Ticket) -> str:
    return f"{settings.base_url}/workbench?ticket={ticket.id}"


def _to_requester(session: Session, ticket: Ticket, template: str, settings: Settings, now: datetime,
                  **context: object) -> None:
    if _muted.get():
        return
    requester = ticket.requester
    outbox.enqueue(session, template=template, to=requester.email, locale=ticket.locale, ticket_id=ticket.id,
                   settings=settings, now=now, context={"ticket_number": ticket.id, "subject": ticket.subject,
                                                        "requester_name": requester.name, **context})


def _to_staff(session: Session, user: User | None, ticket: Ticket, template: str, settings: Settings,
              now: datetime, **context: object) -> None:
    if _muted.get() or user is None or not user.active:
        return
    outbox.enqueue(session, template=template, to=user.email, locale=user.locale, ticket_id=ticket.id,
                   settings=settings, now=now, context={"ticket_number": ticket.id, "subject": ticket.subject,
                                                        "requester_name": ticket.requester.name,
                                                        "link": workbench_link(settings, ticket), **context})


def received(session: Session, ticket: Ticket, description: str, settings: Settings, now: datetime) -> str:
    """The confirmation (or follow-up notice) with the ticket's link; returns the link."""
    link = ticket_link(session, ticket, settings, now)
    if ticket.follow_up_of_id:
        _to_requester(session, ticket, "follow_up_opened", settings, now, link=link,
                      previous_number=ticket.follow_up_of_id)
    else:
        _to_requester(session, ticket, "ticket_received", settings, now, link=link, summary=summarize(description))
    if settings.notify_agents_new_tickets and ticket.assignee_id is None:
        for agent in session.scalars(select(User).where(User.role.in_(("agent", "manager", "admin")), User.active)):
            _to_staff(session, agent, ticket, "agent_new_ticket", settings, now,
                      requester_email=ticket.requester.email, summary=summarize(description))
    return link


def agent_replied(session: Session, ticket: Ticket, message: Message, settings: Settings, now: datetime) -> None:
    """The public answer; "more information needed" when it left the ticket pending."""
    if _muted.get():
        return
    link = ticket_link(session, ticket, settings, now)
    files = [{"name": a.filename, "url": link} for a in message.attachments]
    template = "info_needed" if ticket.status == "pending" else "agent_replied"
    _to_requester(session, ticket, template, settings, now, link=link, reply_body=message.body,
                  agent_name=message.author.name if message.author else "", attachments=files)


def solved(session: Session, ticket: Ticket, settings: Settings, now: datetime, *, late: bool = False) -> None:
    """The solve notice with the satisfaction survey (five one-click scores); once per ticket.

    With a survey delay (admin page, else MESA_SURVEY_DELAY_MINUTES) it waits: the automation
    sends it later (`late=True`). Tickets closed as spam or merged get no survey.
    """
    if _muted.get() or not surveys.wanted(ticket) or surveys.already_sent(session, ticket.id):
        return
    if not late and schedule.timing(session, settings, "survey_delay_minutes"):
        return
    surveys.send(session, ticket, now)
    raw = tokens.issue(session, tokens.SURVEY, ticket_id=ticket.id, now=now)
    base = f"{settings.base_url}/survey?ticket={ticket.id}&token={raw}"
    _to_requester(session, ticket, "ticket_solved", settings, now, link=ticket_link(session, ticket, settings, now),
                  survey_links=[{"score": score, "url": f"{base}&score={score}&lang={ticket.locale}"}
                                for score in surveys.SCORES])


def closed(session: Session, ticket: Ticket, settings: Settings, now: datetime) -> None:
    _to_requester(session, ticket, "ticket_closed", settings, now, link=ticket_link(session, ticket, settings, now))


def merged(session: Session, source: Ticket, target: Ticket, settings: Settings, now: datetime) -> None:
    """The merged ticket's requester hears where their request went on; the link opens the target
    when it is theirs too, else their own (closed) ticket: nobody sees another customer's ticket."""
    shown = target if target.requester_id == source.requester_id else source
    _to_requester(session, source, "ticket_merged", settings, now, target_number=target.id,
                  link=ticket_link(session, shown, settings, now))


def pending_reminder(session: Session, ticket: Ticket, days: int, settings: Settings, now: datetime) -> None:
    """The nudge to a requester whose ticket has waited `days` days for their answer (pending)."""
    if _muted.get():
        return
    _to_requester(session, ticket, "pending_reminder", settings, now, days=days,
                  link=ticket_link(session, ticket, settings, now))


def assigned(session: Session, ticket: Ticket, actor: User | None, settings: Settings, now: datetime) -> None:
    if ticket.assignee is not None and (actor is None or actor.id != ticket.assignee_id):
        _to_staff(session, ticket.assignee, ticket, "agent_assigned", settings, now,
                  assigned_by=actor.name if actor else "Mesa")


def customer_replied(session: Session, ticket: Ticket, message: Message, settings: Settings, now: datetime) -> None:
    _to_staff(session, ticket.assignee, ticket, "agent_customer_replied", settings, now, reply_body=message.body)


def low_score(session: Session, ticket: Ticket, survey: Survey, settings: Settings, now: datetime) -> None:
    """A score of 1 or 2: the assignee and every active manager are told (each once)."""
    managers = session.scalars(select(User).where(User.role == "manager", User.active).order_by(User.id))
    people = {user.id: user for user in (ticket.assignee, *managers) if user is not None}
    for user in people.values():
        _to_staff(session, user, ticket, "agent_low_score", settings, now, score=survey.score,
                  comment=survey.comment or "")
