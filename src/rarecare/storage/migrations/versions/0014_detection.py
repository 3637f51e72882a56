"""registry: how a case was detected (newborn screening, symptoms, family screening, prenatal,
incidental; "unknown" for the records before)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_patients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "detection",
                sa.Enum(
                    "newborn_screening",
                    "symptoms",
                    "family_screening",
                    "prenatal",
                    "incidental",
                    "unknown",
                    name="detection",
                    native_enum=False,
                    length=24,
                ),
                server_default="unknown",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_patients", schema=None) as batch_op:
        batch_op.drop_column("detection")
