"""Guidelines: drafts by the ministry, public once approved; PDFs stored by content hash."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare import outputs
from rarecare.access import Principal, Role, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, NotFound, ValidationFailed
from rarecare.guidelines.models import Guideline, GuidelineStatus
from rarecare.guidelines.schemas import GuidelineIn
from rarecare.i18n import N_, _
from rarecare.knowledge import KnowledgeBase, normalise_orpha
from rarecare.outputs import OutputKind
from rarecare.storage import utcnow
from rarecare.storage.versioning import check_version

EDITORS = (Role.MINISTRY, Role.ADMIN)
MAX_PDF_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _visible(principal: Principal | None, guideline: Guideline) -> bool:
    return guideline.status == GuidelineStatus.APPROVED or (
        principal is not None and principal.role in EDITORS
    )


def create(
    *, session: Session, principal: Principal | None, kb: KnowledgeBase, data: GuidelineIn
) -> Guideline:
    actor = require_role(principal, *EDITORS)
    code = normalise_orpha(data.orpha_code)
    if code is None or kb.disease(code) is None:
        raise ValidationFailed(
            _("Invalid guideline."),
            [
                FieldError(
                    "orpha_code",
                    N_("%(code)s is not a known ORPHAcode"),
                    params={"code": data.orpha_code},
                )
            ],
        )
    guideline = Guideline(**{**data.model_dump(), "orpha_code": code}, created_by=actor.username)
    session.add(guideline)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="guideline",
        object_id=guideline.id,
    )
    return guideline


def get(*, session: Session, principal: Principal | None, guideline_id: int) -> Guideline:
    guideline = session.get(Guideline, guideline_id)
    if guideline is None or not _visible(principal, guideline):
        raise NotFound(_("No such guideline."))
    return guideline


def for_disease(
    *, session: Session, principal: Principal | None, orpha_code: str
) -> list[Guideline]:
    query = (
        select(Guideline).where(Guideline.orpha_code == orpha_code).order_by(Guideline.id.desc())
    )
    return [g for g in session.scalars(query) if _visible(principal, g)]


def list_all(*, session: Session, principal: Principal | None) -> list[Guideline]:
    return [
        g
        for g in session.scalars(select(Guideline).order_by(Guideline.id.desc()))
        if _visible(principal, g)
    ]


def attach_pdf(
    *,
    session: Session,
    principal: Principal | None,
    guideline_id: int,
    content: bytes,
    filename: str,
    content_type: str,
    storage_dir: Path,
) -> Guideline:
    """Store a PDF (checked: size, declared type and the file's own signature)."""
    actor = require_role(principal, *EDITORS)
    guideline = get(session=session, principal=actor, guideline_id=guideline_id)
    problems = []
    if len(content) > MAX_PDF_BYTES:
        problems.append(
            FieldError(
                "file", N_("larger than %(n)s MB"), params={"n": MAX_PDF_BYTES // (1024 * 1024)}
            )
        )
    if content_type not in ("application/pdf", "application/x-pdf"):
        problems.append(
            FieldError(
                "file",
                N_("expected a PDF, the upload says %(kind)s"),
                params={"kind": content_type},
            )
        )
    if not content.startswith(b"%PDF-"):
        problems.append(FieldError("file", N_("the content is not a PDF document")))
    if problems:
        raise ValidationFailed(_("The attachment was refused."), problems)
    digest = hashlib.sha256(content).hexdigest()
    storage_dir.mkdir(parents=True, exist_ok=True)
    target = storage_dir / f"{digest}.pdf"
    if not target.exists():
        target.write_bytes(content)
    guideline.file_sha256 = digest
    guideline.file_size = len(content)
    guideline.file_name = (
        _SAFE_NAME.sub("_", Path(filename).name)[:150] or "guideline"
    ).removesuffix(".pdf") + ".pdf"
    audit.record(
        session=session,
        actor=actor,
        action="attach",
        object_type="guideline",
        object_id=guideline.id,
        detail={"sha256": digest, "size": len(content)},
    )
    return guideline


def pdf_path(
    *, session: Session, principal: Principal | None, guideline_id: int, storage_dir: Path
) -> tuple[Path, str]:
    guideline = get(session=session, principal=principal, guideline_id=guideline_id)
    if not guideline.file_sha256:
        raise NotFound(_("This guideline has no attached file."))
    path = storage_dir / f"{guideline.file_sha256}.pdf"
    if not path.exists():
        raise NotFound(_("The attached file is missing from storage."))
    return path, guideline.file_name or "guideline.pdf"


def set_status(
    *,
    session: Session,
    principal: Principal | None,
    guideline_id: int,
    status: GuidelineStatus,
    version: int | None = None,
) -> Guideline:
    """Approve, withdraw or return to draft; ``version``: the guideline's ``row_version`` the
    decision was taken on (changed since: 409)."""
    actor = require_role(principal, *EDITORS)
    guideline = get(session=session, principal=actor, guideline_id=guideline_id)
    check_version(guideline, version, {"status": status}, attribute="row_version")
    guideline.status = status
    if status == GuidelineStatus.APPROVED:
        guideline.approved_at = utcnow()
    audit.record(
        session=session,
        actor=actor,
        action=status.value,
        object_type="guideline",
        object_id=guideline.id,
    )
    if status == GuidelineStatus.APPROVED:
        session.flush()
        outputs.approved(
            session=session,
            kind=OutputKind.GUIDELINE,
            ref=guideline.id,
            on=(guideline.approved_at or utcnow()).date(),
            by=actor.username,
        )
    return guideline
