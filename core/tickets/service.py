"""Ticket service: create, messages, status, assignment and fields.

Every function changes one ticket in the caller's transaction (see core.db.unit_of_work)
and writes one ticket_events row per changed field in that same transaction. Staff
changes may carry the `expected_version` the agent saw; when the ticket has moved on
since, ConflictError names what changed and nothing is written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from core import events, i18n
from core.accounts import service as accounts
from core.config import Settings, get_settings
from core.errors import Collector, ConflictError, DomainError, ForbiddenTransition, NotFound
from core.models import Message, Product, Ticket, TicketEvent, TicketTag, User, utcnow
from core.tickets import attachments, metrics, search, workflow
from core.tickets.attachments import Upload

UNSET: Any = object()
# event field -> Ticket attribute; replaying these events rebuilds the ticket's state
TRACKED = {
    "status": "status", "priority": "priority", "kind": "kind", "product": "product_id",
    "assignee": "assignee_id", "subject": "subject", "requester": "requester_id",
    "channel": "channel", "follow_up_of": "follow_up_of_id", "close_reason": "close_reason",
}
TAG = re.compile(r"[\w-]{1,40}")  # letters (any language), digits, - and _
MAX_TAGS = 20
EVENT_TEXT = 255  # TicketEvent.old / new


# ---------------------------------------------------------------- validation

def _text(errors: Collector, field: str, value: str, limit: int, *, one_line: bool = False) -> str:
    value = (value or "").strip()
    if one_line:
        value = " ".join(value.split())
    if not value:
        errors.add(field, "errors.required")
    elif len(value) > limit:
        errors.add(field, "errors.too_long", max=limit, length=len(value))
    return value


def _choice(errors: Collector, field: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        errors.add(field, "errors.choice", choices=", ".join(choices))


def _product(session: Session, errors: Collector, product_id: int | None) -> None:
    if product_id is None:
        return
    product = session.get(Product, product_id)
    if product is None or not product.active:
        errors.add("product", "errors.unknown_product")


# ---------------------------------------------------------------- events

def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def _record(session: Session, ticket: Ticket, actor_id: int | None, now: datetime,
            field: str, old: object, new: object, *, version: int | None = None) -> None:
    """One event; `version` is the ticket's version once this change is flushed."""
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor_id, at=now, field=field,
                            old=_as_text(old), new=_as_text(new), version=version or ticket.version + 1))


def _change(session: Session, ticket: Ticket, actor_id: int | None, now: datetime,
            field: str, new: object, settings: Settings | None = None) -> bool:
    """Set one tracked field, writing its event; False when it already had that value.

    A status change is also a domain event (the notifier tells whom it concerns)."""
    attribute = TRACKED[field]
    old = getattr(ticket, attribute)
    if old == new:
        return False
    if field == "status":
        set_status_times(ticket, old, new, now)
        events.record(session, events.StatusChanged(ticket, old, new, actor_id), settings or get_settings(), now)
    setattr(ticket, attribute, new)
    _record(session, ticket, actor_id, now, field, old, new)
    return True


def set_status_times(ticket: Ticket, old: str, new: str, now: datetime) -> None:
    """solved_at and closed_at follow a status change (the bulk demo writer uses it too)."""
    if new == workflow.SOLVED:
        ticket.solved_at = now
    elif new == workflow.CLOSED:
        ticket.closed_at = now
    elif old == workflow.SOLVED:
        ticket.solved_at = None


def replay(events: Sequence[TicketEvent]) -> dict[str, str | None]:
    """The ticket's tracked fields as its events say, in version order."""
    state: dict[str, str | None] = {}
    for event in sorted(events, key=lambda e: (e.version, e.id or 0)):
        if event.field in TRACKED:
            state[event.field] = event.new
    return state


def events_of(session: Session, ticket_id: int, after_version: int = 0) -> list[TicketEvent]:
    return list(session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, TicketEvent.version > after_version)
        .order_by(TicketEvent.version, TicketEvent.id)))


def describe(session: Session, event: TicketEvent) -> str:
    who = session.get(User, event.actor_id).name if event.actor_id else "system"
    when = event.at.strftime("%Y-%m-%d %H:%M UTC")
    if event.field == "message":
        return f"new {event.new} message ({who}, {when})"
    return f"{event.field}: {event.old or '—'} → {event.new or '—'} ({who}, {when})"


