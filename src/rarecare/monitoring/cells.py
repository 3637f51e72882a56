"""The patient cells: the indicators' per-record measures, pre-aggregated and kept current as
records change, so that a refresh reads a few hundred thousand cells instead of every record.

What is kept, and how:

- triggers on the patients and their diagnosis records (migration 0017) mark every record
  written — inserted, changed, merged away, deleted, by a form, an import or a bulk load — as
  *stale* (``monitoring_stale_patients``: the writers only ever insert marks, so no write
  waits for a refresh, and a refresh removes only the marks it read);
- ``sync`` (run by every refresh) counts the stale records again: what each contributed last
  time (``monitoring_patient_facts``) is taken back from the cells and what it contributes now
  is added, in one set-based pass whatever the number of records; the breakdown keys of the
  records with a therapy plan are kept apart as well (``monitoring_treated_patients``: writing
  a plan marks its patient stale), for the indicators of the period's treatment;
- a cell is (part, group, month): part 1 groups by (province, former province, sex), part 2 by
  (centre, disease), part 3 by the month of birth; it holds the *change* in that month of
  every measure of its group — registered, alive, child, dead, dead before five, first contact
  a year before, still undiagnosed then, genetic confirmation, data elements filled — and the
  records last touched that month. A measure at a period's end is the sum of its changes up to
  the period's last month; a record changes its measures only in the months it is registered,
  dies, reaches a year after its first contact and turns sixteen, so it adds at most four rows
  of changes (and one for its last touch).

Every breakdown of the patient indicators is a roll-up of the three parts (the age bands of
part 3 follow from the months of birth and the period's end). Months are numbered
year × 12 + month − 1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rarecare.care.models import TherapyPlan
from rarecare.monitoring.models import (
    PatientCell,
    PatientFacts,
    StalePatient,
    TreatedPatient,
    TreatmentMark,
)
from rarecare.monitoring.sqlparts import (
    add_days,
    add_months,
    days_between,
    flag,
    marks_read,
    month_number,
    month_of,
    temporary_tables,
)
from rarecare.registry.models import DiagnosisRecord, DiagnosticStatus, Patient
from rarecare.registry.quality import jrc_elements
from rarecare.storage.base import table_of

STATES = (  # the measures that are a record's state at a month's end
    "registered",
    "alive",
    "child",
    "dead",
    "dead_under_5",
    "contact_12m",
    "undiagnosed_12m",
    "genetic",
    "elements",
)
MEASURES = (*STATES, "touched")
SPANS = (1, 12, 120)  # each change is kept in its month, its year and its decade
CHILD_MONTHS = 16 * 12  # a child until the month of the sixteenth birthday

_meta = MetaData()
IDS = Table(  # the stale records one sync counts
    "monitoring_sync_ids",
    _meta,
    Column("patient_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
FRESH = Table(  # their facts as they are now
    "monitoring_sync_facts",
    _meta,
    *(
        Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False)
        for c in PatientFacts.__table__.columns
    ),
    prefixes=["TEMPORARY"],
)


def sync(session: Session) -> int:
    """Counts the stale records again (see the module); the number of records counted."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if postgres:  # one sync at a time; readers of the cells are not held up
        session.execute(text("LOCK TABLE monitoring_patient_cells IN SHARE ROW EXCLUSIVE MODE"))
        # a few records of millions are looked up by key, not found by reading every record
        # (the facts are read warm: a page read at random costs about one read in sequence)
        page_cost = session.scalar(text("SHOW random_page_cost"))
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
    with (
        marks_read(session, table_of(StalePatient)) as marks,
        temporary_tables(session, IDS, FRESH),
    ):
        session.execute(
            insert(IDS).from_select(["patient_id"], select(marks.c.patient_id).distinct())
        )
        count = session.scalar(select(func.count()).select_from(IDS)) or 0
        if postgres:  # the planner's row counts: index look-ups for a few, a scan for many
            for table in (marks, IDS):
                connection.execute(text(f"ANALYZE {table.name}"))
        if count:
            _count_again(session, postgres)
    if postgres:
        session.execute(
            text("SELECT set_config('random_page_cost', :value, true)"), {"value": page_cost}
        )
        if count > 50_000:
            for name in ("monitoring_patient_facts", "monitoring_patient_cells"):
                session.execute(text(f"ANALYZE {name}"))
    return count


