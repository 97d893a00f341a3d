"""messages.sender_unverified: the message's author is the account it names, unproven

A ticket sent from the web form in the name of an address that has an account, without signing in
to it, and an email whose receiving server reported a failed sender check (DMARC, or SPF without a
passing DKIM), are kept, marked for staff.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('sender_unverified', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('sender_unverified')