# ---------------------------------------------------------------- loading

def get_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket; `lock`: its row locked until the transaction ends (PostgreSQL; the requester joined in is not)
    and read again as it is now."""
    ticket = session.get(Ticket, ticket_id, with_for_update={"of": Ticket} if lock else None, populate_existing=lock)
    if ticket is None:
        raise NotFound(what="Ticket", id=ticket_id)
    return ticket


def _for_change(session: Session, ticket_id: int, expected_version: int | None) -> Ticket:
    """The ticket to change; with the version its changer saw, its row is locked first (PostgreSQL) and read
    again, so two changes from the same version wait for each other and the second sees the first's version:
    read without the lock, both could pass the check and both be applied (tests/core/test_tickets.py)."""
    ticket = get_ticket(session, ticket_id, lock=expected_version is not None)
    if expected_version is not None and ticket.version != expected_version:
        changes = [describe(session, e) for e in events_of(session, ticket_id, expected_version)]
        raise ConflictError(ticket_id, changes)
    return ticket


def at_version(session: Session, ticket_id: int, expected_version: int | None) -> Ticket:
    """The ticket while it is still at `expected_version` (None: any); else ConflictError naming what changed
    (the REST API checks If-Match with it before a change of several fields)."""
    return _for_change(session, ticket_id, expected_version)


def _open_for_change(session: Session, ticket_id: int, expected_version: int | None) -> Ticket:
    ticket = _for_change(session, ticket_id, expected_version)
    if ticket.status == workflow.CLOSED:
        raise DomainError("errors.closed_final", ticket=ticket_id)
    return ticket


def _finish(session: Session, ticket: Ticket, now: datetime) -> None:
    """Bump the ticket (its version goes up once), refresh its metrics, flush."""
    ticket.updated_at = now
    ticket_id = ticket.id  # read now: after a failed flush the session refuses to load anything
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(ticket_id, ["changed by another user at the same moment"]) from None
    metrics.refresh(session, ticket, now)
    session.flush()
    search.index_ticket(session, ticket.id)


def _bump(session: Session, ticket: Ticket, now: datetime) -> None:
    """_finish for a change outside the ticket's row (tags, moved messages): the version still goes up."""
    ticket.updated_at = now
    flag_modified(ticket, "updated_at")
    _finish(session, ticket, now)


def _message(session: Session, ticket: Ticket, *, kind: str, body: str, author_id: int | None,
             via: str, files: Sequence[attachments.CheckedFile], now: datetime,
             email_message_id: str | None, version: int | None = None, sender_unverified: bool = False) -> Message:
    message = Message(kind=kind, body=body, author_id=author_id, via=via, created_at=now,
                      email_message_id=email_message_id, sender_unverified=sender_unverified)
    message.ticket_id = ticket.id
    session.add(message)
    attachments.store(session, message, files)
    _record(session, ticket, author_id, now, "message", None, kind, version=version)
    return message


# ---------------------------------------------------------------- services

def create_ticket(session: Session, *, name: str, email: str, subject: str, description: str,
                  kind: str = "question", product_id: int | None = None, priority: str = "normal",
                  channel: str = "web", locale: str = "en", uploads: Sequence[Upload] = (),
                  follow_up_of_id: int | None = None, email_message_id: str | None = None,
                  sender_unverified: bool = False, settings: Settings | None = None,
                  now: datetime | None = None) -> Ticket:
    """Open a ticket with its first message and attachments, all or nothing (`sender_unverified`: the
    address is an account's and nothing proved the sender is its owner)."""
    settings = settings or get_settings()
    now = now or utcnow()
    errors = Collector()
    clean_name = accounts.check_name(errors, name)
    address = accounts.check_email(errors, email)
    clean_subject = _text(errors, "subject", subject, settings.max_subject_chars, one_line=True)
    body = _text(errors, "description", description, settings.max_body_chars)
    _choice(errors, "kind", kind, workflow.KINDS)
    _choice(errors, "priority", priority, workflow.PRIORITIES)
    _choice(errors, "channel", channel, workflow.CHANNELS)
    _product(session, errors, product_id)
    files = attachments.check_uploads(uploads, settings, errors)
    errors.raise_if_any()

    requester = accounts.customer_for(session, email=address, name=clean_name, locale=locale)
    ticket = Ticket(requester_id=requester.id, subject=clean_subject, kind=kind, product_id=product_id,
                    priority=priority, status=workflow.NEW, channel=channel, locale=locale,
                    follow_up_of_id=follow_up_of_id, created_at=now, updated_at=now)
    session.add(ticket)
    session.flush()
    for field in ("status", "priority", "kind", "product", "subject", "requester", "channel", "follow_up_of"):
        value = getattr(ticket, TRACKED[field])
        if value is not None:
            _record(session, ticket, requester.id, now, field, None, value, version=1)
    _message(session, ticket, kind="customer", body=body, author_id=requester.id, via=channel,
             files=files, now=now, email_message_id=email_message_id, version=1, sender_unverified=sender_unverified)
    session.flush()
    metrics.refresh(session, ticket, now)
    session.flush()
    search.index_ticket(session, ticket.id)
    events.record(session, events.TicketCreated(ticket, body), settings, now)
    return ticket


