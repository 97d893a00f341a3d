"""The one place that decides who is told what: domain events in, outbox rows out.

`publish` runs just before a unit of work commits (core.db.session_factory hooks it in) with the
batch of events the services recorded (core.events), and writes every email of the change to the
outbox in the same transaction, and every webhook delivery (core.hooks.payloads). Nothing else in Mesa
writes to the outbox. Internal notes (NoteAdded) and SLA breaches reach webhooks only, never an email.
The table of events and notices is in docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import events
from core.accounts import service as accounts
from core.config import Settings
from core.desk import schedule
from core.hooks import payloads as webhooks
from core.mail import outbox
from core.mail.templates import summarize
from core.models import Message, Outbox, Ticket, User
from core.portal import tokens
from core.tickets import followers, surveys, workflow


def publish(session: Session) -> None:
    """Turn the unit of work's events into emails (the before-commit hook)."""
    batch = events.take(session)
    replaced = {e.ticket.id for e, *_ in batch if isinstance(e, events.MailTooLarge) and e.ticket is not None}
    # one email per moment: a reply that solves the ticket goes out inside the solve notice with its survey
    solving = {e.ticket.id for e, settings, _now in batch if isinstance(e, events.StatusChanged)
               and e.new == workflow.SOLVED and _survey_now(session, e.ticket, settings)}
    replies = {e.ticket.id: e.message for e, *_ in batch
               if isinstance(e, events.AgentReplied) and e.ticket.id in solving}
    for event, settings, now in batch:
        if isinstance(event, events.TicketCreated) and event.ticket.id in replaced:
            continue  # the sender hears "too large" instead of a confirmation
        if isinstance(event, events.AgentReplied) and event.ticket.id in replies:
            _agent_replied(session, event, settings, now, requester_too=False)
        elif isinstance(event, events.StatusChanged) and event.ticket.id in replies:
            _status_changed(session, event, settings, now, reply=replies[event.ticket.id])
        else:
            HANDLERS[type(event)](session, event, settings, now)
    webhooks.announce(session, batch, workbench_link)  # every event as it happened, whatever the emails


def reset(session: Session) -> None:
    """After commit or rollback: the next transaction starts with no events and fresh links."""
    events.forget(session)
    tokens.forget_links(session)


def ticket_link(session: Session, ticket: Ticket, settings: Settings, now: datetime) -> str:
    return tokens.ticket_link(session, ticket, settings.base_url, now)


def workbench_link(settings: Settings, ticket: Ticket) -> str:
    return f"{settings.base_url}/workbench?ticket={ticket.id}"


def account_link(settings: Settings, action: str, raw_token: str, locale: str = "en") -> str:
    return f"{settings.base_url}/account?{action}={raw_token}&lang={locale}"


# ---------------------------------------------------------------- who gets it

def _to_requester(session: Session, ticket: Ticket, template: str, settings: Settings, now: datetime,
                  **context: object) -> None:
    requester = ticket.requester
    outbox.enqueue(session, template=template, to=requester.email, locale=ticket.locale, ticket_id=ticket.id,
                   settings=settings, now=now, context={"ticket_number": ticket.id, "subject": ticket.subject,
                                                        "requester_name": requester.name, **context})


def _to_staff(session: Session, user: User | None, ticket: Ticket, template: str, settings: Settings,
              now: datetime, **context: object) -> None:
    if user is None or not user.active:
        return
    outbox.enqueue(session, template=template, to=user.email, locale=user.locale, ticket_id=ticket.id,
                   settings=settings, now=now, context={"ticket_number": ticket.id, "subject": ticket.subject,
                                                        "requester_name": ticket.requester.name,
                                                        "link": workbench_link(settings, ticket), **context})


def _to_user(session: Session, user: User, template: str, settings: Settings, now: datetime,
             **context: object) -> None:
    outbox.enqueue(session, template=template, to=user.email, locale=user.locale, settings=settings, now=now,
                   context=context)


# ---------------------------------------------------------------- tickets

def _created(session: Session, event: events.TicketCreated, settings: Settings, now: datetime) -> None:
    """The confirmation (or follow-up notice) with the ticket's link; new-ticket notices to staff if wanted."""
    ticket = event.ticket
    link = ticket_link(session, ticket, settings, now)
    if ticket.follow_up_of_id:
        _to_requester(session, ticket, "follow_up_opened", settings, now, link=link,
                      previous_number=ticket.follow_up_of_id)
    elif _vouched_for(session, ticket):
        _to_requester(session, ticket, "ticket_received", settings, now, link=link, first_contact=False,
                      summary=summarize(event.description))
    else:  # no relay: nothing the sender typed goes to an address that never showed it is theirs
        _to_requester(session, ticket, "ticket_received", settings, now, link=link, first_contact=True,
                      subject=None, requester_name=None, summary=None)
    if settings.notify_agents_new_tickets and ticket.assignee_id is None:
        for agent in accounts.staff(session):
            _to_staff(session, agent, ticket, "agent_new_ticket", settings, now,
                      requester_email=ticket.requester.email, summary=summarize(event.description))


