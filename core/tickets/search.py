"""Full-text search over tickets: subject, requester name and email, every message body.

One row per ticket in `ticket_search`, rewritten by the application whenever the ticket
changes (`index_ticket`, called by core.tickets.service), not by triggers:

- SQLite: an FTS5 virtual table `ticket_search(ticket_id UNINDEXED, body)` (unicode61
  tokenizer) whose rowid is the ticket id; queried with MATCH, ranked by bm25.
- PostgreSQL: a table with a generated `tsvector` column (`to_tsvector('simple', body)`)
  and a GIN index; queried with a prefix `to_tsquery('simple', ...)`, ranked by ts_rank.

Both store the same normalised text (lower case, accents removed, words split on anything
that is not a letter or a digit) and both are queried with the same words, so the two
backends find the same tickets: "contrasena" finds "Contraseña", "expor" finds "export",
"example.com" finds an address at example.com. The user's text is never passed to the
search syntax as such: it is cut into words, each quoted, so quotes, `*`, `-`, `OR`,
`NEAR(` or SQL in the box are just words. Several words must all match, each as a prefix
(a one-letter word as a whole word).

When the table is missing (a database that was never migrated to 0003) or the search
fails, `search_ids` and `filtered` fall back to a LIKE search on the subject and the
requester's name and email (every whitespace-separated word somewhere in them), and
`index_ticket` logs a warning instead of failing the change it belongs to: the search
index must never stop a ticket from being answered.

The table is no model; `include_object` keeps it out of Alembic's comparison.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, Float, Integer, Subquery, and_, or_, select, text, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from core.models import Message, Ticket, User

log = logging.getLogger(__name__)
R = TypeVar("R")

TABLE = "ticket_search"
MAX_WORDS = 12  # words of a query that count; more only slow the search down
MIN_PREFIX_CHARS = 2  # a shorter word is matched whole: "a*" would match (and rank) nearly every ticket
MAX_DOCUMENT_CHARS = 500_000  # keeps PostgreSQL's tsvector (1 MB at most) well within bounds
_WORD = re.compile(r"[^\W_]+")


# ---------------------------------------------------------------- text

def normalize(value: str) -> str:
    """Lower case, accents removed, one space between words: what is stored and searched."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORD.findall(plain))


def words(value: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_WORDS."""
    seen: dict[str, None] = {}
    for word in normalize(value).split():
        seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def _prefix(term: str, marker: str) -> str:
    return marker if len(term) >= MIN_PREFIX_CHARS else ""


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every word quoted (quotes doubled) and a prefix, all required."""
    return " ".join('"' + term.replace('"', '""') + '"' + _prefix(term, "*") for term in terms)


def tsquery(terms: list[str]) -> str:
    """A PostgreSQL to_tsquery expression: every word quoted and a prefix, all required."""
    return " & ".join("'" + term.replace("'", "''").replace("\\", "\\\\") + "'" + _prefix(term, ":*")
                      for term in terms)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic hook: the search tables (this one, the help center's, and FTS5's shadow tables) are not models."""
    return not (type_ == "table" and name is not None
                and any(name == table or name.startswith(table + "_") for table in (TABLE, "help_search")))


# ---------------------------------------------------------------- writing

def document(session: Session, ticket_id: int) -> str | None:
    """The ticket's searchable text, normalised; None when there is no such ticket."""
    found = session.execute(
        select(Ticket.subject, User.name, User.email).join(User, User.id == Ticket.requester_id)
        .where(Ticket.id == ticket_id)).first()
    if found is None:
        return None
    bodies = session.scalars(select(Message.body).where(Message.ticket_id == ticket_id).order_by(Message.id))
    parts = [found.subject, found.name, found.email, *bodies]
    return normalize("\n".join(parts))[:MAX_DOCUMENT_CHARS]


def index_ticket(session: Session, ticket_id: int) -> None:
    """(Re)write the ticket's search row in the caller's transaction."""
    body = document(session, ticket_id)
    dialect = session.get_bind().dialect.name
    try:
        with session.begin_nested():
            if dialect == "sqlite":
                session.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), {"id": ticket_id})
                if body is not None:
                    session.execute(text(f"INSERT INTO {TABLE} (rowid, ticket_id, body) VALUES (:id, :id, :body)"),
                                    {"id": ticket_id, "body": body})
            elif body is None:
                session.execute(text(f"DELETE FROM {TABLE} WHERE ticket_id = :id"), {"id": ticket_id})
            else:
                session.execute(text(f"INSERT INTO {TABLE} (ticket_id, body) VALUES (:id, :body) "
                                     "ON CONFLICT (ticket_id) DO UPDATE SET body = excluded.body"),
                                {"id": ticket_id, "body": body})
    except DBAPIError as exc:
        log.warning("search index not updated for ticket %s (%s); search falls back to LIKE",
                    ticket_id, exc.__class__.__name__)


