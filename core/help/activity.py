"""What readers do with the help center: views, searches, suggestions on the new-ticket form, questions answered
without a ticket, and votes. Rows in `help_activity` (and `help_votes`), read back by core.help.stats."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.errors import Collector
from core.models import HelpActivity, HelpArticle, HelpVote

MAX_COMMENT = 2000


def _article_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(HelpArticle.id).where(HelpArticle.slug == slug))


def viewed(session: Session, slug: str, locale: str, now: datetime) -> None:
    session.execute(insert(HelpActivity).values(kind="view", at=now, locale=locale,
                                                article_id=_article_id(session, slug)))


def searched(session: Session, query: str, results: int, locale: str, now: datetime) -> None:
    session.execute(insert(HelpActivity).values(kind="search", at=now, locale=locale,
                                                query=" ".join(query.split())[:200].lower(), results=results))


def suggested(session: Session, slugs: list[str], locale: str, now: datetime) -> None:
    """Articles shown as suggestions on the new-ticket form (once each per form)."""
    ids = session.scalars(select(HelpArticle.id).where(HelpArticle.slug.in_(slugs))).all()
    if ids:
        session.execute(insert(HelpActivity), [{"kind": "suggest", "at": now, "locale": locale,
                                                "article_id": i} for i in ids])


def answered(session: Session, slug: str, locale: str, now: datetime) -> None:
    """'This answered my question' on a suggestion: a ticket avoided."""
    session.execute(insert(HelpActivity).values(kind="deflect", at=now, locale=locale,
                                                article_id=_article_id(session, slug)))


def sent_anyway(session: Session, slugs: list[str], ticket_id: int, locale: str, now: datetime) -> None:
    """The ticket was sent after these articles were suggested: linked to it, for the article's writer."""
    ids = session.scalars(select(HelpArticle.id).where(HelpArticle.slug.in_(slugs))).all()
    if ids:
        session.execute(insert(HelpActivity), [{"kind": "ticket", "at": now, "locale": locale, "article_id": i,
                                                "ticket_id": ticket_id} for i in ids])


def voter_key(user_id: int | None, visitor: str) -> str:
    """A voter: the account when signed in, else the browser's visitor id; hashed, never kept as given."""
    return hashlib.sha256((f"user:{user_id}" if user_id else f"visitor:{visitor}").encode()).hexdigest()


def vote(session: Session, slug: str, voter: str, helpful: bool, comment: str, locale: str,
         now: datetime) -> None:
    """One vote per voter and article: voting again changes the vote."""
    if len(comment) > MAX_COMMENT:
        errors = Collector()
        errors.add("comment", "help.too_long", limit=MAX_COMMENT)
        errors.raise_if_any()
    article_id = _article_id(session, slug)
    if article_id is None:
        return
    found = session.scalar(select(HelpVote).where(HelpVote.article_id == article_id, HelpVote.voter == voter))
    if found is None:
        session.add(HelpVote(article_id=article_id, voter=voter, helpful=helpful, comment=comment.strip() or None,
                             locale=locale, at=now))
    else:
        found.helpful, found.at = helpful, now
        found.comment = comment.strip() or found.comment


def my_vote(session: Session, slug: str, voter: str) -> bool | None:
    return session.scalar(select(HelpVote.helpful).join(HelpArticle, HelpArticle.id == HelpVote.article_id)
                          .where(HelpArticle.slug == slug, HelpVote.voter == voter))
