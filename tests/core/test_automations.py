"""The time-based rules on frozen time: each fires at its moment and not a minute before, once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from core import events, worker
from core.db import unit_of_work
from core.desk import automations
from core.errors import ConflictError
from core.models import Outbox, Survey, TicketEvent, utcnow
from core.portal import tokens
from core.tickets import service as tickets
from tests.conftest import row_counts
from tests.core.conftest import T0

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
T1 = T0 + timedelta(hours=2)  # when the agent's answer leaves the ticket pending or solved


def _solve(desk, at=T1, quiet=False, **fields):
    ticket = desk.new_ticket(**fields)
    with unit_of_work(desk.factory) as session:
        if quiet:
            events.quiet(session)
        tickets.change_status(session, ticket.id, status="solved", actor_id=desk.ana, settings=desk.settings, now=at)
    return ticket.id


def _ask(desk, ticket_id, at):
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, ticket_id, agent_id=desk.ana, body="Which browser do you use?",
                                status="pending", settings=desk.settings, now=at)


def _pending(desk, at=T1, **fields):
    ticket = desk.new_ticket(**fields)
    _ask(desk, ticket.id, at)
    return ticket.id


def _answer(desk, ticket_id, at):
    with unit_of_work(desk.factory) as session:
        tickets.add_customer_message(session, ticket_id, body="Firefox.", settings=desk.settings, now=at)


def _emails(desk, template):
    with desk.reader() as session:
        return list(session.scalars(select(Outbox).where(Outbox.template == template).order_by(Outbox.id)))


def _reminders(desk, ticket_id):
    return [e for e in desk.events(ticket_id) if e.field == "reminder"]


def _run(desk, now, **settings):
    return automations.run(desk.factory, desk.settings.model_copy(update=settings), now=now)


# ---------------------------------------------------------------- close

def test_solved_closes_after_four_days_not_a_minute_before(desk):
    ticket_id = _solve(desk)
    assert _run(desk, T1 + 4 * DAY - MINUTE).closed == []
    assert desk.ticket(ticket_id).status == "solved"

    report = _run(desk, T1 + 4 * DAY)
    closed = desk.ticket(ticket_id)
    assert report.closed == [ticket_id]
    assert (closed.status, closed.closed_at) == ("closed", T1 + 4 * DAY)
    last = desk.events(ticket_id)[-1]
    assert (last.field, last.old, last.new, last.actor_id) == ("status", "solved", "closed", None)
    assert [e.to_address for e in _emails(desk, "ticket_closed")] == ["olivia@example.com"]


def test_close_after_days_is_configurable_and_running_twice_changes_nothing_more(desk):
    ticket_id = _solve(desk)
    assert _run(desk, T1 + DAY, close_after_days=1).closed == [ticket_id]
    before = row_counts(desk.factory)
    again = _run(desk, T1 + DAY, close_after_days=1)
    assert again == automations.AutomationReport([], [], [], [])
    assert row_counts(desk.factory) == before and len(_emails(desk, "ticket_closed")) == 1


def test_many_tickets_are_walked_in_small_batches(desk):
    ids = [_solve(desk, subject=f"Problem {n}") for n in range(3)]
    report = automations.run(desk.factory, desk.settings, now=T1 + 5 * DAY, batch=1)
    assert report.closed == ids
    assert {desk.ticket(i).status for i in ids} == {"closed"}


# ---------------------------------------------------------------- reminders

def test_pending_gets_one_reminder_after_three_days_not_a_minute_before(desk):
    ticket_id = _pending(desk)
    assert _run(desk, T1 + 3 * DAY - MINUTE).reminded == []
    assert _emails(desk, "pending_reminder") == []
    seen = desk.ticket(ticket_id)

    assert _run(desk, T1 + 3 * DAY).reminded == [ticket_id]
    after = desk.ticket(ticket_id)
    assert (after.status, after.version, after.updated_at) == ("pending", seen.version, seen.updated_at)
    [event] = _reminders(desk, ticket_id)
    assert (event.new, event.version, event.actor_id, event.at) == ("pending_reminder", seen.version, None,
                                                                    T1 + 3 * DAY)
    [email] = _emails(desk, "pending_reminder")
    assert (email.to_address, email.ticket_id) == ("olivia@example.com", ticket_id)
    assert "3 days" in email.body_text


def test_running_twice_sends_no_second_reminder(desk):
    ticket_id = _pending(desk)
    _run(desk, T1 + 3 * DAY)
    before = row_counts(desk.factory)
    assert _run(desk, T1 + 3 * DAY).reminded == []
    assert row_counts(desk.factory) == before
    assert _run(desk, T1 + 6 * DAY).reminded == []  # later in the same pending period: still one
    assert len(_reminders(desk, ticket_id)) == 1 and len(_emails(desk, "pending_reminder")) == 1


def test_a_customer_answer_resets_the_reminder_clock(desk):
    ticket_id = _pending(desk)
    _run(desk, T1 + 3 * DAY)
    _answer(desk, ticket_id, T1 + 4 * DAY)
    _ask(desk, ticket_id, T1 + 5 * DAY)  # a new pending period starts here

    assert _run(desk, T1 + 8 * DAY - MINUTE).reminded == []
    assert _run(desk, T1 + 8 * DAY).reminded == [ticket_id]
    assert _run(desk, T1 + 8 * DAY).reminded == []
    assert len(_reminders(desk, ticket_id)) == 2 and len(_emails(desk, "pending_reminder")) == 2


def test_a_customer_answer_before_the_reminder_means_no_reminder(desk):
    ticket_id = _pending(desk)
    _answer(desk, ticket_id, T1 + 2 * DAY)
    assert _run(desk, T1 + 10 * DAY).reminded == []
    assert desk.ticket(ticket_id).status == "open"


def test_the_reminder_goes_to_the_requester_in_their_language_with_a_working_link(desk):
    ticket_id = _pending(desk, name="Lucía Gómez", email="lucia@example.com", locale="es")
    _run(desk, T1 + 4 * DAY)
    [email] = _emails(desk, "pending_reminder")
    assert (email.to_address, email.locale) == ("lucia@example.com", "es")
    assert email.subject == f"[#{ticket_id}] Esperamos tu respuesta: Cannot log in"
    assert "Hola, Lucía Gómez" in email.body_text and "4 días" in email.body_text
    link = next(word for word in email.body_text.split() if "/ticket?" in word)
    query = parse_qs(urlparse(link).query)
    assert link.startswith(f"{desk.settings.base_url}/ticket?ticket={ticket_id}&token=")
    assert link.replace("&", "&amp;") in email.body_html
    with desk.reader() as session:
        assert tokens.ticket_access(session, ticket_id, query["token"][0], now=T1 + 4 * DAY)


# ---------------------------------------------------------------- auto-solve

def test_pending_is_auto_solved_after_seven_days_not_a_minute_before(desk):
    ticket_id = _pending(desk)
    assert _run(desk, T1 + 7 * DAY - MINUTE).auto_solved == []
    assert desk.ticket(ticket_id).status == "pending"

    report = _run(desk, T1 + 7 * DAY)
    solved = desk.ticket(ticket_id)
    assert report.auto_solved == [ticket_id] and report.reminded == []
    assert (solved.status, solved.solved_at) == ("solved", T1 + 7 * DAY)
    assert desk.events(ticket_id)[-1].actor_id is None
    assert [e.to_address for e in _emails(desk, "ticket_solved")] == ["olivia@example.com"]  # with the survey
    before = row_counts(desk.factory)
    assert _run(desk, T1 + 7 * DAY) == automations.AutomationReport([], [], [], [])
    assert row_counts(desk.factory) == before


def test_auto_solve_counts_from_the_last_time_the_ticket_became_pending(desk):
    ticket_id = _pending(desk)
    _answer(desk, ticket_id, T1 + 6 * DAY)
    _ask(desk, ticket_id, T1 + 6 * DAY + MINUTE)
    assert _run(desk, T1 + 8 * DAY).auto_solved == []
    assert _run(desk, T1 + 13 * DAY + MINUTE).auto_solved == [ticket_id]


def test_auto_solve_is_off_when_zero(desk):
    ticket_id = _pending(desk)
    report = _run(desk, T1 + 60 * DAY, auto_solve_after_days=0)
    assert report.auto_solved == [] and report.reminded == [ticket_id]
    assert desk.ticket(ticket_id).status == "pending"
    assert _emails(desk, "ticket_solved") == []


# ---------------------------------------------------------------- late surveys

def _solve_without_survey(desk):
    return _solve(desk, quiet=True)  # as if the solve had left the survey for later


def test_late_survey_goes_out_after_the_delay_once(desk):
    ticket_id = _solve_without_survey(desk)
    assert _run(desk, T1 + 30 * MINUTE - MINUTE, survey_delay_minutes=30).surveyed == []
    assert _run(desk, T1 + 30 * MINUTE, survey_delay_minutes=30).surveyed == [ticket_id]
    with desk.reader() as session:
        assert session.scalars(select(Survey.ticket_id)).all() == [ticket_id]
    [email] = _emails(desk, "ticket_solved")
    assert "/survey?ticket=" in email.body_text
    before = row_counts(desk.factory)
    assert _run(desk, T1 + 30 * MINUTE, survey_delay_minutes=30).surveyed == []
    assert row_counts(desk.factory) == before


def test_no_late_survey_without_a_delay(desk):
    _solve_without_survey(desk)
    assert _run(desk, T1 + 2 * DAY).surveyed == []
    assert _emails(desk, "ticket_solved") == []


# ---------------------------------------------------------------- failures and the worker

def test_a_ticket_changed_at_the_same_moment_is_skipped_and_retried_next_pass(desk, monkeypatch):
    busy, calm = _solve(desk, subject="Busy"), _solve(desk, subject="Calm")
    real = tickets.change_status

    def change_status(session, ticket_id, **kwargs):
        if ticket_id == busy:
            raise ConflictError(ticket_id, ["changed by another user at the same moment"])
        return real(session, ticket_id, **kwargs)

    monkeypatch.setattr(tickets, "change_status", change_status)
    report = automations.run(desk.factory, desk.settings, now=T1 + 5 * DAY, batch=1)
    assert report.closed == [calm]
    assert (desk.ticket(busy).status, desk.ticket(calm).status) == ("solved", "closed")
    assert [e.ticket_id for e in _emails(desk, "ticket_closed")] == [calm]

    monkeypatch.setattr(tickets, "change_status", real)
    assert _run(desk, T1 + 5 * DAY).closed == [busy]


def test_the_worker_runs_the_automations(desk):
    long_ago = utcnow() - 5 * DAY
    ticket_id = _solve(desk, at=long_ago, now=long_ago)
    results = worker.run_once(desk.factory, desk.settings)
    assert list(results)[:2] == ["outbox", "automations"]
    assert results["automations"].closed == [ticket_id]
    with desk.reader() as session:
        assert session.scalars(select(TicketEvent.new).where(TicketEvent.ticket_id == ticket_id)
                               .order_by(TicketEvent.version.desc())).first() == "closed"


def test_a_survey_delay_holds_the_solve_email_until_the_automation_sends_it(desk):
    from core.desk import automations as rules
    from core.models import Outbox as Row

    settings = desk.settings.model_copy(update={"survey_delay_minutes": 60})
    ticket = desk.new_ticket()
    with unit_of_work(desk.factory) as session:
        tickets.change_status(session, ticket.id, status="solved", actor_id=desk.ana, settings=settings, now=T0)
    with desk.reader() as session:
        assert session.scalars(select(Row).where(Row.template == "ticket_solved")).all() == []
    assert rules.run(desk.factory, settings, now=T0 + timedelta(minutes=59)).surveyed == []
    assert rules.run(desk.factory, settings, now=T0 + timedelta(minutes=61)).surveyed == [ticket.id]
    with desk.reader() as session:
        assert len(session.scalars(select(Row).where(Row.template == "ticket_solved")).all()) == 1


def test_a_rule_run_by_another_worker_first_leaves_a_ticket_due_for_an_earlier_rule_alone(desk):
    """The race tests/faults/test_two_apps.py found: one worker's remind (or survey) step ran before another worker's
    auto-solve (or close) step reached the ticket, so a ticket solved the next moment got a reminder,
    and one closed the next moment got a survey it could no longer answer."""
    settings = desk.settings.model_copy(update={"survey_delay_minutes": 60})
    silent, closing = desk.new_ticket(subject="Silent").id, desk.new_ticket(subject="Closing").id
    with unit_of_work(desk.factory) as session:
        tickets.add_agent_reply(session, silent, agent_id=desk.ana, body="Which browser?", status="pending",
                                settings=settings, now=T0 + timedelta(hours=1))
        tickets.change_status(session, closing, status="solved", actor_id=desk.ana, settings=settings,
                              now=T0 + timedelta(hours=1))
    at = T0 + 8 * DAY
    assert automations.remind_pending(desk.factory, settings, at) == []  # one worker's later steps first
    assert automations.send_due_surveys(desk.factory, settings, at) == []
    assert automations.close_solved(desk.factory, settings, at) == [closing]  # then the other's
    assert automations.auto_solve_pending(desk.factory, settings, at) == [silent]
    with desk.reader() as session:
        sent = select(Outbox.template).where(Outbox.ticket_id.in_((silent, closing))).order_by(Outbox.id)
        assert session.scalars(sent).all() == ["info_needed", "ticket_closed"]
        assert session.scalars(select(Survey.ticket_id)).all() == []