# ---------------------------------------------------------------- reading

class _Unavailable(Exception):
    """No search index, or the full-text query failed: use the LIKE fallback."""


def has_index(session: Session | Connection) -> bool:
    """Whether the ticket_search table exists (one catalogue lookup); a Session or a Connection."""
    dialect = session.get_bind().dialect if isinstance(session, Session) else session.dialect
    if dialect.name == "sqlite":
        found = session.scalar(text("SELECT 1 FROM sqlite_master WHERE name = :name"), {"name": TABLE})
    else:
        found = session.scalar(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": TABLE})
    return bool(found)


def matches(session: Session, terms: list[str]) -> Subquery:
    """(ticket_id, score) of the indexed tickets holding every word; a lower score is a better match."""
    if session.get_bind().dialect.name == "sqlite":
        query = text(f"SELECT rowid AS ticket_id, bm25({TABLE}) AS score FROM {TABLE} WHERE {TABLE} MATCH :query")
        query = query.bindparams(query=fts5_query(terms))
    else:
        query = text(f"SELECT ticket_id, -ts_rank(document, to_tsquery('simple', :query)) AS score "
                     f"FROM {TABLE} WHERE document @@ to_tsquery('simple', :query)").bindparams(query=tsquery(terms))
    return query.columns(ticket_id=Integer(), score=Float()).subquery("search_matches")


def _full_text(session: Session, run: Callable[[], R]) -> R:
    """`run()` in a savepoint, so a failure leaves the caller's transaction usable."""
    if not has_index(session):
        raise _Unavailable
    try:
        with session.begin_nested():
            return run()
    except DBAPIError as exc:
        log.warning("full-text search failed (%s); falling back to LIKE", exc.__class__.__name__)
        raise _Unavailable from exc


def like_condition(value: str) -> ColumnElement[bool]:
    """Every word of `value` in the subject or the requester's name or email, ignoring case."""
    requester = aliased(User)
    conditions = []
    for word in value.replace("\x00", " ").split()[:MAX_WORDS]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(
            Ticket.subject.ilike(pattern, escape="\\"),
            Ticket.requester_id.in_(select(requester.id).where(or_(
                requester.name.ilike(pattern, escape="\\"), requester.email.ilike(pattern, escape="\\")))),
        ))
    return and_(true(), *conditions)


def search_ids(session: Session, value: str, limit: int = 1000) -> list[int] | None:
    """Ids of the tickets matching `value`, best match first; None when `value` is blank."""
    if not value or not value.replace("\x00", " ").strip():
        return None
    terms = words(value)

    def ranked() -> list[int]:
        found = matches(session, terms)
        return list(session.scalars(select(Ticket.id).join(found, found.c.ticket_id == Ticket.id)
                                    .order_by(found.c.score, Ticket.id.desc()).limit(limit)))

    if terms:
        try:
            return _full_text(session, ranked)
        except _Unavailable:
            pass
    return list(session.scalars(select(Ticket.id).where(like_condition(value))
                                .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit)))


def filtered(session: Session, value: str, run: Callable[[ColumnElement[bool]], R]) -> R:
    """`run(where)` with a WHERE condition on tickets selecting the matches of `value`.

    Full-text when the index is there and the text has words; otherwise (or when the
    full-text query fails) the LIKE condition.
    """
    terms = words(value)
    if terms:
        try:
            return _full_text(session, lambda: run(Ticket.id.in_(select(matches(session, terms).c.ticket_id))))
        except _Unavailable:
            pass
    return run(like_condition(value))
