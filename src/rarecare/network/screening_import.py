"""Importing a screening laboratory's results (CSV/XLSX): every row, or none, with every
problem named by row and column. Built for a year of births (1.5 million rows): rows are
checked, keyed and encrypted in chunks by worker processes while the previous chunk is
streamed into the database (binary COPY on PostgreSQL), inside a savepoint that is rolled back
if any row of the file is wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from rarecare.access import Principal, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, ValidationFailed
from rarecare.gcpause import paused_gc
from rarecare.geo import current_provinces
from rarecare.i18n import N_, _
from rarecare.interop import tabular
from rarecare.interop.tabular import Column, Table
from rarecare.interop.tabular import template as table_template
from rarecare.network.models import (
    Laboratory,
    ScreeningIdentity,
    ScreeningOutcome,
    ScreeningProgramme,
    ScreeningRecord,
    ScreeningResult,
)
from rarecare.network.screening import SCREENING_ROLES
from rarecare.registry.vault import Identity, IdentityVault
from rarecare.storage import in_chunks, utcnow
from rarecare.storage.bulk import IdAllocator, Job, copy_binary, is_postgres, prepared_chunks

CHUNK = 20_000
MAX_ROWS = 2_000_000  # more than a year of births
MAX_ERRORS = 1_000  # named one by one; beyond, counted
AUDIT_BATCH = 10_000


def _s(value: str) -> str:
    return value


TABLE = Table(
    (
        Column("sample_code", _s, True, "The screening card's number (unique)", "NBS-2026-000001"),
        Column("programme", _s, True, "Programme code", "NBS-MR"),
        Column("laboratory", _s, True, "Laboratory code", "LAB-NCH"),
        Column("baby_name", _s, False, "Newborn's name if given (encrypted)", ""),
        Column("mother_name", _s, True, "Mother's full name (encrypted)", "Nguyễn Thị Hoa"),
        Column(
            "birth_date",
            _s,
            True,
            "Date of birth (encrypted; the record keeps the month)",
            "2026-03-02",
        ),
        Column("sex", _s, True, "female, male, undetermined or unknown", "female"),
        Column("province_code", _s, True, "Province of residence (34-province code)", "01"),
        Column("phone", _s, False, "Family's phone (encrypted)", "0912345678"),
        Column("address", _s, False, "Address (encrypted)", ""),
        Column("sample_date", _s, True, "Date the blood spot was taken", "2026-03-04"),
        Column("result_date", _s, False, "Date of the result", "2026-03-09"),
        Column("result", _s, True, "normal, positive, inconclusive or invalid_sample", "normal"),
        Column("analyte", _s, False, "Marker and value, e.g. Phe 180 µmol/L", ""),
    )
)
NAMES = tuple(TABLE.names)
REQUIRED = tuple(c.name for c in TABLE.columns if c.required)
SEXES = {
    "female": "female",
    "nữ": "female",
    "male": "male",
    "nam": "male",
    "undetermined": "undetermined",
    "unknown": "unknown",
}
RESULTS = {r.value: r.value for r in ScreeningResult}
NOT_APPLICABLE = ScreeningOutcome.NOT_APPLICABLE.value
PENDING = ScreeningOutcome.PENDING.value
RECORD_COLUMNS = (
    "id",
    "programme_id",
    "sample_code",
    "pseudonym",
    "birth_month",
    "sex",
    "province_code",
    "laboratory_id",
    "sample_date",
    "age_at_sample_hours",
    "result_date",
    "result",
    "analyte",
    "confirmatory_test",
    "outcome",
    "created_by",
    "created_at",
    "version",
)
RECORD_TYPES = (
    "int4",
    "int4",
    "varchar",
    "varchar",
    "date",
    "varchar",
    "varchar",
    "int4",
    "date",
    "int4",
    "date",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "varchar",
    "timestamptz",
    "int4",
)
IDENTITY_COLUMNS = ("record_id", "key_version", "blob")
IDENTITY_TYPES = ("int4", "int4", "bytea")
Row = tuple[int, list[str]]  # row number (the header is row 1), the cells in NAMES order


def template(fmt: str) -> bytes:
    return table_template(TABLE, fmt)


# ------------------------------------------------------------------------------- reading
def read(content: bytes, filename: str) -> list[Row]:
    """The file's rows, cells in the template's column order; a wrong header or file refused
    at once."""
    raw = iter(tabular.raw_rows(content, filename, max_rows=MAX_ROWS))
    header = [h.strip().lower() for h in next(raw, [])]
    if not any(header):
        raise ValidationFailed(_("The file is empty."), [FieldError("file", N_("no header row"))])
    problems = [
        FieldError(
            name,
            N_("unknown column; expected one of: %(names)s"),
            row=1,
            params={"names": ", ".join(NAMES)},
        )
        for name in header
        if name and name not in NAMES
    ] + [
        FieldError(name, N_("required column is missing"), row=1)
        for name in REQUIRED
        if name not in header
    ]
    if problems:
        raise ValidationFailed(_("The header row does not match the template."), problems)
    where = [header.index(n) if n in header else -1 for n in NAMES]
    in_order = where == list(range(len(NAMES)))
    rows: list[Row] = []
    for number, cells in enumerate(raw, start=2):
        if not any(cells):
            continue
        if not in_order or len(cells) != len(NAMES):
            width = len(cells)
            cells = [cells[i] if 0 <= i < width else "" for i in where]
        rows.append((number, cells))  # stripped by the workers
        if len(rows) > MAX_ROWS:
            raise ValidationFailed(
                _("The file is too large."),
                [FieldError("file", N_("more than %(n)s rows"), params={"n": MAX_ROWS})],
            )
    return rows


# ------------------------------------------------------------------------------ checking
@dataclass(frozen=True)
class Context:
    """What checking a row needs (inherited by forked workers, never pickled)."""

    vault: IdentityVault
    programmes: dict[str, tuple[int, frozenset[str]]]  # code -> (id, provinces; empty: all)
    laboratories: dict[str, int]
    provinces: frozenset[str]
    today: date
    username: str
    now: datetime
    copy: bool


@dataclass
class Prepared:
    rows: int
    errors: list[FieldError]
    codes: list[tuple[int, str]]  # (row number, sample code) of each valid row
    pseudonyms: list[str] = field(default_factory=list)
    tables: tuple[bytes | list[tuple[Any, ...]], ...] = ()


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


DATE_EXPECTED = N_("expected a date as YYYY-MM-DD (or DD/MM/YYYY), got %(value)s")


class _Slow(Exception):
    """A row the fast path does not take: checked cell by cell instead."""


Checked = tuple[str, int, date, str, str, int, date, date | None, str]


def _fast(cells: list[str], ctx: Context) -> Checked:
    """A well-formed row's values, or _Slow/KeyError/ValueError for :func:`_check` to name."""
    (code, programme, lab, _b, mother, born_s, sex_s, province, _p, _a,
     sample_s, result_s, result, _m) = cells  # fmt: skip
    if not (code and mother and len(code) <= 40):
        raise _Slow
    programme_id, where = ctx.programmes[programme]
    born = date.fromisoformat(born_s)
    sampled = date.fromisoformat(sample_s)
    resulted = date.fromisoformat(result_s) if result_s else None
    if province not in ctx.provinces or (where and province not in where):
        raise _Slow
    if not born <= sampled <= ctx.today or (resulted and not sampled <= resulted <= ctx.today):
        raise _Slow
    lab_id, sex, outcome = ctx.laboratories[lab], SEXES[sex_s], RESULTS[result]
    return (code, programme_id, born, sex, province, lab_id, sampled, resulted, outcome)


