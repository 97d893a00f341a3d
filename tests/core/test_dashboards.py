"""The dashboards' numbers on a small hand-built history, the same on SQLite and PostgreSQL.

Period P is Monday 2 March 2026 (UTC); "now" is the next morning. Tickets in P (minutes after creation):

  t1 normal  ana   reply 30, solved 120          score 5 "Great"
  t2 normal  liam  reply 90 (late), solved 600 (late)   score 2 "Slow", nobody follows up
  t3 urgent  ana   reply 10, solved 100          score 4
  t4 normal  ana   email, reply 50, solved 300   score 1 "Bad", then ana writes a note
  t5 normal  —     still new, unanswered (both targets breached by now)
  t6 low     liam  reply 60 solving it (no SLA target), survey unanswered

Around P: t7 (pending since 25 Feb), t9 (new, 3 March 08:00), t10 (score 5 on 22 Jan), t11 (reply 20 on 20 Feb),
t8 (30 March, after the DST change). SLA: normal 60 / 480 minutes, urgent 30 / 120, calendar hours.
"""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import event

from core.db import unit_of_work
from core.models import SlaPolicy
from core.reports import satisfaction as sat
from core.reports import times
from core.reports.common import Filters, Period
from core.reports.overview import overview
from core.tickets import service as tickets
from core.tickets import surveys
from tests.core.conftest import T0

