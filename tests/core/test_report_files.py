"""Every dashboard table as a file a manager opens in a spreadsheet (issue 22.5), on SQLite and PostgreSQL: the
files are read back with pandas and openpyxl, and their cells have the right types.

The desk: an urgent ticket answered after its target (a hostile comment and score 2) and a normal one answered in
time (score 5), in March 2026, when Madrid is at UTC+01:00.
"""

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pandas as pd
import pytest

from core.db import unit_of_work
from core.models import SlaPolicy
from core.reports import satisfaction as sat
from core.reports import sheets, times
from core.reports.common import Period
from core.reports.export import csv_bytes, sheet, xlsx_bytes
from core.tickets import service as tickets
from core.tickets import surveys
from tests.core.conftest import T0

BASE = "https://help.example.com"
P = Period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))
HOSTILE = '=HYPERLINK("http://evil.example","click")'
MIN = timedelta(minutes=1)


@pytest.fixture
def story(desk):
    with unit_of_work(desk.factory) as session:
        session.add(SlaPolicy(priority="urgent", first_reply_minutes=30, resolution_minutes=120, business_hours=False))
    ids = []
    for priority, reply, score, comment in (("urgent", 95, 2, HOSTILE), ("normal", 20, 5, "¿Se pueden exportar?")):
        ticket = desk.new_ticket(priority=priority, now=T0)
        with unit_of_work(desk.factory) as session:
            tickets.add_agent_reply(session, ticket.id, agent_id=desk.ana, body="Done.", status="solved",
                                    settings=desk.settings, now=T0 + reply * MIN)
        with unit_of_work(desk.factory) as session:
            surveys.respond(session, ticket.id, score=score, comment=comment, now=T0 + 4 * 60 * MIN)
        ids.append(ticket.id)
    return desk, ids


def _tables(session, by="priority"):
    """(title, table, columns) of every table the two dashboards offer, as their pages build them."""
    breakdown = times.breakdown(session, P, by=by).assign(name=lambda t: t["key"])
    scores = sat.breakdown(session, P, by="agent").assign(name=lambda t: t["label"])
    heat = times.heatmap(session, P, zone="Europe/Madrid")
    return [
        ("CSAT by week", sat.trend(session, P, zone="Europe/Madrid"), sheets.SATISFACTION_TREND),
        ("Scores", sat.distribution(session, P), sheets.DISTRIBUTION),
        ("CSAT by agent", scores, sheets.satisfaction_breakdown("agent")),
        ("Comments", sat.comments(session, P), sheets.present(sheets.SURVEYS, sat.comments(session, P).columns)),
        ("Low scores", sat.low_scores_without_follow_up(session, P), sheets.SURVEYS),
        ("Times by week", times.trend(session, P, zone="Europe/Madrid"), sheets.TIMES_TREND),
        ("Times by priority", breakdown, sheets.times_breakdown("priority")),
        ("Per day", times.created_vs_solved(session, P, zone="Europe/Madrid"), sheets.CREATED_VS_SOLVED),
        ("Backlog", times.backlog(session, now=T0 + timedelta(days=1)), sheets.BACKLOG),
        ("Heatmap", heat.assign(weekday=heat["weekday"].astype(str)), sheets.HEATMAP),
        ("Breached", times.breached(session, P, now=T0 + timedelta(days=1)), sheets.BREACHED),
        ("Tickets", times.tickets(session, P), sheets.PERIOD_TICKETS),
    ]


def _sheets(desk, locale="es"):
    with desk.reader() as session:
        return {title: sheet(table, columns, locale=locale, zone="Europe/Madrid", base_url=BASE)
                for title, table, columns in _tables(session)}