def _vouched_for(session: Session, ticket: Ticket, *, this_one_too: bool = False) -> bool:
    """Whether the requester's address is one we know: a staff account, a verified email, or an earlier
    ticket of theirs one of our agents answered. Anyone can type any address into the form (or forge a
    From); to an address we do not know, the confirmation carries the number and the link, no text of
    the sender's (docs/security.md, M4). A ticket or an account that is only typed in proves nothing."""
    requester = ticket.requester
    if requester.role != "customer" or requester.email_verified_at is not None:
        return True
    answered = (select(Message.id).join(Ticket, Message.ticket_id == Ticket.id)
                .where(Ticket.requester_id == requester.id, Message.kind == "agent",
                       *([] if this_one_too else [Ticket.id != ticket.id]))
                .limit(1))
    return session.scalar(answered) is not None


def _customer_replied(session: Session, event: events.CustomerReplied, settings: Settings, now: datetime) -> None:
    ticket = event.ticket
    _to_staff(session, ticket.assignee, ticket, "agent_customer_replied", settings, now,
              reply_body=event.message.body)


def _agent_replied(session: Session, event: events.AgentReplied, settings: Settings, now: datetime,
                   requester_too: bool = True) -> None:
    """The public answer; "more information needed" when it left the ticket pending. (A reply that solves
    the ticket reaches the requester inside the solve notice: `requester_too` is False then.)"""
    ticket, message = event.ticket, event.message
    link = ticket_link(session, ticket, settings, now)
    files = [{"name": a.filename, "url": link} for a in message.attachments]
    template = "info_needed" if ticket.status == workflow.PENDING else "agent_replied"
    agent_name = message.author.name if message.author else ""
    if requester_too:
        _to_requester(session, ticket, template, settings, now, link=link, reply_body=message.body,
                      agent_name=agent_name, attachments=files)
    for follower in followers.of(session, ticket.id):  # no link: the customer page acts as the requester
        outbox.enqueue(session, template="follower_update", to=follower.email, locale=ticket.locale,
                       ticket_id=ticket.id, settings=settings, now=now,
                       context={"ticket_number": ticket.id, "subject": ticket.subject, "agent_name": agent_name,
                                "follower_name": follower.name, "requester_name": ticket.requester.name,
                                "reply_body": message.body, "files": [a.filename for a in message.attachments]})


def _survey_now(session: Session, ticket: Ticket, settings: Settings) -> bool:
    """Does solving this ticket send its survey now (wanted, not sent yet, no survey delay)?"""
    return surveys.wanted(ticket) and not surveys.already_sent(session, ticket.id) \
        and not schedule.timing(session, settings, "survey_delay_minutes")


def _status_changed(session: Session, event: events.StatusChanged, settings: Settings, now: datetime,
                    reply: Message | None = None) -> None:
    """Solved brings the solve notice and survey (with the reply that solved it, if any); closed its
    notice. Closing as spam or merged tells nobody."""
    ticket = event.ticket
    if event.new == workflow.SOLVED and surveys.wanted(ticket):
        if not schedule.timing(session, settings, "survey_delay_minutes"):
            _survey(session, ticket, settings, now, reply=reply,
                    by_customer=event.actor_id is not None and event.actor_id == ticket.requester_id)
    elif event.new == workflow.CLOSED and ticket.close_reason is None:
        _to_requester(session, ticket, "ticket_closed", settings, now, link=ticket_link(session, ticket, settings, now))


def _survey_due(session: Session, event: events.SurveyDue, settings: Settings, now: datetime) -> None:
    if surveys.wanted(event.ticket):
        _survey(session, event.ticket, settings, now, by_customer=surveys.solved_by_requester(session, event.ticket))


def _survey(session: Session, ticket: Ticket, settings: Settings, now: datetime, *, reply: Message | None = None,
            by_customer: bool = False) -> None:
    """The solve notice with the satisfaction survey (five one-click scores); once per ticket.

    With a survey delay (admin page, else MESA_SURVEY_DELAY_MINUTES) the solve sends nothing and the
    automation records SurveyDue later.
    """
    if surveys.already_sent(session, ticket.id):
        return
    surveys.send(session, ticket, now)
    raw = tokens.issue(session, tokens.SURVEY, ticket_id=ticket.id, now=now)
    base = f"{settings.base_url}/survey?ticket={ticket.id}&token={raw}"
    _to_requester(session, ticket, "ticket_solved", settings, now, link=ticket_link(session, ticket, settings, now),
                  survey_links=[{"score": score, "url": f"{base}&score={score}&lang={ticket.locale}"}
                                for score in surveys.SCORES], by_customer=by_customer,
                  reply_body=reply.body if reply else "",
                  agent_name=reply.author.name if reply and reply.author else "")


def _merged(session: Session, event: events.Merged, settings: Settings, now: datetime) -> None:
    """The merged ticket's requester hears where their request went on; the link opens the target
    when it is theirs too, else their own (closed) ticket: nobody sees another customer's ticket."""
    source, target = event.source, event.target
    shown = target if target.requester_id == source.requester_id else source
    _to_requester(session, source, "ticket_merged", settings, now, target_number=target.id,
                  link=ticket_link(session, shown, settings, now))


