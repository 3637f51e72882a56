"""reliability and security: demo accounts flagged, one patient record per person and centre,
versioned patient records (optimistic locking), a match key for near-homonyms,
the register of data keys (check values, the wrapped pseudonym key), background jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rarecare.storage.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    twins = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT pseudonym, centre_id, count(*) FROM registry_patients"
                " GROUP BY pseudonym, centre_id HAVING count(*) > 1"
            )
        )
        .all()
    )
    if twins:  # made by simultaneous registrations before this constraint existed
        listed = ", ".join(f"{p} (centre {c}: {n} records)" for p, c, n in twins[:20])
        raise RuntimeError(
            "Some people are registered more than once at the same centre; merge these records "
            f"first, then upgrade again: {listed}"
        )
    with op.batch_alter_table("registry_patients") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("match_key", sa.String(length=24), nullable=True))
        batch.create_index("ix_registry_patients_match_key", ["match_key"])
        batch.create_unique_constraint(
            "uq_registry_patients_pseudonym_centre", ["pseudonym", "centre_id"]
        )

    for table in ("list_versions", "centres"):  # optimistic locking of editable records
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "registry_data_keys",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("check_value", sa.String(length=32), nullable=False),
        sa.Column("pseudonym_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_registry_data_keys")),
    )

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("owner_username", sa.String(length=64), nullable=False),
        sa.Column("owner_role", sa.String(length=16), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", rarecare.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("registry_data_keys")
    for table in ("list_versions", "centres"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
    with op.batch_alter_table("registry_patients") as batch:
        batch.drop_constraint("uq_registry_patients_pseudonym_centre", type_="unique")
        batch.drop_index("ix_registry_patients_match_key")
        batch.drop_column("match_key")
        batch.drop_column("version")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("is_demo")
