"""lists: who last edited a draft (four-eyes approval)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.drop_column("edited_by")