def _count_again(session: Session, postgres: bool) -> None:
    facts = table_of(PatientFacts)
    current = _current()
    session.execute(insert(FRESH).from_select([c.name for c in current.selected_columns], current))
    if postgres:
        session.execute(text(f"ANALYZE {FRESH.name}"))
    old = select(facts, literal(-1).label("weight")).where(
        facts.c.patient_id.in_(select(IDS.c.patient_id))
    )
    new = select(FRESH, literal(1).label("weight"))
    # a CTE: read once (PostgreSQL keeps a CTE read several times), not once per kind of change
    changes = _changes(union_all(old, new).cte("contributions")).cte("changes")
    # (integer sums: PostgreSQL would sum sums of bigints as numeric); the last touch is kept
    # for parts 1 and 2 only (records updated are counted by province and centre, not by age)
    monthly = union_all(
        *(
            select(
                literal(part).label("part"),
                *(k.label(f"k{n}") for n, k in enumerate(keys)),
                changes.c.month,
                *(cast(func.sum(changes.c[m]), Integer).label(m) for m in MEASURES),
            )
            .where(when)
            .group_by(*keys, changes.c.month)
            for part, keys, when in (
                (1, (changes.c.province, changes.c.former, changes.c.sex), true()),
                (2, (changes.c.centre, changes.c.disease, literal("")), true()),
                (
                    3,
                    (cast(changes.c.born, String), literal(""), literal("")),
                    changes.c.touched == 0,
                ),
            )
        )
    ).cte("monthly")
    group = ("part", "k0", "k1", "k2")
    spans = union_all(
        *(
            select(
                literal(span).label("span"),
                (monthly.c.month // span * span).label("month"),
                *(monthly.c[c] for c in group),
                *(monthly.c[m] for m in MEASURES),
            )
            for span in SPANS
        )
    ).subquery("spans")
    key = ("span", "month", *group)
    cells = table_of(PatientCell)
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    upsert = dialect_insert(cells).from_select(
        [*key, *MEASURES],
        # "WHERE true": SQLite reads an INSERT ... SELECT's ON CONFLICT only after a WHERE
        select(*(spans.c[c] for c in key), *(func.sum(spans.c[m]) for m in MEASURES))
        .where(true())
        .group_by(*(spans.c[c] for c in key))
        # what a record took back and added again cancels out: only cells that change
        .having(or_(*(func.sum(spans.c[m]) != 0 for m in MEASURES))),
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=list(key),
            set_={m: cells.c[m] + upsert.excluded[m] for m in MEASURES},
        )
    )
    session.execute(facts.delete().where(facts.c.patient_id.in_(select(IDS.c.patient_id))))
    session.execute(insert(facts).from_select([c.name for c in FRESH.columns], select(FRESH)))
    # the keys of the treated records among them (a plan written marks its patient stale),
    # and their treatment to be worked out again in the periods kept (``monitoring.treatment``)
    treated = table_of(TreatedPatient)
    session.execute(
        insert(table_of(TreatmentMark)).from_select(
            ["patient_id"],
            # (one IN of a union: a semi-join, not a subquery looked up per record)
            select(IDS.c.patient_id).where(
                IDS.c.patient_id.in_(
                    union(select(treated.c.patient_id), select(TherapyPlan.patient_id))
                )
            ),
        )
    )
    session.execute(treated.delete().where(treated.c.patient_id.in_(select(IDS.c.patient_id))))
    names = [c.name for c in treated.columns]
    session.execute(
        insert(treated).from_select(
            names,
            select(*(FRESH.c[n] for n in names)).where(
                FRESH.c.patient_id.in_(select(TherapyPlan.patient_id))
            ),
        )
    )


def _current() -> Any:
    """The facts of the stale records that still exist, as they are now."""
    p = Patient
    d = DiagnosisRecord
    records = (
        select(
            d.patient_id,
            func.max(flag(and_(d.status == DiagnosticStatus.CONFIRMED, d.gene != ""))).label(
                "genetic"
            ),
        )
        .where(d.patient_id.in_(select(IDS.c.patient_id)))
        .group_by(d.patient_id)
        .subquery("records")
    )
    diagnosed_in_year = and_(
        p.diagnostic_status == DiagnosticStatus.CONFIRMED,
        p.diagnosis_date.is_not(None),
        days_between(p.diagnosis_date, p.first_contact_date) <= 365,
    )
    recorded = case((records.c.patient_id.is_not(None), 1), else_=0)
    elements = sum((flag(c) for c in jrc_elements(p, record=False)), start=recorded)
    touched = case((p.updated_at > p.created_at, p.updated_at), else_=p.created_at)
    confirmed = and_(
        p.diagnostic_status == DiagnosticStatus.CONFIRMED, p.diagnosis_date.is_not(None)
    )

    def since(day: Any) -> Any:  # days from ``day`` to a confirmed diagnosis (not before it)
        return case((and_(confirmed, day <= p.diagnosis_date), days_between(p.diagnosis_date, day)))

    current: dict[str, Any] = {
        "patient_id": p.id,
        "province": func.coalesce(p.province_code, ""),
        "former": func.coalesce(p.former_province_code, ""),
        "sex": cast(p.sex, String),
        "centre": cast(p.centre_id, String),
        "disease": func.coalesce(p.orpha_code, ""),
        "born": month_of(p.birth_month),
        "registered": month_of(p.created_at),
        "died": month_of(p.death_date),
        "contact_due": month_of(add_days(p.first_contact_date, 365)),
        "touched": month_of(touched),
        "dead_under_5": flag(
            and_(p.death_date.is_not(None), p.death_date < add_months(p.birth_month, 60))
        ),
        "undiagnosed": case((diagnosed_in_year, 0), else_=1),
        "genetic": func.coalesce(records.c.genetic, 0),
        "elements": elements,
        "diagnosed": case((confirmed, month_of(p.diagnosis_date))),
        "since_symptoms": since(p.first_symptoms_date),
        "since_contact": since(p.first_contact_date),
    }
    return (
        select(*(expr.label(name) for name, expr in current.items()))
        .join(IDS, IDS.c.patient_id == p.id)
        .outerjoin(records, records.c.patient_id == p.id)
    )


