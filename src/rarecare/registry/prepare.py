"""Checking imported rows and preparing what is written, chunk by chunk, without the database.

:func:`prepare` turns a chunk of rows (row number, column values) into the field errors it has
and, given one patient id per row, the rows of the tables an import writes: the patient record,
the identity encrypted under AES-GCM and bound to the patient id, the phenotypes, the blind
index and the consents the row lists.
On PostgreSQL the rows come as ready binary ``COPY`` data, so that the writing process only streams
bytes. :func:`rarecare.storage.bulk.prepared_chunks` runs it in the caller's process or, for large
imports, in forked worker processes (the CPU-heavy part of an import: validation, keyed
pseudonyms, encryption and row formatting in parallel while the parent streams the previous
chunk into the database)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, get_args

from pydantic import ValidationError

from rarecare.errors import FieldError, field_errors
from rarecare.i18n import N_
from rarecare.knowledge import KnowledgeBase, normalise_orpha
from rarecare.registry import consent, plausible, service
from rarecare.registry.models import ConsentPurpose
from rarecare.registry.schemas import PatientIn, RecordFields
from rarecare.registry.vault import IDENTITY_FIELDS, Identity, IdentityVault
from rarecare.storage.bulk import copy_binary

CONSENT_PURPOSES = frozenset(p.value for p in ConsentPurpose)
Row = tuple[int, dict[str, Any]]  # row number (as the user counts: header = 1), column values
_NOT_RECORD = frozenset((*IDENTITY_FIELDS, "hpo_observed", "hpo_excluded", "consents"))
# the record's own elements, in the order of ``RecordFields`` (the import schema)
RECORD_COLUMNS: tuple[str, ...] = tuple(RecordFields.model_fields)
_ORPHA = RECORD_COLUMNS.index("orpha_code")
_ENUM_COLUMNS = tuple(
    i
    for i, c in enumerate(RECORD_COLUMNS)
    if isinstance(RecordFields.model_fields[c].annotation, type)
    and issubclass(RecordFields.model_fields[c].annotation, StrEnum)  # type: ignore[arg-type]
)
PATIENT_COLUMNS = (
    "id",
    "pseudonym",
    "centre_id",
    "birth_month",
    *RECORD_COLUMNS,
    "possible_duplicate_of",
    "match_key",
    "created_at",
    "updated_at",
)
IDENTITY_COLUMNS = ("patient_id", "key_version", "blob")
IDENTITY_KEY_COLUMNS = ("patient_id", "kind", "digest")
PHENOTYPE_COLUMNS = (
    "patient_id",
    "hpo_id",
    "excluded",
    "onset",
    "observed_on",
    "recorded_by",
    "created_at",
)


CONSENT_COLUMNS = (
    "patient_id",
    "purpose",
    "given_on",
    "form_version",
    "recorded_by",
    "recorded_at",
)
CONSENT_TYPES = ("int4", "varchar", "date", "varchar", "varchar", "timestamptz")
# one consent of the import's "consents" cell: "research 2026-01-05 (form v2)", items split by ";"
_CONSENT = re.compile(
    r"^(?P<purpose>[a-z]+)\s+(?P<day>\d{4}-\d{2}-\d{2})(?:\s*\(form\s+(?P<form>[^)]{0,40})\))?$"
)
# the record elements a purpose's consent must agree with (registry.consent.FLAGS, by text)
_CONSENT_FLAGS = {purpose.value: flag for purpose, flag in consent.FLAGS.items()}


def consents_of(
    cell: str, data: RecordFields, today: date, row: int
) -> tuple[list[tuple[str, date, str]], list[FieldError]]:
    """The consents an import row lists (purpose, date given, form version), or the problems:
    an unknown purpose, a bad or future date, a purpose twice, a research or recontact consent
    the row's own element says no to."""
    found: list[tuple[str, date, str]] = []
    problems: list[FieldError] = []
    for item in (i.strip() for i in (cell or "").split(";")):
        if not item:
            continue
        match = _CONSENT.match(item)
        day = None
        if match:
            try:
                day = date.fromisoformat(match["day"])
            except ValueError:
                day = None
        if match is None or day is None or day > today:
            problems.append(
                FieldError(
                    "consents",
                    N_(
                        "“%(item)s”: expected a purpose and a date not in the future, as "
                        "“research 2026-01-05 (form v2)”"
                    ),
                    row=row,
                    params={"item": item[:60]},
                )
            )
            continue
        purpose = match["purpose"]
        if purpose not in CONSENT_PURPOSES:
            problems.append(
                FieldError(
                    "consents",
                    N_("unknown consent purpose %(code)s"),
                    row=row,
                    params={"code": purpose},
                )
            )
        elif any(p == purpose for p, _d, _f in found):
            problems.append(
                FieldError(
                    "consents", N_("%(code)s is listed twice"), row=row, params={"code": purpose}
                )
            )
        elif purpose in _CONSENT_FLAGS and not getattr(data, _CONSENT_FLAGS[purpose]):
            problems.append(
                FieldError(
                    "consents",
                    N_("%(code)s is listed but %(column)s is no"),
                    row=row,
                    params={"code": purpose, "column": _CONSENT_FLAGS[purpose]},
                )
            )
        else:
            found.append((purpose, day, (match["form"] or "").strip()))
    return found, problems


