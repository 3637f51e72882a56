"""Versioned national lists: create drafts, import/export, diff, approve; public reading.

Drafts are seen and edited by the ministry and admins only; approved and superseded versions
are public. Approving a version supersedes the previously approved one of the same kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rarecare import outputs
from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    require_reason,
)
from rarecare.i18n import N_, _
from rarecare.interop import tabular
from rarecare.knowledge import KnowledgeBase, fold
from rarecare.lists.models import DiseaseEntry, DrugEntry, ListKind, ListVersion, VersionStatus
from rarecare.lists.schedule import DECIDED, in_force, scheduled_version, with_status
from rarecare.lists.schemas import (
    ChangedEntry,
    DiffOut,
    FieldChange,
    ImportMode,
    ImportReport,
    VersionIn,
)
from rarecare.lists.tables import CHECKS, TABLES, entry_key
from rarecare.outputs import OutputKind
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version

EDITORS = (Role.MINISTRY, Role.ADMIN)
PUBLIC_STATUSES = (*DECIDED, VersionStatus.SUPERSEDED)
_ENTRY_MODEL: dict[ListKind, type[DiseaseEntry] | type[DrugEntry]] = {
    ListKind.DISEASES: DiseaseEntry,
    ListKind.DRUGS: DrugEntry,
}


def _can_edit(principal: Principal | None) -> bool:
    return principal is not None and principal.role in EDITORS


# ------------------------------------------------------------------------------ versions
def list_versions(
    *, session: Session, principal: Principal | None, kind: ListKind
) -> list[ListVersion]:
    query = select(ListVersion).where(ListVersion.kind == kind).order_by(ListVersion.id.desc())
    if not _can_edit(principal):
        query = query.where(ListVersion.status.in_(PUBLIC_STATUSES))
    return list(session.scalars(query))


def get_version(
    *, session: Session, principal: Principal | None, version_id: int, kind: ListKind | None = None
) -> ListVersion:
    version = session.get(ListVersion, version_id)
    if version is None or (kind is not None and version.kind != kind):
        raise NotFound(_("No such list version."))
    if version.status == VersionStatus.DRAFT and not _can_edit(principal):
        raise NotFound(_("No such list version."))
    return version


def current_version(
    *, session: Session, kind: ListKind, on: date | None = None
) -> ListVersion | None:
    """The version in force (today, or ``on``)."""
    return session.scalar(select(ListVersion).where(ListVersion.id == in_force(kind, on)))


def entry_counts(*, session: Session, version_ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for model in (DiseaseEntry, DrugEntry):
        rows = session.execute(
            select(model.version_id, func.count())
            .where(model.version_id.in_(version_ids))
            .group_by(model.version_id)
        )
        for version_id, count in rows:
            counts[version_id] = counts.get(version_id, 0) + count
    return counts


def create_version(
    *,
    session: Session,
    principal: Principal | None,
    kind: ListKind,
    data: VersionIn,
    copy_from: int | None = None,
) -> ListVersion:
    """A new draft, empty or with the entries of ``copy_from``."""
    actor = require_role(principal, *EDITORS)
    version = ListVersion(
        kind=kind,
        created_by=actor.username,
        edited_by=actor.username,
        **data.model_dump(exclude={"version"}),
    )
    session.add(version)
    session.flush()
    if copy_from is not None:
        source = get_version(session=session, principal=actor, version_id=copy_from, kind=kind)
        for row in entries_as_rows(source):
            session.add(_new_entry(kind, version.id, row))
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type=f"list:{kind.value}",
        object_id=version.id,
        detail={"title": version.title, "copy_from": copy_from},
    )
    session.flush()
    return version


def update_version(
    *, session: Session, principal: Principal | None, version_id: int, data: VersionIn
) -> ListVersion:
    actor = require_role(principal, *EDITORS)
    version = _draft(session, actor, version_id)
    changes = data.model_dump(exclude={"version"})
    check_version(version, data.version, changes)
    for field, value in changes.items():
        setattr(version, field, value)
    version.edited_by = actor.username
    session.flush()  # a concurrent save of the same version fails here
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type=f"list:{version.kind.value}",
        object_id=version.id,
    )
    return version


def _draft(session: Session, actor: Principal, version_id: int) -> ListVersion:
    version = get_version(session=session, principal=actor, version_id=version_id)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed; create a new version instead."))
    return version


def approve(
    *,
    session: Session,
    principal: Principal | None,
    version_id: int,
    today: date | None = None,
) -> ListVersion:
    """Approve a draft: the approved version of the same kind becomes superseded — at once, or,
    when the draft takes effect later, on its effective date (the version is "approved,
    scheduled" until then and the list in force stays in force). Four eyes: the approver is
    not the one who last edited the draft (the server's own principals — the command line's
    operator, the demo loader — act outside the rule: they hold the database)."""
    actor = require_role(principal, *EDITORS)
    version = _draft(session, actor, version_id)
    if actor.user_id != 0 and actor.username == (version.edited_by or version.created_by):
        raise PermissionDenied(_("Another person approves the list you edited (four eyes)."))
    problems = []
    if not version.decision_number:
        problems.append(
            FieldError("decision_number", N_("an approved list needs its decision number"))
        )
    if version.effective_from is None:
        problems.append(
            FieldError("effective_from", N_("an approved list needs its effective date"))
        )
    if not entries_as_rows(version):
        problems.append(FieldError("entries", N_("the list is empty")))
    if problems:
        raise ValidationFailed(_("The version cannot be approved yet."), problems)
    assert version.effective_from is not None
    today = today or date.today()
    scheduled = version.effective_from > today
    waiting = scheduled_version(session, version.kind)
    if waiting is not None:
        raise Conflict(
            _("Version %(id)s is already scheduled: withdraw it first, or let it take effect.")
            % {"id": waiting.id}
        )
    previous = current_version(session=session, kind=version.kind, on=today)
    if previous is not None:
        day_before = version.effective_from - timedelta(days=1)
        if previous.effective_to is None or previous.effective_to > day_before:
            previous.effective_to = day_before
        if not scheduled:
            previous.status = VersionStatus.SUPERSEDED
        session.flush()
    version.status = VersionStatus.SCHEDULED if scheduled else VersionStatus.APPROVED
    version.approved_by = actor.username
    version.approved_at = utcnow()
    audit.record(
        session=session,
        actor=actor,
        action="approve",
        object_type=f"list:{version.kind.value}",
        object_id=version.id,
        detail={
            "supersedes": previous.id if previous else None,
            "scheduled_for": version.effective_from.isoformat() if scheduled else None,
        },
    )
    session.flush()
    outputs.approved(
        session=session,
        kind=OutputKind.DISEASE_LIST if version.kind is ListKind.DISEASES else OutputKind.DRUG_LIST,
        ref=version.id,
        on=version.approved_at.date(),
        by=actor.username,
    )
    return version


def withdraw_schedule(
    *, session: Session, principal: Principal | None, version_id: int, reason: str
) -> ListVersion:
    """Take a scheduled version back to draft before it takes effect (with why); the list in
    force stays in force with no end date."""
    actor = require_role(principal, *EDITORS)
    version = get_version(session=session, principal=actor, version_id=version_id)
    if version.status != VersionStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled version can be withdrawn."))
    reason = require_reason(reason)
    assert version.effective_from is not None
    replaced = next(iter(with_status(session, version.kind, VersionStatus.APPROVED)), None)
    if replaced is not None and replaced.effective_to == version.effective_from - timedelta(1):
        replaced.effective_to = None
    version.status = VersionStatus.DRAFT
    version.approved_by = None
    version.approved_at = None
    version.edited_by = actor.username
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="withdraw",
        object_type=f"list:{version.kind.value}",
        object_id=version.id,
        detail={"reason": reason},
    )
    return version


def delete_draft(*, session: Session, principal: Principal | None, version_id: int) -> None:
    actor = require_role(principal, *EDITORS)
    version = _draft(session, actor, version_id)
    audit.record(
        session=session,
        actor=actor,
        action="delete",
        object_type=f"list:{version.kind.value}",
        object_id=version.id,
    )
    session.delete(version)
    session.flush()


# ------------------------------------------------------------------------------- entries
def entries(version: ListVersion) -> Sequence[DiseaseEntry] | Sequence[DrugEntry]:
    return version.disease_entries if version.kind is ListKind.DISEASES else version.drug_entries


def entries_as_rows(version: ListVersion) -> list[dict[str, Any]]:
    """Entries as dictionaries keyed by the import/export column names."""
    if version.kind is ListKind.DISEASES:
        return [
            {
                "orpha_code": e.orpha_code,
                "name_vi": e.name_vi,
                "name_en": e.name_en,
                "icd10": list(e.icd10_codes),
                "disease_group": e.disease_group,
                "full_coverage": e.full_coverage,
                "newborn_screening": e.newborn_screening,
                "note": e.note,
            }
            for e in version.disease_entries
        ]
    return [
        {name: getattr(e, name) for name in TABLES[ListKind.DRUGS].names}
        for e in version.drug_entries
    ]


def _new_entry(kind: ListKind, version_id: int, row: dict[str, Any]) -> DiseaseEntry | DrugEntry:
    if kind is ListKind.DISEASES:
        return DiseaseEntry(
            version_id=version_id,
            orpha_code=row["orpha_code"],
            name_vi=row["name_vi"],
            name_vi_folded=fold(row["name_vi"]),
            name_en=row.get("name_en") or "",
            icd10_codes=list(row.get("icd10") or []),
            disease_group=row.get("disease_group") or "",
            full_coverage=bool(row.get("full_coverage")),
            newborn_screening=bool(row.get("newborn_screening")),
            note=row.get("note") or "",
        )
    values = {name: row.get(name) for name in TABLES[ListKind.DRUGS].names}
    values["brand_names"] = list(values["brand_names"] or [])
    values["loading_days"] = list(values["loading_days"] or [])
    values["vial_sharing"] = bool(values["vial_sharing"])
    values["reimbursement"] = values["reimbursement"] or "not_covered"
    values["coverage_rate"] = values["coverage_rate"] or 0.0
    for name in ("atc_code", "form", "route", "note"):
        values[name] = values[name] or ""
    return DrugEntry(version_id=version_id, **values)


def import_file(
    *,
    session: Session,
    principal: Principal | None,
    kb: KnowledgeBase,
    version_id: int,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    mode: ImportMode = ImportMode.REPLACE,
    confirm: bool = False,
) -> ImportReport:
    """Import a CSV/XLSX file into a draft, all rows or none: ``replace`` makes the draft the
    file; ``merge`` adds the file's rows and updates the draft's entries of the same key (ORPHA
    code, INN), keeping the others. A replacement that would remove entries is refused (409,
    naming them) unless ``confirm``: a short file cannot silently shrink a list.

    Every problem (row and column) is reported at once in :class:`ValidationFailed`."""
    actor = require_role(principal, *EDITORS)
    version = _draft(session, actor, version_id)
    kind = version.kind
    rows, errors = tabular.read_rows(TABLES[kind], content, filename)
    errors += CHECKS[kind](rows, kb)
    if errors:
        errors.sort(
            key=lambda e: (
                e.row or 0,
                TABLES[kind].names.index(e.field) if e.field in TABLES[kind].names else 99,
            )
        )
        raise ValidationFailed(_("The file has errors; nothing was imported."), errors)
    new_rows = [values for _row, values in rows]
    current = entries_as_rows(version)
    if mode is ImportMode.MERGE:
        incoming = {entry_key(kind, row) for row in new_rows}
        new_rows = [row for row in current if entry_key(kind, row) not in incoming] + new_rows
    diff = _diff_rows(kind, current, new_rows)
    removed = [_label(kind, row) for row in diff.removed]
    report = ImportReport(
        version_id=version.id,
        dry_run=dry_run,
        mode=mode,
        rows=len(new_rows),
        added=len(diff.added),
        removed=len(diff.removed),
        changed=len(diff.changed),
        written=not dry_run,
        removed_labels=removed[:50],
    )
    if dry_run:
        return report
    if removed and not confirm:
        raise Conflict(
            _("Replacing the draft with this file removes entries; confirm to go ahead."),
            [
                FieldError(
                    "entries",
                    N_("removes %(n)s: %(names)s"),
                    params={"n": len(removed), "names": "; ".join(removed[:10])},
                )
            ],
        )
    model = _ENTRY_MODEL[kind]
    version.edited_by = actor.username
    session.execute(delete(model).where(model.version_id == version.id))
    session.add_all(_new_entry(kind, version.id, row) for row in new_rows)
    session.flush()
    session.expire(version)
    audit.record(
        session=session,
        actor=actor,
        action="import",
        object_type=f"list:{kind.value}",
        object_id=version.id,
        detail={"file": filename, **report.model_dump(exclude={"version_id"})},
    )
    return report


def export_file(
    *, session: Session, principal: Principal | None, version_id: int, fmt: str
) -> tuple[bytes, str]:
    version = get_version(session=session, principal=principal, version_id=version_id)
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(
            _("Unknown export format."), [FieldError("format", N_("expected csv or xlsx"))]
        )
    data = tabular.export(TABLES[version.kind], entries_as_rows(version), fmt, version.kind.value)
    return data, f"rarecare-{version.kind.value}-v{version.id}.{fmt}"


def template_file(kind: ListKind, fmt: str) -> tuple[bytes, str]:
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed(
            _("Unknown template format."), [FieldError("format", N_("expected csv or xlsx"))]
        )
    return tabular.template(TABLES[kind], fmt), f"rarecare-{kind.value}-template.{fmt}"


# ---------------------------------------------------------------------------------- diff
def _label(kind: ListKind, row: dict[str, Any]) -> str:
    return (
        f"{row['orpha_code']} {row.get('name_en', '')}"
        if kind is ListKind.DISEASES
        else str(row["inn"])
    )


def _comparable(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def _diff_rows(kind: ListKind, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> DiffOut:
    before = {entry_key(kind, r): r for r in old}
    after = {entry_key(kind, r): r for r in new}
    changed = []
    for key in sorted(before.keys() & after.keys()):
        changes = [
            FieldChange(
                field=f, old=_comparable(before[key].get(f)), new=_comparable(after[key].get(f))
            )
            for f in TABLES[kind].names
            if _comparable(before[key].get(f)) != _comparable(after[key].get(f))
        ]
        if changes:
            changed.append(ChangedEntry(key=key, label=_label(kind, after[key]), changes=changes))
    return DiffOut(
        from_version=0,
        to_version=0,
        added=[after[k] for k in sorted(after.keys() - before.keys())],
        removed=[before[k] for k in sorted(before.keys() - after.keys())],
        changed=changed,
    )


def diff(*, session: Session, principal: Principal | None, from_id: int, to_id: int) -> DiffOut:
    """What changed from one version to another of the same list."""
    a = get_version(session=session, principal=principal, version_id=from_id)
    b = get_version(session=session, principal=principal, version_id=to_id)
    if a.kind != b.kind:
        raise ValidationFailed(
            _("Only versions of the same list can be compared."),
            [FieldError("to", N_("a version of the other list"))],
        )
    result = _diff_rows(a.kind, entries_as_rows(a), entries_as_rows(b))
    return result.model_copy(update={"from_version": a.id, "to_version": b.id})


# ------------------------------------------------------------------- catalogue look-ups
def approved_disease_entry(
    *, session: Session, orpha_code: str
) -> tuple[ListVersion, DiseaseEntry] | None:
    row = session.execute(
        select(ListVersion, DiseaseEntry)
        .join(DiseaseEntry, DiseaseEntry.version_id == ListVersion.id)
        .where(
            ListVersion.kind == ListKind.DISEASES,
            ListVersion.id == in_force(ListKind.DISEASES),
            DiseaseEntry.orpha_code == orpha_code,
        )
    ).first()
    return (row[0], row[1]) if row else None


def approved_drugs_for(*, session: Session, orpha_code: str) -> list[DrugEntry]:
    version = current_version(session=session, kind=ListKind.DRUGS)
    if version is None:
        return []
    return [d for d in version.drug_entries if orpha_code in d.indications]


def approved_drug(*, session: Session, name: str) -> DrugEntry | None:
    """A drug of the approved list by INN or brand name (case- and accent-insensitive)."""
    version = current_version(session=session, kind=ListKind.DRUGS)
    if version is None:
        return None
    wanted = fold(name)
    for drug in version.drug_entries:
        if fold(drug.inn) == wanted or any(fold(b) == wanted for b in drug.brand_names):
            return drug
    return None


def search_vietnamese_names(*, session: Session, query: str, limit: int = 20) -> list[DiseaseEntry]:
    """Approved-list entries whose Vietnamese name contains every word of the query."""
    words = fold(query).split()
    if not words:
        return []
    statement = (
        select(DiseaseEntry)
        .join(ListVersion, DiseaseEntry.version_id == ListVersion.id)
        .where(ListVersion.id == in_force(ListKind.DISEASES))
    )
    for word in words:
        statement = statement.where(DiseaseEntry.name_vi_folded.contains(word))
    return list(session.scalars(statement.limit(limit)))


def on_national_list(*, session: Session, orpha_code: str | None) -> bool:
    """Whether a disease is on the approved national rare disease list."""
    version = current_version(session=session, kind=ListKind.DISEASES)
    if version is None or not orpha_code:
        return False
    return (
        session.scalar(
            select(DiseaseEntry.id).where(
                DiseaseEntry.version_id == version.id, DiseaseEntry.orpha_code == orpha_code
            )
        )
        is not None
    )


def newborn_screening_codes(*, session: Session) -> set[str]:
    """The ORPHAcodes the national disease list in force flags as newborn-screening targets."""
    return set(
        session.scalars(
            select(DiseaseEntry.orpha_code)
            .join(ListVersion, DiseaseEntry.version_id == ListVersion.id)
            .where(
                ListVersion.id == in_force(ListKind.DISEASES),
                DiseaseEntry.newborn_screening.is_(True),
            )
        )
    )
