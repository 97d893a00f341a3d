"""users.sessions_valid_after: sign-in sessions started before it are over

Sign-out, a password change, deactivation and "sign out everywhere" set it; every run of a signed-in
page compares it with when its session started (the sign-in cookie's issue time).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:35:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('sessions_valid_after', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('sessions_valid_after')
