"""Time-based rules the worker runs on every pass: auto-close, pending reminders, auto-solve, late surveys,
and the managers' weekly digest (core.reports.digest).

Each rule is idempotent: running it twice at the same moment changes nothing more, because a
rule's SQL condition stops matching once the rule has acted (the ticket is closed or solved, the
reminder event is written, the survey row exists). Candidates are found with indexed SQL (by
status, then solved_at or the ticket's latest status event) in pages of `batch` ids, never by
loading every ticket. Each ticket is then changed in its own transaction, after locking it and
checking again that it is still due: a ticket that fails (a ConflictError because an agent changed
it at that very moment, say) is rolled back, logged and skipped, and the next pass retries it;
the other tickets go on.

The rules read these timings, set on the admin page (core.desk.schedule, `desk_settings`) or else by
the environment variables named:

- `close_after_days` (MESA_CLOSE_AFTER_DAYS, 4): solved becomes closed that long after solved_at.
- `reminder_after_days` (MESA_REMINDER_AFTER_DAYS, 3): one reminder email per pending period, that
  long after the ticket last became pending. A customer answer ends the period (pending -> open),
  so the next time the ticket is pending the clock starts again and it gets its own reminder.
- `auto_solve_after_days` (MESA_AUTO_SOLVE_AFTER_DAYS, 7; 0 = off): pending becomes solved that long
  after the ticket last became pending; the solve notice carries the survey as usual.
- `survey_delay_minutes` (MESA_SURVEY_DELAY_MINUTES, 0): when > 0, solved tickets without a survey
  get it that many minutes after solved_at (core.notify sends it, once per ticket).

Order within a pass: close, auto-solve, remind, surveys. A ticket due for auto-solve is solved
rather than reminded first (so with auto_solve_after_days <= reminder_after_days no reminder goes
out), and a ticket due to close gets no late survey (it could not be answered). Each rule's due
condition says so itself, not only the order: with several workers, one worker's remind step can
run before another's auto-solve step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from core import events
from core.config import Settings
from core.db import unit_of_work
from core.desk import schedule
from core.errors import ConflictError
from core.models import Survey, Ticket, TicketEvent, utcnow
from core.reports import digest
from core.tickets import service as tickets
from core.tickets import surveys, workflow

log = logging.getLogger("mesa.automations")

REMINDER_FIELD = "reminder"
REMINDER_TEMPLATE = "pending_reminder"
LOW_SCORE_WAIT = timedelta(minutes=10)  # the one-click score from the email: time to write the comment
LOW_SCORE_LATE = timedelta(hours=1)  # older than this when first seen (the worker was off): no alert

# Acts on one locked, still-due ticket; `since` is when its clock started (solved_at, or pending since).
Action = Callable[[Session, Ticket, datetime], None]


@dataclass
class AutomationReport:
    """The ids of the tickets each rule acted on in one pass."""

    closed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    auto_solved: list[int] = field(default_factory=list)
    surveyed: list[int] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)  # the managers' addresses
    low_scores: list[int] = field(default_factory=list)  # low scores told to staff without a comment


# ---------------------------------------------------------------- which tickets are due

def _since_import(since) -> ColumnElement[bool]:
    """An imported ticket's clock counts only from a change made here, after the import (core.imports): no
    email about a ticket solved or left pending long ago in the help desk it came from."""
    return Ticket.imported_at.is_(None) | (since > Ticket.imported_at)


def _solved_before(cutoff: datetime) -> Select[tuple[int, datetime]]:
    return select(Ticket.id, Ticket.solved_at).where(
        Ticket.status == workflow.SOLVED, Ticket.solved_at.is_not(None), Ticket.solved_at <= cutoff,
        _since_import(Ticket.solved_at))


def _latest_pending_event_id():
    """The id of the ticket's latest status event into pending (correlated to the outer Ticket)."""
    return (select(TicketEvent.id)
            .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.field == "status",
                   TicketEvent.new == workflow.PENDING)
            .order_by(TicketEvent.version.desc(), TicketEvent.id.desc()).limit(1)
            .correlate(Ticket).scalar_subquery())


