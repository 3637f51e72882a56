# ruff: noqa: S608 - the DDL below is built from this module's constants, never from input
"""The indicators' maintained pre-aggregates: records to count again (marked by triggers on the
patients and their diagnosis records), what each record contributes, the patient cells, and
the doses per plan and period (kept by triggers on the infusions). Existing records are marked
to be counted by the next refresh; existing infusions are counted here.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

MEASURES = (
    "registered",
    "alive",
    "child",
    "dead",
    "dead_under_5",
    "contact_12m",
    "undiagnosed_12m",
    "genetic",
    "elements",
    "touched",
)

# (table, the column naming the patient) whose writes make a record's contribution stale
STALE_SOURCES = (("registry_patients", "id"), ("registry_diagnoses", "patient_id"))


def upgrade() -> None:
    op.create_table(
        "monitoring_stale_patients",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_stale_patients")),
    )
    op.create_table(
        "monitoring_patient_facts",
        sa.Column("patient_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("province", sa.String(length=16), nullable=False),
        sa.Column("former", sa.String(length=16), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=False),
        sa.Column("centre", sa.String(length=16), nullable=False),
        sa.Column("disease", sa.String(length=16), nullable=False),
        sa.Column("born", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("died", sa.Integer(), nullable=True),
        sa.Column("contact_due", sa.Integer(), nullable=True),
        sa.Column("touched", sa.Integer(), nullable=False),
        sa.Column("dead_under_5", sa.SmallInteger(), nullable=False),
        sa.Column("undiagnosed", sa.SmallInteger(), nullable=False),
        sa.Column("genetic", sa.SmallInteger(), nullable=False),
        sa.Column("elements", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_monitoring_patient_facts")),
    )
    op.create_table(
        "monitoring_patient_cells",
        sa.Column("span", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("part", sa.SmallInteger(), nullable=False),
        sa.Column("k0", sa.String(length=16), nullable=False),
        sa.Column("k1", sa.String(length=16), nullable=False),
        sa.Column("k2", sa.String(length=16), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEASURES),
        sa.PrimaryKeyConstraint(
            "span", "month", "part", "k0", "k1", "k2", name=op.f("pk_monitoring_patient_cells")
        ),
    )
    op.create_table(
        "monitoring_dose_counts",
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("plan_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("patient_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("centre_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("vials", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "period", "plan_id", "patient_id", "centre_id", name=op.f("pk_monitoring_dose_counts")
        ),
    )
    # the doses recorded ahead of today, read apart from the counts (monitoring.doses)
    op.create_index(op.f("ix_care_administrations_given_on"), "care_administrations", ["given_on"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()
    op.execute(
        "INSERT INTO monitoring_stale_patients (patient_id) SELECT id FROM registry_patients"
    )
    periods = _periods("a.given_on")
    op.execute(
        "INSERT INTO monitoring_dose_counts "
        "(period, plan_id, patient_id, centre_id, visits, vials) "
        "SELECT period, plan_id, patient_id, centre_id, count(*), coalesce(sum(vials), 0) FROM ("
        + " UNION ALL ".join(
            f"SELECT {period} AS period, a.plan_id, a.patient_id, a.centre_id, a.vials "
            "FROM care_administrations a"
            for period in periods
        )
        + ") AS doses GROUP BY period, plan_id, patient_id, centre_id"
    )


def _periods(day: str) -> list[str]:
    """The year, quarter and month ids (DHIS2) of a day, as SQL of the current dialect."""
    if op.get_bind().dialect.name == "postgresql":
        return [
            f"to_char({day}, 'YYYY')",
            f"to_char({day}, 'YYYY\"Q\"Q')",
            f"to_char({day}, 'YYYYMM')",
        ]
    return [
        f"strftime('%Y', {day})",
        f"strftime('%Y', {day}) || 'Q' || ((CAST(strftime('%m', {day}) AS INTEGER) + 2) / 3)",
        f"strftime('%Y%m', {day})",
    ]


def _postgresql_triggers() -> None:
    # statement triggers over transition tables: one set-based write per statement, so bulk
    # loads (COPY, INSERT ... SELECT) pay once, not per row
    sources = {
        "INSERT": "SELECT *, 1 AS sign FROM new_rows",
        "UPDATE": "SELECT *, 1 AS sign FROM new_rows UNION ALL SELECT *, -1 FROM old_rows",
        "DELETE": "SELECT *, -1 AS sign FROM old_rows",
    }
    for table, column in STALE_SOURCES:
        ids = {
            "INSERT": f"SELECT {column} FROM new_rows",
            "UPDATE": f"SELECT {column} FROM new_rows UNION SELECT {column} FROM old_rows",
            "DELETE": f"SELECT {column} FROM old_rows",
        }
        body = " ".join(
            f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN "
            "INSERT INTO monitoring_stale_patients (patient_id) "
            f"SELECT DISTINCT {column} FROM ({query}) AS changed;"
            for n, (event, query) in enumerate(ids.items())
        )
        _pg_function(f"monitoring_stale_{table}", f"{body} END IF;")
        _pg_statement_triggers(table, f"monitoring_stale_{table}")
    periods = ", ".join(f"({period})" for period in _periods("x.given_on"))
    body = " ".join(
        f"{'IF' if n == 0 else 'ELSIF'} TG_OP = '{event}' THEN "
        "INSERT INTO monitoring_dose_counts AS c "
        "(period, plan_id, patient_id, centre_id, visits, vials) "
        "SELECT p.period, x.plan_id, x.patient_id, x.centre_id, sum(x.sign), "
        "sum(x.sign * coalesce(x.vials, 0)) "
        f"FROM ({query}) AS x CROSS JOIN LATERAL (VALUES {periods}) AS p(period) "
        "GROUP BY 1, 2, 3, 4 ON CONFLICT (period, plan_id, patient_id, centre_id) "
        "DO UPDATE SET visits = c.visits + excluded.visits, vials = c.vials + excluded.vials;"
        for n, (event, query) in enumerate(sources.items())
    )
    _pg_function("monitoring_count_doses", f"{body} END IF;")
    _pg_statement_triggers("care_administrations", "monitoring_count_doses")


def _pg_function(name: str, body: str) -> None:
    op.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
        "RETURN NULL; END $$"
    )


def _pg_statement_triggers(table: str, function: str) -> None:
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


def _sqlite_triggers() -> None:
    def stale(row: str, column: str) -> str:
        return f"INSERT INTO monitoring_stale_patients (patient_id) VALUES ({row}.{column});"

    def doses(row: str, sign: int) -> str:
        return " ".join(
            "INSERT INTO monitoring_dose_counts "
            "(period, plan_id, patient_id, centre_id, visits, vials) "
            f"VALUES ({period}, {row}.plan_id, {row}.patient_id, {row}.centre_id, {sign}, "
            f"{sign} * coalesce({row}.vials, 0)) "
            "ON CONFLICT (period, plan_id, patient_id, centre_id) "
            "DO UPDATE SET visits = visits + excluded.visits, vials = vials + excluded.vials;"
            for period in _periods(f"{row}.given_on")
        )

    for table, column in STALE_SOURCES:
        bodies = {
            "insert": stale("NEW", column),
            "update": stale("NEW", column) + " " + stale("OLD", column),
            "delete": stale("OLD", column),
        }
        for event, body in bodies.items():
            op.execute(
                f"CREATE TRIGGER monitoring_stale_{table}_{event} AFTER {event.upper()} "
                f"ON {table} BEGIN {body} END"
            )
    bodies = {
        "insert": doses("NEW", 1),
        "update": doses("OLD", -1) + " " + doses("NEW", 1),
        "delete": doses("OLD", -1),
    }
    for event, body in bodies.items():
        op.execute(
            f"CREATE TRIGGER monitoring_count_doses_{event} AFTER {event.upper()} "
            f"ON care_administrations BEGIN {body} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, function in (
            *((table, f"monitoring_stale_{table}") for table, _column in STALE_SOURCES),
            ("care_administrations", "monitoring_count_doses"),
        ):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {function}_{event} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for name in (
            *(f"monitoring_stale_{table}" for table, _column in STALE_SOURCES),
            "monitoring_count_doses",
        ):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
    op.drop_index(op.f("ix_care_administrations_given_on"), table_name="care_administrations")
    op.drop_table("monitoring_dose_counts")
    op.drop_table("monitoring_patient_cells")
    op.drop_table("monitoring_patient_facts")
    op.drop_table("monitoring_stale_patients")
