"""finance: saved budget-impact scenarios

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rarecare.storage.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finance_budget_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("drug", sa.String(length=120), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_budget_scenarios")),
    )


def downgrade() -> None:
    op.drop_table("finance_budget_scenarios")