def add_customer_message(session: Session, ticket_id: int, *, body: str, uploads: Sequence[Upload] = (),
                         via: str = "web", email_message_id: str | None = None, sender_unverified: bool = False,
                         settings: Settings | None = None, now: datetime | None = None,
                         author_id: int | None = None) -> Message:
    """The requester (or a follower, `author_id`) adds to the ticket: pending, on-hold and solved become open.

    On a closed ticket the message opens a follow-up ticket linked to it, or joins the one it
    already has while that is not closed (so a closed ticket's link cannot open tickets without
    end); the returned message then belongs to the follow-up.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id)
    if ticket.status == workflow.CLOSED:
        target = merged_into(session, ticket)
        if target is None or target.requester_id != ticket.requester_id or target.status == workflow.CLOSED:
            target = _live_follow_up(session, ticket)
        if target is not None:
            return add_customer_message(session, target.id, body=body, uploads=uploads, via=via,
                                        email_message_id=email_message_id, sender_unverified=sender_unverified,
                                        settings=settings, now=now)
        return open_follow_up(session, ticket_id, body=body, uploads=uploads, via=via,
                              email_message_id=email_message_id, sender_unverified=sender_unverified,
                              settings=settings, now=now)
    errors = Collector()
    text = _text(errors, "body", body, settings.max_body_chars)
    files = attachments.check_uploads(uploads, settings, errors)
    errors.raise_if_any()
    author_id = author_id or ticket.requester_id
    _change(session, ticket, author_id, now, "status", workflow.status_after_customer_message(ticket.status), settings)
    message = _message(session, ticket, kind="customer", body=text, author_id=author_id,
                       via=via, files=files, now=now, email_message_id=email_message_id,
                       sender_unverified=sender_unverified)
    _finish(session, ticket, now)
    events.record(session, events.CustomerReplied(ticket, message), settings, now)
    return message


def _live_follow_up(session: Session, ticket: Ticket) -> Ticket | None:
    """The newest follow-up of a closed ticket that is not closed itself."""
    return session.scalar(select(Ticket).where(Ticket.follow_up_of_id == ticket.id, Ticket.status != workflow.CLOSED)
                          .order_by(Ticket.id.desc()).limit(1))


def requester_email(session: Session, ticket_id: int) -> str | None:
    """The address of a ticket's requester (None for no such ticket): what a merge form warns about."""
    ticket = session.get(Ticket, ticket_id)
    return ticket.requester.email if ticket is not None else None


def merged_into(session: Session, ticket: Ticket) -> Ticket | None:
    """The ticket this one was merged into, if it was."""
    if ticket.close_reason != "merged":
        return None
    target = session.scalar(select(TicketEvent.new).where(TicketEvent.ticket_id == ticket.id,
                                                          TicketEvent.field == "merged_into")
                            .order_by(TicketEvent.id.desc()).limit(1))
    return session.get(Ticket, int(target)) if target and target.isdigit() else None


