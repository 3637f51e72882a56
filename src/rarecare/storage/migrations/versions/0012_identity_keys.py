"""registry: the blind index of identities (keyed hashes of national ID, insurance number and
full name); records registered before are indexed by ``rarecare registry index-identities``

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_identity_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["registry_patients.id"],
            name=op.f("fk_registry_identity_keys_patient_id_registry_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_identity_keys")),
    )
    with op.batch_alter_table("registry_identity_keys", schema=None) as batch_op:
        batch_op.create_index("ix_registry_identity_keys_lookup", ["kind", "digest"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registry_identity_keys_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("registry_identity_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registry_identity_keys_patient_id"))
        batch_op.drop_index("ix_registry_identity_keys_lookup")
    op.drop_table("registry_identity_keys")
