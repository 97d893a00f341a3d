"""The knowledge dashboard: what the help center did in a period, aggregated in SQL.

- views, and the helpful share of the votes;
- searches, and the queries that found nothing (so someone writes the missing article);
- suggestions shown on the new-ticket form, questions they answered (tickets avoided) and tickets sent anyway:
  the self-service ratio is avoided / (avoided + sent anyway after a suggestion);
- per article: views, votes, helpful share, times it answered a question, tickets it was suggested on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.help.articles import shown_translation
from core.models import HelpActivity, HelpArticle, HelpTranslation, HelpVote, Ticket
from core.reports.common import Period

NO_RESULT_ROWS = 20


@dataclass(frozen=True)
class Headline:
    views: int
    votes: int
    helpful: int
    searches: int
    searches_without_result: int
    suggested: int
    avoided: int
    sent_anyway: int

    @property
    def helpful_ratio(self) -> float | None:
        return self.helpful / self.votes if self.votes else None

    @property
    def self_service_ratio(self) -> float | None:
        total = self.avoided + self.sent_anyway
        return self.avoided / total if total else None


def _in(period: Period, column):
    return (column >= period.start) & (column < period.end)


KINDS = ("view", "search", "suggest", "deflect", "ticket")


def headline(session: Session, period: Period) -> Headline:
    in_period = _in(period, HelpActivity.at)
    counts = dict(session.execute(select(HelpActivity.kind, func.count()).where(HelpActivity.kind.in_(KINDS), in_period)
                                  .group_by(HelpActivity.kind)).all())
    no_result = session.scalar(select(func.count()).where(HelpActivity.kind == "search", HelpActivity.results == 0,
                                                          in_period))
    # tickets, not rows: a ticket sent after three suggestions counts once
    sent = session.scalar(select(func.count(func.distinct(HelpActivity.ticket_id)))
                          .where(HelpActivity.kind == "ticket", in_period))
    votes = session.execute(select(func.count(), func.coalesce(func.sum(case((HelpVote.helpful, 1), else_=0)), 0))
                            .where(_in(period, HelpVote.at))).one()
    return Headline(views=counts.get("view", 0), votes=votes[0], helpful=int(votes[1]),
                    searches=counts.get("search", 0), searches_without_result=no_result,
                    suggested=counts.get("suggest", 0), avoided=counts.get("deflect", 0), sent_anyway=sent)


def searches_without_result(session: Session, period: Period, limit: int = NO_RESULT_ROWS) -> pd.DataFrame:
    """The queries that found nothing, most asked first."""
    asked = func.count().label("searches")
    rows = session.execute(select(HelpActivity.query, HelpActivity.locale, asked)
                           .where(HelpActivity.kind == "search", HelpActivity.results == 0,
                                  _in(period, HelpActivity.at))
                           .group_by(HelpActivity.query, HelpActivity.locale)
                           .order_by(asked.desc(), HelpActivity.query).limit(limit)).all()
    return pd.DataFrame(rows, columns=["query", "locale", "searches"])


def by_article(session: Session, period: Period, locale: str, limit: int = 50) -> pd.DataFrame:
    """Per article: views, votes, helpful share, questions answered, tickets suggested on; busiest first."""
    activity = (select(HelpActivity.article_id,
                       func.sum(case((HelpActivity.kind == "view", 1), else_=0)).label("views"),
                       func.sum(case((HelpActivity.kind == "deflect", 1), else_=0)).label("answered"),
                       func.count(func.distinct(HelpActivity.ticket_id)).label("tickets"))
                .where(HelpActivity.kind.in_(("view", "deflect", "ticket")), _in(period, HelpActivity.at))
                .group_by(HelpActivity.article_id).subquery())
    votes = (select(HelpVote.article_id, func.count().label("votes"),
                    func.sum(case((HelpVote.helpful, 1), else_=0)).label("helpful"))
             .where(_in(period, HelpVote.at)).group_by(HelpVote.article_id).subquery())
    views = func.coalesce(activity.c.views, 0)
    rows = session.execute(
        select(HelpArticle.id, HelpArticle.slug, views.label("views"),
               func.coalesce(votes.c.votes, 0), func.coalesce(votes.c.helpful, 0),
               func.coalesce(activity.c.answered, 0), func.coalesce(activity.c.tickets, 0))
        .outerjoin(activity, activity.c.article_id == HelpArticle.id)
        .outerjoin(votes, votes.c.article_id == HelpArticle.id)
        .where((activity.c.article_id.is_not(None)) | (votes.c.article_id.is_not(None)))
        .order_by(views.desc(), HelpArticle.slug).limit(limit)).all()
    titles = _titles(session, [r[0] for r in rows], locale)
    frame = pd.DataFrame([(titles.get(r[0], r[1]), r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows],
                         columns=["article", "slug", "views", "votes", "helpful", "answered", "tickets"])
    frame["helpful_pct"] = (100 * frame["helpful"] / frame["votes"].where(frame["votes"] > 0)).round(1)
    return frame.astype({c: "int64" for c in ("views", "votes", "helpful", "answered", "tickets")})


def _titles(session: Session, ids: list[int], locale: str) -> dict[int, str]:
    found: dict[int, list[HelpTranslation]] = {}
    for translation in session.scalars(select(HelpTranslation).where(HelpTranslation.article_id.in_(ids))):
        found.setdefault(translation.article_id, []).append(translation)
    return {i: shown_translation(ts, locale).title for i, ts in found.items()}


@dataclass(frozen=True)
class Feedback:
    """What an article's writer sees: its votes, their comments, the tickets it was suggested on."""

    votes: int
    helpful: int
    comments: list[tuple[bool, str]]
    tickets: list[tuple[int, str]]


def feedback(session: Session, article_id: int, limit: int = 20) -> Feedback:
    votes = session.execute(select(func.count(), func.coalesce(func.sum(case((HelpVote.helpful, 1), else_=0)), 0))
                            .where(HelpVote.article_id == article_id)).one()
    comments = session.execute(select(HelpVote.helpful, HelpVote.comment)
                               .where(HelpVote.article_id == article_id, HelpVote.comment.is_not(None))
                               .order_by(HelpVote.at.desc()).limit(limit)).all()
    tickets = session.execute(select(Ticket.id, Ticket.subject).join(HelpActivity, HelpActivity.ticket_id == Ticket.id)
                              .where(HelpActivity.article_id == article_id, HelpActivity.kind == "ticket")
                              .distinct().order_by(Ticket.id.desc()).limit(limit)).all()
    return Feedback(votes[0], int(votes[1]), list(comments), list(tickets))


