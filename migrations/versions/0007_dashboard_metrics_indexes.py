"""ticket_metrics: copies of the ticket's created_at, solved_at and priority; covering indexes for the dashboards

The dashboards' percentiles walk a (value, period) index in order and stop at the wanted position
instead of sorting every ticket of the period; counts and SLA attainment read a (period, ...) index.
Existing rows get the copies from their tickets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    'ix_ticket_metrics_first_reply': ['first_reply_minutes', 'ticket_created_at'],
    'ix_ticket_metrics_priority_first_reply': ['ticket_priority', 'first_reply_minutes', 'ticket_created_at'],
    'ix_ticket_metrics_first_reply_business': ['first_reply_business_minutes', 'ticket_created_at'],
    'ix_ticket_metrics_priority_first_reply_business': ['ticket_priority', 'first_reply_business_minutes',
                                                        'ticket_created_at'],
    'ix_ticket_metrics_resolution': ['full_resolution_minutes', 'ticket_solved_at'],
    'ix_ticket_metrics_priority_resolution': ['ticket_priority', 'full_resolution_minutes', 'ticket_solved_at'],
    'ix_ticket_metrics_resolution_business': ['full_resolution_business_minutes', 'ticket_solved_at'],
    'ix_ticket_metrics_priority_resolution_business': ['ticket_priority', 'full_resolution_business_minutes',
                                                       'ticket_solved_at'],
    'ix_ticket_metrics_created': ['ticket_created_at', 'ticket_priority', 'first_reply_breached', 'first_reply_due_at',
                                  'first_reply_at', 'first_reply_minutes', 'first_reply_business_minutes'],
    'ix_ticket_metrics_solved': ['ticket_solved_at', 'ticket_priority', 'resolution_breached', 'resolution_due_at',
                                 'full_resolution_minutes', 'full_resolution_business_minutes'],
}


SURVEY_INDEXES = {
    'ix_surveys_sent_score': ['sent_at', 'score'],
    'ix_surveys_responded_score': ['responded_at', 'score'],
}


def upgrade() -> None:
    with op.batch_alter_table('ticket_metrics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_created_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ticket_solved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ticket_priority', sa.String(length=8), nullable=True))
    op.execute("UPDATE ticket_metrics SET "
               "ticket_created_at = (SELECT t.created_at FROM tickets t WHERE t.id = ticket_metrics.ticket_id), "
               "ticket_solved_at = (SELECT t.solved_at FROM tickets t WHERE t.id = ticket_metrics.ticket_id), "
               "ticket_priority = (SELECT t.priority FROM tickets t WHERE t.id = ticket_metrics.ticket_id)")
    for name, columns in INDEXES.items():
        op.create_index(name, 'ticket_metrics', columns, unique=False)
    for name, columns in SURVEY_INDEXES.items():
        op.create_index(name, 'surveys', columns, unique=False)


def downgrade() -> None:
    for name in reversed(SURVEY_INDEXES):
        op.drop_index(name, table_name='surveys')
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='ticket_metrics')
    with op.batch_alter_table('ticket_metrics', schema=None) as batch_op:
        batch_op.drop_column('ticket_priority')
        batch_op.drop_column('ticket_solved_at')
        batch_op.drop_column('ticket_created_at')
