# ruff: noqa: S608 - the SQL below is built from this module's constants, never from input
"""The records' facts gain their diagnosis (the month of a confirmed diagnosis and its delays
since first symptoms and first contact, in days), indexed by that month, so that a refresh's
delay medians read the patients diagnosed in its period from the facts instead of reading
every record. Existing facts are filled in from their records here.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("diagnosed", "since_symptoms", "since_contact")

# the month of a day (year × 12 + month − 1) and the days between two days, per dialect
MONTH = {
    "postgresql": "(CAST(EXTRACT(YEAR FROM {0}) AS INTEGER) * 12 "
    "+ CAST(EXTRACT(MONTH FROM {0}) AS INTEGER) - 1)",
    "sqlite": "(CAST(strftime('%Y', {0}) AS INTEGER) * 12 "
    "+ CAST(strftime('%m', {0}) AS INTEGER) - 1)",
}
DAYS = {
    "postgresql": "({0} - {1})",
    "sqlite": "CAST(julianday({0}) - julianday({1}) AS INTEGER)",
}


def upgrade() -> None:
    with op.batch_alter_table("monitoring_patient_facts") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_monitoring_patient_facts_diagnosed"),
        "monitoring_patient_facts",
        ["diagnosed"],
    )
    dialect = op.get_bind().dialect.name
    month, days = MONTH[dialect], DAYS[dialect]
    diagnosis = "p.diagnosis_date"

    def since(column: str) -> str:
        return (
            f"CASE WHEN p.{column} <= {diagnosis} THEN {days.format(diagnosis, f'p.{column}')} END"
        )

    op.execute(
        "UPDATE monitoring_patient_facts "
        f"SET diagnosed = {month.format(diagnosis)}, "
        f"since_symptoms = {since('first_symptoms_date')}, "
        f"since_contact = {since('first_contact_date')} "
        "FROM registry_patients p "
        "WHERE p.id = monitoring_patient_facts.patient_id "
        "AND p.diagnostic_status = 'confirmed' AND p.diagnosis_date IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_monitoring_patient_facts_diagnosed"), table_name="monitoring_patient_facts"
    )
    with op.batch_alter_table("monitoring_patient_facts") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