def open_follow_up(session: Session, ticket_id: int, *, body: str, uploads: Sequence[Upload] = (),
                   via: str = "web", email_message_id: str | None = None, sender_unverified: bool = False,
                   settings: Settings | None = None, now: datetime | None = None) -> Message:
    """A new ticket that continues a closed one, for the same requester."""
    old = get_ticket(session, ticket_id)
    if old.status != workflow.CLOSED:
        raise ForbiddenTransition(old=old.status, new="follow-up")
    requester = old.requester
    follow_up = create_ticket(
        session, name=requester.name, email=requester.email, subject=old.subject, description=body,
        kind=old.kind, product_id=old.product_id, priority=old.priority, channel=via, locale=old.locale,
        uploads=uploads, follow_up_of_id=old.id, email_message_id=email_message_id,
        sender_unverified=sender_unverified, settings=settings, now=now)
    return session.scalars(select(Message).where(Message.ticket_id == follow_up.id)).one()


def add_agent_reply(session: Session, ticket_id: int, *, agent_id: int, body: str,
                    uploads: Sequence[Upload] = (), status: str | None = None,
                    expected_version: int | None = None, settings: Settings | None = None,
                    now: datetime | None = None) -> Message:
    """A public answer, submitted with a status ("submit as"); new becomes open by default. An unassigned
    ticket becomes the replier's (MESA_ASSIGN_ON_REPLY, on by default)."""
    settings = settings or get_settings()
    now = now or utcnow()
    agent = accounts.active_staff(session, agent_id)
    ticket = _open_for_change(session, ticket_id, expected_version)
    errors = Collector()
    text = _text(errors, "body", body, settings.max_body_chars)
    files = attachments.check_uploads(uploads, settings, errors)
    target = workflow.status_after_agent_reply(ticket.status, status)
    if target != ticket.status and not workflow.can_transition(ticket.status, target):
        errors.add("status", "errors.transition", old=ticket.status, new=target)
    errors.raise_if_any()
    message = _message(session, ticket, kind="agent", body=text, author_id=agent.id, via="web",
                       files=files, now=now, email_message_id=None)
    events.record(session, events.AgentReplied(ticket, message), settings, now)
    if ticket.assignee_id is None and settings.assign_on_reply:  # who answers owns it (and its survey's score)
        _change(session, ticket, agent.id, now, "assignee", agent.id)
    _change(session, ticket, agent.id, now, "status", target, settings)
    _finish(session, ticket, now)
    return message


def add_internal_note(session: Session, ticket_id: int, *, agent_id: int, body: str,
                      uploads: Sequence[Upload] = (), expected_version: int | None = None,
                      settings: Settings | None = None, now: datetime | None = None) -> Message:
    """A note for staff only; it never changes the status and never reaches the customer."""
    settings = settings or get_settings()
    now = now or utcnow()
    agent = accounts.active_staff(session, agent_id)
    ticket = _for_change(session, ticket_id, expected_version)
    errors = Collector()
    text = _text(errors, "body", body, settings.max_body_chars)
    files = attachments.check_uploads(uploads, settings, errors)
    errors.raise_if_any()
    message = _message(session, ticket, kind="note", body=text, author_id=agent.id, via="web",
                       files=files, now=now, email_message_id=None)
    events.record(session, events.NoteAdded(ticket, message), settings, now)  # no email: webhooks only
    _finish(session, ticket, now)
    return message


def add_system_note(session: Session, ticket_id: int, *, body: str, uploads: Sequence[Upload] = (),
                    email_message_id: str | None = None, now: datetime | None = None) -> Message:
    """A note written by Mesa itself (automatic mail, refused files, low scores): staff only.

    Its files were checked by the caller; it changes no status.
    """
    now = now or utcnow()
    ticket = get_ticket(session, ticket_id)
    files = [attachments.CheckedFile(attachments.safe_filename(u.filename), attachments.sniff(u.content), u.content,
                                     hashlib.sha256(u.content).hexdigest()) for u in uploads]
    message = _message(session, ticket, kind="note", body=body, author_id=None, via="email" if email_message_id
                       else "web", files=files, now=now, email_message_id=email_message_id)
    _finish(session, ticket, now)
    return message


def change_status(session: Session, ticket_id: int, *, status: str, actor_id: int | None,
                  expected_version: int | None = None, settings: Settings | None = None,
                  now: datetime | None = None) -> Ticket:
    """Move a ticket by hand or by automation (actor None), as the rules allow."""
    now = now or utcnow()
    if actor_id is not None:
        accounts.active_staff(session, actor_id)
    ticket = _for_change(session, ticket_id, expected_version)
    if status == ticket.status:
        return ticket
    if not workflow.can_transition(ticket.status, status):
        raise ForbiddenTransition(old=ticket.status, new=status)
    _change(session, ticket, actor_id, now, "status", status, settings)
    _finish(session, ticket, now)
    return ticket


