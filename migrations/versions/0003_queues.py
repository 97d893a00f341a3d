"""queues: full-text search table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000

`ticket_search` is no model (see core/search.py): an FTS5 virtual table on SQLite, a
table with a generated tsvector column and a GIN index on PostgreSQL. Existing tickets
are indexed here, with the same normalisation as core.tickets.search.normalize; afterwards the
application keeps each row current.
"""
import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
MAX_DOCUMENT_CHARS = 500_000
WORD = re.compile(r"[^\W_]+")


def normalize(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(WORD.findall(plain))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE ticket_search USING fts5("
                   "ticket_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute("CREATE TABLE ticket_search ("
                   "ticket_id INTEGER NOT NULL, "
                   "body TEXT NOT NULL, "
                   "document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED, "
                   "CONSTRAINT pk_ticket_search PRIMARY KEY (ticket_id), "
                   "CONSTRAINT fk_ticket_search_ticket_id_tickets FOREIGN KEY (ticket_id) "
                   "REFERENCES tickets (id) ON DELETE CASCADE)")
        op.execute("CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)")
    if not context.is_offline_mode():  # a SQL script cannot read the tickets it would index
        _index_existing_tickets(bind)


def _index_existing_tickets(bind) -> None:
    if bind.dialect.name == 'sqlite':
        insert = sa.text("INSERT INTO ticket_search (rowid, ticket_id, body) VALUES (:id, :id, :body)")
    else:
        insert = sa.text("INSERT INTO ticket_search (ticket_id, body) VALUES (:id, :body)")
    last = 0
    while True:
        tickets = bind.execute(sa.text(
            "SELECT t.id, t.subject, u.name, u.email FROM tickets t JOIN users u ON u.id = t.requester_id "
            "WHERE t.id > :last ORDER BY t.id LIMIT :batch"), {"last": last, "batch": BATCH}).all()
        if not tickets:
            return
        last = tickets[-1].id
        bodies: dict[int, list[str]] = {}
        for ticket_id, body in bind.execute(sa.text(
                "SELECT ticket_id, body FROM messages WHERE ticket_id BETWEEN :first AND :last "
                "ORDER BY ticket_id, id"), {"first": tickets[0].id, "last": last}):
            bodies.setdefault(ticket_id, []).append(body)
        rows = [{"id": t.id, "body": normalize("\n".join([t.subject, t.name, t.email, *bodies.get(t.id, [])]))
                 [:MAX_DOCUMENT_CHARS]} for t in tickets]
        bind.execute(insert, rows)


def downgrade() -> None:

    op.execute("DROP TABLE ticket_search")
