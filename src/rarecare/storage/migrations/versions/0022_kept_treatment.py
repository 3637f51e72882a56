# ruff: noqa: S608 - the DDL below is built from this module's constants, never from input
"""The period's treated records kept between refreshes: each refreshed period's records with
what they were worked out with, the records to work out again (per period), and the records
marked as their treatment may have changed — by triggers on the infusions and the coverage
records (a record counted again is marked by the refresh itself).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SOURCES = ("care_administrations", "finance_patient_coverage")  # each has a patient_id
MARK = "INSERT INTO monitoring_treatment_marks (patient_id) "


def upgrade() -> None:
    op.create_table(
        "monitoring_treatment_marks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_treatment_marks")),
    )
    op.create_table(
        "monitoring_treatment_states",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("refreshed_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_monitoring_treatment_states")),
    )
    op.create_table(
        "monitoring_treatment_dirty",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("patient_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("period", "patient_id", name=op.f("pk_monitoring_treatment_dirty")),
    )
    op.create_table(
        "monitoring_treatment_rows",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("patient_id", sa.Integer(), autoincrement=False, nullable=False),
        *(
            sa.Column(name, sa.String(length=16), nullable=False)
            for name in ("province", "former", "sex", "centre", "disease")
        ),
        sa.Column("born", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("on_drug", sa.SmallInteger(), nullable=False),
        sa.Column("adherent_from", sa.Integer(), nullable=True),
        sa.Column("adherent_through", sa.Integer(), nullable=True),
        sa.Column("volatile", sa.SmallInteger(), nullable=False),
        sa.Column("oop", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("trips", sa.Integer(), nullable=True),
        sa.Column("trip_centre", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("period", "patient_id", name=op.f("pk_monitoring_treatment_rows")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in SOURCES:
        function = f"monitoring_treatment_{table}"
        if postgres:  # statement triggers over transition tables: one write per statement
            ids = {
                "INSERT": "SELECT patient_id FROM new_rows",
                "UPDATE": "SELECT patient_id FROM new_rows UNION SELECT patient_id FROM old_rows",
                "DELETE": "SELECT patient_id FROM old_rows",
            }
            body = " ".join(
                f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN "
                f"{MARK} SELECT DISTINCT patient_id FROM ({query}) AS changed;"
                for n, (event, query) in enumerate(ids.items())
            )
            op.execute(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{body} END IF; RETURN NULL; END $$"
            )
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }
            for event, tables in referencing.items():
                op.execute(
                    f"CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table} "
                    f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
        else:
            bodies = {
                "insert": f"{MARK} VALUES (NEW.patient_id);",
                "update": f"{MARK} VALUES (NEW.patient_id); {MARK} VALUES (OLD.patient_id);",
                "delete": f"{MARK} VALUES (OLD.patient_id);",
            }
            for event, body in bodies.items():
                op.execute(
                    f"CREATE TRIGGER {function}_{event} AFTER {event.upper()} ON {table} "
                    f"BEGIN {body} END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in SOURCES:
        function = f"monitoring_treatment_{table}"
        for event in ("insert", "update", "delete"):
            op.execute(
                f"DROP TRIGGER IF EXISTS {function}_{event}" + (f" ON {table}" if postgres else "")
            )
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    for name in ("rows", "dirty", "states", "marks"):
        op.drop_table(f"monitoring_treatment_{name}")