def _check(row_no: int, cells: list[str], ctx: Context) -> tuple[list[FieldError], Checked | None]:
    """Every problem of a row, named by column; or its values (dates as DD/MM/YYYY too)."""
    (code, programme, lab, _baby, _mother, born_s, sex_s, province, _phone, _address,
     sample_s, result_s, result, _analyte) = cells  # fmt: skip
    today = ctx.today
    bad: list[FieldError] = []

    def fail(column: str, message: str, **params: object) -> None:
        bad.append(FieldError(column, message, row=row_no, params=params or None))

    for column, value in zip(NAMES, cells, strict=True):
        if not value and column in REQUIRED:
            fail(column, N_("required value is missing"))
    if len(code) > 40:
        fail("sample_code", N_("at most %(n)s characters"), n=40)
    found = ctx.programmes.get(programme)
    if programme and found is None:
        fail("programme", N_("%(code)s is not a screening programme"), code=programme)
    lab_id = ctx.laboratories.get(lab)
    if lab and lab_id is None:
        fail("laboratory", N_("%(code)s is not a laboratory"), code=lab)
    born = _date(born_s) if born_s else None
    if born_s and born is None:
        fail("birth_date", DATE_EXPECTED, value=born_s)
    sampled = _date(sample_s) if sample_s else None
    if sample_s and sampled is None:
        fail("sample_date", DATE_EXPECTED, value=sample_s)
    resulted = _date(result_s) if result_s else None
    if result_s and resulted is None:
        fail("result_date", DATE_EXPECTED, value=result_s)
    sex = SEXES.get(sex_s.lower())
    if sex_s and sex is None:
        fail(
            "sex", N_("expected female, male, undetermined or unknown, got %(value)s"), value=sex_s
        )
    if province and province not in ctx.provinces:
        fail("province_code", N_("%(code)s is not one of the 34 province codes"), code=province)
    elif found is not None and found[1] and province not in found[1]:
        fail("province_code", N_("outside the programme's provinces"))
    outcome = RESULTS.get(result.lower())
    if result and outcome is None:
        fail(
            "result",
            N_("expected normal, positive, inconclusive or invalid_sample, got %(value)s"),
            value=result,
        )
    if born and born > today:
        fail("birth_date", N_("in the future"))
    if born and sampled and not born <= sampled <= today:
        fail("sample_date", N_("between the birth and today"))
    if sampled and resulted and not sampled <= resulted <= today:
        fail("result_date", N_("between the sample and today"))
    if bad:
        return bad, None
    assert found is not None
    assert lab_id is not None
    assert born is not None
    assert sampled is not None
    assert sex is not None
    assert outcome is not None
    return [], (code, found[0], born, sex, province, lab_id, sampled, resulted, outcome)


