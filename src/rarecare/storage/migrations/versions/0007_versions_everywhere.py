"""optimistic locking on every editable record (guidelines, therapy plans, users, patient
coverage, drug stock) and an index for the k-anonymity check of record-level views

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (table, column): the guideline's own "version" is its edition label, so its lock is row_version
VERSIONED = (
    ("guidelines", "row_version"),
    ("care_therapy_plans", "version"),
    ("users", "version"),
    ("finance_patient_coverage", "version"),
    ("care_drug_stock", "version"),
)


def upgrade() -> None:
    for table, column in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Integer(), server_default="1", nullable=False))
    op.create_index(
        "ix_registry_patients_quasi",
        "registry_patients",
        ["province_code", "birth_month", "sex", "orpha_code"],
    )


def downgrade() -> None:
    op.drop_index("ix_registry_patients_quasi", table_name="registry_patients")
    for table, column in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
