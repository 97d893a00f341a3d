"""Staff sign-in: two-factor (TOTP) and single sign-on columns; addresses stored in lower case

users.totp_secret / totp_enabled_at / totp_last_step / recovery_codes hold a staff member's second
factor (the recovery codes as SHA-256 hashes); users.sso_email is the identity provider's verified
address an admin mapped to the account. desk_settings.staff_two_factor and staff_sso_only are the
admin's requirements. Addresses were always written in lower case; the few that were not are now,
so a lookup by address uses the unique index instead of lower(email).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 20:45:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE users SET email = lower(email) WHERE email <> lower(email)")
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('recovery_codes', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('sso_email', sa.String(length=254), nullable=True))
    # an index, not a constraint: SQLite adds it without copying the users table (which its foreign keys forbid)
    op.create_index('ix_users_sso_email', 'users', ['sso_email'], unique=True)
    with op.batch_alter_table('desk_settings') as batch:
        batch.add_column(sa.Column('staff_two_factor', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('staff_sso_only', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('desk_settings') as batch:
        batch.drop_column('staff_sso_only')
        batch.drop_column('staff_two_factor')
    op.drop_index('ix_users_sso_email', table_name='users')
    with op.batch_alter_table('users') as batch:
        for column in ('sso_email', 'recovery_codes', 'totp_last_step', 'totp_enabled_at', 'totp_secret'):
            batch.drop_column(column)
