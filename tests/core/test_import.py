"""`python -m core import zendesk DIR`: a 1,000-ticket Zendesk-shaped export (tests/zendesk_export.py) lands with
its original numbers, times and states, shows on the workbench with its history and on the dashboards with its
metrics, sends nothing, and a second import changes nothing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.db import make_engine, migrate, unit_of_work
from core.desk import automations
from core.models import Attachment, Organization, Outbox, Survey, Ticket, TicketMetrics, TicketTag, User, utcnow
from core.reports import satisfaction, times
from core.reports.common import Period
from core.tickets import history, metrics, queues, workbench
from core.tickets import service as tickets
from tests import zendesk_export as zd
from tests.conftest import row_counts
from tests.core.conftest import run_command

COUNT = 1000
MAPPED = {"hold": "on_hold"}


def _status(i: int) -> str:
    found = zd.STATUSES[i % len(zd.STATUSES)]
    return MAPPED.get(found, found)


def _import(engine, tmp_path, monkeypatch, capsys, export) -> str:
    assert run_command(engine, tmp_path, monkeypatch, "import", "zendesk", str(export)) == 0
    return capsys.readouterr().out


def test_a_zendesk_export_imports_once_with_its_history_and_metrics(engine, factory, tmp_path, monkeypatch, capsys):
    export = zd.write(tmp_path / "export", COUNT, extras=True)
    out = _import(engine, tmp_path, monkeypatch, capsys, export)
    assert "Added: 1,000 tickets" in out and "no email was sent" in out
    assert "Skipped 1: requester has no valid email address (e.g. #1)" in out
    assert "Skipped 1: unknown status 'deleted' (e.g. #2)" in out
    assert "Skipped 1: requester not in users.json (e.g. #3)" in out
    assert "Skipped 1: attachment refused by the content check (e.g. zendesk:10002: manual.pdf" in out
    assert "Skipped 1: attachment not in the export folder (e.g. zendesk:10003 gone.txt)" in out

    with factory() as session:
        found = {t.external_id: t for t in session.scalars(select(Ticket))}
        assert set(found) == {f"zendesk:{zd.ticket_id(i)}" for i in range(COUNT)}
        for i in (0, 1, 2, 3, 4, 5, 999):
            ticket = found[f"zendesk:{zd.ticket_id(i)}"]
            assert ticket.status == _status(i)
            assert ticket.created_at == zd.BASE + i * zd.STEP
            assert ticket.subject == f"Order {i} missing"
        assert session.scalar(select(func.count()).select_from(Outbox)) == 0
        assert session.scalar(select(func.count()).select_from(Organization)) == len(zd.ORGANIZATIONS)
        staff = dict(session.execute(select(User.email, User.role).where(User.role != "customer")).all())
        assert staff == {email: role for _, _, email, role in zd.AGENTS}
        assert session.scalar(select(func.count()).where(User.password_hash.is_not(None))) == 0  # nobody's known

        # the workbench: each view counts and lists what the export says
        ana = session.scalar(select(User.id).where(User.email == "ana@support.example"))
        counts = queues.counts(session, user_id=ana, now=zd.BASE + timedelta(days=60))
        statuses = [_status(i) for i in range(COUNT)]
        assert counts["open"] == statuses.count("new") + statuses.count("open")
        assert counts["pending"] == statuses.count("pending") and counts["on_hold"] == statuses.count("on_hold")
        assert counts["unassigned"] == statuses.count("new")
        assert counts["mine"] == sum(1 for i, s in enumerate(statuses) if i % 3 == 1 and s in ("open", "pending",
                                                                                                "on_hold"))
        held = queues.page(session, "on_hold", user_id=ana, sort="created", limit=3)  # newest first
        assert [row.subject for row in held] == ["Order 994 missing", "Order 984 missing", "Order 974 missing"]

        # a ticket on the agent's screen: conversation, notes, files, history, tags, organization
        first = found[f"zendesk:{zd.ticket_id(0)}"]
        screen = workbench.load(session, first.id)
        assert [m.kind for m in screen.messages] == ["customer", "agent", "note", "customer"]
        assert screen.messages[3].body == "Thanks, still waiting."  # from html_body
        assert [a.filename for a in screen.messages[0].attachments] == ["screen.png"]
        assert screen.shown[screen.messages[0].attachments[0].id] is not None  # its preview
        assert screen.tags == ["billing", "imported", "vip"]
        assert screen.survey.score == 5 and screen.survey.comment == "Quick and kind."
        assert first.organization_id is not None
        events = [(e.field, e.new, e.at - first.created_at) for e in tickets.events_of(session, first.id)]
        assert events[-6:] == [("message", "agent", zd.REPLY_AFTER), ("status", "open", zd.REPLY_AFTER),
                               ("message", "note", timedelta(hours=3)), ("message", "customer", timedelta(days=1)),
                               ("status", "solved", zd.UPDATED_AFTER), ("status", "closed", zd.UPDATED_AFTER)]
        assert ("assignee", str(first.assignee_id), timedelta(0)) in events
        creation = [e for e in tickets.events_of(session, first.id) if e.version == 1 and e.old is None
                    and e.field in history.CREATED]
        lines = history.lines(session, first.id, "en", ZoneInfo("UTC"))
        assert "created the ticket with status New" in lines[0]  # the creation's fields in one line
        assert len(lines) == len(events) - len(creation) + 1

        # metrics from the events, and the dashboards' numbers from the metrics
        answered = [i for i in range(COUNT) if _status(i) not in ("new",)]
        solved = [i for i in range(COUNT) if _status(i) in ("solved", "closed")]
        assert session.scalar(select(func.count()).select_from(TicketMetrics)) == COUNT
        assert set(session.scalars(select(TicketMetrics.first_reply_minutes))) == {120, None}
        period = Period(zd.BASE, zd.BASE + timedelta(days=60))
        summary = times.summary(session, period)
        assert summary["first_reply_count"] == len(answered) and summary["first_reply_median"] == 120
        assert summary["resolution_count"] == len(solved)
        assert summary["resolution_median"] == zd.UPDATED_AFTER.total_seconds() / 60
        good = sum(1 for i in solved if i % 4 == 0)
        bad = sum(1 for i in solved if i % 4 == 1)
        scores = satisfaction.summary(session, period)
        assert (scores.responses, scores.csat) == (good + bad, round(100 * good / (good + bad), 1))
        assert scores.sent == sum(1 for i in solved if i % 4 in (0, 1, 2))

    before = row_counts(factory)
    again = _import(engine, tmp_path, monkeypatch, capsys, export)
    assert "Added: nothing." in again and "Skipped 1,000: ticket already imported" in again
    assert row_counts(factory) == before


def _metric_rows(factory) -> list[tuple]:
    with factory() as session:
        return [tuple(row) for row in session.execute(select(TicketMetrics.__table__).order_by("ticket_id"))]


def test_json_lines_with_comments_inside_import_alike_with_the_metrics_a_rebuild_gives(
        engine, factory, tmp_path, monkeypatch, capsys):
    export = zd.write(tmp_path / "export", 20, lines=True, extras=True)
    out = _import(engine, tmp_path, monkeypatch, capsys, export)
    assert "Added: 20 tickets" in out and "1 attachments" in out
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalar(select(func.count()).select_from(Survey)) == sum(
            1 for i in range(20) if _status(i) in ("solved", "closed") and i % 4 != 3)
    imported = _metric_rows(factory)
    assert metrics.rebuild(factory) == 20
    assert _metric_rows(factory) == imported


def test_a_second_import_fills_in_only_what_is_missing(engine, factory, tmp_path, monkeypatch, capsys):
    export = zd.write(tmp_path / "export", 10)
    _import(engine, tmp_path, monkeypatch, capsys, export)
    with factory() as session:
        session.execute(TicketTag.__table__.delete().where(TicketTag.tag == "vip"))
        session.commit()
    zd.write(tmp_path / "export", 12)  # two more tickets since
    out = _import(engine, tmp_path, monkeypatch, capsys, export)
    assert "Added: 2 tickets" in out and "Skipped 10: ticket already imported" in out
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(TicketTag).where(TicketTag.tag == "vip")) == 3
        assert session.scalar(select(func.count()).select_from(Ticket)) == 12


def test_a_folder_that_is_no_export_stops_before_writing(engine, factory, tmp_path, monkeypatch, capsys):
    before = row_counts(factory)
    assert run_command(engine, tmp_path, monkeypatch, "import", "zendesk", str(tmp_path)) == 1
    assert "Nothing imported:" in capsys.readouterr().err
    (tmp_path / "tickets.json").write_text('{"id": 1}\n{not json\n')
    assert run_command(engine, tmp_path, monkeypatch, "import", "zendesk", str(tmp_path)) == 1
    assert "tickets.json is neither JSON nor JSON lines (line 2" in capsys.readouterr().err
    assert row_counts(factory) == before


def test_a_write_the_database_refuses_stops_with_a_message_and_a_rerun_adds_the_rest(tmp_path, monkeypatch, capsys):
    """A real refusal (a SQLite trigger), not a traceback: the batch rolls back whole, and once the database
    takes it again the same command adds what is missing."""
    url = f"sqlite:///{tmp_path}/desk.db"
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON tickets WHEN NEW.external_id = "
                                   "'zendesk:10004' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    export = zd.write(tmp_path / "export", 8)
    assert run_command(engine, tmp_path, monkeypatch, "import", "zendesk", str(export)) == 1
    assert "Import stopped: the database refused a write (refused by the test)" in capsys.readouterr().err
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Ticket)) == 0
        connection.exec_driver_sql("DROP TRIGGER refuse")
        connection.commit()
    assert run_command(engine, tmp_path, monkeypatch, "import", "zendesk", str(export)) == 0
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Ticket)) == 8
    engine.dispose()


def test_the_automations_leave_the_imported_past_alone_and_count_from_changes_made_here(
        engine, factory, tmp_path, monkeypatch, capsys, settings):
    """Without this the worker's first pass would close every old solved ticket and remind or auto-solve every
    old pending one, each with an email to a customer about a ticket from months ago."""
    _import(engine, tmp_path, monkeypatch, capsys, zd.write(tmp_path / "export", 20))
    later = utcnow() + timedelta(days=30)
    before = row_counts(factory)
    report = automations.run(factory, settings, now=later)
    assert (report.closed, report.auto_solved, report.reminded, report.surveyed) == ([], [], [], [])
    assert row_counts(factory) == before
    with factory() as session:
        solved = session.scalar(select(Ticket.id).where(Ticket.status == "solved").order_by(Ticket.id))
    with unit_of_work(factory) as session:  # reopened and solved again here: its clock starts now
        tickets.change_status(session, solved, status="open", actor_id=None, settings=settings)
        tickets.change_status(session, solved, status="solved", actor_id=None, settings=settings)
    assert automations.run(factory, settings, now=later).closed == [solved]
    with factory() as session:
        assert session.scalars(select(Outbox.template).where(Outbox.template == "ticket_closed")).all() == \
            ["ticket_closed"]
