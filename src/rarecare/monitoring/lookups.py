"""What the indicator engine looks up in the approved national lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarecare.lists.models import DiseaseEntry, DrugEntry, ListKind, ListVersion, VersionStatus


def listed_drugs(session: Session) -> list[str]:
    version = session.scalar(
        select(ListVersion.id).where(
            ListVersion.kind == ListKind.DRUGS, ListVersion.status == VersionStatus.APPROVED
        )
    )
    if version is None:
        return []
    return list(session.scalars(select(DrugEntry.inn).where(DrugEntry.version_id == version)))


def disease_groups(session: Session) -> dict[str, str]:
    """ORPHA code → its group on the approved national list."""
    version = session.scalar(
        select(ListVersion.id).where(
            ListVersion.kind == ListKind.DISEASES, ListVersion.status == VersionStatus.APPROVED
        )
    )
    rows = session.execute(
        select(DiseaseEntry.orpha_code, DiseaseEntry.disease_group).where(
            DiseaseEntry.version_id == version
        )
    )
    return {code: group or "" for code, group in rows}
