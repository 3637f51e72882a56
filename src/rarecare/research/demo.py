"""Demo research access: a university in the organisations directory (the demo researcher's),
the steering committee's secretary on the data access committee, and one submitted request
about Pompe disease for the committee to review. Fictional, labelled as a demonstration."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.access import SYSTEM, Role
from rarecare.accounts import service as accounts
from rarecare.monitoring.models import Organisation, OrgKind
from rarecare.research.models import (
    AccessCommitteeMember,
    AccessRequest,
    DocumentKind,
    RequestDocument,
    RequestEvent,
    RequestStatus,
)
from rarecare.storage import utcnow

UNIVERSITY = ("HMU", "Trường Đại học Y Hà Nội", "Hanoi Medical University")
# the smallest valid PDF: the demo documents are placeholders, said so in their names
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def load(*, session: Session) -> dict[str, int]:
    """Whatever of the demo's research access is missing; returns what was added."""
    added = {"research requests": 0}
    org = session.scalar(select(Organisation).where(Organisation.code == UNIVERSITY[0]))
    if org is None:
        org = Organisation(
            code=UNIVERSITY[0], name=UNIVERSITY[1], name_en=UNIVERSITY[2], kind=OrgKind.RESEARCH
        )
        session.add(org)
        session.flush()
    secretary = accounts.get_user_by_username(session=session, username="committee")
    moh = session.scalar(select(Organisation).where(Organisation.code == "MSA"))
    if secretary is not None and moh is not None:
        member = session.scalar(
            select(AccessCommitteeMember).where(AccessCommitteeMember.user_id == secretary.id)
        )
        if member is None:
            session.add(
                AccessCommitteeMember(
                    user_id=secretary.id, organisation_id=moh.id, added_by=SYSTEM.username
                )
            )
    researcher = accounts.get_user_by_username(session=session, username="researcher")
    if researcher is None or researcher.role is not Role.RESEARCHER:
        return added
    if session.scalar(select(AccessRequest.id).where(AccessRequest.applicant_id == researcher.id)):
        return added
    request = AccessRequest(
        applicant_id=researcher.id,
        applicant=researcher.username,
        organisation_id=org.id,
        title="Diễn tiến tự nhiên của bệnh Pompe ở Việt Nam (minh hoạ)",
        purpose=(
            "Mô tả thời gian chẩn đoán, kiểu hình và điều trị của người bệnh Pompe trong sổ đăng "
            "ký quốc gia. Yêu cầu minh hoạ của dữ liệu demo."
        ),
        cohort={"orpha_codes": ["ORPHA:365"], "hpo_ids": [], "sexes": [], "provinces": []},
        variables=["sex", "birth_date", "province", "diagnosis_date", "hpo_observed"],
        duration_months=12,
        status=RequestStatus.SUBMITTED,
        submitted_at=utcnow(),
        pseudonym_salt=secrets.token_hex(32),
    )
    for kind in (DocumentKind.PROTOCOL, DocumentKind.ETHICS):
        request.documents.append(
            RequestDocument(
                kind=kind,
                filename=f"demo-{kind.value}.pdf",
                media_type="application/pdf",
                size=len(PDF),
                content=PDF,
                uploaded_by=researcher.username,
            )
        )
    request.events.extend(
        [
            RequestEvent(to_status=RequestStatus.DRAFT.value, actor=researcher.username),
            RequestEvent(
                from_status=RequestStatus.DRAFT.value,
                to_status=RequestStatus.SUBMITTED.value,
                actor=researcher.username,
            ),
        ]
    )
    session.add(request)
    session.flush()
    added["research requests"] = 1
    return added
