"""ticket_metrics: copies of the ticket's assignee, product, kind and channel, in the covering period indexes

The dashboards' breakdowns by agent, product and kind, their weekly trend and their filters joined
tickets and sorted every value of the period (54 s for a year's breakdowns at 1M tickets). With the
copies they read one range of the (period, ...) index. Existing rows get the copies from their tickets.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 08:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPIES = {'ticket_assignee_id': 'assignee_id', 'ticket_product_id': 'product_id', 'ticket_kind': 'kind',
          'ticket_channel': 'channel'}
CREATED = ['ticket_created_at', 'ticket_priority', 'first_reply_breached', 'first_reply_due_at', 'first_reply_at',
           'first_reply_minutes', 'first_reply_business_minutes']
SOLVED = ['ticket_solved_at', 'ticket_priority', 'resolution_breached', 'resolution_due_at',
          'full_resolution_minutes', 'full_resolution_business_minutes']


def _indexes(extra: list[str]) -> None:
    op.drop_index('ix_ticket_metrics_created', table_name='ticket_metrics')
    op.drop_index('ix_ticket_metrics_solved', table_name='ticket_metrics')
    op.create_index('ix_ticket_metrics_created', 'ticket_metrics', CREATED + extra, unique=False)
    op.create_index('ix_ticket_metrics_solved', 'ticket_metrics', SOLVED + extra, unique=False)


def upgrade() -> None:
    with op.batch_alter_table('ticket_metrics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ticket_product_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ticket_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('ticket_channel', sa.String(length=8), nullable=True))
    op.execute("UPDATE ticket_metrics SET " + ", ".join(
        f"{copy} = (SELECT t.{column} FROM tickets t WHERE t.id = ticket_metrics.ticket_id)"
        for copy, column in COPIES.items()))
    _indexes(list(COPIES))


def downgrade() -> None:
    _indexes([])
    with op.batch_alter_table('ticket_metrics', schema=None) as batch_op:
        for copy in reversed(COPIES):
            batch_op.drop_column(copy)
