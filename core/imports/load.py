"""Writing imported tickets: the rows the services would leave, in bulk, told to nobody.

`load` takes `records.Record`s from any source (core.imports.zendesk, core.imports.csvfile) and plays each
ticket's story into core.tickets.bulk's BulkWriter (the bulk path of the demo data): the ticket at its original
time, its comments as customer messages, public replies and internal notes, its assignee, its last known
status and its satisfaction rating. The writer keeps every change as a `ticket_events` row and computes
`ticket_metrics` from those events with core.tickets.metrics.row_values, as every service does, and writes
the search rows; nothing records a domain event, so no email is sent. Tags, files and organizations are
written after, through the same checks the pages use.

Importing twice adds nothing: a ticket's original number is kept in `tickets.external_id` ("zendesk:123",
unique), people are found by address, organizations by their external id, and a second run only fills in
tags a first run did not write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from core import events
from core.accounts import service as accounts
from core.config import Settings
from core.db import unit_of_work
from core.errors import Collector, DomainError, ValidationError
from core.imports.records import Comment, Person, Record, Summary
from core.models import Message, Organization, Ticket, TicketTag, User, utcnow
from core.tickets import attachments, bulk, workflow
from core.tickets.service import MAX_TAGS, TAG

FILES_PER_TRANSACTION = 200


def load(factory: sessionmaker[Session], records: Sequence[Record], summary: Summary, settings: Settings, *,
         progress: Callable[[int], None] | None = None) -> Summary:
    """Write the records not imported before; `summary` counts what was added and what was skipped, and why."""
    with factory() as session:
        known = set(session.scalars(select(Ticket.external_id).where(Ticket.external_id.is_not(None))))
        users_before = session.scalar(select(func.count()).select_from(User)) or 0
    todo: list[Record] = []
    seen: set[str] = set()
    for record in records:
        if record.external_id in known:
            summary.skip("ticket already imported", record.external_id)
        elif record.external_id in seen:
            summary.skip("ticket twice in the export (the first one is kept)", record.external_id)
        else:
            seen.add(record.external_id)
            todo.append(record)
    staff = _staff(factory, todo, summary)
    organizations = _organizations(factory, todo, summary)
    files: list[tuple[int, str, list]] = []  # (message id, ticket, files) of the tickets played, not yet stored
    stories, now = iter(todo), utcnow()

    def play(writer: bulk.BulkWriter) -> None:
        writer.registered_every = 0  # imported customers get no account: they register, or follow their links
        _play(writer, next(stories), staff, organizations, files, summary, settings, writer.time(now))

    def written(done: int) -> None:
        """A batch is in: its files now (the writer plays one batch ahead, so only messages already written)."""
        with factory() as session:
            last = session.scalar(select(func.max(Message.id))) or 0
        ready = [item for item in files if item[0] <= last]
        files[:] = [item for item in files if item[0] > last]
        _files(factory, ready, summary, settings)
        if progress is not None:
            progress(done)

    summary.added["tickets"] += bulk.seed(factory, play, len(todo), settings=settings, progress=written) if todo else 0
    _tags(factory, records, summary)
    with factory() as session:
        added = (session.scalar(select(func.count()).select_from(User)) or 0) - users_before
    summary.added["customers"] += added - summary.added["staff accounts"]
    return summary


def _play(writer: bulk.BulkWriter, record: Record, staff: dict[str, int], organizations: dict[str, int],
          files: list[tuple[int, str, list]], summary: Summary, settings: Settings, imported_at: object) -> None:
    """One ticket's story, step by step, at its original times."""
    first, *rest = record.comments
    message_id = writer.next_message
    ticket = writer.create(name=record.requester.name, email=record.requester.email, subject=record.subject,
                           description=first.body, kind=record.kind, product_id=None, priority=record.priority,
                           channel=record.channel, locale=settings.locale, now=record.created_at)
    ticket.external_id, ticket.imported_at = record.external_id, imported_at
    if record.organization is not None:
        ticket.organization_id = organizations.get(record.organization[0])
    summary.added["messages"] += 1
    _keep_files(files, message_id, record, first)
    if record.assignee is not None and record.assignee.email in staff:
        writer.assign(ticket, staff[record.assignee.email], record.created_at)
    last = record.created_at
    for comment in rest:
        last = max(last, comment.at)
        message_id = writer.next_message
        author = staff.get(comment.author.email) if comment.author is not None and comment.author.staff else None
        if not comment.public:
            writer.note(ticket, author, comment.body, last)  # type: ignore[arg-type]
            summary.added["internal notes"] += 1
        elif comment.author is not None and comment.author.staff:  # (no author when the account was refused)
            writer.reply(ticket, author, comment.body, None, last)  # type: ignore[arg-type]
            summary.added["messages"] += 1
        else:
            writer.customer_message(ticket, comment.body, last)
            summary.added["messages"] += 1
        _keep_files(files, message_id, record, comment)
    _last_status(writer, ticket, record, max(last, record.updated_at), summary)
    if record.rating is not None:
        writer.send_survey(ticket, ticket.solved_at or max(last, record.updated_at))
        if record.rating.score is not None:
            writer.answer_survey(ticket, record.rating.score, record.rating.comment,
                                 record.rating.at or max(last, record.updated_at))
        summary.added["satisfaction ratings"] += 1
    if record.updated_at > ticket.updated_at:  # the export's last change, when it is later than what was played
        ticket.updated_at, ticket.stored_updated = record.updated_at, writer.time(record.updated_at)