def _assigned(session: Session, event: events.Assigned, settings: Settings, now: datetime) -> None:
    ticket, actor = event.ticket, event.actor
    if ticket.assignee is not None and (actor is None or actor.id != ticket.assignee_id):
        _to_staff(session, ticket.assignee, ticket, "agent_assigned", settings, now,
                  assigned_by=actor.name if actor else "Mesa")


def _survey_answered(session: Session, event: events.SurveyAnswered | events.LowScoreWaited, settings: Settings,
                     now: datetime) -> None:
    """A low score (1 or 2): the assignee and every active manager are told, once per survey (a customer
    flipping the score back and forth tells nobody again). The one-click score from the email waits for
    its comment: told when the comment comes, or by the worker a few minutes later without one
    (automations.alert_low_scores records LowScoreWaited)."""
    ticket, survey = event.ticket, event.survey
    waited = isinstance(event, events.LowScoreWaited)
    if survey.score not in surveys.LOW_SCORES or not (survey.comment or waited) or session.scalar(
            select(Outbox.id).where(Outbox.ticket_id == ticket.id, Outbox.template == "agent_low_score").limit(1)):
        return
    managers = accounts.staff(session, roles=("manager",))
    people = {user.id: user for user in (ticket.assignee, *managers) if user is not None}
    for user in people.values():
        _to_staff(session, user, ticket, "agent_low_score", settings, now, score=survey.score,
                  comment=survey.comment or "")


def _reminder_due(session: Session, event: events.ReminderDue, settings: Settings, now: datetime) -> None:
    """The nudge to a requester whose ticket has waited `days` days for their answer (pending)."""
    _to_requester(session, event.ticket, "pending_reminder", settings, now, days=event.days,
                  link=ticket_link(session, event.ticket, settings, now))


def _link_requested(session: Session, event: events.LinkRequested, settings: Settings, now: datetime) -> None:
    _to_requester(session, event.ticket, "lost_link", settings, now,
                  link=ticket_link(session, event.ticket, settings, now))


def _mail_too_large(session: Session, event: events.MailTooLarge, settings: Settings, now: datetime) -> None:
    """Tell the sender; the ticket (number, thread, a link to add files) only when it is theirs."""
    ticket, facts = event.ticket, event.facts
    known = ticket is not None and _vouched_for(session, ticket, this_one_too=True)  # else no words of theirs
    outbox.enqueue(session, template="mail_too_large", to=event.to,
                   locale=ticket.locale if ticket else settings.locale, ticket_id=ticket.id if ticket else None,
                   settings=settings, now=now, context=dict(
                       ticket_number=ticket.id if ticket else None,
                       link=ticket_link(session, ticket, settings, now) if ticket else None,
                       subject=facts["subject"] if known else None,
                       size_mb=facts["size"], limit_mb=facts["limit"]))


# ---------------------------------------------------------------- accounts and reports

def _staff_invited(session: Session, event: events.StaffInvited, settings: Settings, now: datetime) -> None:
    user = event.user
    _to_user(session, user, "set_password", settings, now, name=user.name, role=user.role,
             days=tokens.LIFETIME[tokens.SET_PASSWORD].days,
             link=account_link(settings, "set", event.raw_token, user.locale))


def _verification(session: Session, event: events.VerificationRequested, settings: Settings, now: datetime) -> None:
    user = event.user
    _to_user(session, user, "verify_email", settings, now, name=user.name,
             link=account_link(settings, "verify", event.raw_token, user.locale))


def _reset(session: Session, event: events.PasswordResetRequested, settings: Settings, now: datetime) -> None:
    user = event.user
    _to_user(session, user, "password_reset", settings, now, name=user.name,
             link=account_link(settings, "reset", event.raw_token, user.locale))


def _digest(session: Session, event: events.DigestDue, settings: Settings, now: datetime) -> None:
    _to_user(session, event.user, "manager_digest", settings, now, **event.context)


def _no_email(session: Session, event: object, settings: Settings, now: datetime) -> None:
    """Internal notes never reach an email; an SLA breach is for the workbench and webhooks."""


Handler = Callable[[Session, Any, Settings, datetime], None]
HANDLERS: dict[type, Handler] = {
    events.TicketCreated: _created,
    events.CustomerReplied: _customer_replied,
    events.AgentReplied: _agent_replied,
    events.StatusChanged: _status_changed,
    events.SurveyDue: _survey_due,
    events.Merged: _merged,
    events.Assigned: _assigned,
    events.SurveyAnswered: _survey_answered,
    events.LowScoreWaited: _survey_answered,
    events.ReminderDue: _reminder_due,
    events.LinkRequested: _link_requested,
    events.MailTooLarge: _mail_too_large,
    events.StaffInvited: _staff_invited,
    events.VerificationRequested: _verification,
    events.PasswordResetRequested: _reset,
    events.DigestDue: _digest,
    events.NoteAdded: _no_email,
    events.SlaBreached: _no_email,
}