def _pending_since_before(cutoff: datetime, *, unreminded: bool = False,
                          after: datetime | None = None) -> Select[tuple[int, datetime]]:
    """Pending tickets that became pending (the last time) at or before `cutoff` (and after `after`).

    With `unreminded`, only those without a reminder in this pending period: a reminder event
    carries the ticket's version when it was written, which is at least the version of the
    status event that started the period, and lower than that of any later period's.
    """
    since = aliased(TicketEvent)
    query = (select(Ticket.id, since.at)
             .join(since, since.id == _latest_pending_event_id())
             .where(Ticket.status == workflow.PENDING, since.at <= cutoff, _since_import(since.at)))
    if after is not None:
        query = query.where(since.at > after)
    if unreminded:
        reminder = aliased(TicketEvent)
        query = query.where(~exists().where(reminder.ticket_id == Ticket.id, reminder.field == REMINDER_FIELD,
                                            reminder.version >= since.version))
    return query


def _unsurveyed_solved_before(cutoff: datetime, closing: datetime) -> Select[tuple[int, datetime]]:
    """Solved tickets without a survey, except those closed as spam or merged (they get none) and
    those solved at or before `closing` (due to close: the survey could not be answered)."""
    wanted = Ticket.close_reason.is_(None) | Ticket.close_reason.not_in(surveys.NO_SURVEY_REASONS)
    return _solved_before(cutoff).where(wanted, Ticket.solved_at > closing,
                                        ~exists().where(Survey.ticket_id == Ticket.id))


# ---------------------------------------------------------------- one ticket at a time

def _pages(factory: sessionmaker[Session], due: Select[tuple[int, datetime]], batch: int) -> Iterator[list[int]]:
    """The due ticket ids, `batch` at a time, by id (keyset: a skipped ticket never blocks the rest)."""
    last = 0
    while True:
        with factory() as session:
            ids = list(session.scalars(
                due.with_only_columns(Ticket.id).where(Ticket.id > last).order_by(Ticket.id).limit(batch)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _act_on(factory: sessionmaker[Session], due: Select[tuple[int, datetime]], ticket_id: int,
            action: Action, rule: str) -> bool:
    """Apply `action` to one ticket in its own transaction, if it is still due; False when not done."""
    try:
        with unit_of_work(factory) as session:
            # lock the row (PostgreSQL; SQLite's write transaction already serialises) so that two
            # workers cannot both act, then check again: it may have changed since it was listed
            session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update(key_share=True))
            row = session.execute(due.where(Ticket.id == ticket_id)).first()
            if row is None:
                return False
            action(session, tickets.get_ticket(session, ticket_id), row[1])
        return True
    except ConflictError as exc:
        log.info("automation %s skipped ticket %s (changed at the same moment; retried next pass): %s",
                 rule, ticket_id, exc)
    except Exception:  # one broken ticket must not stop the others
        log.exception("automation %s failed on ticket %s; retried next pass", rule, ticket_id)
    return False


def _apply(factory: sessionmaker[Session], due: Select[tuple[int, datetime]], action: Action, rule: str,
           batch: int) -> list[int]:
    done: list[int] = []
    for ids in _pages(factory, due, batch):
        done.extend(ticket_id for ticket_id in ids if _act_on(factory, due, ticket_id, action, rule))
    return done


# ---------------------------------------------------------------- the rules

def close_solved(factory: sessionmaker[Session], settings: Settings, now: datetime, batch: int = 200) -> list[int]:
    """Solved -> closed `close_after_days` after solved_at (the customer gets the closed notice)."""
    def close(session: Session, ticket: Ticket, _since: datetime) -> None:
        tickets.change_status(session, ticket.id, status=workflow.CLOSED, actor_id=None, settings=settings, now=now)

    cutoff = now - timedelta(days=settings.close_after_days)
    return _apply(factory, _solved_before(cutoff), close, "close", batch)


def auto_solve_pending(factory: sessionmaker[Session], settings: Settings, now: datetime,
                       batch: int = 200) -> list[int]:
    """Pending -> solved `auto_solve_after_days` after it last became pending; off when 0."""
    if settings.auto_solve_after_days <= 0:
        return []

    def solve(session: Session, ticket: Ticket, _since: datetime) -> None:
        tickets.change_status(session, ticket.id, status=workflow.SOLVED, actor_id=None, settings=settings, now=now)

    cutoff = now - timedelta(days=settings.auto_solve_after_days)
    return _apply(factory, _pending_since_before(cutoff), solve, "auto-solve", batch)


def record_reminder(session: Session, ticket: Ticket, now: datetime) -> None:
    """The `reminder` event at the ticket's current version: not a change, so neither the version nor
    updated_at move (the email is the caller's)."""
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=None, at=now, field=REMINDER_FIELD, old=None,
                            new=REMINDER_TEMPLATE, version=ticket.version))