def _last_status(writer: bulk.BulkWriter, ticket: object, record: Record, at: datetime, summary: Summary) -> None:
    """The status the export ends in (closed is reached through solved; a ticket never returns to new)."""
    status, target = ticket.status, record.status  # type: ignore[attr-defined]
    if target == status:
        return
    if target == workflow.NEW:
        summary.skip("status 'new' after an agent's reply: kept open", record.external_id)
    elif target == workflow.CLOSED:
        if status != workflow.SOLVED:
            writer.solve(ticket, at)  # type: ignore[arg-type]
        writer.close(ticket, at)  # type: ignore[arg-type]
    else:
        writer.set_status(ticket, None, target, at)  # type: ignore[arg-type]


def _keep_files(files: list[tuple[int, str, list]], message_id: int, record: Record, comment: Comment) -> None:
    if comment.files:
        files.append((message_id, record.external_id, comment.files))


def _staff(factory: sessionmaker[Session], todo: Sequence[Record], summary: Summary) -> dict[str, int]:
    """The staff the tickets name (assignees, authors of replies and notes): found by address or created
    without a password (they set one through "Forgot password" or an admin's invitation)."""
    wanted: dict[str, Person] = {}
    for record in todo:
        for person in (record.assignee, *(comment.author for comment in record.comments)):
            if person is not None and person.staff:
                wanted.setdefault(person.email, person)
    found: dict[str, int] = {}
    with unit_of_work(factory) as session:
        events.quiet(session)
        for email, person in wanted.items():
            user = accounts.find_by_email(session, email)
            if user is None:
                try:
                    with session.begin_nested():
                        user = accounts.create_user(session, email=email, name=person.name, role=person.role)
                except DomainError as exc:
                    summary.skip("staff account refused", f"{email}: {exc.message('en')}")
                    continue
                summary.added["staff accounts"] += 1
            found[email] = user.id
    return found


def _organizations(factory: sessionmaker[Session], todo: Sequence[Record], summary: Summary) -> dict[str, int]:
    wanted = dict(record.organization for record in todo if record.organization is not None)
    with unit_of_work(factory) as session:
        events.quiet(session)
        found = {external: id_ for id_, external in session.execute(
            select(Organization.id, Organization.external_id).where(Organization.external_id.is_not(None)))}
        for external, name in wanted.items():
            if external not in found:
                organization = Organization(name=name[:200], external_id=external)
                session.add(organization)
                session.flush()
                found[external] = organization.id
                summary.added["organizations"] += 1
    return found


def _tags(factory: sessionmaker[Session], records: Sequence[Record], summary: Summary) -> None:
    """Each imported ticket's tags (lower case, as core.tickets.service.clean_tags); only missing ones are added."""
    with unit_of_work(factory) as session:
        events.quiet(session)
        ids = dict(session.execute(select(Ticket.external_id, Ticket.id).where(Ticket.external_id.is_not(None))).all())
        have = {(row[0], row[1]) for row in session.execute(select(TicketTag.ticket_id, TicketTag.tag))}
        rows = []
        for record in records:
            ticket_id = ids.get(record.external_id)
            if ticket_id is None or not record.tags:
                continue
            tags = sorted({tag.strip().lower() for tag in record.tags if tag.strip()})
            for tag in tags[MAX_TAGS:]:
                summary.skip(f"more than {MAX_TAGS} tags on a ticket", f"{record.external_id} {tag}")
            for tag in tags[:MAX_TAGS]:
                if not TAG.fullmatch(tag):
                    summary.skip("tag with other characters than letters, digits, - and _", tag[:60])
                elif (ticket_id, tag) not in have:
                    have.add((ticket_id, tag))
                    rows.append({"ticket_id": ticket_id, "tag": tag})
        for start in range(0, len(rows), 5000):
            session.execute(insert(TicketTag), rows[start:start + 5000])
        summary.added["tags"] += len(rows)


def _files(factory: sessionmaker[Session], files: list[tuple[int, str, list]], summary: Summary,
           settings: Settings) -> None:
    """The files of the comments, read from the export and checked by content like every upload."""
    for start in range(0, len(files), FILES_PER_TRANSACTION):
        with unit_of_work(factory) as session:
            events.quiet(session)
            for message_id, ticket, found in files[start:start + FILES_PER_TRANSACTION]:
                checked = list(_checked(found, ticket, summary, settings))
                if checked:
                    message = session.get_one(Message, message_id)
                    for attachment in attachments.store(session, message, checked):
                        attachment.created_at = message.created_at
                    summary.added["attachments"] += len(checked)


def _checked(files: list, ticket: str, summary: Summary, settings: Settings) -> Iterator[attachments.CheckedFile]:
    for file in files:
        try:
            content = file.path.read_bytes()
        except OSError:
            summary.skip("attachment not in the export folder", f"{ticket} {file.name}")
            continue
        errors = Collector()
        checked = attachments.check_uploads([attachments.Upload(file.name, content)], settings, errors)
        if not checked:
            summary.skip("attachment refused by the content check",
                         f"{ticket}: {ValidationError(errors.errors).messages('en')['attachments']}")
        yield from checked
