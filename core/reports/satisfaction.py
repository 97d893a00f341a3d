"""The satisfaction dashboard: CSAT, average score, response rate; trend, distribution, breakdowns, comments.

Scores count in the period they were given (`responded_at`); the response rate is the share
of the surveys sent in the period that have an answer. CSAT % is the share of scores of 4 or 5.
Filters narrow by the surveyed ticket's current fields (the agent is its assignee).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd
from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from core.models import Message, Survey, Ticket, User
from core.reports.common import (
    ANY,
    DIMENSIONS,
    Filters,
    Period,
    bucket,
    keyed,
    labels,
    local,
    local_hour,
    ticket_filters,
    utc_hour,
    within,
)
from core.tickets.surveys import LOW_SCORES


@dataclass(frozen=True)
class Satisfaction:
    responses: int
    csat: float | None  # % of responses scoring 4 or 5; None without responses
    average: float | None
    sent: int  # surveys sent in the period
    answered: int  # of those, how many have a score
    response_rate: float | None  # %; None when no survey went out


def _answered(period: Period, filters: Filters) -> list:
    return [within(Survey.responded_at, period), Survey.score.is_not(None), *ticket_filters(filters)]


def _score_columns() -> list:
    """responses, happy (4-5) and the sum of scores: CSAT and average follow exactly from these."""
    return [func.count(Survey.score).label("responses"),
            func.coalesce(func.sum(case((Survey.score >= 4, 1), else_=0)), 0).label("happy"),
            func.coalesce(func.sum(Survey.score), 0).label("total")]


def _rates(responses: int, happy: int, total: int) -> tuple[float | None, float | None]:
    if not responses:
        return None, None
    return round(100 * happy / responses, 1), round(total / responses, 2)


def _surveys(query: Select, filters: Filters, *, ticket: bool = False) -> Select:
    """`query` from surveys, joined to their tickets only when a filter (or `ticket`) needs their fields:
    every survey has its ticket, so the join changes no count, but it costs a lookup per survey."""
    query = query.select_from(Survey)
    return query.join(Ticket, Ticket.id == Survey.ticket_id) if ticket or ticket_filters(filters) else query


def summary(session: Session, period: Period, filters: Filters = ANY) -> Satisfaction:
    scores = session.execute(_surveys(select(*_score_columns()), filters).where(*_answered(period, filters))).one()
    sent, answered = session.execute(
        _surveys(select(func.count(), func.count(Survey.score)), filters)
        .where(within(Survey.sent_at, period), *ticket_filters(filters))).one()
    csat, average = _rates(int(scores.responses), int(scores.happy), int(scores.total))
    return Satisfaction(responses=int(scores.responses), csat=csat, average=average, sent=int(sent),
                        answered=int(answered), response_rate=round(100 * answered / sent, 1) if sent else None)


def _grouped(session: Session, key, period: Period, filters: Filters, *, ticket: bool = True) -> pd.DataFrame:
    """Responses, CSAT % and average per `key` (an expression over surveys, and tickets with `ticket`)."""
    inner = (_surveys(select(key.label("key"), Survey.score), filters, ticket=ticket)
             .where(*_answered(period, filters)).subquery("answered"))
    happy = func.sum(case((inner.c.score >= 4, 1), else_=0))
    query = (select(inner.c.key, func.count(), happy, func.sum(inner.c.score))
             .group_by(inner.c.key).order_by(inner.c.key))
    rows = []
    for key_value, responses, happy_count, total in session.execute(query):
        csat, average = _rates(int(responses), int(happy_count), int(total))
        rows.append((key_value, int(responses), csat, average))
    return keyed(rows, ["key", "responses", "csat", "average"])


def trend(session: Session, period: Period, filters: Filters = ANY, *, zone: str = "UTC") -> pd.DataFrame:
    """Per ISO week (labelled by its Monday, in `zone`): responses, CSAT % and average."""
    hours = utc_hour(session, Survey.responded_at, period, zone)
    if hours is None:
        week = bucket(session, "week", local(session, Survey.responded_at, period, zone))
        return _grouped(session, week, period, filters, ticket=False).rename(columns={"key": "week"})
    weeks: dict[str, list[int]] = {}
    for hour, responses, happy, total in session.execute(
            _surveys(select(hours, *_score_columns()), filters).where(*_answered(period, filters)).group_by(hours)):
        day = local_hour(hour, zone).date()
        week = weeks.setdefault((day - timedelta(days=day.weekday())).isoformat(), [0, 0, 0])
        for i, value in enumerate((responses, happy, total)):
            week[i] += int(value)
    rows = [(week, responses, *_rates(responses, happy, total))
            for week, (responses, happy, total) in sorted(weeks.items())]
    return keyed(rows, ["week", "responses", "csat", "average"])


def distribution(session: Session, period: Period, filters: Filters = ANY) -> pd.DataFrame:
    """How many responses gave each score, 1 to 5 (zeros included)."""
    found = dict(session.execute(
        _surveys(select(Survey.score, func.count()), filters).where(*_answered(period, filters))
        .group_by(Survey.score)).all())
    return pd.DataFrame({"score": [1, 2, 3, 4, 5], "responses": [int(found.get(s, 0)) for s in range(1, 6)]})


def breakdown(session: Session, period: Period, filters: Filters = ANY, *, by: str = "agent") -> pd.DataFrame:
    """Responses, CSAT % and average per agent, product, kind, channel or priority; `label` names the key."""
    table = _grouped(session, DIMENSIONS[by], period, filters)
    names = labels(session, by, list(table["key"]))
    table.insert(1, "label", [names.get(k) for k in table["key"]])
    return table.sort_values(["responses", "label"], ascending=[False, True], na_position="last",
                             ignore_index=True)


def comments(session: Session, period: Period, filters: Filters = ANY, *, limit: int = 50,
             offset: int = 0) -> pd.DataFrame:
    """Scores with a comment, newest first: ticket_id, subject, score, comment, responded_at."""
    query = (select(Survey.ticket_id, Ticket.subject, Survey.score, Survey.comment, Survey.responded_at)
             .join(Ticket, Ticket.id == Survey.ticket_id)
             .where(*_answered(period, filters), Survey.comment.is_not(None), Survey.comment != "")
             .order_by(Survey.responded_at.desc(), Survey.ticket_id.desc()).limit(limit).offset(offset))
    return pd.DataFrame(session.execute(query).all(),
                        columns=["ticket_id", "subject", "score", "comment", "responded_at"])


def followed_up():
    """True when staff wrote on the surveyed ticket after the customer's (latest) answer.

    "Followed up" means a public agent message or an internal note written by a person
    (messages without author, such as Mesa's own automatic notes, do not count) created
    after the survey's `responded_at`. A changed score moves `responded_at`, so the
    follow-up must come after the latest answer.
    """
    return exists().where(Message.ticket_id == Survey.ticket_id, Message.kind.in_(("agent", "note")),
                          Message.author_id.is_not(None), Message.created_at > Survey.responded_at)


def low_scores_without_follow_up(session: Session, period: Period, filters: Filters = ANY, *,
                                 limit: int = 100) -> pd.DataFrame:
    """Scores of 1 or 2 given in the period that nobody has followed up (see `followed_up`), newest first."""
    assignee = aliased(User)
    query = (select(Survey.ticket_id, Ticket.subject, Survey.score, Survey.comment, Survey.responded_at,
                    assignee.name)
             .join(Ticket, Ticket.id == Survey.ticket_id).outerjoin(assignee, assignee.id == Ticket.assignee_id)
             .where(*_answered(period, filters), Survey.score.in_(LOW_SCORES), ~followed_up())
             .order_by(Survey.responded_at.desc(), Survey.ticket_id.desc()).limit(limit))
    return pd.DataFrame(session.execute(query).all(),
                        columns=["ticket_id", "subject", "score", "comment", "responded_at", "assignee"])

