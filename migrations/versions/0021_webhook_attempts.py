"""Every try of a webhook delivery (webhook_attempts): when, the answer's status and first characters, how long
it took, the error; the admin's delivery log lists them (a delivery's own columns keep only its latest try)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 04:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'webhook_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('attempted_at', sa.DateTime(), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_excerpt', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'],
                                name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts')),
    )
    op.create_index('ix_webhook_attempts_delivery', 'webhook_attempts', ['delivery_id', 'id'])
    # The tries made before this table existed: the latest of each delivery is all that was kept.
    op.execute(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, response_excerpt, duration_ms, "
        "error) SELECT id, last_attempt_at, response_status, substr(response_excerpt, 1, 300), response_ms, "
        "last_error FROM webhook_deliveries WHERE last_attempt_at IS NOT NULL")


def downgrade() -> None:
    op.drop_index('ix_webhook_attempts_delivery', table_name='webhook_attempts')
    op.drop_table('webhook_attempts')
