"""`python -m core import csv FILE`: the layout of docs/import.md, one row per message."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from core import config
from core.__main__ import main
from core.imports.cli import ProgressBar
from core.models import Message, Organization, Survey, Ticket, TicketMetrics, TicketTag, User
from core.tickets import service as tickets
from tests.conftest import row_counts
from tests.core.conftest import run_command

HEADER = ("ticket", "created_at", "updated_at", "subject", "status", "priority", "kind", "channel",
          "requester_email", "requester_name", "assignee_email", "assignee_name", "tags", "organization",
          "author_email", "author_role", "public", "message_at", "body", "rating", "rating_comment")


def _write(path: Path, rows: list[dict], header: tuple[str, ...] = HEADER) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


ROWS = [
    dict(ticket="FD-7", created_at="2026-05-04T10:00:00Z", updated_at="2026-05-05T12:00:00Z", subject="Refund please",
         status="solved", priority="high", kind="incident", channel="email", requester_email="Rosa@Example.com",
         requester_name="Rosa Díaz", assignee_email="kim@desk.example", assignee_name="Kim Lee",
         tags="refund, vip", organization="Díaz Shop", message_at="2026-05-04T10:00:00Z", body="I was charged twice.",
         rating="4", rating_comment="Fine"),
    dict(ticket="FD-7", author_email="kim@desk.example", author_role="agent", public="false",
         message_at="2026-05-04T12:30:00+02:00", body="Checked with billing."),
    dict(ticket="FD-7", author_email="kim@desk.example", public="true", message_at="2026-05-04T11:00:00Z",
         body="Refunded; it shows in 3 days."),
    dict(ticket="FD-8", created_at="2026-05-06T09:00:00", status="hold", requester_email="rosa@example.com",
         message_at="2026-05-06T09:00:00Z", body="Still no invoice"),
    dict(ticket="FD-9", created_at="yesterday", requester_email="a@example.com", body="x"),
    dict(ticket="FD-10", created_at="2026-05-06T09:00:00Z", requester_email="not an address", body="x"),
]


def test_a_csv_file_imports_once(engine, factory, tmp_path, monkeypatch, capsys):
    path = _write(tmp_path / "tickets.csv", ROWS)
    assert run_command(engine, tmp_path, monkeypatch, "import", "csv", str(path)) == 0
    out = capsys.readouterr().out
    assert "Added: 2 tickets, 3 messages, 1 internal notes, 2 tags, 1 satisfaction ratings, 1 customers, " \
           "1 staff accounts, 1 organizations." in out
    assert "Skipped 1: created_at missing or not an ISO 8601 time (e.g. #FD-9)" in out
    assert "Skipped 1: requester has no valid email address (e.g. #FD-10)" in out
    with factory() as session:
        refund = session.scalar(select(Ticket).where(Ticket.external_id == "csv:FD-7"))
        assert (refund.status, refund.priority, refund.kind, refund.channel) == ("solved", "high", "incident", "email")
        assert refund.created_at == datetime(2026, 5, 4, 10, tzinfo=UTC)
        assert refund.updated_at == datetime(2026, 5, 5, 12, tzinfo=UTC)
        assert refund.requester.email == "rosa@example.com" and refund.assignee.name == "Kim Lee"
        assert refund.assignee.role == "agent"
        kinds = session.execute(select(Message.kind, Message.created_at).where(Message.ticket_id == refund.id)
                                .order_by(Message.created_at)).all()
        assert [kind for kind, _ in kinds] == ["customer", "note", "agent"]
        assert kinds[1][1] == datetime(2026, 5, 4, 10, 30, tzinfo=UTC)  # an offset is kept as UTC
        assert tickets.tags_of(session, refund.id) == ["refund", "vip"]
        assert session.scalar(select(Organization.name)) == "Díaz Shop"
        assert session.scalar(select(Survey.score)) == 4
        metrics = session.get(TicketMetrics, refund.id)
        assert (metrics.first_reply_minutes, metrics.full_resolution_minutes) == (60, 26 * 60)
        held = session.scalar(select(Ticket).where(Ticket.external_id == "csv:FD-8"))
        assert held.status == "on_hold" and held.requester_id == refund.requester_id and held.subject == \
            "Still no invoice"
    before = row_counts(factory)
    assert run_command(engine, tmp_path, monkeypatch, "import", "csv", str(path)) == 0
    assert "Added: nothing." in capsys.readouterr().out
    assert row_counts(factory) == before


def test_a_file_without_the_required_columns_imports_nothing(engine, factory, tmp_path, monkeypatch, capsys):
    before = row_counts(factory)
    path = _write(tmp_path / "t.csv", [dict(ticket="1", body="x")], header=("ticket", "body"))
    assert run_command(engine, tmp_path, monkeypatch, "import", "csv", str(path)) == 1
    assert "t.csv lacks the column(s) created_at, requester_email" in capsys.readouterr().err
    assert run_command(engine, tmp_path, monkeypatch, "import", "csv", str(tmp_path / "none.csv")) == 1
    assert row_counts(factory) == before
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
        assert session.scalar(select(func.count()).select_from(TicketTag)) == 0


def test_the_progress_bar_writes_a_line_per_step_off_a_terminal(tmp_path):
    with (tmp_path / "progress").open("w+") as stream:
        bar = ProgressBar(10, stream)
        bar(5)
        bar(10)
        bar.end()
        stream.seek(0)
        lines = stream.read().splitlines()
    assert [line.split("  ")[0] for line in lines] == [
        f"[{'#' * 15}{'.' * 15}] 5 / 10 tickets", f"[{'#' * 30}] 10 / 10 tickets"]


def test_the_example_of_the_documentation_imports_as_it_says(engine, factory, tmp_path, monkeypatch, capsys):
    page = (Path(__file__).parents[2] / "docs" / "import.md").read_text()
    example = page.split("```csv\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.csv"
    path.write_text(example)
    assert run_command(engine, tmp_path, monkeypatch, "import", "csv", str(path)) == 0
    assert "Skipped" not in capsys.readouterr().out
    with factory() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.external_id == "csv:FD-7"))
        assert ticket.status == "solved" and tickets.tags_of(session, ticket.id) == ["refund", "vip"]
        assert [m.kind for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id)
                                                .order_by(Message.created_at))] == ["customer", "note", "agent"]


def test_an_import_into_a_new_database_creates_the_schema_first(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path / "tickets.csv", ROWS[:3])
    monkeypatch.setenv("MESA_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    monkeypatch.setenv("MESA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MESA_SECRET_KEY", "r" * 40)
    config.get_settings.cache_clear()
    try:
        assert main(["import", "csv", str(path)]) == 0
    finally:
        config.get_settings.cache_clear()
    assert "Added: 1 tickets" in capsys.readouterr().out