def _state(f: Any, month: ColumnElement[int]) -> dict[str, ColumnElement[int]]:
    """Each measure of a record (facts ``f``) at the end of ``month``, as SQL."""
    registered = f.c.registered <= month
    alive = and_(registered, or_(f.c.died.is_(None), f.c.died > month))
    dead = and_(registered, f.c.died <= month)
    contact = and_(registered, f.c.contact_due <= month)
    return {
        "registered": flag(registered),
        "alive": flag(alive),
        "child": flag(and_(alive, month < f.c.born + CHILD_MONTHS)),
        "dead": flag(dead),
        "dead_under_5": flag(dead) * f.c.dead_under_5,
        "contact_12m": flag(contact),
        "undiagnosed_12m": flag(contact) * f.c.undiagnosed,
        "genetic": flag(registered) * f.c.genetic,
        "elements": flag(registered) * f.c.elements,
    }


def _changes(f: Any) -> Any:
    """Each record's changes of its measures, one row per month it changes in (weighted −1 for
    a contribution taken back, +1 for one added)."""
    keys = [f.c[k] for k in ("province", "former", "sex", "centre", "disease", "born")]
    zero = literal(0, Integer())
    turns_16 = f.c.born + CHILD_MONTHS
    # the months a record's measures change in after its registration, each counted once
    later = (
        (f.c.died, f.c.died > f.c.registered),
        (
            f.c.contact_due,
            and_(
                f.c.contact_due > f.c.registered,
                or_(f.c.died.is_(None), f.c.contact_due != f.c.died),
            ),
        ),
        (
            turns_16,
            and_(
                turns_16 > f.c.registered,
                or_(f.c.died.is_(None), turns_16 != f.c.died),
                or_(f.c.contact_due.is_(None), turns_16 != f.c.contact_due),
            ),
        ),
    )
    registered = _state(f, f.c.registered)
    rows = [
        select(
            *keys,
            f.c.registered.label("month"),
            *((registered[m] * f.c.weight).label(m) for m in STATES),
            zero.label("touched"),
        )
    ]
    for month, when in later:
        after, before = _state(f, month), _state(f, month - 1)
        rows.append(
            select(
                *keys,
                month,
                *((after[m] - before[m]) * f.c.weight for m in STATES),
                zero,
            ).where(when)
        )
    rows.append(select(*keys, f.c.touched, *(zero for _m in STATES), f.c.weight))
    return union_all(*rows)


def record_count(session: Session) -> int:
    """The records in the registry as last counted into the cells (each adds one to
    ``registered`` once, in the month it was created): the decades of part 1 summed."""
    cells = table_of(PatientCell)
    total = session.scalar(
        select(func.sum(cells.c.registered)).where(cells.c.span == 120, cells.c.part == 1)
    )
    return int(total or 0)


Sums = tuple[int, list[str], dict[str, float]]


def period_sums(session: Session, start: date, end: date) -> Iterator[Sums]:
    """(part, group, sums) at the end of the period [start, end] (whole months of one year):
    every state measure, ``new`` (registered in the period) and, but for part 3, ``updated``
    (created or updated in it or since); groups with no record registered by then are left out.

    A sum up to a month reads the decades before its decade, the years of its decade before
    its year and the months of its year up to it: some thirty cells per group, not a thousand."""
    cells = table_of(PatientCell)
    first, last = month_number(start), month_number(end)
    year = last - last % 12
    decade = last - last % 120
    ranges = (
        (120, cells.c.month < decade),
        (12, and_(cells.c.month >= decade, cells.c.month < year)),
        (1, and_(cells.c.month >= year, cells.c.month <= last)),
    )
    read = union_all(
        *(select(cells).where(cells.c.span == span, within) for span, within in ranges)
    ).subquery("read")
    in_period = and_(read.c.span == 1, read.c.month >= first)
    query = select(
        read.c.part,
        read.c.k0,
        read.c.k1,
        read.c.k2,
        *(func.sum(read.c[m]).label(m) for m in STATES),
        func.sum(case((in_period, read.c.registered), else_=0)).label("new"),
        # touched before the period: every cell but the period's months
        func.sum(case((in_period, 0), else_=read.c.touched)).label("before"),
    ).group_by(read.c.part, read.c.k0, read.c.k1, read.c.k2)
    for row in session.execute(query):
        values = row._mapping
        sums = {m: float(values[m] or 0) for m in (*STATES, "new")}
        if not sums["registered"]:
            continue
        # records updated: by the parts that keep the last touch (not by month of birth)
        if values["part"] != 3:
            sums["updated"] = sums["registered"] - float(values["before"] or 0)
        yield values["part"], [values["k0"], values["k1"], values["k2"]], sums
