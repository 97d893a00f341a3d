"""schedule: business hours and automation timings (desk_settings), tickets.close_reason

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00.000000

One default row: Monday to Friday, 09:00-17:00 in MESA_TIMEZONE, no holidays; the
automation timings stay NULL, which means "the MESA_ environment setting".
"""
import os
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timezone() -> str:
    try:
        from core.config import Settings

        return Settings().timezone
    except Exception:  # a bad setting is reported by the application itself
        return os.environ.get("MESA_TIMEZONE") or "Europe/Madrid"


def upgrade() -> None:
    op.add_column('tickets', sa.Column('close_reason', sa.String(length=8), nullable=True))
    table = op.create_table('desk_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_days', sa.JSON(), nullable=False),
    sa.Column('day_start', sa.Integer(), nullable=False),
    sa.Column('day_end', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('close_after_days', sa.Integer(), nullable=True),
    sa.Column('reminder_after_days', sa.Integer(), nullable=True),
    sa.Column('auto_solve_after_days', sa.Integer(), nullable=True),
    sa.Column('survey_delay_minutes', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_settings'))
    )
    op.bulk_insert(table, [{'id': 1, 'work_days': [0, 1, 2, 3, 4], 'day_start': 9 * 60, 'day_end': 17 * 60,
                            'timezone': _timezone(), 'holidays': [],
                            'updated_at': datetime.now(UTC).replace(tzinfo=None)}])


def downgrade() -> None:
    op.drop_table('desk_settings')
    # plain ALTER TABLE (SQLite 3.35+): a batch copy of tickets would cascade-delete its messages
    op.drop_column('tickets', 'close_reason')
