"""outbox: index by template and recipient (the weekly digest asks "sent this week?" on every pass)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 03:45:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_outbox_template_to', 'outbox', ['template', 'to_address', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_template_to', table_name='outbox')
