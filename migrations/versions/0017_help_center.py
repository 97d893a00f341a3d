"""The help center in the SQL store: sections, articles, translations, versions, votes, reader activity, the
search index (help_search: FTS5 on SQLite, a tsvector per locale's configuration on PostgreSQL, see
core/help/search.py), users.writes_help. The starter articles from data/help come in through core.db.migrate,
after the migrations: a migration runs no application code.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 01:25:36.642410
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('help_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['help_sections.id'], name=op.f('fk_help_sections_parent_id_help_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_sections')),
    sa.UniqueConstraint('slug', name=op.f('uq_help_sections_slug'))
    )
    op.create_table('help_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('from_ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_articles_author_id_users')),
    sa.ForeignKeyConstraint(['from_ticket_id'], ['tickets.id'], name=op.f('fk_help_articles_from_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['section_id'], ['help_sections.id'], name=op.f('fk_help_articles_section_id_help_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_help_articles_slug'))
    )
    with op.batch_alter_table('help_articles', schema=None) as batch_op:
        batch_op.create_index('ix_help_articles_status_position', ['status', 'position'], unique=False)

    op.create_table('help_activity',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.String(length=200), nullable=True),
    sa.Column('results', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_activity_article_id_help_articles')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_help_activity_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_activity'))
    )
    with op.batch_alter_table('help_activity', schema=None) as batch_op:
        batch_op.create_index('ix_help_activity_article_kind', ['article_id', 'kind'], unique=False)
        batch_op.create_index('ix_help_activity_kind_at', ['kind', 'at', 'article_id', 'ticket_id'], unique=False)
        batch_op.create_index('ix_help_activity_kind_results_at', ['kind', 'results', 'at', 'query'], unique=False)
        batch_op.create_index('ix_help_activity_ticket', ['ticket_id'], unique=False)

    op.create_table('help_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_translations_article_id_help_articles')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_help_translations_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_translations'))
    )
    with op.batch_alter_table('help_translations', schema=None) as batch_op:
        batch_op.create_index('ix_help_translations_article_locale', ['article_id', 'locale'], unique=True)

    op.create_table('help_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_versions_article_id_help_articles')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_versions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_versions'))
    )
    with op.batch_alter_table('help_versions', schema=None) as batch_op:
        batch_op.create_index('ix_help_versions_article_locale', ['article_id', 'locale', 'id'], unique=False)

    op.create_table('help_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('voter', sa.String(length=64), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_votes_article_id_help_articles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_votes'))
    )
    with op.batch_alter_table('help_votes', schema=None) as batch_op:
        batch_op.create_index('ix_help_votes_article_voter', ['article_id', 'voter'], unique=True)
        batch_op.create_index('ix_help_votes_at', ['at'], unique=False)

    # a plain ADD COLUMN: a batch would copy `users` on SQLite, and dropping the old copy fails while rows refer to it
    op.add_column('users', sa.Column('writes_help', sa.Boolean(), server_default=sa.false(), nullable=False))

    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE help_search USING fts5(locale UNINDEXED, title, tags, body, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
    else:
        # the languages' stemmers without their stop words: Spanish's drop "estado" (a form of "estar"), and a
        # help center about ticket states must find it
        for language in ("spanish", "english", "portuguese"):
            op.execute(f"CREATE TEXT SEARCH DICTIONARY mesa_{language}_stem "
                       f"(TEMPLATE = snowball, Language = {language})")
            op.execute(f"CREATE TEXT SEARCH CONFIGURATION mesa_{language} (COPY = {language})")
            op.execute(f"ALTER TEXT SEARCH CONFIGURATION mesa_{language} ALTER MAPPING FOR asciiword, word, "
                       f"hword, hword_part, asciihword, hword_asciipart WITH mesa_{language}_stem")
        op.execute("CREATE TABLE help_search (translation_id INTEGER NOT NULL, locale VARCHAR(5) NOT NULL, "
                   "config REGCONFIG NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL, body TEXT NOT NULL, "
                   "document TSVECTOR GENERATED ALWAYS AS (setweight(to_tsvector(config, title), 'A') || "
                   "setweight(to_tsvector(config, tags), 'B') || setweight(to_tsvector(config, body), 'D')) STORED, "
                   "CONSTRAINT pk_help_search PRIMARY KEY (translation_id), "
                   "CONSTRAINT fk_help_search_translation_id_help_translations FOREIGN KEY (translation_id) "
                   "REFERENCES help_translations (id) ON DELETE CASCADE)")
        op.execute("CREATE INDEX ix_help_search_document ON help_search USING gin (document)")


def downgrade() -> None:
    op.execute("DROP TABLE help_search")
    if op.get_bind().dialect.name != "sqlite":
        for language in ("spanish", "english", "portuguese"):
            op.execute(f"DROP TEXT SEARCH CONFIGURATION mesa_{language}")
            op.execute(f"DROP TEXT SEARCH DICTIONARY mesa_{language}_stem")
    with op.batch_alter_table('help_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_help_votes_at')
        batch_op.drop_index('ix_help_votes_article_voter')

    op.drop_table('help_votes')
    with op.batch_alter_table('help_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_help_versions_article_locale')

    op.drop_table('help_versions')
    with op.batch_alter_table('help_translations', schema=None) as batch_op:
        batch_op.drop_index('ix_help_translations_article_locale')

    op.drop_table('help_translations')
    with op.batch_alter_table('help_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_help_activity_ticket')
        batch_op.drop_index('ix_help_activity_kind_results_at')
        batch_op.drop_index('ix_help_activity_kind_at')
        batch_op.drop_index('ix_help_activity_article_kind')

    op.drop_table('help_activity')
    with op.batch_alter_table('help_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_help_articles_status_position')

    op.drop_table('help_articles')
    op.drop_table('help_sections')
    # last: on SQLite the batch copies and drops `users`, which the help tables above referred to
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('writes_help')
