"""Satisfaction surveys: one per ticket, sent when solved, a 1–5 score and a comment.

Never sent for a ticket closed as spam or merged (`Ticket.close_reason`). A score that
becomes low (1 or 2, from none or from 3–5) adds an internal note and tells the assignee
and the managers by email; changing one low score to the other tells nobody again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import events, i18n
from core.config import Settings, get_settings
from core.errors import Collector, DomainError, NotFound
from core.models import Survey, Ticket, TicketEvent, utcnow
from core.portal import tokens
from core.tickets import service as tickets
from core.tickets import workflow

SCORES = (1, 2, 3, 4, 5)
LOW_SCORES = (1, 2)
NO_SURVEY_REASONS = workflow.CLOSE_REASONS
MAX_COMMENT = 5000


def already_sent(session: Session, ticket_id: int) -> bool:
    return session.query(Survey.id).filter_by(ticket_id=ticket_id).first() is not None


def wanted(ticket: Ticket) -> bool:
    """False for tickets closed as spam or merged: they get no survey."""
    return ticket.close_reason not in NO_SURVEY_REASONS


def send(session: Session, ticket: Ticket, now: datetime | None = None) -> Survey | None:
    """Record that the survey went out for a solved ticket (once per ticket; None when not wanted)."""
    if not wanted(ticket):
        return None
    survey = session.query(Survey).filter_by(ticket_id=ticket.id).one_or_none()
    if survey is None:
        survey = Survey(ticket_id=ticket.id, sent_at=now or utcnow())
        session.add(survey)
        session.flush()
    return survey


def respond(session: Session, ticket_id: int, *, score: int, comment: str | None = None,
            settings: Settings | None = None, now: datetime | None = None) -> Survey:
    """The customer's answer; it can change until the ticket closes."""
    survey = session.query(Survey).filter_by(ticket_id=ticket_id).one_or_none()
    if survey is None:
        raise NotFound(what="Survey", id=ticket_id)
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None and ticket.status == workflow.CLOSED:
        raise DomainError("errors.closed_final", ticket=ticket_id)
    errors = Collector()
    if score not in SCORES:
        errors.add("score", "errors.choice", choices="1, 2, 3, 4, 5")
    if comment and len(comment) > MAX_COMMENT:
        errors.add("comment", "errors.too_long", max=MAX_COMMENT, length=len(comment))
    errors.raise_if_any()
    now = now or utcnow()
    became_low = score in LOW_SCORES and survey.score not in LOW_SCORES
    survey.score = score
    survey.comment = (comment or "").strip() or survey.comment
    survey.responded_at = now
    session.flush()
    if ticket is not None:
        settings = settings or get_settings()
        if became_low:
            tickets.add_system_note(session, ticket.id, now=now,
                                    body=low_score_note(survey.score, survey.comment, settings.locale))
        events.record(session, events.SurveyAnswered(ticket, survey, became_low), settings, now)
    return survey


def solved_by_requester(session: Session, ticket: Ticket) -> bool:
    """Whether the ticket's last move to solved was its requester's own ("My problem is solved")."""
    actor = session.scalar(select(TicketEvent.actor_id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.field == "status", TicketEvent.new == workflow.SOLVED)
        .order_by(TicketEvent.version.desc()).limit(1))
    return actor is not None and actor == ticket.requester_id


def low_score_note(score: int, comment: str | None, locale: str) -> str:
    """The internal note a low score adds to its ticket (the bulk demo writer writes it too)."""
    body = i18n.t("mail.low_score_note", locale, score=score)
    return body + "\n\n" + comment if comment else body


def answer_by_link(session: Session, ticket_id: int, raw_token: str, *, score: int | None,
                   comment: str | None = None, settings: Settings | None = None,
                   now: datetime | None = None) -> Survey | None:
    """Record a score (and comment) through the emailed survey link; None for a bad link.

    A survey link opens only the survey, never the ticket view (its own token purpose).
    """
    if not tokens.ticket_access(session, ticket_id, raw_token, purpose=tokens.SURVEY, now=now):
        return None
    survey = session.query(Survey).filter_by(ticket_id=ticket_id).one_or_none()
    if survey is None:
        return None
    if score is None:
        return survey
    return respond(session, ticket_id, score=score, comment=comment, settings=settings, now=now)