def _column_type(name: str) -> str:
    """The PostgreSQL type of a record element's column, from the import schema."""
    annotation = RecordFields.model_fields[name].annotation
    kinds = [a for a in get_args(annotation) or (annotation,) if a is not type(None)]
    return {date: "date", bool: "bool"}.get(kinds[0], "varchar")


# column types, for the binary COPY format (checked against the database by the tests)
PATIENT_TYPES = (
    "int4",
    "varchar",
    "int4",
    "date",
    *(_column_type(c) for c in RECORD_COLUMNS),
    "int4",
    "varchar",
    "timestamptz",
    "timestamptz",
)
IDENTITY_TYPES = ("int4", "int4", "bytea")
IDENTITY_KEY_TYPES = ("int4", "varchar", "varchar")
PHENOTYPE_TYPES = ("int4", "varchar", "bool", "varchar", "date", "varchar", "timestamptz")


@dataclass(frozen=True)
class Context:
    """What checking and preparing a row needs (inherited by forked workers, never pickled)."""

    kb: KnowledgeBase
    vault: IdentityVault
    centre_id: int
    centre_code: str
    today: date
    username: str
    now: datetime
    copy: bool  # tables as binary COPY data (PostgreSQL) rather than lists of row tuples
    resolved: dict[str, str | None] = field(default_factory=dict)  # HPO id -> current id


@dataclass
class Prepared:
    """One chunk: its errors, every valid row's (row number, pseudonym, patient id), and the
    patients, identities, phenotypes and blind-index tables (empty when no ids were given: a
    dry run)."""

    rows: int  # rows in the chunk, valid or not
    errors: list[FieldError]
    people: list[tuple[int, str, int]]
    tables: tuple[bytes | list[tuple[Any, ...]], ...] = ()
    # the match key (folded name and birth date) of each person, in the order of ``people``,
    # when the tables were built: the writer looks near-homonyms up by it
    match_keys: list[str] = field(default_factory=list)