def prepare(chunk: Sequence[Row], ids: Sequence[int] | None, ctx: Context) -> Prepared:
    """Check a chunk; with ``ids`` (one per row) also build its records and identities. A
    well-formed row takes a fast path; any other is checked cell by cell, every problem named."""
    errors: list[FieldError] = []
    codes: list[tuple[int, str]] = []
    pseudonyms: list[str] = []
    records: list[tuple[Any, ...]] = []
    identities: list[tuple[Any, ...]] = []
    vault, now, username = ctx.vault, ctx.now, ctx.username
    build = ids is not None
    for position, (row_no, raw) in enumerate(chunk):
        cells = [c.strip() for c in raw]
        try:
            values = _fast(cells, ctx)
        except (_Slow, KeyError, ValueError):
            bad, checked = _check(row_no, cells, ctx)
            if checked is None:
                errors.extend(bad)
                build = False
                continue
            values = checked
        code, programme_id, born, sex, province, lab_id, sampled, resulted, result = values
        baby, mother, phone, address, analyte = cells[3], cells[4], cells[8], cells[9], cells[13]
        identity = Identity(
            full_name=baby or f"Con của {mother}",
            birth_date=born,
            phone=phone,
            address=address,
            guardian=mother,
        )
        pseudonym = vault.pseudonym(identity)
        codes.append((row_no, code))
        pseudonyms.append(pseudonym)
        if not build:
            continue
        assert ids is not None
        rid = ids[position]
        records.append(
            (
                rid,
                programme_id,
                code,
                pseudonym,
                born.replace(day=1),
                sex,
                province,
                lab_id,
                sampled,
                (sampled - born).days * 24,
                resulted,
                result,
                analyte[:200],
                "",
                NOT_APPLICABLE if result == "normal" else PENDING,
                username,
                now,
                1,
            )
        )
        identities.append((rid, vault.version, vault.encrypt(identity, str(rid).encode())))
    if not build:
        return Prepared(len(chunk), errors, codes, pseudonyms)
    if not ctx.copy:
        return Prepared(len(chunk), errors, codes, pseudonyms, (records, identities))
    return Prepared(
        len(chunk),
        errors,
        codes,
        pseudonyms,
        (copy_binary(records, RECORD_TYPES), copy_binary(identities, IDENTITY_TYPES)),
    )


