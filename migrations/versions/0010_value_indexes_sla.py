"""ticket_metrics: the value indexes also hold the due time and the breached flag

A long period's percentiles read a (value, period) index grouped by value; with the due time and
the breached flag in it, the same pass gives the SLA counts, and the separate count over the
period index (a sort by priority for the priority breakdown) is no longer needed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 08:40:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MILESTONES = (  # name, minutes, business minutes, period, due, breached
    ('first_reply', 'first_reply_minutes', 'first_reply_business_minutes', 'ticket_created_at', 'first_reply_due_at',
     'first_reply_breached'),
    ('resolution', 'full_resolution_minutes', 'full_resolution_business_minutes', 'ticket_solved_at',
     'resolution_due_at', 'resolution_breached'),
)


def _indexes(with_sla: bool) -> None:
    for name, minutes, business_minutes, period, due, breached in MILESTONES:
        for kind, value in (('', minutes), ('_business', business_minutes)):
            for prefix, lead in (('', []), ('priority_', ['ticket_priority'])):
                index = f'ix_ticket_metrics_{prefix}{name}{kind}'
                op.drop_index(index, table_name='ticket_metrics')
                op.create_index(index, 'ticket_metrics', [*lead, value, period, *([due, breached] if with_sla else [])],
                                unique=False)


def upgrade() -> None:
    _indexes(True)


def downgrade() -> None:
    _indexes(False)