def check_row(
    row_no: int, values: dict[str, Any], ctx: Context, errors: list[FieldError]
) -> tuple[PatientIn, str | None, list[str], list[str], list[tuple[str, date, str]]] | None:
    """The validated record, its normalised ORPHAcode, its current HPO terms (observed,
    excluded) and the consents it lists, or None; every problem is appended to ``errors``."""
    # blank cells ("" or None) take the schema's defaults; False is a value
    record = {k: v for k, v in values.items() if (v or v is False) and k not in _NOT_RECORD}
    record["identity"] = {k: values.get(k) or "" for k in IDENTITY_FIELDS}
    record["centre_code"] = ctx.centre_code
    try:
        data = PatientIn.model_validate(record)
    except ValidationError as exc:
        errors += field_errors(exc.errors(), skip=("identity",), row=row_no)
        return None
    problems = plausible.check_record(
        data, kb=ctx.kb, birth_date=data.identity.birth_date, today=ctx.today, row=row_no
    ) + plausible.check_identity(data.identity, row=row_no)
    terms: dict[str, list[str]] = {"hpo_observed": [], "hpo_excluded": []}
    for column, found in terms.items():
        for term in values.get(column) or ():
            current = ctx.resolved.get(term, "")
            if current == "":
                resolution = ctx.kb.resolve_term(term)
                ok = resolution is not None and ctx.kb.ontology.is_phenotypic(resolution.term.id)
                current = ctx.resolved[term] = resolution.term.id if ok and resolution else None
            if current is None:
                problems.append(
                    FieldError(
                        column,
                        N_("%(term)s is not a phenotypic abnormality HPO term"),
                        row=row_no,
                        params={"term": term},
                    )
                )
            else:
                found.append(current)
    consents, wrong = consents_of(str(values.get("consents") or ""), data, ctx.today, row_no)
    problems += wrong
    if problems:
        errors.extend(problems)
        return None
    orpha = normalise_orpha(data.orpha_code) if data.orpha_code else None
    if orpha is None and data.diagnostic_status.value == "undiagnosed":
        orpha = service.UNDIAGNOSED_ORPHA
    return (
        data,
        orpha,
        list(dict.fromkeys(terms["hpo_observed"])),
        list(dict.fromkeys(terms["hpo_excluded"])),
        consents,
    )


def prepare(chunk: Sequence[Row], ids: Sequence[int] | None, ctx: Context) -> Prepared:
    """Check a chunk; with ``ids`` (one per row, in order) also build its tables."""
    errors: list[FieldError] = []
    people: list[tuple[int, str, int]] = []
    patients: list[tuple[Any, ...]] = []
    identities: list[tuple[Any, ...]] = []
    phenotypes: list[tuple[Any, ...]] = []
    blind: list[tuple[Any, ...]] = []
    consents: list[tuple[Any, ...]] = []
    match_keys: list[str] = []
    now, username, vault = ctx.now, ctx.username, ctx.vault
    for position, (row_no, values) in enumerate(chunk):
        checked = check_row(row_no, values, ctx, errors)
        if checked is None:
            continue
        data, orpha, observed, excluded, given = checked
        identity = Identity(**data.identity.__dict__)
        pseudonym = vault.pseudonym(identity)
        pid = ids[position] if ids is not None else 0
        people.append((row_no, pseudonym, pid))
        if ids is None or errors:
            continue  # a dry run, or nothing of this chunk will be written
        fields = data.__dict__
        record = [fields[c] for c in RECORD_COLUMNS]
        for i in _ENUM_COLUMNS:
            record[i] = record[i]._value_  # the attribute behind .value's descriptor
        record[_ORPHA] = orpha
        match_keys.append(vault.match_key(identity))
        patients.append(
            (
                pid,
                pseudonym,
                ctx.centre_id,
                identity.birth_date.replace(day=1),
                *record,
                None,  # possible_duplicate_of: set by the writer, who sees the database
                match_keys[-1],
                now,
                now,
            )
        )
        identities.append((pid, vault.version, vault.encrypt(identity, str(pid).encode())))
        blind.extend((pid, kind, digest) for kind, digest in vault.blind_keys(identity))
        phenotypes.extend((pid, t, False, "", None, username, now) for t in observed)
        phenotypes.extend((pid, t, True, "", None, username, now) for t in excluded)
        consents.extend((pid, purpose, day, form, username, now) for purpose, day, form in given)
        listed = {purpose for purpose, _day, _form in given}
        consents.extend(  # a yes/no column ticked without a date in "consents": given today
            (pid, purpose, ctx.today, "", username, now)
            for purpose, flag in _CONSENT_FLAGS.items()
            if getattr(data, flag) and purpose not in listed
        )
    if ids is None or errors:
        return Prepared(len(chunk), errors, people)
    tables = (patients, identities, phenotypes, blind, consents)
    if not ctx.copy:
        return Prepared(len(chunk), errors, people, tables, match_keys)
    return Prepared(
        len(chunk),
        errors,
        people,
        tuple(
            copy_binary(rows, types)
            for rows, types in zip(
                tables,
                (PATIENT_TYPES, IDENTITY_TYPES, PHENOTYPE_TYPES, IDENTITY_KEY_TYPES, CONSENT_TYPES),
                strict=True,
            )
        ),
        match_keys,
    )