# ------------------------------------------------------------------------------- loading
def import_results(
    *,
    session: Session,
    principal: Principal | None,
    vault: IdentityVault,
    content: bytes,
    filename: str,
    today: date | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Import a screening results file: every row or none."""
    actor = require_role(principal, *SCREENING_ROLES)
    rows = read(content, filename)
    with paused_gc():
        return load(
            session=session,
            actor=actor,
            vault=vault,
            rows=rows,
            source=filename,
            today=today,
            workers=workers,
            progress=progress,
        )


def load(
    *,
    session: Session,
    actor: Principal,
    vault: IdentityVault,
    rows: list[Row],
    source: str,
    today: date | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    postgres = is_postgres(session)
    ctx = Context(
        vault=vault,
        programmes={
            p.code: (p.id, frozenset(p.provinces))
            for p in session.scalars(select(ScreeningProgramme))
        },
        laboratories=_codes(session),
        provinces=frozenset(p.code for p in current_provinces()),
        today=today or date.today(),
        username=actor.username,
        now=utcnow(),
        copy=postgres,
    )
    errors: list[FieldError] = []
    error_count = 0
    seen: dict[str, int] = {}
    pseudonyms: list[str] = []
    session.flush()
    savepoint = session.begin_nested()
    try:
        for chunk in prepared_chunks(
            Job(prepare, rows, ctx),
            allocate=IdAllocator(session, "network_screening_records"),
            size=CHUNK,
            workers=workers,
        ):
            problems = chunk.errors + _repeated(session, chunk.codes, seen)
            error_count += len(problems)
            errors.extend(problems[: max(0, MAX_ERRORS - len(errors))])
            if not error_count:
                _write(session, chunk, postgres)
                pseudonyms.extend(chunk.pseudonyms)
            if progress is not None:
                progress(chunk.rows)
    except BaseException:
        savepoint.rollback()
        raise
    if error_count:
        savepoint.rollback()
        errors.sort(key=lambda e: (e.row or 0, e.field))
        if error_count > len(errors):
            errors.append(
                FieldError(
                    "file",
                    N_("and %(n)s more problems"),
                    params={"n": error_count - len(errors)},
                )
            )
        raise ValidationFailed(_("The file has errors; nothing was imported."), errors)
    savepoint.commit()
    for batch in in_chunks(pseudonyms, AUDIT_BATCH):
        audit.record(
            session=session,
            actor=actor,
            action="import",
            object_type="screening",
            detail={"source": source, "pseudonyms": batch},
        )
    if postgres:
        session.execute(text("ANALYZE network_screening_records, network_screening_identities"))
    return {"rows": len(rows), "written": len(pseudonyms)}


def _codes(session: Session) -> dict[str, int]:
    return {row.code: row.id for row in session.execute(select(Laboratory.code, Laboratory.id))}


def _repeated(
    session: Session, codes: list[tuple[int, str]], seen: dict[str, int]
) -> list[FieldError]:
    """Sample codes given twice in the file, or imported before."""
    problems: list[FieldError] = []
    for row_no, code in codes:
        if code in seen:
            problems.append(
                FieldError(
                    "sample_code",
                    N_("the same sample as row %(first)s"),
                    row=row_no,
                    params={"first": seen[code]},
                )
            )
        else:
            seen[code] = row_no
    wanted = [c for _r, c in codes]
    if is_postgres(session):
        known = set(
            session.scalars(
                text(
                    "SELECT sample_code FROM network_screening_records WHERE sample_code = ANY(:c)"
                ),
                {"c": wanted},
            )
        )
    else:
        known = set()
        for part in in_chunks(wanted):
            known.update(
                session.scalars(
                    select(ScreeningRecord.sample_code).where(ScreeningRecord.sample_code.in_(part))
                )
            )
    problems += [
        FieldError("sample_code", N_("imported before"), row=row_no)
        for row_no, code in codes
        if code in known
    ]
    return problems


def _write(session: Session, chunk: Prepared, postgres: bool) -> None:
    if not chunk.codes:
        return
    records, identities = chunk.tables
    targets = (
        ("network_screening_records", RECORD_COLUMNS, ScreeningRecord, records),
        ("network_screening_identities", IDENTITY_COLUMNS, ScreeningIdentity, identities),
    )
    if postgres:
        raw = session.connection().connection.driver_connection
        assert raw is not None
        for table, columns, _model, payload in targets:
            assert isinstance(payload, bytes)
            with (
                raw.cursor() as cursor,
                cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
                ) as cp,
            ):
                cp.write(payload)
        return
    for _table, columns, model, rows in targets:
        assert isinstance(rows, list)
        session.execute(insert(model), [dict(zip(columns, row, strict=True)) for row in rows])
