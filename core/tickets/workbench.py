"""What the agent's ticket screen shows, loaded in one place (the page stays free of SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.accounts import service as accounts
from core.desk import catalog
from core.mail import original
from core.models import CannedResponse, InboundMail, Message, Product, Survey, Ticket, TicketMetrics, User
from core.tickets import attachments, followers, queues
from core.tickets import service as tickets


@dataclass
class TicketScreen:
    ticket: Ticket
    messages: list[Message]
    shown: dict[int, bytes | None]  # attachment id -> what the page draws (attachments.shown_content)
    metrics: TicketMetrics | None
    originals: dict[int, original.Original]  # message id -> its email, decoded (core.mail.original)
    tags: list[str] = field(default_factory=list)
    others: list[queues.Row] = field(default_factory=list)  # the requester's other tickets, newest first
    followers: list[User] = field(default_factory=list)  # the others copied on the conversation
    survey: Survey | None = None  # the customer's score and comment, once answered


def load(session: Session, ticket_id: int) -> TicketScreen:
    """The ticket, its whole conversation (notes included), files, metrics, tags and the requester's other
    tickets. (Its history, drawn only when asked for: core.tickets.history.lines.)"""
    ticket = tickets.get_ticket(session, ticket_id)
    _ = (ticket.requester, ticket.assignee, ticket.product)
    messages = list(session.scalars(
        select(Message).where(Message.ticket_id == ticket_id).options(
            selectinload(Message.attachments), selectinload(Message.author)).order_by(Message.created_at, Message.id)))
    shown = {a.id: attachments.shown_content(session, a) for m in messages for a in m.attachments}
    ids = [m.email_message_id for m in messages if m.email_message_id]
    originals = {}
    if ids:
        raw = dict(session.execute(select(InboundMail.message_id, InboundMail.raw)
                                   .where(InboundMail.message_id.in_(ids))).all())
        originals = {m.id: original.read(raw[m.email_message_id]) for m in messages if m.email_message_id in raw}
    return TicketScreen(ticket, messages, shown, session.get(TicketMetrics, ticket_id), originals,
                        tickets.tags_of(session, ticket_id),
                        queues.requester_tickets(session, ticket.requester_id, exclude=ticket_id, limit=5),
                        followers.of(session, ticket_id),
                        session.scalar(select(Survey).where(Survey.ticket_id == ticket_id)))


def staff(session: Session) -> list[User]:
    """Who a ticket can be given to."""
    return accounts.staff(session)


def products(session: Session) -> list[Product]:
    return catalog.products(session)


def canned(session: Session, locale: str) -> list[CannedResponse]:
    return list(session.scalars(select(CannedResponse).where(CannedResponse.active, CannedResponse.locale == locale)
                                .order_by(CannedResponse.title)))


def fill_placeholders(text: str, ticket: Ticket) -> str:
    """Canned-response placeholders: {name}, {first_name}, {ticket}."""
    name = ticket.requester.name
    return (text.replace("{name}", name).replace("{first_name}", name.split()[0] if name else "")
            .replace("{ticket}", str(ticket.id)))
