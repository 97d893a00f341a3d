"""tags and presence: ticket_tags, ticket_presence

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ticket_tags',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_tags_ticket_id_tickets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'tag', name=op.f('pk_ticket_tags'))
    )
    op.create_index('ix_ticket_tags_tag', 'ticket_tags', ['tag', 'ticket_id'], unique=False)
    op.create_table('ticket_presence',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_presence_ticket_id_tickets'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_presence_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id', name=op.f('pk_ticket_presence'))
    )


def downgrade() -> None:
    op.drop_table('ticket_presence')
    op.drop_index('ix_ticket_tags_tag', table_name='ticket_tags')
    op.drop_table('ticket_tags')