def test_the_tickets_csv_has_a_bom_numbers_links_hours_translated_codes_and_zoned_dates(story):
    desk, ids = story
    found = _sheets(desk)
    raw = csv_bytes(found["Tickets"])
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark: Excel on Windows reads UTF-8"
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig").set_index("Ticket")
    assert pd.api.types.is_integer_dtype(back.index) and sorted(back.index) == sorted(ids)
    urgent, normal = ids
    assert back.loc[urgent, "Enlace"] == f"{BASE}/workbench?ticket={urgent}"
    assert back.loc[urgent, "Primera respuesta (horas)"] == pytest.approx(95 / 60, abs=0.01)
    assert back.loc[normal, "Primera respuesta (horas)"] == pytest.approx(0.33)
    assert back.loc[urgent, "Prioridad"] == "Urgente" and back.loc[normal, "Estado"] == "Resuelto"
    assert back.loc[urgent, "Primera respuesta incumplida"] == "sí"
    assert back.loc[normal, "Resolución incumplida"] == "no"

    breached = pd.read_csv(io.BytesIO(csv_bytes(found["Breached"])), encoding="utf-8-sig")
    due = breached["Vencía (Europe/Madrid)"][0]
    assert due == "2026-03-02T10:30:00+01:00", "ISO 8601 with the zone's offset: 09:00 UTC plus 30 minutes"
    assert pd.Timestamp(due) == pd.Timestamp("2026-03-02T09:30:00Z")

    comments = pd.read_csv(io.BytesIO(csv_bytes(found["Comments"])), encoding="utf-8-sig")
    assert "'" + HOSTILE in list(comments["Comentario"]) and "¿Se pueden exportar?" in list(comments["Comentario"])
    assert pd.api.types.is_integer_dtype(comments["Puntuación"])


def test_the_workbook_has_a_sheet_per_table_with_typed_cells(story):
    desk, ids = story
    found = _sheets(desk)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(found)))
    assert book.sheetnames == list(found)
    rows = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}

    header, *tickets_rows = rows["Tickets"]
    assert header[:2] == ("Ticket", "Enlace") and "Primera respuesta (horas)" in header
    assert sorted(r[0] for r in tickets_rows) == sorted(ids) and all(type(r[0]) is int for r in tickets_rows)
    link = book["Tickets"].cell(row=2, column=2)
    assert link.hyperlink.target == link.value and link.value.startswith(BASE + "/workbench?ticket=")
    hours = header.index("Primera respuesta (horas)")
    assert all(isinstance(r[hours], float) for r in tickets_rows)

    header = rows["Breached"][0]
    when = book["Breached"].cell(row=2, column=header.index("Vencía (Europe/Madrid)") + 1)
    assert when.is_date and when.value == datetime(2026, 3, 2, 10, 30), "the wall clock of the zone in the header"
    header, *weeks = rows["CSAT by week"]
    assert book["CSAT by week"].cell(row=2, column=1).is_date and weeks[0][1:] == (2, 50.0, 3.5)

    comments = book["Comments"]
    texts = [c for c in comments.iter_rows(min_row=2) for c in c if c.value == "'" + HOSTILE]
    assert texts and texts[0].data_type == "s", "a formula stays text, shown with its apostrophe"

    frames = pd.read_excel(io.BytesIO(xlsx_bytes(found)), sheet_name=None)
    assert pd.api.types.is_integer_dtype(frames["Times by priority"]["Tickets respondidos"])
    assert pd.api.types.is_float_dtype(frames["Times by priority"]["Primera respuesta (mediana) (horas)"])
    assert pd.api.types.is_datetime64_any_dtype(frames["Per day"]["Día"])
    assert list(frames["Backlog"].columns) == ["Estado", "Antigüedad", "Tickets"]
    assert frames["Heatmap"]["Tickets"].sum() == 2


def test_english_headers_and_codes_for_an_english_reader(story):
    desk, _ids = story
    found = _sheets(desk, locale="en")
    assert list(found["Breached"].columns) == ["Ticket", "Link", "Subject", "Priority", "Target",
                                               "Was due (Europe/Madrid)"]
    assert set(found["Breached"]["Priority"]) == {"Urgent"} and "First reply" in set(found["Breached"]["Target"])
