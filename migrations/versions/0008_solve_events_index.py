"""ticket_events: an index on (field, new, at) so "solved per day" reads the index alone

Created vs solved counts the status events whose new value is "solved" in the period. With only
(field, at) SQLite read every status event's row to check `new`: 11 s for a year at 1M tickets.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 06:40:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_ticket_events_field_new_at', 'ticket_events', ['field', 'new', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_events_field_new_at', table_name='ticket_events')
