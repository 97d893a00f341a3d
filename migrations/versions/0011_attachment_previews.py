"""attachments.preview_sha256: a bounded preview of an image, made once when the file arrives

Pages show the preview only; the original stays for download. An image that does not decode, or
is larger than the pixel bound (a decompression bomb), has no preview and is shown as a file.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('preview_sha256', sa.String(length=64), nullable=True))
        batch.create_foreign_key('fk_attachments_preview_sha256_attachment_blobs', 'attachment_blobs', ['preview_sha256'], ['sha256'])


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_constraint('fk_attachments_preview_sha256_attachment_blobs', type_='foreignkey')
        batch.drop_column('preview_sha256')
