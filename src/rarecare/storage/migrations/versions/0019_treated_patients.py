# ruff: noqa: S608 - the SQL below is built from this module's constants, never from input
"""The breakdown keys of the records with a therapy plan, kept apart (a few percent of the
records) so that a refresh reads the period's treated records' keys without reading every
record's facts. Writing a plan marks its patient to be counted again (triggers on the plans),
and counting a record again rewrites its keys here. Existing treated records are filled in
from their facts. On PostgreSQL the patient cells leave room on their pages for updates.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KEYS = ("province", "former", "sex", "centre", "disease")
FUNCTION = "monitoring_stale_care_therapy_plans"


def upgrade() -> None:
    op.create_table(
        "monitoring_treated_patients",
        sa.Column("patient_id", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.String(length=16), nullable=False) for name in KEYS),
        sa.Column("born", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_monitoring_treated_patients")),
    )
    columns = ", ".join(("patient_id", *KEYS, "born", "registered"))
    op.execute(
        f"INSERT INTO monitoring_treated_patients ({columns}) SELECT {columns} "
        "FROM monitoring_patient_facts "
        "WHERE patient_id IN (SELECT patient_id FROM care_therapy_plans)"
    )
    mark = "INSERT INTO monitoring_stale_patients (patient_id) "
    if op.get_bind().dialect.name == "postgresql":
        # the cells are updated in place as records are counted again: room on each page
        # for the new versions (updates that touch no index; about 10% faster syncs)
        op.execute("ALTER TABLE monitoring_patient_cells SET (fillfactor = 70)")
        ids = {
            "INSERT": "SELECT patient_id FROM new_rows",
            "UPDATE": "SELECT patient_id FROM new_rows UNION SELECT patient_id FROM old_rows",
            "DELETE": "SELECT patient_id FROM old_rows",
        }
        body = " ".join(
            f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN "
            f"{mark} SELECT DISTINCT patient_id FROM ({query}) AS changed;"
            for n, (event, query) in enumerate(ids.items())
        )
        op.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{body} END IF; RETURN NULL; END $$"
        )
        referencing = {
            "INSERT": "NEW TABLE AS new_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
        }
        for event, tables in referencing.items():
            op.execute(
                f"CREATE TRIGGER {FUNCTION}_{event.lower()} AFTER {event} "
                f"ON care_therapy_plans REFERENCING {tables} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {FUNCTION}()"
            )
        return
    bodies = {
        "insert": f"{mark} VALUES (NEW.patient_id);",
        "update": f"{mark} VALUES (NEW.patient_id); {mark} VALUES (OLD.patient_id);",
        "delete": f"{mark} VALUES (OLD.patient_id);",
    }
    for event, body in bodies.items():
        op.execute(
            f"CREATE TRIGGER {FUNCTION}_{event} AFTER {event.upper()} ON care_therapy_plans "
            f"BEGIN {body} END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for event in ("insert", "update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS {FUNCTION}_{event}"
            + (" ON care_therapy_plans" if postgres else "")
        )
    if postgres:
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
        op.execute("ALTER TABLE monitoring_patient_cells RESET (fillfactor)")
    op.drop_table("monitoring_treated_patients")
