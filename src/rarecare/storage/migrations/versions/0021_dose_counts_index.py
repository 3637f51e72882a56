"""The period's dose counts read in plan order from one index: on PostgreSQL a refresh scans
the period's counts from the index alone (what each plan was given, grouped per plan as it
goes), not from the table's pages, which hold every month, quarter and year.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

NAME = "ix_monitoring_dose_counts_plans"
TABLE = "monitoring_dose_counts"


def upgrade() -> None:
    op.create_index(
        op.f(NAME),
        TABLE,
        ["period", "plan_id"],
        postgresql_include=["centre_id", "visits", "vials"],
    )


def downgrade() -> None:
    op.drop_index(op.f(NAME), table_name=TABLE)