def remind_pending(factory: sessionmaker[Session], settings: Settings, now: datetime, batch: int = 200) -> list[int]:
    """One reminder email per pending period, `reminder_after_days` after the ticket last became pending.

    The reminder is recorded as a `reminder` ticket event at the ticket's current version: it is
    not a change of the ticket, so neither its version nor its updated_at move.
    """
    def remind(session: Session, ticket: Ticket, since: datetime) -> None:
        record_reminder(session, ticket, now)
        events.record(session, events.ReminderDue(ticket, (now - since).days), settings, now)
        session.flush()

    cutoff = now - timedelta(days=settings.reminder_after_days)
    # a ticket already due for auto-solve is solved, never reminded first (by another worker, say)
    solving = now - timedelta(days=settings.auto_solve_after_days) if settings.auto_solve_after_days > 0 else None
    return _apply(factory, _pending_since_before(cutoff, unreminded=True, after=solving), remind, "reminder", batch)


def send_due_surveys(factory: sessionmaker[Session], settings: Settings, now: datetime,
                     batch: int = 200) -> list[int]:
    """With `survey_delay_minutes` > 0: the survey for solved tickets without one, once the delay has passed.

    With 0 the survey goes out with the solve notice (core.notify) and this rule does nothing,
    so tickets solved while notifications were muted (demo data) are never surveyed late.
    """
    if settings.survey_delay_minutes <= 0:
        return []

    def survey(session: Session, ticket: Ticket, _since: datetime) -> None:
        events.record(session, events.SurveyDue(ticket), settings, now)

    cutoff = now - timedelta(minutes=settings.survey_delay_minutes)
    closing = now - timedelta(days=settings.close_after_days)
    return _apply(factory, _unsurveyed_solved_before(cutoff, closing), survey, "survey", batch)


def alert_low_scores(factory: sessionmaker[Session], settings: Settings, now: datetime) -> list[int]:
    """Low scores given without a comment LOW_SCORE_WAIT ago (and not more than LOW_SCORE_LATE): staff are
    told now (core.notify sends it once per survey; a comment coming sooner tells them at once)."""
    with factory() as session:
        due = list(session.scalars(select(Survey.ticket_id).where(
            Survey.score.in_(surveys.LOW_SCORES), func.coalesce(Survey.comment, "") == "",
            Survey.responded_at <= now - LOW_SCORE_WAIT, Survey.responded_at > now - LOW_SCORE_LATE)))
    told = []
    for ticket_id in due:
        with unit_of_work(factory) as session:
            survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket_id))
            if survey is None or survey.score not in surveys.LOW_SCORES or survey.comment:
                continue
            events.record(session, events.LowScoreWaited(session.get(Ticket, ticket_id), survey), settings, now)
            told.append(ticket_id)
    return told


def run(factory: sessionmaker[Session], settings: Settings, now: datetime | None = None,
        batch: int = 200) -> AutomationReport:
    """One pass of every rule at `now` (default: this moment); what each one did."""
    now = now or utcnow()
    with factory() as session:
        settings = schedule.with_timings(session, settings)
    report = AutomationReport()
    report.closed = close_solved(factory, settings, now, batch)
    report.auto_solved = auto_solve_pending(factory, settings, now, batch)
    report.reminded = remind_pending(factory, settings, now, batch)
    report.surveyed = send_due_surveys(factory, settings, now, batch)
    report.digests = digest.send_weekly(factory, settings, now)
    report.low_scores = alert_low_scores(factory, settings, now)
    return report