def close_as(session: Session, ticket_id: int, *, reason: str, actor_id: int | None,
             expected_version: int | None = None, now: datetime | None = None) -> Ticket:
    """Close a live or solved ticket as spam or merged, at once: no survey, no email.

    (A merge tells the requester itself, in its own words.)
    """
    now = now or utcnow()
    if actor_id is not None:
        accounts.active_staff(session, actor_id)
    ticket = _open_for_change(session, ticket_id, expected_version)
    errors = Collector()
    _choice(errors, "reason", reason, workflow.CLOSE_REASONS)
    errors.raise_if_any()
    _close_with_reason(session, ticket, actor_id, now, reason)
    _finish(session, ticket, now)
    return ticket


def _close_with_reason(session: Session, ticket: Ticket, actor_id: int | None, now: datetime, reason: str) -> None:
    """The reason, then solved and closed at once (closed is reached only from solved)."""
    _change(session, ticket, actor_id, now, "close_reason", reason)
    _change(session, ticket, actor_id, now, "status", workflow.SOLVED)
    _change(session, ticket, actor_id, now, "status", workflow.CLOSED)


def merge(session: Session, source_id: int, target_id: int, actor_id: int, settings: Settings | None = None,
          now: datetime | None = None, expected_version: int | None = None) -> Ticket:
    """Merge a duplicate into `target_id`: the source's messages (with their files and times) move
    there, both tickets get a note and events, the source closes as merged (no survey) and its
    requester is told by email. Returns the target.

    A customer sees only what was written by them or to them: when the two tickets have different
    requesters, the source's conversation becomes internal notes on the target (its authors and
    files kept for staff), and the target's note says so.
    """
    settings = settings or get_settings()
    now = now or utcnow()
    agent = accounts.active_staff(session, actor_id)
    if source_id == target_id:
        raise DomainError("errors.merge_self")
    source = _for_change(session, source_id, expected_version)
    if source.status == workflow.CLOSED:
        raise DomainError("errors.merge_closed_source", ticket=source_id)
    target = get_ticket(session, target_id)
    if target.status == workflow.CLOSED:
        raise DomainError("errors.merge_closed_target", ticket=target_id)
    session.flush()
    private = source.requester_id != target.requester_id
    moved = {"ticket_id": target_id, "kind": "note"} if private else {"ticket_id": target_id}
    session.execute(update(Message).where(Message.ticket_id == source_id).values(**moved))
    notes = ((source, "mail.merged_note_source", "merged_into", target_id),
             (target, "mail.merged_note_target", "merged_from", source_id))
    for ticket, key, field, other in notes:
        body = i18n.t(key, settings.locale, source=source_id, target=target_id, subject=source.subject,
                      agent=agent.name)
        if private and ticket is target:
            body += " " + i18n.t("mail.merged_note_private", settings.locale, requester=source.requester.email)
        _message(session, ticket, kind="note", body=body, author_id=agent.id, via="web", files=[], now=now,
                 email_message_id=None)
        _record(session, ticket, agent.id, now, field, None, other)
    _close_with_reason(session, source, agent.id, now, "merged")
    _finish(session, source, now)
    _bump(session, target, now)
    events.record(session, events.Merged(source, target), settings, now)
    return target


def mark_solved_by_customer(session: Session, ticket_id: int, *, requester_id: int,
                            settings: Settings | None = None, now: datetime | None = None) -> Ticket:
    """The requester says the problem is gone.

    A missing ticket and someone else's are refused alike: the answer tells nothing of
    which ticket numbers exist or what state they are in.
    """
    now = now or utcnow()
    found = session.get(Ticket, ticket_id)
    if found is None or found.requester_id != requester_id:
        raise DomainError("errors.not_requester", ticket=ticket_id)
    ticket = _open_for_change(session, ticket_id, None)
    if ticket.status == workflow.SOLVED:
        return ticket
    _change(session, ticket, requester_id, now, "status", workflow.SOLVED, settings)
    _finish(session, ticket, now)
    return ticket