P = Period(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
NOW = T0 + timedelta(days=1)
MIN = timedelta(minutes=1)


def _story(desk, created, *, priority="normal", agent=None, reply=None, solved=None, score=None, comment=None,
           answered=None, channel="web", status=None):
    ticket = desk.new_ticket(priority=priority, channel=channel, now=created)
    with unit_of_work(desk.factory) as session:
        if agent:
            tickets.assign(session, ticket.id, actor_id=agent, assignee_id=agent, settings=desk.settings,
                           now=created + MIN)
        if reply is not None:
            tickets.add_agent_reply(session, ticket.id, agent_id=agent, body="Here is how.", settings=desk.settings,
                                    status="solved" if solved == reply else status, now=created + reply * MIN)
        if solved is not None and solved != reply:
            tickets.change_status(session, ticket.id, status="solved", actor_id=agent, settings=desk.settings,
                                  now=created + solved * MIN)
    if score is not None:  # the customer answers later, in a change of their own (the solve sent the survey)
        with unit_of_work(desk.factory) as session:
            surveys.respond(session, ticket.id, score=score, comment=comment, now=answered)
    return ticket.id


@pytest.fixture
def data(desk):
    with unit_of_work(desk.factory) as session:
        session.add_all([SlaPolicy(priority="normal", first_reply_minutes=60, resolution_minutes=480,
                                   business_hours=False),
                         SlaPolicy(priority="urgent", first_reply_minutes=30, resolution_minutes=120,
                                   business_hours=False)])
    ids = {
        "t1": _story(desk, T0, agent=desk.ana, reply=30, solved=120, score=5, comment="Great",
                     answered=T0 + 3 * 60 * MIN),
        "t2": _story(desk, T0 + 30 * MIN, agent=desk.liam, reply=90, solved=600, score=2, comment="Slow",
                     answered=T0 + 12 * 60 * MIN),
        "t3": _story(desk, T0 + 2 * 60 * MIN, priority="urgent", agent=desk.ana, reply=10, solved=100, score=4,
                     answered=T0 + 5 * 60 * MIN),
        "t4": _story(desk, T0 + 3 * 60 * MIN, agent=desk.ana, reply=50, solved=300, score=1, comment="Bad",
                     answered=T0 + 9 * 60 * MIN, channel="email"),
        "t5": _story(desk, T0 + 4 * 60 * MIN),
        "t6": _story(desk, T0 + 5 * 60 * MIN, priority="low", agent=desk.liam, reply=60, solved=60),
        "t7": _story(desk, T0 - timedelta(days=5), agent=desk.ana, reply=60, status="pending"),
        "t8": _story(desk, datetime(2026, 3, 30, 8, tzinfo=UTC), priority="low"),
        "t9": _story(desk, NOW - 60 * MIN),
        "t10": _story(desk, datetime(2026, 1, 20, 10, tzinfo=UTC), priority="low", agent=desk.liam, reply=30,
                      solved=30, score=5, answered=datetime(2026, 1, 22, tzinfo=UTC)),
        "t11": _story(desk, datetime(2026, 2, 20, 10, tzinfo=UTC), priority="low", agent=desk.liam, reply=20,
                      solved=20),
    }
    with unit_of_work(desk.factory) as session:  # ana follows up the score of 1
        tickets.add_internal_note(session, ids["t4"], agent_id=desk.ana, body="Called the customer.",
                                  now=T0 + 10 * 60 * MIN)
    return desk, ids


def test_satisfaction_numbers(data):
    desk, _ids = data
    with desk.reader() as session:
        summary = sat.summary(session, P)
        assert (summary.responses, summary.csat, summary.average) == (4, 50.0, 3.0)
        assert (summary.sent, summary.answered, summary.response_rate) == (5, 4, 80.0)
        assert sat.distribution(session, P)["responses"].tolist() == [1, 1, 0, 1, 1]
        trend = sat.trend(session, P, zone="Europe/Madrid")
        assert trend.to_dict("records") == [{"week": "2026-03-02", "responses": 4, "csat": 50.0, "average": 3.0}]
        agents = sat.breakdown(session, P, by="agent")
        assert agents[["label", "responses", "csat", "average"]].values.tolist() == [
            ["Ana Ruiz", 3, 66.7, 3.33], ["Liam Carter", 1, 0.0, 2.0]]
        channels = sat.breakdown(session, P, by="channel").set_index("key")
        assert channels.loc["email", "csat"] == 0.0 and channels.loc["web", "average"] == 3.67
        assert sat.summary(session, P, Filters(agent_ids=(desk.liam,))).csat == 0.0


def test_comments_newest_first_with_paging_and_the_low_scores_nobody_followed_up(data):
    desk, ids = data
    with desk.reader() as session:
        assert sat.comments(session, P)["comment"].tolist() == ["Slow", "Bad", "Great"]
        page = sat.comments(session, P, limit=2, offset=1)
        assert page["ticket_id"].tolist() == [ids["t4"], ids["t1"]] and page["score"].tolist() == [1, 5]
        low = sat.low_scores_without_follow_up(session, P)
        assert low[["ticket_id", "score", "assignee"]].values.tolist() == [[ids["t2"], 2, "Liam Carter"]]


def test_response_times_medians_percentiles_and_sla(data):
    desk, _ids = data
    with desk.reader() as session:
        summary = times.summary(session, P)
        assert summary == {"first_reply_count": 5, "first_reply_median": 50.0, "first_reply_p90": 78.0,
                           "first_reply_sla": 75.0, "resolution_count": 5, "resolution_median": 120.0,
                           "resolution_p90": 480.0, "resolution_sla": 75.0}
        by_priority = times.breakdown(session, P, by="priority").set_index("key")
        assert by_priority.loc["normal", ["first_reply_count", "first_reply_median", "first_reply_p90"]].tolist() == [
            3, 50.0, 82.0]
        assert by_priority.loc["normal", "first_reply_sla"] == pytest.approx(66.7)
        assert by_priority.loc["urgent", "resolution_sla"] == 100.0
        assert pd.isna(by_priority.loc["low", "first_reply_sla"])
        agents = times.breakdown(session, P, by="agent").set_index("label")
        assert agents.loc["Ana Ruiz", "first_reply_median"] == 30.0
        assert times.trend(session, P, zone="UTC")["week"].tolist() == ["2026-03-02"]


def test_created_vs_solved_backlog_heatmap_and_breaches(data):
    desk, ids = data
    with desk.reader() as session:
        per_day = times.created_vs_solved(session, P)
        assert per_day.to_dict("records") == [{"day": "2026-03-02", "created": 6, "solved": 5}]
        backlog = times.backlog(session, now=NOW).set_index(["status", "age"])["tickets"]
        assert backlog[("new", "lt_1d")] == 2 and backlog[("pending", "3_7d")] == 1 and backlog.sum() == 3
        month = Period(P.start, P.start + timedelta(days=30))
        cells = times.heatmap(session, month, zone="Europe/Madrid").set_index(["weekday", "hour"])["tickets"]
        assert cells[(0, 10)] == 3  # t1 and t2 at 10:xx CET, t8 at 10:00 CEST after the clocks went forward
        assert cells.sum() == 8 and len(cells) == 7 * 24  # t1-t6, t8, t9
        broken = times.breached(session, P, now=NOW)
        assert list(zip(broken["ticket_id"], broken["target"], strict=True)) == [
            (ids["t5"], "first_reply"), (ids["t5"], "resolution"), (ids["t2"], "first_reply"),
            (ids["t2"], "resolution")]
        assert broken["due_at"].iloc[0] == T0 + 5 * 60 * MIN


def test_overview_values_and_their_previous_period(data):
    desk, _ids = data
    with desk.reader() as session:
        found = overview(session, now=NOW, zone="UTC")
    assert (found.backlog.now, found.backlog.before) == (3, 0)
    assert (found.unassigned.now, found.unassigned.before) == (2, 0)
    assert (found.breaching_today.now, found.breaching_today.before, found.breaching_today.delta) == (3, 2, 1)
    assert (found.csat_30d.now, found.csat_30d.before, found.csat_30d.delta) == (50.0, 100.0, -50.0)
    assert (found.first_reply_median_7d.now, found.first_reply_median_7d.before) == (55.0, 20.0)
    assert found.first_reply_median_7d.delta == 35.0


def test_empty_data_gives_zeros_and_no_numbers(desk):
    with desk.reader() as session:
        assert sat.summary(session, P) == sat.Satisfaction(0, None, None, 0, 0, None)
        assert sat.trend(session, P).empty and sat.breakdown(session, P).empty and sat.comments(session, P).empty
        assert sat.distribution(session, P)["responses"].sum() == 0
        assert sat.low_scores_without_follow_up(session, P).empty
        assert times.summary(session, P) == {c: 0 if c.endswith("count") else None for c in times.COLUMNS}
        assert times.breakdown(session, P, by="agent").empty and times.trend(session, P).empty
        assert times.created_vs_solved(session, P)["created"].tolist() == [0]
        assert times.backlog(session, now=NOW)["tickets"].sum() == 0
        assert times.heatmap(session, P)["tickets"].sum() == 0 and times.breached(session, P, now=NOW).empty
        found = overview(session, now=NOW)
    assert found.backlog.now == 0 and found.csat_30d.now is None and found.first_reply_median_7d.delta is None


def test_the_tickets_behind_the_numbers_newest_first_with_their_times(data):
    desk, ids = data
    with desk.reader() as session:
        rows = times.tickets(session, P)
        assert rows["ticket_id"].tolist() == [ids[k] for k in ("t6", "t5", "t4", "t3", "t2", "t1")]
        t2 = rows.set_index("ticket_id").loc[ids["t2"]]
        assert (t2["first_reply"], t2["full_resolution"], t2["first_reply_breached"]) == (90, 600, True)
        assert pd.isna(rows.set_index("ticket_id").loc[ids["t5"], "first_reply"])
        assert times.tickets(session, P, limit=2, offset=4)["ticket_id"].tolist() == [ids["t2"], ids["t1"]]


def test_a_summary_reads_one_snapshot_while_a_ticket_reopens_between_its_statements(data):
    """A summary is read in several statements (a milestone each); a ticket reopened between them must
    not change the second one's numbers (PostgreSQL's read committed would)."""
    desk, ids = data
    urgent = Filters(priorities=("urgent",))  # t3 alone: resolved in 100 minutes
    with desk.reader() as session:
        engine = session.get_bind()
        reopened = []

        def reopen_after_the_count(_conn, _cursor, statement, *_args):
            if reopened or "count(" not in statement.lower() or "ticket_metrics" not in statement:
                return
            reopened.append(statement)
            with unit_of_work(desk.factory) as writer:
                tickets.add_customer_message(writer, ids["t3"], body="It broke again.", settings=desk.settings,
                                             now=NOW)

        event.listen(engine, "after_cursor_execute", reopen_after_the_count)
        try:
            summary = times.summary(session, P, urgent)
        finally:
            event.remove(engine, "after_cursor_execute", reopen_after_the_count)
    assert reopened, "the reopening did not happen between the statements"
    assert (summary["resolution_count"], summary["resolution_median"]) == (1, 100.0)
    with desk.reader() as session:  # a new read sees the reopened ticket
        assert times.summary(session, P, urgent)["resolution_count"] == 0
