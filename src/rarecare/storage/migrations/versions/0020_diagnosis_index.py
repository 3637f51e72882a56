"""The index of the facts' diagnosis month carries what the delay medians read (the breakdown
keys and both delays) and leaves out the records not diagnosed: on PostgreSQL a period's
diagnoses are read from the index alone, not from the facts' pages scattered over the table.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

NAME = "ix_monitoring_patient_facts_diagnosed"
TABLE = "monitoring_patient_facts"
CARRIED = ("province", "former", "centre", "disease", "sex", "since_symptoms", "since_contact")


def upgrade() -> None:
    op.drop_index(op.f(NAME), table_name=TABLE)
    op.create_index(
        op.f(NAME),
        TABLE,
        ["diagnosed"],
        postgresql_include=list(CARRIED),
        postgresql_where=sa.text("diagnosed IS NOT NULL"),
        sqlite_where=sa.text("diagnosed IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(op.f(NAME), table_name=TABLE)
    op.create_index(op.f(NAME), TABLE, ["diagnosed"])
