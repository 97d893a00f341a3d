"""ticket_followers: people on a ticket's conversation besides its requester

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 21:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ticket_followers',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_followers_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ticket_followers_user_id_users')),
        sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_ticket_followers_added_by_id_users')),
        sa.PrimaryKeyConstraint('ticket_id', 'user_id', name=op.f('pk_ticket_followers')),
    )


def downgrade() -> None:
    op.drop_table('ticket_followers')
