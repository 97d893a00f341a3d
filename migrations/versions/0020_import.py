"""Import from other help desks (core.imports): organizations, and each imported ticket's organization and
original number (tickets.external_id, "zendesk:123"), unique so that importing twice adds nothing, and when it
was imported (tickets.imported_at: the automations leave alone what happened before)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 01:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organizations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('external_id', sa.String(length=80), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
        sa.UniqueConstraint('external_id', name=op.f('uq_organizations_external_id')),
    )
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('external_id', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('imported_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key('fk_tickets_organization_id_organizations', 'organizations',
                                 ['organization_id'], ['id'])
        batch.create_index('ix_tickets_external_id', ['external_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_index('ix_tickets_external_id')
        batch.drop_constraint('fk_tickets_organization_id_organizations', type_='foreignkey')
        batch.drop_column('imported_at')
        batch.drop_column('external_id')
        batch.drop_column('organization_id')
    op.drop_table('organizations')