def assign(session: Session, ticket_id: int, *, actor_id: int | None, assignee_id: int | None,
           expected_version: int | None = None, settings: Settings | None = None,
           now: datetime | None = None) -> Ticket:
    """Give the ticket to an active staff member, or back to the unassigned queue (None)."""
    now = now or utcnow()
    actor = accounts.active_staff(session, actor_id) if actor_id is not None else None
    if assignee_id is not None:
        accounts.active_staff(session, assignee_id)
    ticket = _open_for_change(session, ticket_id, expected_version)
    if _change(session, ticket, actor_id, now, "assignee", assignee_id):
        _finish(session, ticket, now)
        events.record(session, events.Assigned(ticket, actor), settings or get_settings(), now)
    return ticket


def update_fields(session: Session, ticket_id: int, *, actor_id: int, priority: str = UNSET,
                  kind: str = UNSET, product_id: int | None = UNSET,
                  expected_version: int | None = None, now: datetime | None = None) -> Ticket:
    """Change priority, kind and product; only the given ones."""
    now = now or utcnow()
    accounts.active_staff(session, actor_id)
    ticket = _open_for_change(session, ticket_id, expected_version)
    errors = Collector()
    if priority is not UNSET:
        _choice(errors, "priority", priority, workflow.PRIORITIES)
    if kind is not UNSET:
        _choice(errors, "kind", kind, workflow.KINDS)
    if product_id is not UNSET:
        _product(session, errors, product_id)
    errors.raise_if_any()
    changed = [
        _change(session, ticket, actor_id, now, field, value)
        for field, value in (("priority", priority), ("kind", kind), ("product", product_id))
        if value is not UNSET
    ]
    if any(changed):
        _finish(session, ticket, now)
    return ticket


# ---------------------------------------------------------------- tags

def tags_of(session: Session, ticket_id: int) -> list[str]:
    return list(session.scalars(select(TicketTag.tag).where(TicketTag.ticket_id == ticket_id).order_by(TicketTag.tag)))


def known_tags(session: Session, limit: int = 500) -> list[str]:
    """Tags in use on any ticket, for pickers."""
    return list(session.scalars(select(TicketTag.tag).distinct().order_by(TicketTag.tag).limit(limit)))


def clean_tags(errors: Collector, tags: Sequence[str]) -> list[str]:
    """Tags trimmed, lowercased, without repeats, sorted; a bad one is an error of field "tags"."""
    clean = sorted({tag.strip().lower() for tag in tags if tag.strip()})
    for tag in clean:
        if not TAG.fullmatch(tag):
            errors.add("tags", "errors.tag", tag=tag[:60])
    if len(clean) > MAX_TAGS:
        errors.add("tags", "errors.too_many_tags", max=MAX_TAGS, count=len(clean))
    return clean


def _joined(tags: Sequence[str]) -> str | None:
    text = ",".join(tags)
    return (text[:EVENT_TEXT - 1] + "…" if len(text) > EVENT_TEXT else text) or None


def set_tags(session: Session, ticket_id: int, tags: Sequence[str], actor_id: int,
             expected_version: int | None = None, now: datetime | None = None) -> list[str]:
    """Replace the ticket's tags; one "tags" event (old and new comma-joined) when they change."""
    now = now or utcnow()
    accounts.active_staff(session, actor_id)
    ticket = _open_for_change(session, ticket_id, expected_version)
    errors = Collector()
    new = clean_tags(errors, tags)
    errors.raise_if_any()
    old = tags_of(session, ticket_id)
    if new == old:
        return old
    session.execute(delete(TicketTag).where(TicketTag.ticket_id == ticket_id, TicketTag.tag.not_in(new)))
    session.add_all(TicketTag(ticket_id=ticket_id, tag=tag) for tag in new if tag not in old)
    _record(session, ticket, actor_id, now, "tags", _joined(old), _joined(new))
    _bump(session, ticket, now)
    return new


def add_tag(session: Session, ticket_id: int, tag: str, actor_id: int, now: datetime | None = None) -> list[str]:
    """One more tag (the bulk action): set_tags with the ticket's tags plus this one."""
    if not tag.strip():
        errors = Collector()
        errors.add("tags", "errors.required")
        errors.raise_if_any()
    return set_tags(session, ticket_id, [*tags_of(session, ticket_id), tag], actor_id, now=now)
